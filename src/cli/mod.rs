//! The headless commands: `search`, `collections`, … Each returns its exit code.

pub mod args;
pub mod collections;
pub mod eval;
pub mod eval_history;
mod eval_output;
mod feedback;
pub mod history;
pub mod models;
pub mod output;
pub mod persons;
pub mod profiles;
pub mod sandbox;
pub mod search;
mod session;

pub use args::{Cli, Command};
pub use feedback::{confirm, report, EXIT_BAD_INPUT};
pub use session::{confirm_then_open, open};
