//! `token_command`: the token is the output of a command (a password manager, a cloud
//! secret store), so it need not be stored in the file at all.

use std::time::Duration;

use crate::api::Token;

use super::Target;

impl Target {
    /// The token to send: the configured one, or the output of `token_command` (run
    /// now, with a 10 s limit; its output is never shown).
    ///
    /// # Errors
    /// Plain words when the command cannot run, fails, times out, or prints no usable
    /// token (its standard error's first line is quoted, printable).
    pub fn resolve_token(&self) -> Result<Option<Token>, String> {
        match self {
            Target::Remote { token: Some(t), .. } => Ok(Some(t.clone())),
            Target::Remote {
                token_command: Some(cmd),
                ..
            } => run_token_command(cmd).map(Some),
            _ => Ok(None),
        }
    }
}

/// Runs `sh -c cmd` and takes its trimmed standard output as the token.
fn run_token_command(cmd: &str) -> Result<Token, String> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("token_command could not start: {e}"))?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("token_command did not finish within 10 s".into());
            }
            Err(e) => return Err(format!("token_command failed: {e}")),
        }
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    if !status.success() {
        let first = err.lines().next().unwrap_or("").trim();
        return Err(format!(
            "token_command failed ({status}){}",
            if first.is_empty() {
                String::new()
            } else {
                format!(": {}", crate::printable::printable(first))
            }
        ));
    }
    Token::parse(&out)
        .map_err(|e| format!("token_command's output: {e}"))?
        .ok_or_else(|| "token_command printed nothing".into())
}
