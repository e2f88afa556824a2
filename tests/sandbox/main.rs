//! The sandbox: every endpoint and documented error through the typed client, the
//! standalone server's durability and promises (signals, exit codes, 503s), a bounded load
//! test, and the pixel engine's score targets.
//!
//! One binary per thing a developer runs together (`cargo test --test sandbox` while
//! working on `src/sandbox/`, with `cargo test --lib sandbox::`), because each test binary
//! links the whole library and tract. Modules are the former test files.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../sandbox_common/mod.rs"]
mod sandbox_common;

mod api;
mod durability;
mod load;
mod promises;
mod scores;
