//! The typed client against real HTTP on 127.0.0.1 (the scripted server of `support`):
//! what it sends, how it decodes, how it maps errors and retries — and the scripted
//! server's own self-tests, which every test of the client relies on.
//!
//! One binary per thing a developer runs together (`cargo test --test api` while working
//! on `src/api/`), because each test binary links the whole library and tract: six links
//! instead of thirty-two. Modules are the former test files.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../support/mod.rs"]
mod support;

mod client;
mod scripted_server;
