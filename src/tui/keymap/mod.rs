//! The one keymap: the dispatcher, the status-bar hints and the help overlay all read
//! this table, so they can never disagree.
//!
//! `command` says what a key can mean, `bindings` is the table, `lookup` finds a key's
//! command, `help` lists the keys for the help overlay and the README.

mod bindings;
mod command;
mod help;
mod lookup;

pub use bindings::BINDINGS;
pub use command::{Binding, Command, Ctx};
pub use help::{help_lines, help_lines_of, markdown_table, HelpLine, HELP_CONTEXTS};
pub use lookup::{key_name, lookup};
