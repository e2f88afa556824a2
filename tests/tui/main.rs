//! The dashboard without a terminal: `App::update` action by action, every pane rendered
//! into ratatui's `TestBackend` (insta snapshots in `tests/tui/snapshots/`), the effect
//! runner against real HTTP, paste, popups, the preview layer and its cache, and where
//! log lines go while the dashboard owns the screen.
//!
//! One binary per thing a developer runs together (`cargo test --test tui` while working on
//! `src/tui/` or `src/preview/`), because each test binary links the whole library and
//! tract. Modules are the former test files. Tests that need process-wide state of their
//! own (`local_time` sets `TZ`, `dashboard_log` installs the panic hook and reads the real
//! stderr) re-run themselves in a child process (`common::this_test_alone`).

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../mirror_common/mod.rs"]
mod mirror_common;
#[path = "../sandbox_common/mod.rs"]
mod sandbox_common;
#[path = "../tui_support/mod.rs"]
mod tui_support;

mod browser_preview;
mod dashboard_log;
mod evaluate;
mod export;
mod files;
mod install_offer;
mod local_time;
mod network;
mod paste;
mod person_editor;
mod person_network;
mod popup_scroll;
mod preview_cache;
mod preview_facebox;
mod preview_render;
mod preview_tty;
mod profile_switch;
mod screens;
mod styles;
mod update;
