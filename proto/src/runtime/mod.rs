//! The process side of a provider: handshake, AutoMTLS, logging and the gRPC server.

pub mod handshake;
pub mod logging;
pub mod serve;
pub mod tls;

pub use serve::{ServeOptions, serve_main};
