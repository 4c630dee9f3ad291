//! Data sources: read-only lookups.

use std::sync::Arc;

use super::diagnostics::Diagnostics;
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

impl DataSourceReadResponse {
    /// Writes `model` (a struct of the schema's attributes) as the data source result; on failure an error
    /// diagnostic is added and `false` returned.
    pub fn write_state<T: serde::Serialize + ?Sized>(&mut self, model: &T) -> bool {
        super::model::write_into(
            &mut self.state,
            model,
            &self.ty,
            "data source result",
            &mut self.diagnostics,
        )
    }
}

/// A data source type; the name, schema and configuration checks come from [`TypeDefinition`].
#[async_trait::async_trait]
pub trait DataSource<D: Send + Sync + 'static>: TypeDefinition {
    /// Reads the data.
    async fn read(&self, request: DataSourceReadRequest<D>, response: &mut DataSourceReadResponse);
}
