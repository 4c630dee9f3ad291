//! Bindings generated at build time from `proto/protos/*.proto`. Never edited by hand.
//!
//! Only [`crate::grpc`] and the server runtime use these types; resources never see them.

#![allow(clippy::all, missing_docs)]

/// Terraform plugin protocol 6.8.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's services: controller, stdio and broker.
pub mod plugin {
    tonic::include_proto!("plugin");
}
