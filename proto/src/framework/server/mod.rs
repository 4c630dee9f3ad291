//! The server: what happens for each call Terraform makes, independent of the protocol.
//!
//! [`Server`] owns the provider, one registry of every type it serves, the configured data
//! and the stop signal. Each method takes a call's inputs as [`WireValue`]s, decodes them with
//! the type's schema, runs what the framework does for every resource (attribute validators,
//! generic planning, write-only nulling, the rules of a failed apply) around the type's own
//! code, and returns encoded values with diagnostics. The protocol layer ([`crate::grpc`]) only
//! converts messages to and from these calls.

mod registry;
mod wire;

use std::sync::{Arc, RwLock};
use std::time::SystemTime;

pub use registry::Kind;
use registry::Registry;
pub use wire::WireValue;

use super::data_source::{DataSourceReadRequest, DataSourceReadResponse};
use super::diagnostics::Diagnostics;
use super::ephemeral::{LifecycleRequest, LifecycleResponse, OpenRequest, OpenResponse};
use super::path::Path;
use super::provider::{ConfigureRequest, Provider};
use super::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportStateRequest,
    ImportStateResponse, ModifyPlanRequest, ModifyPlanResponse, ReadRequest, ReadResponse,
    UpdateRequest, UpdateResponse,
};
use super::schema::{Block, Schema};
use super::stop::StopSource;
use super::type_definition::ValidateConfigRequest;
use super::validator::validate_attributes;
use super::walk::{AttributeSite, Visitor, walk};
use crate::cty::{Type, Value};

/// What a call that yields a value (state, plan, result) produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The value, msgpack-encoded with the type's schema; `None` when none could be produced.
    pub value: Option<Vec<u8>>,
    /// Opaque data kept beside the state.
    pub private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// What planning produced.
#[derive(Debug, Default)]
pub struct PlannedChange {
    /// The planned state, msgpack-encoded; `None` when planning failed.
    pub planned: Option<Vec<u8>>,
    /// Attributes whose change replaces the resource.
    pub requires_replace: Vec<Path>,
    /// Opaque data planned beside the state.
    pub private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// What opening an ephemeral resource produced.
#[derive(Debug, Default)]
pub struct Opened {
    /// The result, msgpack-encoded; `None` when opening failed.
    pub result: Option<Vec<u8>>,
    /// When Terraform should renew it, if ever.
    pub renew_at: Option<SystemTime>,
    /// Opaque data handed back to renew and close.
    pub private: Option<Vec<u8>>,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// Serves a framework [`Provider`]: one instance per provider process.
pub struct Server<P: Provider> {
    provider: P,
    provider_schema: Schema,
    provider_type: Type,
    registry: Registry<P::Data>,
    configured: RwLock<Option<Arc<P::Data>>>,
    stop: StopSource,
}

impl<P: Provider> Server<P> {
    /// Prepares `provider` for serving: every schema is computed once.
    pub fn new(provider: P) -> Self {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.block.value_type();
        let registry = Registry::new(
            provider.resources(),
            provider.data_sources(),
            provider.ephemeral_resources(),
        );
        Server {
            provider,
            provider_schema,
            provider_type,
            registry,
            configured: RwLock::new(None),
            stop: StopSource::new(),
        }
    }

    /// The `provider` block's schema.
    pub fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }

    /// The names and schemas of the served types of one kind, in name order.
    pub fn schemas(&self, kind: Kind) -> impl Iterator<Item = (&str, &Schema)> {
        self.registry.schemas(kind)
    }

    /// Every problem Terraform would report about the schemas, for a provider's unit tests.
    pub fn schema_problems(&self) -> Vec<String> {
        let mut problems = super::schema::check_block(&self.provider_schema.block, "provider");
        problems.extend(self.registry.problems());
        problems
    }

    fn configured(&self) -> Option<Arc<P::Data>> {
        self.configured.read().ok().and_then(|guard| guard.clone())
    }

    fn require_configured(&self, diagnostics: &mut Diagnostics) -> Option<Arc<P::Data>> {
        let configured = self.configured();
        if configured.is_none() {
            diagnostics.error(
                "Provider not configured",
                "Terraform called the provider before configuring it. This is a bug in the provider or \
                 in Terraform; please report it with the output of TF_LOG=trace.",
            );
        }
        configured
    }

    /// Checks the `provider` block: attribute validators, then the provider's own checks.
    pub async fn validate_provider_config(&self, config: &WireValue) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(mut config) = wire::decode(
            config,
            &self.provider_type,
            "provider configuration",
            &mut diagnostics,
        ) {
            validate_attributes(&self.provider_schema.block, &mut config, &mut diagnostics);
            self.provider
                .validate_config(&config, &mut diagnostics)
                .await;
        }
        diagnostics
    }

