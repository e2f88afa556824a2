//! `--images`: which graphics protocol draws pictures, detected or forced.
//!
//! The decision is split in two so tests can drive it without a terminal:
//! [`plan`] (mode + environment → what to do) and [`describe_detected`] (what the
//! terminal answered → the words shown in the help overlay). [`make_picker`]
//! is the thin impure shell that talks to the terminal.

use std::io::IsTerminal;

use std::time::Duration;

use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::{Picker, ProtocolType};

/// How long start-up waits for the terminal's graphics reply. A terminal that
/// answers does so in milliseconds (tens over SSH); one that never answers
/// (seen in tmux without an attached client) would otherwise cost the
/// library's default 2 s at every start.
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(1000);

fn query() -> Result<Picker, ratatui_image::errors::Errors> {
    Picker::from_query_stdio_with_options(QueryStdioOptions {
        timeout: QUERY_TIMEOUT,
        ..QueryStdioOptions::default()
    })
}

/// The `--images` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageMode {
    Auto,
    Kitty,
    Sixel,
    Iterm2,
    Halfblocks,
    Off,
}

impl ImageMode {
    pub const NAMES: &'static str = "auto, kitty, sixel, iterm2, halfblocks or off";

    /// Parses the `--images` value (case-insensitive, surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<ImageMode, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(ImageMode::Auto),
            "kitty" => Ok(ImageMode::Kitty),
            "sixel" => Ok(ImageMode::Sixel),
            "iterm2" | "iterm" => Ok(ImageMode::Iterm2),
            "halfblocks" | "halfblock" | "blocks" => Ok(ImageMode::Halfblocks),
            "off" | "none" => Ok(ImageMode::Off),
            other => Err(format!(
                "unknown --images mode {other:?}: use {}",
                ImageMode::NAMES
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ImageMode::Auto => "auto",
            ImageMode::Kitty => "kitty",
            ImageMode::Sixel => "sixel",
            ImageMode::Iterm2 => "iterm2",
            ImageMode::Halfblocks => "halfblocks",
            ImageMode::Off => "off",
        }
    }

    /// The protocol an explicit graphics mode forces, `None` for auto and off.
    pub fn forced_protocol(self) -> Option<ProtocolType> {
        match self {
            ImageMode::Kitty => Some(ProtocolType::Kitty),
            ImageMode::Sixel => Some(ProtocolType::Sixel),
            ImageMode::Iterm2 => Some(ProtocolType::Iterm2),
            ImageMode::Halfblocks => Some(ProtocolType::Halfblocks),
            ImageMode::Auto | ImageMode::Off => None,
        }
    }
}

/// What the environment says about the terminal, read once at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvHints {
    /// `TERM`, empty when unset.
    pub term: String,
    /// `TERM_PROGRAM`, empty when unset (e.g. "iTerm.app", "WezTerm", "tmux").
    pub term_program: String,
    /// `TMUX` is set: graphics must be passed through tmux.
    pub in_tmux: bool,
    /// Both stdin and stdout are terminals, so the query can be asked and answered.
    pub is_terminal: bool,
}

impl EnvHints {
    pub fn from_env() -> EnvHints {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        EnvHints {
            term: var("TERM"),
            term_program: var("TERM_PROGRAM"),
            in_tmux: std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()),
            is_terminal: std::io::stdin().is_terminal() && std::io::stdout().is_terminal(),
        }
    }

    /// Terminals known never to answer a graphics query: asking would only cost
    /// the query's timeout at every start-up.
    fn cannot_answer(&self) -> Option<String> {
        match self.term.as_str() {
            "" => Some("TERM is not set".into()),
            "dumb" | "linux" | "vt100" | "vt220" => {
                Some(format!("TERM={} has no graphics", self.term))
            }
            _ => None,
        }
    }
}

/// What [`make_picker`] should do, decided without touching the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// No pictures at all.
    Off,
    /// Half-blocks without asking the terminal; the reason is shown to the user.
    Halfblocks { reason: String },
    /// Ask the terminal (escape-sequence query on stdio) and use its answer.
    Query,
    /// Use this protocol whatever the terminal says; still ask the terminal for
    /// its cell size in pixels when it can answer, so pictures are sized right.
    Force {
        protocol: ProtocolType,
        ask_font_size: bool,
    },
}

