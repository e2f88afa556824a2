//! The bearer token: never shown, logged or stored whole.

use std::fmt;

/// The bearer token. Debug and Display never show it; `masked` shows the last 4 chars.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token from user input; blank input gives `None`. Use [`Token::parse`] for input
    /// that may hold characters a header cannot carry.
    pub fn new(s: impl Into<String>) -> Option<Token> {
        let s = s.into().trim().to_owned();
        (!s.is_empty()).then_some(Token(s))
    }

    /// A token that can be sent as `Authorization: Bearer …`: one line of printable
    /// ASCII (surrounding blanks are trimmed); blank input gives `Ok(None)`.
    ///
    /// # Errors
    /// Names the problem and its position (never the token): a line break, another
    /// control character, a space or a non-ASCII character inside it.
    pub fn parse(s: &str) -> Result<Option<Token>, String> {
        let t = s.trim();
        if let Some((i, c)) = t.char_indices().find(|(_, c)| !c.is_ascii_graphic()) {
            let what = match c {
                '\n' | '\r' => "a line break",
                c if c.is_control() => "a control character",
                ' ' | '\t' => "a space",
                _ => "a non-ASCII character",
            };
            let pos = t[..i].chars().count() + 1;
            return Err(format!(
                "the token contains {what} (at character {pos}): a token is one line of \
                 printable ASCII; copy it again without the extra characters"
            ));
        }
        Ok(Token::new(t))
    }

    /// A short, stable fingerprint (12 hex digits of a SHA-256) that tells two tokens
    /// apart in history without storing or revealing either.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("liveface-token:{}", self.0).as_bytes());
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `••••` plus the last four characters (fewer for very short tokens).
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let shown = if chars.len() >= 12 { 4 } else { 0 };
        let tail: String = chars[chars.len() - shown..].iter().collect();
        format!("••••{tail}")
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.masked())
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}
