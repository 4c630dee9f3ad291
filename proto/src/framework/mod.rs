//! A small framework that resources plug into, after Terraform's plugin framework.
//!
//! Resources declare a [`schema::Schema`] with validators, plan modifiers and defaults, and
//! implement [`resource::Resource`]; the [`crate::grpc`] server turns protocol calls into calls
//! of these traits. Nothing here knows protocol (prost) types.
//!
//! # Brief overview
//!
//! - [`provider::Provider`]: the provider block and the list of resource types.
//! - [`resource::Resource`], [`data_source::DataSource`], [`ephemeral::EphemeralResource`].
//! - [`schema`]: attributes, nested blocks, nesting modes.
//! - [`validator`], [`plan_modifier`]: small values attached to attributes.
//! - [`plan`]: the generic planning every resource gets.
//! - [`model`]: configuration and state as plain serde structs.
//! - [`diagnostics`], [`path`]: errors that point at attributes.

pub mod data_source;
pub mod diagnostics;
pub mod ephemeral;
pub mod model;
pub mod path;
pub mod plan;
pub mod plan_modifier;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod stop;
pub mod validator;
pub mod walk;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use path::Path;
pub use provider::Provider;
pub use resource::Resource;
pub use schema::{Attribute, Block, NestedBlock, Nesting, Schema};
