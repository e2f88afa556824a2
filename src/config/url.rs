//! Which base URLs a token and face images may be sent to.

/// Refuses plain `http://` to anything but loopback, unless explicitly allowed:
/// the token and the face images would cross the network in clear text.
pub fn check_url(url: &str, allow_insecure: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| format!("base URL {url:?} is not a URL: {e}"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("base URL {url:?} has no host"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure || is_loopback(host) => Ok(()),
        "http" => Err(format!(
            "refusing plain http:// to {host}: the token and images would travel unencrypted; use https:// or pass --allow-insecure"
        )),
        other => Err(format!("base URL must start with https:// (got {other}://)")),
    }
}

pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_loopback_unless_allowed() {
        assert!(check_url("http://127.0.0.1:8787", false).is_ok());
        assert!(check_url("http://localhost:8787", false).is_ok());
        assert!(check_url("http://[::1]:8787", false).is_ok());
        assert!(check_url("http://api.example.com", false)
            .unwrap_err()
            .contains("--allow-insecure"));
        assert!(check_url("http://api.example.com", true).is_ok());
        assert!(check_url("ftp://x", true).is_err());
        assert!(check_url("not a url", false).is_err());
    }
}
