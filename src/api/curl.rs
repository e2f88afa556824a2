//! A search as a `curl` command a user can run elsewhere: the body in a file (the image
//! never scrolls through a terminal), the token as `$VERIFIK_TOKEN` (never its value).

use std::path::Path;

use crate::vocabulary::{API_PREFIX, SEARCH_LIVE_FACE};

/// How the command names the token: always through the environment, never its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRef {
    /// `$VERIFIK_TOKEN`: the user's own token.
    Env,
    /// `${VERIFIK_TOKEN:-sandbox}`: a sandbox takes any non-empty token.
    EnvOrAny,
}

/// A POSIX-shell command that POSTs the JSON body in `body` (written with
/// [`super::client::search_body`]) to `base_url`'s live search.
pub fn curl_command(base_url: &str, body: &Path, token: TokenRef) -> String {
    let token = match token {
        TokenRef::Env => "$VERIFIK_TOKEN",
        TokenRef::EnvOrAny => "${VERIFIK_TOKEN:-sandbox}",
    };
    format!(
        "curl -sS -X POST {} \\\n  -H \"Authorization: Bearer {token}\" \\\n  -H 'Content-Type: application/json' -H 'Accept: application/json' \\\n  --data-binary @{}",
        shell_quote(&format!("{base_url}{API_PREFIX}{SEARCH_LIVE_FACE}")),
        shell_quote(&body.to_string_lossy())
    )
}

/// `'text'`, with each `'` written as `'\''`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The base URL a run went to, from its back-end key (`URL#fingerprint`); `None` for
/// the embedded sandbox, which has no fixed address.
pub fn base_url_of_key(backend_key: Option<&str>) -> Option<&str> {
    match backend_key?.split_once('#') {
        Some((url, _)) if url.starts_with("http") => Some(url),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curl_command_never_holds_the_token_or_the_image() {
        let c = curl_command(
            "https://api.verifik.co",
            Path::new("/tmp/it's/probe-7.json"),
            TokenRef::Env,
        );
        assert!(c.starts_with(
            "curl -sS -X POST 'https://api.verifik.co/v2/face-recognition/search-live-face'"
        ));
        assert!(c.contains("Bearer $VERIFIK_TOKEN\""), "{c}");
        assert!(c.contains(r"@'/tmp/it'\''s/probe-7.json'"), "{c}");
        let s = curl_command(
            "http://127.0.0.1:9",
            Path::new("b.json"),
            TokenRef::EnvOrAny,
        );
        assert!(s.contains("Bearer ${VERIFIK_TOKEN:-sandbox}"), "{s}");
    }

    #[test]
    fn the_base_url_comes_from_the_back_end_key() {
        assert_eq!(
            base_url_of_key(Some("https://api.verifik.co#0123456789ab")),
            Some("https://api.verifik.co")
        );
        assert_eq!(base_url_of_key(Some("sandbox:embedded:face models")), None);
        assert_eq!(base_url_of_key(None), None);
    }
}
