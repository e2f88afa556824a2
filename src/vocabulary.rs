//! The Verifik API's vocabulary, shared by the client (`crate::api`) and the sandbox
//! (`crate::sandbox`): the enumerations, the threshold range, the endpoint paths, the
//! error codes and messages, and the small rules of the wire format (data-URL prefixes,
//! ids, dates of birth, image counts).
//!
//! Only words and rules live here, each with the section of `verifik-api.md` it comes
//! from. The request and response *structs* stay on each side: the sandbox is an
//! independent reading of the documentation, not a mirror of the client.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

// ---- endpoint paths (endpoint summary) ---------------------------------------

/// Every face-recognition endpoint sits under this prefix (verifik-api.md, "Endpoint
/// summary").
pub const API_PREFIX: &str = "/v2/face-recognition";
/// `POST`: liveness on one probe, then a 1:N search (endpoint 1, §2).
pub const SEARCH_LIVE_FACE: &str = "/search-live-face";
/// `GET` lists, `POST` creates persons (endpoints 12 and 14, §4.2, §4.4);
/// `{PERSONS}/{id}` retrieves, updates and deletes one (endpoints 16–18).
pub const PERSONS: &str = "/persons";
/// `POST`: create a person with liveness and a duplicate check (endpoint 13, §4.3).
pub const PERSONS_SEARCH_LIVE_FACE: &str = "/persons/search-live-face";
/// `GET` lists, `POST` creates collections; `{COLLECTIONS}/{id}` the rest (endpoints
/// 19–23, §5.2).
pub const COLLECTIONS: &str = "/collections";

// ---- limits (§4.2, §4.4) -----------------------------------------------------

/// A person is created or updated with 1 to this many images (verifik-api.md §4.2).
pub const MAX_PERSON_IMAGES: usize = 3;
/// The largest `limit` of a person list page (verifik-api.md §4.4).
pub const MAX_PAGE_LIMIT: u64 = 100;

// ---- error codes and messages (§1.3) -----------------------------------------

/// The `code` field of the documented error envelopes (verifik-api.md §1.3).
pub mod code {
    /// 409: a Joi validation message (missing field, out-of-range value).
    pub const MISSING_PARAMETER: &str = "MissingParameter";
    /// 409: a bad query of the person list.
    pub const INVALID_PARAMETERS: &str = "INVALID_PARAMETERS";
    /// 412: a person with the same name and date of birth exists (§4.2).
    pub const PRECONDITION_FAILED: &str = "PreconditionFailed";
    /// 401: no or a wrong token.
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    /// The catch-all code of 404/409/412/500 answers.
    pub const ERROR: &str = "ERROR";
}

/// The `message` words of the documented error envelopes that a client tells apart
/// (verifik-api.md §1.3, §4.2, §4.3), and the sandbox's own 503/409 words.
pub mod message {
    /// 409 from create-with-liveness: the probe failed liveness (§4.3).
    pub const LIVENESS_FAILED: &str = "liveness_failed";
    /// 403: the token expired (§1.3).
    pub const TOKEN_EXPIRED: &str = "token_expired";
    /// 409 from create-with-liveness: the face is already enrolled (§4.3).
    pub const DUPLICATED_PERSON: &str = "duplicated_person";
    /// 412: same name and date of birth in the collection (§4.2).
    pub const PERSON_ALREADY_SET: &str = "person_already_set";
    /// 412: the image is not base64 (or under about 100 characters) (§1.3).
    pub const ONLY_IMAGES_IN_BASE64: &str = "only_images_in_base64";
    /// 404 of the collection endpoints (§1.3).
    pub const INVALID_COLLECTION: &str = "invalid_collection";
    /// 404 of the person endpoints, with `error: "Person not found"` (§1.3).
    pub const PERSON_NOT_FOUND: &str = "PERSON_NOT_FOUND";
    /// 500 (§1.3).
    pub const INTERNAL_ERROR: &str = "internal_error";
    /// 503 of the sandbox while its face models load (not Verifik's: ours).
    pub const ENGINE_LOADING: &str = "engine_loading";
    /// 409 of the sandbox when its store holds another engine's vectors (ours).
    pub const ENGINE_MISMATCH: &str = "engine_mismatch";
}

// ---- enumerations (§1.5) -----------------------------------------------------

/// An API enum sent as an upper-case string, with its variants in `ALL`.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? } default $default:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(
                #[serde(rename = $wire)]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: [$name; [$($wire),+].len()] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// Case-insensitive, surrounding blanks ignored.
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL
                    .into_iter()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// The capture platform the probe comes from (`os` in the request): `ANDROID`, `IOS`,
    /// `DESKTOP` (verifik-api.md §1.5).
    Os { Android => "ANDROID", Ios => "IOS", Desktop => "DESKTOP" } default Desktop
);

