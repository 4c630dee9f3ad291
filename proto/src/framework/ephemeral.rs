//! Ephemeral resources: values that exist for one Terraform run and are never stored.

use std::sync::Arc;
use std::time::SystemTime;

use super::diagnostics::Diagnostics;
use super::model::write_model;
use super::type_definition::TypeDefinition;
use crate::cty::{Type, Value};

/// Opens the ephemeral resource.
pub struct OpenRequest<D> {
    /// Configuration, wholly known.
    pub config: Value,
    /// The provider's configured data.
    pub provider: Arc<D>,
}

/// What was opened.
pub struct OpenResponse {
    /// Pre-populated with the configuration; fill the computed attributes.
    pub result: Value,
    /// When Terraform should call `renew`, if ever.
    pub renew_at: Option<SystemTime>,
    /// Opaque data handed back to `renew` and `close`.
    pub private: Option<Vec<u8>>,
    /// Problems found.
    pub diagnostics: Diagnostics,
    /// The schema's value type, for [`Self::write_result`].
    pub(crate) ty: Arc<Type>,
}

/// Renews or closes an open ephemeral resource.
pub struct LifecycleRequest<D> {
    /// What `open` (or the last `renew`) returned as private data.
    pub private: Option<Vec<u8>>,
    /// The provider's configured data.
    pub provider: Arc<D>,
}

/// The outcome of a renew or close.
#[derive(Default)]
pub struct LifecycleResponse {
    /// When to renew again (renew only).
    pub renew_at: Option<SystemTime>,
    /// New private data (renew only).
    pub private: Option<Vec<u8>>,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

write_model!(OpenResponse, write_result, result, "ephemeral result");

/// An ephemeral resource type; the name, schema and configuration checks come from
/// [`TypeDefinition`].
#[async_trait::async_trait]
pub trait EphemeralResource<D: Send + Sync + 'static>: TypeDefinition {
    /// Opens it.
    async fn open(&self, request: OpenRequest<D>, response: &mut OpenResponse);

    /// Renews it; by default nothing needs renewing.
    async fn renew(&self, _request: LifecycleRequest<D>, _response: &mut LifecycleResponse) {}

    /// Closes it; by default nothing needs closing.
    async fn close(&self, _request: LifecycleRequest<D>, _response: &mut LifecycleResponse) {}
}
