//! liveface: a terminal dashboard for live 1:N face search.

pub mod api;
pub mod cli;
pub mod config;
pub mod connect;
pub mod eval;
pub mod face_region;
pub mod filetype;
pub mod history;
pub mod imagecheck;
pub mod imageio;
pub mod install;
pub mod logging;
pub mod pathbytes;
pub mod preview;
pub mod printable;
pub mod probe;
pub mod sandbox;
pub mod textwidth;
pub mod tui;
pub mod vocabulary;