    /// Checks the configuration of a resource, data source or ephemeral resource: attribute
    /// validators, then the type's own checks. The same steps for every kind.
    pub async fn validate_config(
        &self,
        kind: Kind,
        type_name: &str,
        config: &WireValue,
    ) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        let what = format!("{} configuration", kind.noun());
        if let Some(entry) = self.registry.get(kind, type_name, &mut diagnostics)
            && let Some(mut config) = entry.decode(config, &what, &mut diagnostics)
        {
            validate_attributes(&entry.schema.block, &mut config, &mut diagnostics);
            entry
                .definition()
                .validate_config(ValidateConfigRequest { config }, &mut diagnostics)
                .await;
        }
        diagnostics
    }

    /// Configures the provider; every later call receives what this builds.
    pub async fn configure(&self, config: &WireValue, terraform_version: String) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(config) = wire::decode(
            config,
            &self.provider_type,
            "provider configuration",
            &mut diagnostics,
        ) {
            let configure = ConfigureRequest {
                config,
                terraform_version,
            };
            if let Some(data) = self.provider.configure(configure, &mut diagnostics).await
                && let Ok(mut slot) = self.configured.write()
            {
                *slot = Some(Arc::new(data));
            }
        }
        diagnostics
    }

    /// Reads state stored as JSON under schema `version` and returns it in the current schema.
    pub async fn upgrade_state(&self, type_name: &str, version: i64, json: &[u8]) -> Outcome {
        let mut outcome = Outcome::default();
        let diagnostics = &mut outcome.diagnostics;
        let Some((entry, _)) = self.registry.resource(type_name, diagnostics) else {
            return outcome;
        };
        if version > entry.schema.version {
            diagnostics.error(
                "State written by a newer provider",
                format!(
                    "This state was written with schema version {version} of {type_name}, newer \
                     than this provider's {}. Use the provider version that wrote it.",
                    entry.schema.version
                ),
            );
        } else if json.is_empty() {
            outcome.value = entry.encode(&Value::Null, "upgraded state", diagnostics);
        } else {
            // Same (or older, compatible) schema: attributes that no longer exist are dropped,
            // new ones start as null and are filled by the next refresh.
            match entry.decode_stored(json) {
                Ok(mut state) => {
                    null_write_only(&entry.schema.block, &mut state);
                    outcome.value = entry.encode(&state, "upgraded state", diagnostics);
                }
                Err(err) => diagnostics.error(
                    "Could not read the stored state",
                    format!(
                        "The state stored for this {type_name} does not match its schema: {err}."
                    ),
                ),
            }
        }
        outcome
    }

    /// Refreshes a resource's state; a null state stays null without calling the resource.
    pub async fn read_resource(
        &self,
        type_name: &str,
        state: &WireValue,
        private: Vec<u8>,
    ) -> Outcome {
        let mut outcome = Outcome {
            private,
            ..Outcome::default()
        };
        let diagnostics = &mut outcome.diagnostics;
        let Some((entry, resource)) = self.registry.resource(type_name, diagnostics) else {
            return outcome;
        };
        let Some(state) = entry.decode(state, "state", diagnostics) else {
            return outcome;
        };
        if state.is_null() {
            outcome.value = entry.encode(&Value::Null, "state", diagnostics);
            return outcome;
        }
        let Some(provider) = self.require_configured(diagnostics) else {
            return outcome;
        };
        let mut response = ReadResponse {
            state: state.clone(),
            private: outcome.private.clone(),
            diagnostics: Diagnostics::new(),
            ty: entry.ty.clone(),
        };
        let request = ReadRequest {
            state,
            private: std::mem::take(&mut outcome.private),
            provider,
            stop: self.stop.token(),
        };
        resource.read(request, &mut response).await;
        null_write_only(&entry.schema.block, &mut response.state);
        diagnostics.extend(response.diagnostics);
        outcome.value = entry.encode(&response.state, "state", diagnostics);
        outcome.private = response.private;
        outcome
    }

    /// Plans a change: the generic plan from the schema, then the resource's refinements.
    pub async fn plan_resource_change(
        &self,
        type_name: &str,
        prior: &WireValue,
        proposed: &WireValue,
        config: &WireValue,
        prior_private: Vec<u8>,
    ) -> PlannedChange {
        let mut change = PlannedChange {
            private: prior_private,
            ..PlannedChange::default()
        };
        let diagnostics = &mut change.diagnostics;
        let Some((entry, resource)) = self.registry.resource(type_name, diagnostics) else {
            return change;
        };
        let prior = entry.decode(prior, "prior state", diagnostics);
        let proposed = entry.decode(proposed, "proposed new state", diagnostics);
        let config = entry.decode(config, "configuration", diagnostics);
        let (Some(prior), Some(proposed), Some(config)) = (prior, proposed, config) else {
            return change;
        };
        let plan = super::plan::plan(&entry.schema.block, &prior, &proposed, &config);
        let mut response = ModifyPlanResponse {
            planned: plan.planned,
            requires_replace: plan.requires_replace,
            diagnostics: Diagnostics::new(),
            ty: entry.ty.clone(),
        };
        if !response.planned.is_null() {
            let modify = ModifyPlanRequest {
                config,
                prior,
                provider: self.configured(),
            };
            resource.modify_plan(modify, &mut response).await;
        }
        null_write_only(&entry.schema.block, &mut response.planned);
        diagnostics.extend(response.diagnostics);
        change.planned = entry.encode(&response.planned, "plan", diagnostics);
        change.requires_replace = response.requires_replace;
        change
    }

    /// Applies a planned change: create, update or delete, chosen from the prior and planned
    /// states. Nothing half-applied reaches state: a failed create leaves no object unless it
    /// produced a complete one, a failed update keeps the prior state unless the new one is
    /// complete, and a failed delete keeps the object.
    pub async fn apply_resource_change(
        &self,
        type_name: &str,
        prior: &WireValue,
        planned: &WireValue,
        config: &WireValue,
        planned_private: Vec<u8>,
    ) -> Outcome {
        let mut outcome = Outcome {
            private: planned_private,
            ..Outcome::default()
        };
        let diagnostics = &mut outcome.diagnostics;
        let Some((entry, resource)) = self.registry.resource(type_name, diagnostics) else {
            return outcome;
        };
        let prior = entry.decode(prior, "prior state", diagnostics);
        let planned = entry.decode(planned, "planned state", diagnostics);
        let config = entry.decode(config, "configuration", diagnostics);
        let provider = self.require_configured(diagnostics);
        let (Some(prior), Some(planned), Some(config), Some(provider)) =
            (prior, planned, config, provider)
        else {
            return outcome;
        };
        let stop = self.stop.token();
        let mut state = if planned.is_null() {
            let mut response = DeleteResponse::default();
            let request = DeleteRequest {
                prior: prior.clone(),
                private: outcome.private.clone(),
                provider,
                stop,
            };
            resource.delete(request, &mut response).await;
            let failed = response.diagnostics.has_errors();
            diagnostics.extend(response.diagnostics);
            if failed { prior } else { Value::Null }
        } else if prior.is_null() {
            let mut response = CreateResponse {
                state: planned.clone(),
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
                ty: entry.ty.clone(),
            };
            let request = CreateRequest {
                config,
                planned,
                provider,
                stop,
            };
            resource.create(request, &mut response).await;
            outcome.private = response.private;
            let failed = response.diagnostics.has_errors();
            diagnostics.extend(response.diagnostics);
            if failed && !response.state.is_wholly_known() {
                Value::Null
            } else {
                response.state
            }
        } else {
            let mut response = UpdateResponse {
                state: planned.clone(),
                private: outcome.private.clone(),
                diagnostics: Diagnostics::new(),
                ty: entry.ty.clone(),
            };
            let request = UpdateRequest {
                config,
                planned,
                prior: prior.clone(),
                private: std::mem::take(&mut outcome.private),
                provider,
                stop,
            };
            resource.update(request, &mut response).await;
            outcome.private = response.private;
            let failed = response.diagnostics.has_errors();
            diagnostics.extend(response.diagnostics);
            if failed && !response.state.is_wholly_known() {
                prior
            } else {
                response.state
            }
        };
        if !state.is_wholly_known() {
            diagnostics.error(
                "Provider left values unknown after apply",
                format!(
                    "The {type_name} resource returned a state with unknown values. This is a \
                     bug in the provider; please report it."
                ),
            );
            state = Value::Null;
        }
        null_write_only(&entry.schema.block, &mut state);
        outcome.value = entry.encode(&state, "new state", diagnostics);
        outcome
    }

    /// Imports an existing object by the id a user gave; Terraform refreshes it afterwards.
    pub async fn import_resource_state(&self, type_name: &str, id: String) -> Outcome {
        let mut outcome = Outcome::default();
        let diagnostics = &mut outcome.diagnostics;
        let Some((entry, resource)) = self.registry.resource(type_name, diagnostics) else {
            return outcome;
        };
        let Some(provider) = self.require_configured(diagnostics) else {
            return outcome;
        };
        let mut response = ImportStateResponse {
            state: Value::Null,
            diagnostics: Diagnostics::new(),
            ty: entry.ty.clone(),
        };
        resource
            .import_state(ImportStateRequest { id, provider }, &mut response)
            .await;
        let failed = response.diagnostics.has_errors();
        diagnostics.extend(response.diagnostics);
        if !failed {
            outcome.value = entry.encode(&response.state, "imported state", diagnostics);
        }
        outcome
    }

    /// Reads a data source.
    pub async fn read_data_source(&self, type_name: &str, config: &WireValue) -> Outcome {
        let mut outcome = Outcome::default();
        let diagnostics = &mut outcome.diagnostics;
        let Some((entry, source)) = self.registry.data_source(type_name, diagnostics) else {
            return outcome;
        };
        let config = entry.decode(config, "data source configuration", diagnostics);
        let (Some(config), Some(provider)) = (config, self.require_configured(diagnostics)) else {
            return outcome;
        };
        let mut response = DataSourceReadResponse {
            state: config.clone(),
            diagnostics: Diagnostics::new(),
            ty: entry.ty.clone(),
        };
        let request = DataSourceReadRequest {
            config,
            provider,
            stop: self.stop.token(),
        };
        source.read(request, &mut response).await;
        diagnostics.extend(response.diagnostics);
        outcome.value = entry.encode(&response.state, "data source result", diagnostics);
        outcome
    }

    /// Opens an ephemeral resource.
    pub async fn open_ephemeral_resource(&self, type_name: &str, config: &WireValue) -> Opened {
        let mut opened = Opened::default();
        let diagnostics = &mut opened.diagnostics;
        let Some((entry, ephemeral)) = self.registry.ephemeral_resource(type_name, diagnostics)
        else {
            return opened;
        };
        let config = entry.decode(config, "ephemeral resource configuration", diagnostics);
        let (Some(config), Some(provider)) = (config, self.require_configured(diagnostics)) else {
            return opened;
        };
        let mut response = OpenResponse {
            result: config.clone(),
            renew_at: None,
            private: None,
            diagnostics: Diagnostics::new(),
            ty: entry.ty.clone(),
        };
        ephemeral
            .open(OpenRequest { config, provider }, &mut response)
            .await;
        diagnostics.extend(response.diagnostics);
        opened.result = entry.encode(&response.result, "ephemeral result", diagnostics);
        opened.renew_at = response.renew_at;
        opened.private = response.private;
        opened
    }

    /// Renews an open ephemeral resource.
    pub async fn renew_ephemeral_resource(
        &self,
        type_name: &str,
        private: Option<Vec<u8>>,
    ) -> LifecycleResponse {
        let mut response = LifecycleResponse::default();
        let mut diagnostics = Diagnostics::new();
        if let Some((_, ephemeral)) = self
            .registry
            .ephemeral_resource(type_name, &mut diagnostics)
            && let Some(provider) = self.require_configured(&mut diagnostics)
        {
            ephemeral
                .renew(LifecycleRequest { private, provider }, &mut response)
                .await;
        }
        diagnostics.extend(std::mem::take(&mut response.diagnostics));
        response.diagnostics = diagnostics;
        response
    }

    /// Closes an open ephemeral resource.
    pub async fn close_ephemeral_resource(
        &self,
        type_name: &str,
        private: Option<Vec<u8>>,
    ) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some((_, ephemeral)) = self
            .registry
            .ephemeral_resource(type_name, &mut diagnostics)
            && let Some(provider) = self.require_configured(&mut diagnostics)
        {
            let mut response = LifecycleResponse::default();
            ephemeral
                .close(LifecycleRequest { private, provider }, &mut response)
                .await;
            diagnostics.extend(response.diagnostics);
        }
        diagnostics
    }

    /// Asks every operation in flight to stop (Terraform's Ctrl-C).
    pub fn stop(&self) {
        self.stop.stop();
    }
}

/// Write-only attributes are never stored: Terraform rejects any non-null value for them in a
/// plan or state the provider returns.
fn null_write_only(block: &Block, value: &mut Value) {
    struct NullWriteOnly;
    impl Visitor for NullWriteOnly {
        fn attribute(&mut self, site: &AttributeSite<'_>, value: &mut Value) {
            if site.attribute.write_only {
                *value = Value::Null;
            }
        }
    }
    walk(block, value, &Value::Null, None, &mut NullWriteOnly);
}
