//! The gRPC edge: the only place protocol (prost) types meet the framework.
//!
//! [`ProviderService`] implements `tfplugin6.Provider` for any [`framework::Provider`]: it
//! decodes msgpack values with the schema's type, calls the framework, and encodes the results.

mod service;
mod to_proto;

pub use service::ProviderService;
