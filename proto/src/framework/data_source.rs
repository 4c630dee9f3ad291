//! Data sources: read-only lookups.

use std::sync::Arc;

use super::diagnostics::Diagnostics;
use super::model::write_model;
use super::stop::StopToken;
use super::type_definition::TypeDefinition;
use crate::cty::{Type, Value};

/// Reads the data.
pub struct DataSourceReadRequest<D> {
    /// Configuration, wholly known.
    pub config: Value,
    /// The provider's configured data.
    pub provider: Arc<D>,
    /// Fires when Terraform asks the provider to stop.
    pub stop: StopToken,
}

/// The data read.
pub struct DataSourceReadResponse {
    /// Pre-populated with the configuration; fill the computed attributes.
    pub state: Value,
    /// Problems found.
    pub diagnostics: Diagnostics,
    /// The schema's value type, for [`Self::write_state`].
    pub(crate) ty: Arc<Type>,
}

write_model!(
    DataSourceReadResponse,
    write_state,
    state,
    "data source result"
);

/// A data source type; the name, schema and configuration checks come from [`TypeDefinition`].
#[async_trait::async_trait]
pub trait DataSource<D: Send + Sync + 'static>: TypeDefinition {
    /// Reads the data.
    async fn read(&self, request: DataSourceReadRequest<D>, response: &mut DataSourceReadResponse);
}
