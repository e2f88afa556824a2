//! liveface: a terminal dashboard for live 1:N face search.

pub mod api;
pub mod cli;
pub mod config;
pub mod connect;
pub mod face_region;
pub mod history;
pub mod imageio;
pub mod install;
pub mod preview;
pub mod printable;
pub mod probe;
pub mod sandbox;
pub mod tui;
