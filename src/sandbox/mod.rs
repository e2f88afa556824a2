//! The embedded, Verifik-compatible sandbox server.

pub mod embedded;
pub mod engine;

/// A sandbox running in this process (pending merge).
pub struct RunningSandbox;
