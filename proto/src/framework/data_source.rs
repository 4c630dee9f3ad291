//! Data sources: read-only lookups.

use std::sync::Arc;

use super::diagnostics::Diagnostics;
use super::resource::ValidateConfigRequest;
use super::schema::Schema;
use super::stop::StopToken;
use crate::cty::Value;

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
}

/// A data source type.
#[async_trait::async_trait]
pub trait DataSource<D: Send + Sync + 'static>: Send + Sync {
    /// The type name, e.g. `example_thing`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Checks configuration beyond attribute validators.
    async fn validate_config(
        &self,
        _request: ValidateConfigRequest,
        _diagnostics: &mut Diagnostics,
    ) {
    }

    /// Reads the data.
    async fn read(&self, request: DataSourceReadRequest<D>, response: &mut DataSourceReadResponse);
}
