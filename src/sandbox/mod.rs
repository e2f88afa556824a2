//! The embedded, Verifik-compatible sandbox server.

pub mod embedded;
pub mod engine;
pub mod face;

/// A sandbox running in this process (pending merge).
pub struct RunningSandbox;
