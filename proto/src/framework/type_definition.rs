//! What every kind of type a provider serves has in common.
//!
//! Terraform knows three kinds of type below a provider (managed resources, data sources and
//! ephemeral resources) and asks each the same three things: its name, its schema, and whether a
//! configuration is acceptable. Those live here once, so that [`super::resource::Resource`],
//! [`super::data_source::DataSource`] and [`super::ephemeral::EphemeralResource`] hold only what
//! their kind does, and the server handles all three through one registry.

use super::diagnostics::Diagnostics;
use super::schema::Schema;
use crate::cty::Value;

/// Configuration to check (values may still be unknown).
pub struct ValidateConfigRequest {
    /// The configuration, already checked by the schema's attribute validators.
    pub config: Value,
}

/// A resource, data source or ephemeral resource type: its name, schema and configuration checks.
#[async_trait::async_trait]
pub trait TypeDefinition: Send + Sync {
    /// The type name as configurations write it, e.g. `example_thing`.
    fn type_name(&self) -> &'static str;

    /// The schema. Called once, when the provider starts serving.
    fn schema(&self) -> Schema;

    /// Checks configuration beyond what attribute validators do (across attributes). Runs at
    /// `terraform validate` and before every plan, without the provider being configured: it
    /// must not call any API.
    async fn validate_config(
        &self,
        _request: ValidateConfigRequest,
        _diagnostics: &mut Diagnostics,
    ) {
    }
}
