//! Terraform plugin protocol 6.

pub mod cty;
pub mod framework;
pub mod generated;
pub mod grpc;
pub mod runtime;