pub fn plan(mode: ImageMode, env: &EnvHints) -> Plan {
    match mode {
        ImageMode::Off => Plan::Off,
        ImageMode::Halfblocks => Plan::Halfblocks {
            reason: "--images halfblocks".into(),
        },
        ImageMode::Kitty | ImageMode::Sixel | ImageMode::Iterm2 => Plan::Force {
            protocol: mode.forced_protocol().unwrap_or(ProtocolType::Halfblocks),
            ask_font_size: env.is_terminal && env.cannot_answer().is_none() && !env.in_tmux,
        },
        ImageMode::Auto => {
            if !env.is_terminal {
                Plan::Halfblocks {
                    reason: "not a terminal".into(),
                }
            } else if let Some(reason) = env.cannot_answer() {
                Plan::Halfblocks { reason }
            } else if env.in_tmux {
                // tmux answers graphics queries only with a client attached, and an
                // unanswered query leaves a reader on stdin that eats later replies
                // (the cursor-position report ratatui waits for): never ask there.
                Plan::Halfblocks {
                    reason: "inside tmux; --images kitty|sixel|iterm2 forces a protocol".into(),
                }
            } else {
                Plan::Query
            }
        }
    }
}

/// How the terminal answered the query, reduced to what the decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryOutcome {
    /// The terminal replied; this is the protocol detected from its reply.
    Replied(ProtocolType),
    /// No reply (timeout, no capabilities): the picker fell back to env guesses.
    NoReply(ProtocolType),
    /// The query itself failed (I/O error, tmux refused, …).
    Failed(String),
}

/// The protocol to use after a query, and the sentence for the help overlay.
pub fn describe_detected(outcome: &QueryOutcome, env: &EnvHints) -> (ProtocolType, String) {
    let tmux = if env.in_tmux { ", inside tmux" } else { "" };
    match outcome {
        QueryOutcome::Replied(ProtocolType::Halfblocks) => (
            ProtocolType::Halfblocks,
            format!("halfblocks (the terminal reported no graphics support{tmux})"),
        ),
        QueryOutcome::Replied(p) => (*p, format!("{} (detected{tmux})", protocol_name(*p))),
        QueryOutcome::NoReply(ProtocolType::Halfblocks) => (
            ProtocolType::Halfblocks,
            format!("halfblocks (no graphics reply from the terminal{tmux})"),
        ),
        QueryOutcome::NoReply(p) => (
            *p,
            format!(
                "{} (guessed from the environment: the terminal did not reply{tmux})",
                protocol_name(*p)
            ),
        ),
        QueryOutcome::Failed(reason) => (
            ProtocolType::Halfblocks,
            format!("halfblocks (the graphics query failed: {reason})"),
        ),
    }
}

pub fn protocol_name(p: ProtocolType) -> &'static str {
    match p {
        ProtocolType::Halfblocks => "halfblocks",
        ProtocolType::Sixel => "sixel",
        ProtocolType::Kitty => "kitty",
        ProtocolType::Iterm2 => "iterm2",
    }
}

