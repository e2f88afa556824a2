//! The keys as the help overlay and the README list them: one line per command and
//! context, aliases joined.

use super::bindings::BINDINGS;
use super::command::{Command, Ctx};
use super::lookup::key_name;

use Ctx::*;

/// One help line: every key of a command in a context, and its description.
#[derive(Clone, Debug, PartialEq)]
pub struct HelpLine {
    pub keys: String,
    pub desc: &'static str,
}

/// Help lines for one context, aliases joined with `/`.
pub fn help_lines(ctx: Ctx) -> Vec<HelpLine> {
    help_lines_of(ctx).into_iter().map(|(_, l)| l).collect()
}

/// Help lines for one context with the command each one runs.
pub fn help_lines_of(ctx: Ctx) -> Vec<(Command, HelpLine)> {
    let mut out: Vec<(Command, HelpLine)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.ctx == ctx) {
        let name = key_name(b.code, b.mods);
        match out.iter_mut().find(|(c, _)| *c == b.cmd) {
            Some((_, line)) => {
                line.keys.push('/');
                line.keys.push_str(&name);
            }
            None => out.push((
                b.cmd,
                HelpLine {
                    keys: name,
                    desc: b.desc,
                },
            )),
        }
    }
    out
}

/// The contexts the help overlay lists, in order.
pub const HELP_CONTEXTS: [Ctx; 14] = [
    Global,
    Browser,
    Form,
    Collections,
    Results,
    History,
    Input,
    Popup,
    Persons,
    Editor,
    Label,
    Evaluate,
    ConfirmDelete,
    Confirm,
];

/// The keys as a Markdown table, for the README (a test keeps the README in step).
pub fn markdown_table() -> String {
    let mut out = String::from("| where | keys | what |\n| --- | --- | --- |\n");
    for ctx in HELP_CONTEXTS {
        for l in help_lines(ctx) {
            let keys: Vec<String> = l
                .keys
                .split('/')
                .map(|k| {
                    if k.is_empty() {
                        "`/`".to_string()
                    } else {
                        format!("`{k}`")
                    }
                })
                .collect();
            // "/" itself splits into two empty parts; keep one.
            let mut keys_text = keys.join(" ");
            keys_text = keys_text.replace("`/` `/`", "`/`");
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                ctx.title(),
                keys_text,
                l.desc
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::lookup;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use Command as C;
    use KeyCode::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn pane_keys_win_over_global_ones() {
        let h = key(Char('h'), KeyModifiers::NONE);
        assert_eq!(lookup(&h, &[Browser, Global]), Some(C::Parent));
        assert_eq!(lookup(&h, &[Form, Global]), Some(C::Left));
        assert_eq!(lookup(&h, &[Results, Global]), None);
    }

    #[test]
    fn shift_only_matters_for_non_characters() {
        assert_eq!(
            lookup(&key(Char('R'), KeyModifiers::SHIFT), &[History, Global]),
            Some(C::Rerun)
        );
        assert_eq!(
            lookup(&key(F(5), KeyModifiers::SHIFT), &[Global]),
            Some(C::ForceSearch)
        );
        assert_eq!(
            lookup(&key(F(5), KeyModifiers::NONE), &[Global]),
            Some(C::Search)
        );
        assert_eq!(
            lookup(&key(Char('c'), KeyModifiers::CONTROL), &[Input]),
            Some(C::ForceQuit)
        );
    }

    #[test]
    fn help_joins_aliases() {
        let lines = help_lines(Global);
        let search = lines.iter().find(|l| l.desc == "run the search").unwrap();
        assert_eq!(search.keys, "F5/Ctrl-r");
        assert!(lines.iter().all(|l| !l.desc.is_empty()));
    }
}
