//! The provider: its configuration, and the resource types it serves.

use std::sync::Arc;

use super::data_source::DataSource;
use super::diagnostics::Diagnostics;
use super::ephemeral::EphemeralResource;
use super::resource::Resource;
use super::schema::Schema;
use crate::cty::Value;

/// What `configure` receives.
pub struct ConfigureRequest {
    /// The `provider` block's configuration (may hold unknowns).
    pub config: Value,
    /// The version of Terraform calling, e.g. `1.11.4`.
    pub terraform_version: String,
}

/// A provider. `Data` is what `configure` builds (API clients) and every resource receives.
#[async_trait::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What `configure` produces for resources.
    type Data: Send + Sync + 'static;

    /// The `provider` block's schema.
    fn schema(&self) -> Schema;

    /// Checks the `provider` block, without calling any API.
    async fn validate_config(&self, _config: &Value, _diagnostics: &mut Diagnostics) {}

    /// Builds the data resources use, or adds an error diagnostic and returns `None`.
    async fn configure(
        &self,
        request: ConfigureRequest,
        diagnostics: &mut Diagnostics,
    ) -> Option<Self::Data>;

    /// The managed resource types.
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Data>>>;

    /// The data source types.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Data>>> {
        Vec::new()
    }

    /// The ephemeral resource types.
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<Self::Data>>> {
        Vec::new()
    }
}