/// Builds the picker for `mode` and says, in words, what was chosen and why.
///
/// **Call this before the crossterm event reader (`EventStream`) starts**: in
/// `auto` mode it writes a query to the terminal and reads the reply from stdin
/// (for up to [`QUERY_TIMEOUT`] if the terminal stays silent); a running event reader would
/// swallow that reply as key presses. Returns `None` for `--images off`.
pub fn make_picker(mode: ImageMode) -> (Option<Picker>, String) {
    let env = EnvHints::from_env();
    match plan(mode, &env) {
        Plan::Off => (None, "off (--images off)".into()),
        Plan::Halfblocks { reason } => {
            (Some(Picker::halfblocks()), format!("halfblocks ({reason})"))
        }
        Plan::Query => {
            let (picker, outcome) = match query() {
                // An empty capability list means the picker fell back on its own.
                Ok(p) if p.capabilities().is_empty() => {
                    let outcome = QueryOutcome::NoReply(p.protocol_type());
                    (p, outcome)
                }
                Ok(p) => {
                    let outcome = QueryOutcome::Replied(p.protocol_type());
                    (p, outcome)
                }
                Err(e) => (Picker::halfblocks(), QueryOutcome::Failed(e.to_string())),
            };
            let (protocol, text) = describe_detected(&outcome, &env);
            let mut picker = picker;
            picker.set_protocol_type(protocol);
            (Some(picker), text)
        }
        Plan::Force {
            protocol,
            ask_font_size,
        } => {
            let mut picker = if ask_font_size {
                query().unwrap_or_else(|_| Picker::halfblocks())
            } else {
                Picker::halfblocks()
            };
            picker.set_protocol_type(protocol);
            let name = protocol_name(protocol);
            (Some(picker), format!("{name} (--images {name})"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tty(term: &str) -> EnvHints {
        EnvHints {
            term: term.into(),
            is_terminal: true,
            ..EnvHints::default()
        }
    }

    #[test]
    fn parses_every_mode_and_refuses_others() {
        for m in [
            ImageMode::Auto,
            ImageMode::Kitty,
            ImageMode::Sixel,
            ImageMode::Iterm2,
            ImageMode::Halfblocks,
            ImageMode::Off,
        ] {
            assert_eq!(ImageMode::parse(m.name()), Ok(m));
        }
        assert_eq!(ImageMode::parse(" KITTY "), Ok(ImageMode::Kitty));
        let err = ImageMode::parse("ascii").unwrap_err();
        assert!(
            err.contains("\"ascii\"") && err.contains("halfblocks"),
            "{err}"
        );
        assert!(ImageMode::parse("").is_err());
    }

    #[test]
    fn auto_queries_only_a_real_terminal_that_can_answer() {
        assert_eq!(plan(ImageMode::Auto, &tty("xterm-kitty")), Plan::Query);
        let piped = EnvHints {
            is_terminal: false,
            ..tty("xterm-256color")
        };
        assert_eq!(
            plan(ImageMode::Auto, &piped),
            Plan::Halfblocks {
                reason: "not a terminal".into()
            }
        );
        assert!(matches!(
            plan(ImageMode::Auto, &tty("linux")),
            Plan::Halfblocks { reason } if reason.contains("TERM=linux")
        ));
        assert!(matches!(
            plan(ImageMode::Auto, &tty("")),
            Plan::Halfblocks { reason } if reason.contains("TERM is not set")
        ));
    }

    #[test]
    fn auto_inside_tmux_uses_halfblocks_without_asking() {
        let mut env = tty("tmux-256color");
        env.in_tmux = true;
        assert!(
            matches!(plan(ImageMode::Auto, &env), Plan::Halfblocks { ref reason } if reason.contains("tmux"))
        );
    }

    #[test]
    fn explicit_modes_force_the_protocol_and_off_is_off() {
        assert_eq!(
            plan(ImageMode::Sixel, &tty("xterm")),
            Plan::Force {
                protocol: ProtocolType::Sixel,
                ask_font_size: true
            }
        );
        // Forced even when the terminal could not answer; just no font query.
        assert_eq!(
            plan(ImageMode::Kitty, &tty("dumb")),
            Plan::Force {
                protocol: ProtocolType::Kitty,
                ask_font_size: false
            }
        );
        assert!(matches!(
            plan(ImageMode::Halfblocks, &tty("xterm-kitty")),
            Plan::Halfblocks { .. }
        ));
        assert_eq!(plan(ImageMode::Off, &tty("xterm-kitty")), Plan::Off);
    }

    #[test]
    fn query_outcomes_fall_back_to_halfblocks_with_the_reason() {
        let env = EnvHints {
            in_tmux: true,
            ..tty("tmux-256color")
        };
        let (p, text) = describe_detected(&QueryOutcome::Replied(ProtocolType::Kitty), &env);
        assert_eq!(p, ProtocolType::Kitty);
        assert_eq!(text, "kitty (detected, inside tmux)");

        let (p, text) = describe_detected(
            &QueryOutcome::NoReply(ProtocolType::Halfblocks),
            &tty("xterm"),
        );
        assert_eq!(p, ProtocolType::Halfblocks);
        assert_eq!(text, "halfblocks (no graphics reply from the terminal)");

        let (p, text) =
            describe_detected(&QueryOutcome::Failed("broken pipe".into()), &tty("xterm"));
        assert_eq!(p, ProtocolType::Halfblocks);
        assert!(text.contains("broken pipe"), "{text}");

        let (p, text) =
            describe_detected(&QueryOutcome::NoReply(ProtocolType::Iterm2), &tty("xterm"));
        assert_eq!(p, ProtocolType::Iterm2);
        assert!(text.contains("guessed"), "{text}");
    }

    #[test]
    fn off_builds_no_picker_and_halfblocks_never_queries() {
        assert!(make_picker(ImageMode::Off).0.is_none());
        // Under `cargo test` stdio is not a terminal: this must not block or query.
        let (picker, text) = make_picker(ImageMode::Halfblocks);
        assert_eq!(picker.unwrap().protocol_type(), ProtocolType::Halfblocks);
        assert_eq!(text, "halfblocks (--images halfblocks)");
    }
}
