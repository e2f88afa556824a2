//! The plain words for an error answer: what happened and what to do, with the
//! server's own words in brackets.

use crate::vocabulary::message;

pub(super) fn hint_for_html(status: u16) -> &'static str {
    match status {
        404 => " (is the base URL right? it should be the API host, e.g. https://api.verifik.co)",
        // The API answers JSON; a non-JSON 413 comes from a proxy (nginx's default is 1 MB).
        413 => ": the upload is too large for a proxy in front of the API (use a smaller image, --max-side, or raise the proxy's body limit)",
        _ => "",
    }
}

/// Plain words for an error answer, with the server's own words in brackets.
pub fn explain_status(status: u16, code: Option<&str>, message: Option<&str>) -> String {
    let msg = message.unwrap_or("");
    let server = match (code, message) {
        (Some(c), Some(m)) => format!(" [{status} {c}: {m}]"),
        (None, Some(m)) => format!(" [{status}: {m}]"),
        (Some(c), None) => format!(" [{status} {c}]"),
        (None, None) => format!(" [HTTP {status}]"),
    };
    let plain = if msg.contains(message::LIVENESS_FAILED) {
        "liveness failed: the probe does not look like a live person (use a clear, front-facing, well-lit photo taken live)".to_string()
    } else if msg.contains(message::TOKEN_EXPIRED) {
        "token expired: get a new one and set VERIFIK_TOKEN (or `token` in config.toml)".to_string()
    } else if msg.contains(message::ENGINE_LOADING) {
        "the sandbox is still loading its face models; try again in a moment".to_string()
    } else if msg.contains(message::ENGINE_MISMATCH) {
        format!("the sandbox's store was built with another engine: {msg}")
    } else if status == 401 {
        "not authorised: the token is missing or wrong; set VERIFIK_TOKEN (or `token` in config.toml)".to_string()
    } else if status == 403 {
        "forbidden: the token is expired or not allowed to do this; set a valid VERIFIK_TOKEN"
            .to_string()
    } else if msg.contains(message::DUPLICATED_PERSON) {
        "this person is already enrolled in the collection (duplicate face)".to_string()
    } else if msg.contains(message::PERSON_ALREADY_SET) {
        "a person with the same name and date of birth already exists in this collection"
            .to_string()
    } else if msg.contains(message::ONLY_IMAGES_IN_BASE64) {
        "the server could not read the image (it expects a real base64-encoded photo)".to_string()
    } else if msg.contains("more than one face") {
        "the image has more than one face: use a photo with a single face".to_string()
    } else if msg.contains("no_face") || msg.to_ascii_lowercase().contains("no face") {
        "no face was found in the image: use a clear, front-facing photo".to_string()
    } else if msg.contains("invalid for checking liveness") {
        "the image is not usable for liveness: use a clear, front-facing, well-lit photo"
            .to_string()
    } else if status == 404 && (msg.contains("collection") || code == Some("ERROR")) {
        "collection not found: check the collection id (it may have been deleted)".to_string()
    } else if status == 404 {
        "not found: no such person (or it belongs to another client)".to_string()
    } else if status == 409 {
        format!(
            "the server refused the request as invalid: {}",
            if msg.is_empty() {
                "no reason given"
            } else {
                msg
            }
        )
    } else if status == 412 {
        "the server refused a precondition of the request".to_string()
    } else if status == 413 {
        "the request is too large for the server: use a smaller image".to_string()
    } else if status == 429 {
        "too many requests: the server is rate limiting; wait and try again".to_string()
    } else if status >= 500 {
        "the server failed (an error on its side); try again later".to_string()
    } else {
        "the server refused the request".to_string()
    };
    format!("{plain}{server}")
}
