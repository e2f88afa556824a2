//! The typed Verifik face-recognition client.

pub mod client;
pub mod confirm;
pub mod curl;
pub mod error;
pub mod model;
pub mod scores;

pub use client::{Client, ClientConfig, Token, API_PREFIX};
pub use error::{ApiError, ErrorKind};
