//! Joi-style validation of JSON bodies: the first problem, in the order of the
//! documented fields, as the message Verifik's Joi schemas produce
//! (`"os" is required`, `"min_score" must be greater than or equal to 0.5`, …).
//! Numeric strings are converted, as Joi does by default; unknown keys are ignored.

use serde_json::{Map, Value};

use super::reply::Failure;

pub type Body = Map<String, Value>;

/// The body as an object, or `"value" must be of type object`.
pub fn object(v: Value) -> Result<Body, Failure> {
    match v {
        Value::Object(o) => Ok(o),
        _ => Err(Failure::missing("\"value\" must be of type object")),
    }
}

fn present<'a>(b: &'a Body, key: &str) -> Option<&'a Value> {
    b.get(key).filter(|v| !v.is_null())
}

/// A required non-empty string.
pub fn string<'a>(b: &'a Body, key: &str) -> Result<&'a str, Failure> {
    optional_string(b, key)?.ok_or_else(|| Failure::missing(format!("\"{key}\" is required")))
}

/// An optional string; present means non-empty.
pub fn optional_string<'a>(b: &'a Body, key: &str) -> Result<Option<&'a str>, Failure> {
    match present(b, key) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(Failure::missing(format!(
            "\"{key}\" is not allowed to be empty"
        ))),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Failure::missing(format!("\"{key}\" must be a string"))),
    }
}

/// An optional string of at most `max` characters.
pub fn optional_text<'a>(b: &'a Body, key: &str, max: usize) -> Result<Option<&'a str>, Failure> {
    let s = optional_string(b, key)?;
    if let Some(s) = s {
        if s.chars().count() > max {
            return Err(Failure::missing(format!(
                "\"{key}\" length must be less than or equal to {max} characters long"
            )));
        }
    }
    Ok(s)
}

/// A required value from a fixed list (case-sensitive, as Joi's `valid()`).
pub fn one_of(b: &Body, key: &str, allowed: &[&'static str]) -> Result<&'static str, Failure> {
    optional_one_of(b, key, allowed)?
        .ok_or_else(|| Failure::missing(format!("\"{key}\" is required")))
}

pub fn optional_one_of(
    b: &Body,
    key: &str,
    allowed: &[&'static str],
) -> Result<Option<&'static str>, Failure> {
    let bad = || Failure::missing(format!("\"{key}\" must be one of [{}]", allowed.join(", ")));
    match present(b, key) {
        None => Ok(None),
        Some(Value::String(s)) => allowed
            .iter()
            .find(|a| **a == s)
            .map(|a| Some(*a))
            .ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

/// A required number in `[min, max]` (numeric strings accepted).
pub fn number(b: &Body, key: &str, min: f64, max: f64) -> Result<f64, Failure> {
    let v = present(b, key).ok_or_else(|| Failure::missing(format!("\"{key}\" is required")))?;
    let x = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|x| x.is_finite())
    .ok_or_else(|| Failure::missing(format!("\"{key}\" must be a number")))?;
    if x < min {
        return Err(Failure::missing(format!(
            "\"{key}\" must be greater than or equal to {min}"
        )));
    }
    if x > max {
        return Err(Failure::missing(format!(
            "\"{key}\" must be less than or equal to {max}"
        )));
    }
    Ok(x)
}

/// An optional array of 1..=max non-empty strings.
pub fn optional_strings(b: &Body, key: &str, max: usize) -> Result<Option<Vec<String>>, Failure> {
    let Some(v) = present(b, key) else {
        return Ok(None);
    };
    let Value::Array(items) = v else {
        return Err(Failure::missing(format!("\"{key}\" must be an array")));
    };
    if items.len() > max {
        return Err(Failure::missing(format!(
            "\"{key}\" must contain less than or equal to {max} items"
        )));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
            Value::String(_) => Err(Failure::missing(format!(
                "\"{key}[{i}]\" is not allowed to be empty"
            ))),
            _ => Err(Failure::missing(format!("\"{key}[{i}]\" must be a string"))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A required array of 1..=max strings (the `images` of persons).
pub fn strings(b: &Body, key: &str, max: usize) -> Result<Vec<String>, Failure> {
    let v = optional_strings(b, key, max)?
        .ok_or_else(|| Failure::missing(format!("\"{key}\" is required")))?;
    if v.is_empty() {
        return Err(Failure::missing(format!(
            "\"{key}\" must contain at least 1 items"
        )));
    }
    Ok(v)
}

/// A person's name: digits stripped (as the docs say the server does), trimmed, 1–200 chars.
pub fn person_name(raw: &str, key: &str) -> Result<String, Failure> {
    let name: String = raw.chars().filter(|c| !c.is_ascii_digit()).collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(Failure::missing(format!(
            "\"{key}\" is not allowed to be empty"
        )));
    }
    if name.chars().count() > 200 {
        return Err(Failure::missing(format!(
            "\"{key}\" length must be less than or equal to 200 characters long"
        )));
    }
    Ok(name)
}

/// An optional `YYYY-MM-DD` date (ISO datetimes and `{year,month,day}` are accepted too).
pub fn optional_date(b: &Body, key: &str) -> Result<Option<String>, Failure> {
    let Some(v) = present(b, key) else {
        return Ok(None);
    };
    crate::vocabulary::DateOfBirth::from_value(v)
        .filter(|d| (1850..=2200).contains(&d.year))
        .map(|d| Some(d.to_string()))
        .ok_or_else(|| {
            Failure::missing(format!(
                "\"{key}\" must be a valid date in YYYY-MM-DD format"
            ))
        })
}

pub fn date(b: &Body, key: &str) -> Result<String, Failure> {
    optional_date(b, key)?.ok_or_else(|| Failure::missing(format!("\"{key}\" is required")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Body {
        object(v).unwrap()
    }

    fn message(f: Failure) -> String {
        f.body["message"].as_str().unwrap().to_owned()
    }

    #[test]
    fn messages_read_like_joi() {
        let b = body(json!({"min_score": 0.3, "os": "MAC", "x": "", "n": "0.7", "l": [1]}));
        assert_eq!(
            message(number(&b, "min_score", 0.5, 1.0).unwrap_err()),
            "\"min_score\" must be greater than or equal to 0.5"
        );
        assert_eq!(
            message(number(&b, "absent", 0.5, 1.0).unwrap_err()),
            "\"absent\" is required"
        );
        assert_eq!(number(&b, "n", 0.5, 1.0).unwrap(), 0.7);
        assert_eq!(
            message(one_of(&b, "os", &["ANDROID", "IOS", "DESKTOP"]).unwrap_err()),
            "\"os\" must be one of [ANDROID, IOS, DESKTOP]"
        );
        assert_eq!(
            message(string(&b, "x").unwrap_err()),
            "\"x\" is not allowed to be empty"
        );
        assert_eq!(
            message(strings(&b, "l", 3).unwrap_err()),
            "\"l[0]\" must be a string"
        );
        assert_eq!(
            message(object(json!([1])).unwrap_err()),
            "\"value\" must be of type object"
        );
        assert_eq!(person_name(" Ana  2 Lopez9 ", "name").unwrap(), "Ana Lopez");
        assert!(optional_date(&body(json!({"d": "1990-02-30"})), "d").is_err());
        assert_eq!(
            optional_date(
                &body(json!({"d": {"year": 1990, "month": 2, "day": 3}})),
                "d"
            )
            .unwrap()
            .unwrap(),
            "1990-02-03"
        );
    }
}