wire_enum!(
    /// `search_mode`: FAST trades a little recall for speed; ACCURATE scans exactly
    /// (verifik-api.md §1.5).
    SearchMode { Fast => "FAST", Accurate => "ACCURATE" } default Fast
);

// ---- thresholds (§1.5) -------------------------------------------------------

/// The floor of `liveness_min_score` and of `min_score` on search-live-face and
/// create-with-liveness (verifik-api.md §1.5: 0.5–1.0; compare-live's 0.52 is not used).
pub const THRESHOLD_MIN: f64 = 0.5;
/// The ceiling of the same two thresholds (verifik-api.md §1.5).
pub const THRESHOLD_MAX: f64 = 1.0;

/// Checks a threshold against the documented 0.5–1.0 range, naming the field in the error.
///
/// # Errors
/// Plain words naming `field` when `value` is not finite or outside the range.
pub fn validate_threshold(field: &str, value: f64) -> Result<f64, String> {
    if !value.is_finite() {
        return Err(format!("{field} must be a number between 0.5 and 1.0"));
    }
    if !(THRESHOLD_MIN..=THRESHOLD_MAX).contains(&value) {
        return Err(format!("{field} must be between 0.5 and 1.0 (got {value})"));
    }
    Ok(value)
}

/// Parses user text (a form field, a flag) as a threshold.
///
/// # Errors
/// Plain words naming `field` when the text is not a number in the range.
pub fn parse_threshold(field: &str, text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{field} must be a number between 0.5 and 1.0"))?;
    validate_threshold(field, value)
}

// ---- dates of birth (§4.1) ---------------------------------------------------

/// A date of birth, whichever of the documented forms it arrived in (verifik-api.md §4.1:
/// `{year, month, day}`, `YYYY-MM-DD`, or an ISO datetime; requests send `YYYY-MM-DD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateOfBirth {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl DateOfBirth {
    /// Accepts `{year,month,day}`, `YYYY-MM-DD` and ISO datetimes (`1990-01-15T00:00:00.000Z`).
    pub fn from_value(v: &Value) -> Option<DateOfBirth> {
        match v {
            Value::Object(o) => {
                let year = i32::try_from(integer(o.get("year")?)?).ok()?;
                let month = u32::try_from(integer(o.get("month")?)?).ok()?;
                let day = u32::try_from(integer(o.get("day")?)?).ok()?;
                DateOfBirth::new(year, month, day)
            }
            Value::String(s) => DateOfBirth::parse(s),
            _ => None,
        }
    }

    /// Parses `YYYY-MM-DD`, optionally followed by a time part.
    pub fn parse(s: &str) -> Option<DateOfBirth> {
        let s = s.trim();
        let date = s.split(['T', ' ']).next()?;
        let mut parts = date.split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        DateOfBirth::new(year, month, day)
    }

    /// Parses exactly `YYYY-MM-DD`, a real date: what forms and flags accept.
    pub fn parse_date(s: &str) -> Option<DateOfBirth> {
        let s = s.trim();
        let digits_at = |r: std::ops::Range<usize>| s[r].bytes().all(|b| b.is_ascii_digit());
        if s.len() != 10 || !s.is_ascii() || &s[4..5] != "-" || &s[7..8] != "-" {
            return None;
        }
        if !(digits_at(0..4) && digits_at(5..7) && digits_at(8..10)) {
            return None;
        }
        DateOfBirth::parse(s)
    }

    pub fn new(year: i32, month: u32, day: u32) -> Option<DateOfBirth> {
        chrono::NaiveDate::from_ymd_opt(year, month, day)?;
        Some(DateOfBirth { year, month, day })
    }
}

impl fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for DateOfBirth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateOfBirth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        DateOfBirth::from_value(&v).ok_or_else(|| serde::de::Error::custom("bad date of birth"))
    }
}

// ---- images (§1.4) -----------------------------------------------------------

/// Removes a `data:image/...;base64,` prefix, if any: the API wants raw base64
/// (verifik-api.md §1.4).
pub fn strip_data_url(s: &str) -> &str {
    if s.starts_with("data:") {
        if let Some(idx) = s.find(";base64,") {
            return &s[idx + ";base64,".len()..];
        }
        if let Some(idx) = s.find(',') {
            return &s[idx + 1..];
        }
    }
    s
}

// ---- ids and numbers as the API writes them (§1.2, §4.1, §8) -----------------

/// A number, or a numeric string.
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A whole number (or numeric string) that fits `i64` exactly: `1990.7`, `1e30`, `NaN`
/// and `"12abc"` are `None`, never truncated or saturated.
pub fn integer(v: &Value) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let x = n.as_f64()?;
            (x.is_finite() && x.fract() == 0.0 && x.abs() <= EXACT).then_some(x as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An id: a string, a number, or Mongo's `{"$oid": "…"}`.
pub fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("$oid").and_then(id_string),
        _ => None,
    }
}

