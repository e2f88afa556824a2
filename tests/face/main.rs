//! Everything that needs the face models and photos in `../shared/`: the engine on real
//! photographs, the sandbox with the real models over HTTP, the calibration report, the
//! photo demo end to end, `eval` on real photos, and installing the models from a mirror.
//! Without the models these tests skip (counted by `.ci/run`); with
//! `LIVEFACE_REQUIRE_MODELS=1` a missing model is a failure.
//!
//! One binary per thing a developer runs together (`cargo test --test face` while working
//! on `src/sandbox/face/`, `src/install.rs` or the demo), because each test binary links
//! the whole library and tract. Together the engine is loaded once
//! (`face_common::engine`), and the slow tests run side by side instead of one binary
//! after another. Modules are the former test files; the calibration report is
//! `cargo test --test face calibration -- --nocapture`.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../face_common/mod.rs"]
mod face_common;
#[path = "../mirror_common/mod.rs"]
mod mirror_common;

mod calibration;
mod demo;
mod engine;
mod eval;
mod models_install;
mod sandbox;
