//! Keeping payloads and the token out of messages: long base64-like runs hidden, the
//! token replaced, in text and in every string of a JSON value.

use serde_json::Value;

/// A copy of `v` with every string passed through [`redact`].
pub fn redact_value(v: &Value) -> Value {
    map_strings(v, &redact)
}

/// A copy of `v` with `f` applied to every string value (keys are left alone).
pub fn map_strings(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), map_strings(x, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Shortest run of base64/JWT characters treated as echoed payload rather than words.
const LONG_RUN: usize = 64;

/// Hides long base64-like runs in a server text. Validators echo what they were sent
/// (Joi: `"image" with value "iVBOR…" fails to match …`), and an error message must
/// never carry the probe image or a token back to the screen or a log.
pub fn redact(text: &str) -> String {
    let is_payload = |c: char| c.is_ascii_alphanumeric() || "+/=_-.".contains(c);
    let mut out = String::with_capacity(text.len().min(256));
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= LONG_RUN {
            out.push_str(&format!("[{} characters hidden]", run.len()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if is_payload(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Replaces every occurrence of `secret` (the token) in `text`. Very short secrets are
/// left alone: replacing every "t" of a message would destroy it and hide nothing.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.len() < 8 {
        text.to_owned()
    } else {
        text.replace(secret, "[token]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_the_exact_token() {
        assert_eq!(
            scrub("bad token abc123def456 given", "abc123def456"),
            "bad token [token] given"
        );
        assert_eq!(scrub("nothing here", ""), "nothing here");
        // A one-letter token must not turn every "t" into "[token]".
        assert_eq!(scrub("the store holds", "t"), "the store holds");
    }
}
