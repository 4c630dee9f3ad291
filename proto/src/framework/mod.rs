//! A small framework that resources plug into, after Terraform's plugin framework.
//!
//! Resources declare a [`schema::Schema`] with validators, plan modifiers and defaults, and
//! implement [`type_definition::TypeDefinition`] and [`resource::Resource`]; the [`server`]
//! runs each call Terraform makes through the schema and these traits, and the protocol layer
//! ([`crate::grpc`]) only converts messages. Nothing here knows protocol (prost) types.
//!
//! # Brief overview
//!
//! - [`provider::Provider`]: the provider block and the list of resource types.
//! - [`type_definition::TypeDefinition`]: name, schema and configuration checks, shared by
//!   [`resource::Resource`], [`data_source::DataSource`], [`ephemeral::EphemeralResource`].
//! - [`server`]: one registry of every served type, and what each call does around them.
//! - [`walk`]: the one schema-directed walk over values that planning, validation and
//!   write-only nulling share.
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
pub mod server;
pub mod stop;
pub mod type_definition;
pub mod validator;
pub mod walk;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use path::Path;
pub use provider::Provider;
pub use resource::Resource;
pub use schema::{Attribute, Block, NestedBlock, Nesting, Schema};
pub use type_definition::{TypeDefinition, ValidateConfigRequest};
