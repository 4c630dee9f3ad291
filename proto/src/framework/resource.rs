//! Managed resources: the trait a resource implements and its request/response pairs.
//!
//! As in Terraform's plugin framework, the required part is small (create, read, update,
//! delete, beside the [`TypeDefinition`]) and every optional capability has a default: configuration checks,
//! plan changes and import. Every method receives a request and fills a response that carries
//! diagnostics, so a method never fails silently and never panics.

use std::sync::Arc;

use super::diagnostics::Diagnostics;
use super::model::write_model;
use super::stop::StopToken;
use super::type_definition::TypeDefinition;
use crate::cty::{Type, Value};

/// The plan so far, for a resource to refine.
pub struct ModifyPlanRequest<D> {
    /// Configuration (may hold unknowns).
    pub config: Value,
    /// Prior state; null when creating.
    pub prior: Value,
    /// The provider's configured data, if the provider is configured.
    pub provider: Option<Arc<D>>,
}

/// The plan a resource may change.
pub struct ModifyPlanResponse {
    /// The planned new state; pre-populated by the framework.
    pub planned: Value,
    /// Extra attribute paths whose change replaces the resource.
    pub requires_replace: Vec<super::path::Path>,
    /// Problems found.
    pub diagnostics: Diagnostics,
    /// The schema's value type, for [`Self::write_planned`].
    pub(crate) ty: Arc<Type>,
}

/// Creates the remote object.
pub struct CreateRequest<D> {
    /// Configuration, wholly known.
    pub config: Value,
    /// The planned state (computed attributes may be unknown).
    pub planned: Value,
    /// The provider's configured data.
    pub provider: Arc<D>,
    /// Fires when Terraform asks the provider to stop.
    pub stop: StopToken,
}

/// What was created.
pub struct CreateResponse {
    /// The new state; pre-populated with the plan, every unknown must be resolved.
    pub state: Value,
    /// Opaque data kept beside the state.
    pub private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Diagnostics,
    /// The schema's value type, for [`Self::write_state`].
    pub(crate) ty: Arc<Type>,
}

/// Refreshes state from the remote object.
pub struct ReadRequest<D> {
    /// The current state.
    pub state: Value,
    /// Opaque data kept beside the state.
    pub private: Vec<u8>,
    /// The provider's configured data.
    pub provider: Arc<D>,
    /// Fires when Terraform asks the provider to stop.
    pub stop: StopToken,
}

/// The refreshed state.
pub struct ReadResponse {
    /// Pre-populated with the current state; set to null if the object is gone.
    pub state: Value,
    /// Opaque data kept beside the state.
    pub private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Diagnostics,
    /// The schema's value type, for [`Self::write_state`].
    pub(crate) ty: Arc<Type>,
}

/// Updates the remote object in place.
pub struct UpdateRequest<D> {
    /// Configuration, wholly known.
    pub config: Value,
    /// The planned state.
    pub planned: Value,
    /// The prior state.
    pub prior: Value,
    /// Opaque data planned beside the state.
    pub private: Vec<u8>,
    /// The provider's configured data.
    pub provider: Arc<D>,
    /// Fires when Terraform asks the provider to stop.
    pub stop: StopToken,
}

/// What was updated.
pub struct UpdateResponse {
    /// The new state; pre-populated with the plan.
    pub state: Value,
    /// Opaque data kept beside the state.
    pub private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Diagnostics,
    /// The schema's value type, for [`Self::write_state`].
    pub(crate) ty: Arc<Type>,
}

/// Deletes the remote object.
pub struct DeleteRequest<D> {
    /// The prior state.
    pub prior: Value,
    /// Opaque data kept beside the state.
    pub private: Vec<u8>,
    /// The provider's configured data.
    pub provider: Arc<D>,
    /// Fires when Terraform asks the provider to stop.
    pub stop: StopToken,
}

/// The outcome of a delete; the framework removes the state itself on success.
#[derive(Default)]
pub struct DeleteResponse {
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// Imports an existing object by the id a user gave.
pub struct ImportStateRequest<D> {
    /// The id from `terraform import` or an `import` block.
    pub id: String,
    /// The provider's configured data.
    pub provider: Arc<D>,
}

/// The imported state, which Terraform then refreshes with `read`.
pub struct ImportStateResponse {
    /// A state with at least the attributes `read` needs; null attributes are fine.
    pub state: Value,
    /// Problems found.
    pub diagnostics: Diagnostics,
    /// The schema's value type, for [`Self::write_state`].
    pub(crate) ty: Arc<Type>,
}

write_model!(ModifyPlanResponse, write_planned, planned, "plan");
write_model!(CreateResponse, write_state, state, "state");
write_model!(ReadResponse, write_state, state, "state");
write_model!(UpdateResponse, write_state, state, "state");
write_model!(ImportStateResponse, write_state, state, "imported state");

/// A managed resource type. `D` is the provider's configured data (API clients); the name,
/// schema and configuration checks come from [`TypeDefinition`].
#[async_trait::async_trait]
pub trait Resource<D: Send + Sync + 'static>: TypeDefinition {
    /// Refines the generic plan.
    async fn modify_plan(
        &self,
        _request: ModifyPlanRequest<D>,
        _response: &mut ModifyPlanResponse,
    ) {
    }

    /// Creates the object.
    async fn create(&self, request: CreateRequest<D>, response: &mut CreateResponse);

    /// Refreshes the state.
    async fn read(&self, request: ReadRequest<D>, response: &mut ReadResponse);

    /// Updates the object in place.
    async fn update(&self, request: UpdateRequest<D>, response: &mut UpdateResponse);

    /// Deletes the object.
    async fn delete(&self, request: DeleteRequest<D>, response: &mut DeleteResponse);

    /// Imports an existing object. By default the resource cannot be imported.
    async fn import_state(
        &self,
        _request: ImportStateRequest<D>,
        response: &mut ImportStateResponse,
    ) {
        response.diagnostics.error(
            "Resource import not supported",
            format!(
                "The resource type {} cannot be imported; create it with Terraform instead.",
                self.type_name()
            ),
        );
    }
}
