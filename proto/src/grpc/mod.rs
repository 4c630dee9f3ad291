//! The protocol layer: the only place protocol (prost) types meet the framework.
//!
//! [`ProviderService`] implements `tfplugin6.Provider` for any [`crate::framework::Provider`]
//! by converting each call with `from_proto`, handing it to
//! [`crate::framework::server::Server`], and converting the answer back with `to_proto`. No
//! decision about values or resources is taken here.

mod from_proto;
mod service;
mod to_proto;

pub use service::ProviderService;
