//! Reading the server's error body, whichever documented envelope it uses.

use serde_json::Value;

use super::redact::redact;

/// Extracts `(code, message, data)` from every documented error envelope:
/// `{message, code}`, `{error, message}`, `{success:false, error, code}`,
/// nested `data.message`/`data.code`, and validation lists `data.detail[]`.
pub fn parse_error_body(body: &Value) -> (Option<String>, Option<String>, Option<Value>) {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let data = body.get("data").cloned().filter(|d| !d.is_null());
    let mut code = text(body.get("code"));
    let mut message = text(body.get("message"));
    if let Some(error) = text(body.get("error")) {
        // `{error: "Person not found", message: "PERSON_NOT_FOUND"}`: keep both.
        message = Some(match message {
            Some(m) if m != error => format!("{m} ({error})"),
            _ => error,
        });
    }
    if let Some(d) = data.as_ref().and_then(Value::as_object) {
        code = code.or_else(|| text(d.get("code")));
        message = message.or_else(|| text(d.get("message")));
        if message.is_none() {
            if let Some(detail) = d.get("detail").and_then(Value::as_array) {
                let parts: Vec<String> = detail
                    .iter()
                    .filter_map(|item| {
                        let msg = item.get("msg").and_then(Value::as_str)?;
                        let field = item
                            .get("loc")
                            .and_then(Value::as_array)
                            .and_then(|l| l.last())
                            .map(|f| f.as_str().map(str::to_owned).unwrap_or(f.to_string()));
                        Some(match field {
                            Some(f) => format!("{f}: {msg}"),
                            None => msg.to_owned(),
                        })
                    })
                    .collect();
                if !parts.is_empty() {
                    message = Some(parts.join("; "));
                }
            }
        }
    }
    let clean = |t: String| crate::printable::printable(&redact(&t)).into_owned();
    (code.map(clean), message.map(clean), data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> (Option<String>, Option<String>, Option<Value>) {
        parse_error_body(&v)
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_owned())
    }

    #[test]
    fn parses_message_and_code() {
        let (code, msg, data) =
            parse(json!({"message": "\"os\" is required", "code": "MissingParameter"}));
        assert_eq!(code, s("MissingParameter"));
        assert_eq!(msg, s("\"os\" is required"));
        assert_eq!(data, None);
    }

    #[test]
    fn parses_a_bare_error_field() {
        assert_eq!(
            parse(json!({"error": "Invalid request"})),
            (None, s("Invalid request"), None)
        );
    }

    #[test]
    fn keeps_both_error_and_message() {
        let (code, msg, _) =
            parse(json!({"error": "Person not found", "message": "PERSON_NOT_FOUND"}));
        assert_eq!(code, None);
        assert_eq!(msg, s("PERSON_NOT_FOUND (Person not found)"));
        let (_, same, _) = parse(json!({"error": "x", "message": "x"}));
        assert_eq!(same, s("x"));
    }

    #[test]
    fn parses_the_old_success_false_envelope() {
        let (code, msg, _) = parse(json!({
            "success": false, "error": "Invalid query parameters", "code": "INVALID_PARAMETERS"
        }));
        assert_eq!(code, s("INVALID_PARAMETERS"));
        assert_eq!(msg, s("Invalid query parameters"));
    }

    #[test]
    fn keeps_data_and_signature_is_ignored() {
        let (code, msg, data) = parse(json!({
            "message": "person_already_set", "code": "PreconditionFailed",
            "data": {"_id": "p1", "name": "Ana"},
            "signature": {"message": "Certified by Verifik.co", "dateTime": "x"}
        }));
        assert_eq!(code, s("PreconditionFailed"));
        assert_eq!(msg, s("person_already_set"));
        assert_eq!(data, Some(json!({"_id": "p1", "name": "Ana"})));
        assert_eq!(parse(json!({"message": "m", "data": null})).2, None);
    }

    #[test]
    fn falls_back_to_nested_data_message_and_code() {
        let (code, msg, _) = parse(
            json!({"data": {"code": "ERR_ENTITY_NOT_FOUND", "message": "collection not found"}}),
        );
        assert_eq!(code, s("ERR_ENTITY_NOT_FOUND"));
        assert_eq!(msg, s("collection not found"));
        // Top-level fields win over nested ones.
        let (code, msg, _) = parse(
            json!({"code": "A", "message": "top", "data": {"code": "B", "message": "inner"}}),
        );
        assert_eq!((code, msg), (s("A"), s("top")));
    }

    #[test]
    fn names_fields_of_a_validation_detail_list() {
        let (_, msg, _) = parse(json!({"data": {"detail": [
            {"loc": ["body", "min_score"], "msg": "must be >= 0.5", "ctx": {"ge": 0.5}},
            {"loc": ["body", 0], "msg": "bad item"},
            {"msg": "no location"},
            {"loc": ["x"]}
        ]}}));
        assert_eq!(
            msg,
            s("min_score: must be >= 0.5; 0: bad item; no location")
        );
    }

    #[test]
    fn an_empty_or_odd_object_gives_nothing() {
        assert_eq!(parse(json!({})), (None, None, None));
        assert_eq!(
            parse(json!({"message": 5, "code": ["x"]})),
            (None, None, None)
        );
    }

    #[test]
    fn long_echoed_payloads_are_hidden_from_messages() {
        let image = "iVBORw0KGgo".repeat(20);
        let (_, msg, _) = parse(json!({
            "message": format!("\"image\" with value \"{image}\" fails to match the required pattern"),
            "code": "MissingParameter"
        }));
        let msg = msg.unwrap();
        assert!(!msg.contains(&image[..64]), "{msg}");
        assert!(
            msg.starts_with("\"image\" with value \"[220 characters hidden]\" fails"),
            "{msg}"
        );
        // Ordinary words, ids and paths survive.
        let text = "person 651743f2b2eaf872c3541417 not in /v2/face-recognition/persons";
        assert_eq!(redact(text), text);
    }
}
