//! What a command says to its user: errors on stderr in plain words, yes/no questions,
//! and the exit code for bad input.

/// Exit code for bad input (nothing was sent).
pub const EXIT_BAD_INPUT: i32 = 2;

/// Prints an error on stderr in one or two plain lines; server text in it is made
/// printable (no escape sequences reach the terminal).
pub fn report(err: &dyn std::fmt::Display) {
    eprintln!(
        "liveface: {}",
        crate::printable::printable(&err.to_string())
    );
}

/// Asks a yes/no question on the terminal; refuses when stdin is not a terminal.
pub fn confirm(question: &str) -> Result<(), String> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{question} — refusing without --yes because stdin is not a terminal"
        ));
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err("cancelled: nothing was changed".into())
    }
}