/// The id of a record: `id` (search hits), else `_id` (persons, collections;
/// verifik-api.md §4.1).
pub fn object_id(o: &Map<String, Value>) -> Option<String> {
    o.get("id")
        .and_then(id_string)
        .or_else(|| o.get("_id").and_then(id_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_dates_are_exactly_yyyy_mm_dd_and_real() {
        assert_eq!(
            DateOfBirth::parse_date(" 1990-01-15 "),
            DateOfBirth::new(1990, 1, 15)
        );
        for bad in [
            "1990-1-15",
            "1990-01-15T00:00:00Z",
            "1990-02-30",
            "90-01-15xx",
            "１９９０-01-15",
            "1990/01/15",
            "",
        ] {
            assert_eq!(DateOfBirth::parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn thresholds_accept_the_closed_range_only() {
        assert_eq!(validate_threshold("min_score", 0.5), Ok(0.5));
        assert_eq!(validate_threshold("min_score", 1.0), Ok(1.0));
        assert_eq!(validate_threshold("min_score", 0.75), Ok(0.75));
        for bad in [0.4999, 1.0001, 0.0, -0.7, f64::NAN, f64::INFINITY] {
            let e = validate_threshold("liveness_min_score", bad).unwrap_err();
            assert!(e.contains("liveness_min_score"), "{bad}: {e}");
            assert!(e.contains("0.5") && e.contains("1.0"), "{bad}: {e}");
        }
    }

    #[test]
    fn thresholds_parse_from_text() {
        assert_eq!(parse_threshold("min_score", " 0.8 "), Ok(0.8));
        assert!(parse_threshold("min_score", "0.49").is_err());
        assert!(parse_threshold("min_score", "NaN").is_err());
        assert!(parse_threshold("min_score", "high")
            .unwrap_err()
            .contains("number"));
        assert!(parse_threshold("min_score", "").is_err());
    }

    #[test]
    fn strip_data_url_removes_only_a_data_prefix() {
        assert_eq!(
            strip_data_url("data:image/jpeg;base64,/9j/4AAQ"),
            "/9j/4AAQ"
        );
        assert_eq!(strip_data_url("data:image/png;base64,iVBOR"), "iVBOR");
        assert_eq!(strip_data_url("data:,abc"), "abc");
        assert_eq!(strip_data_url("/9j/4AAQ"), "/9j/4AAQ");
        assert_eq!(strip_data_url(""), "");
        // A comma inside raw base64 cannot happen; a "data" lookalike is left alone.
        assert_eq!(strip_data_url("dataXYZ"), "dataXYZ");
    }

    #[test]
    fn date_of_birth_accepts_the_three_documented_forms() {
        let want = DateOfBirth::new(1990, 1, 15).unwrap();
        for v in [
            json!({"year": 1990, "month": 1, "day": 15}),
            json!({"year": "1990", "month": "1", "day": "15"}),
            json!("1990-01-15"),
            json!("1990-01-15T00:00:00.000Z"),
            json!("1990-01-15T00:00:00"),
            json!("1990-01-15 00:00:00"),
        ] {
            assert_eq!(DateOfBirth::from_value(&v), Some(want), "{v}");
        }
        assert_eq!(want.to_string(), "1990-01-15");
        assert_eq!(serde_json::to_value(want).unwrap(), json!("1990-01-15"));
    }

    #[test]
    fn date_of_birth_rejects_impossible_dates() {
        for v in [
            json!("1990-02-30"),
            json!("1990-13-01"),
            json!("1990-00-10"),
            json!("2023-02-29"),
            json!("15/01/1990"),
            json!("1990-01"),
            json!("1990-01-15-01"),
            json!(""),
            json!({"year": 1990, "month": 2, "day": 30}),
            json!({"year": 1990, "month": -1, "day": 3}),
            json!({"year": 1990, "month": 1}),
            json!(19900115),
            json!(null),
        ] {
            assert_eq!(DateOfBirth::from_value(&v), None, "{v}");
        }
        assert!(DateOfBirth::from_value(&json!("2024-02-29")).is_some());
        assert!(serde_json::from_value::<DateOfBirth>(json!("1990-02-30")).is_err());
    }

    #[test]
    fn integers_are_whole_numbers_never_truncated() {
        assert_eq!(integer(&json!(1990)), Some(1990));
        assert_eq!(integer(&json!(1990.0)), Some(1990));
        assert_eq!(integer(&json!(" 12 ")), Some(12));
        for bad in [
            json!(1990.7),
            json!(1e30),
            json!("12abc"),
            json!(null),
            json!("1.5"),
        ] {
            assert_eq!(integer(&bad), None, "{bad}");
        }
    }
}
