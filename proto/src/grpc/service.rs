//! `tfplugin6.Provider` for any framework provider.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tonic::{Request, Response, Status};

use super::to_proto;
use crate::cty::{self, Type, Value};
use crate::framework::data_source::{DataSource, DataSourceReadRequest, DataSourceReadResponse};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::ephemeral::{
    EphemeralResource, LifecycleRequest, LifecycleResponse, OpenRequest, OpenResponse,
};
use crate::framework::provider::{ConfigureRequest, Provider};
use crate::framework::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportStateRequest,
    ImportStateResponse, ModifyPlanRequest, ModifyPlanResponse, ReadRequest, ReadResponse,
    Resource, UpdateRequest, UpdateResponse, ValidateConfigRequest,
};
use crate::framework::schema::{Block, Schema};
use crate::framework::stop::StopSource;
use crate::framework::validator::validate_attributes;
use crate::framework::walk::{AttributeSite, Visitor, walk};
use crate::generated::tfplugin6 as pb;

type RpcResult<T> = Result<Response<T>, Status>;

/// A type served by the provider, with its schema computed once.
struct Served<T: ?Sized> {
    implementation: Arc<T>,
    schema: Schema,
    ty: Type,
}

impl<T: ?Sized> Served<T> {
    /// Decodes a configuration and runs the schema's attribute validators on it.
    fn checked_config(
        &self,
        config: Option<&pb::DynamicValue>,
        what: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Value> {
        let mut config = decode(config, &self.ty, what, diagnostics)?;
        validate_attributes(&self.schema.block, &mut config, diagnostics);
        Some(config)
    }

    fn new(implementation: Arc<T>, schema: Schema) -> Self {
        let ty = schema.block.value_type();
        Served {
            implementation,
            schema,
            ty,
        }
    }
}

/// Serves a framework [`Provider`] over the plugin protocol.
pub struct ProviderService<P: Provider> {
    provider: P,
    provider_schema: Schema,
    provider_type: Type,
    resources: HashMap<&'static str, Served<dyn Resource<P::Data>>>,
    data_sources: HashMap<&'static str, Served<dyn DataSource<P::Data>>>,
    ephemeral_resources: HashMap<&'static str, Served<dyn EphemeralResource<P::Data>>>,
    /// Built once: Terraform asks for the schema in every process, often several times.
    schema_response: pb::get_provider_schema::Response,
    configured: RwLock<Option<Arc<P::Data>>>,
    stop: StopSource,
}

impl<P: Provider> ProviderService<P> {
    /// Prepares `provider` for serving: every schema is computed and converted once.
    pub fn new(provider: P) -> Self {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.block.value_type();
        let resources: HashMap<_, _> = provider
            .resources()
            .into_iter()
            .map(|resource| {
                (
                    resource.type_name(),
                    Served::new(resource.clone(), resource.schema()),
                )
            })
            .collect();
        let data_sources: HashMap<_, _> = provider
            .data_sources()
            .into_iter()
            .map(|source| {
                (
                    source.type_name(),
                    Served::new(source.clone(), source.schema()),
                )
            })
            .collect();
        let ephemeral_resources: HashMap<_, _> = provider
            .ephemeral_resources()
            .into_iter()
            .map(|resource| {
                (
                    resource.type_name(),
                    Served::new(resource.clone(), resource.schema()),
                )
            })
            .collect();
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(to_proto::schema(&provider_schema)),
            resource_schemas: resources
                .iter()
                .map(|(name, s)| (name.to_string(), to_proto::schema(&s.schema)))
                .collect(),
            data_source_schemas: data_sources
                .iter()
                .map(|(name, s)| (name.to_string(), to_proto::schema(&s.schema)))
                .collect(),
            functions: HashMap::new(),
            ephemeral_resource_schemas: ephemeral_resources
                .iter()
                .map(|(name, s)| (name.to_string(), to_proto::schema(&s.schema)))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(server_capabilities()),
        };
        ProviderService {
            provider,
            provider_schema,
            provider_type,
            resources,
            data_sources,
            ephemeral_resources,
            schema_response,
            configured: RwLock::new(None),
            stop: StopSource::new(),
        }
    }

    /// Every problem Terraform would report about the schemas, for unit tests.
    pub fn schema_problems(&self) -> Vec<String> {
        let mut problems =
            crate::framework::schema::check_block(&self.provider_schema.block, "provider");
        for (name, served) in &self.resources {
            problems.extend(crate::framework::schema::check_block(
                &served.schema.block,
                name,
            ));
        }
        for (name, served) in &self.data_sources {
            problems.extend(crate::framework::schema::check_block(
                &served.schema.block,
                name,
            ));
        }
        for (name, served) in &self.ephemeral_resources {
            problems.extend(crate::framework::schema::check_block(
                &served.schema.block,
                name,
            ));
        }
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

    fn resource(
        &self,
        type_name: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<&Served<dyn Resource<P::Data>>> {
        lookup(&self.resources, "resource type", type_name, diagnostics)
    }
}

/// The served type called `type_name`, or an error diagnostic naming what is missing.
fn lookup<'a, T: ?Sized>(
    served: &'a HashMap<&'static str, Served<T>>,
    kind: &str,
    type_name: &str,
    diagnostics: &mut Diagnostics,
) -> Option<&'a Served<T>> {
    let found = served.get(type_name);
    if found.is_none() {
        diagnostics.error(
            format!("Unknown {kind}"),
            format!("This provider has no {kind} {type_name:?}."),
        );
    }
    found
}

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

/// Decodes a dynamic value: msgpack when present (Terraform always sends it), else JSON, else null.
fn decode(
    value: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Value> {
    let Some(value) = value else {
        return Some(Value::Null);
    };
    let decoded = if !value.msgpack.is_empty() {
        cty::decode_msgpack(&value.msgpack, ty)
    } else if !value.json.is_empty() {
        cty::decode_json(&value.json, ty)
    } else {
        Ok(Value::Null)
    };
    match decoded {
        Ok(value) => Some(value),
        Err(err) => {
            diagnostics.error(
                format!("Could not read the {what}"),
                format!("Terraform sent a {what} that does not match the schema: {err}. This is a bug; please report it."),
            );
            None
        }
    }
}

fn encode(
    value: &Value,
    ty: &Type,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match cty::encode_msgpack(value, ty) {
        Ok(msgpack) => Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(err) => {
            diagnostics.error(
                format!("Could not write the {what}"),
                format!("The provider produced a {what} that does not match its schema: {err}. This is a bug; please report it."),
            );
            None
        }
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

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .keys()
                .map(|name| pb::get_metadata::DataSourceMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|name| pb::get_metadata::ResourceMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: self
                .ephemeral_resources
                .keys()
                .map(|name| pb::get_metadata::EphemeralMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        Ok(Response::new(self.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> RpcResult<pb::validate_provider_config::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        if let Some(mut config) = decode(
            request.config.as_ref(),
            &self.provider_type,
            "provider configuration",
            &mut diagnostics,
        ) {
            validate_attributes(&self.provider_schema.block, &mut config, &mut diagnostics);
            self.provider
                .validate_config(&config, &mut diagnostics)
                .await;
        }
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        if let Some(served) = self.resource(&request.type_name, &mut diagnostics)
            && let Some(config) = served.checked_config(
                request.config.as_ref(),
                "resource configuration",
                &mut diagnostics,
            )
        {
            served
                .implementation
                .validate_config(ValidateConfigRequest { config }, &mut diagnostics)
                .await;
        }
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        if let Some(served) = lookup(
            &self.data_sources,
            "data source",
            &request.type_name,
            &mut diagnostics,
        ) && let Some(config) = served.checked_config(
            request.config.as_ref(),
            "data source configuration",
            &mut diagnostics,
        ) {
            served
                .implementation
                .validate_config(ValidateConfigRequest { config }, &mut diagnostics)
                .await;
        }
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut upgraded_state = None;
        if let Some(served) = self.resource(&request.type_name, &mut diagnostics) {
            let json = request.raw_state.map(|raw| raw.json).unwrap_or_default();
            if request.version > served.schema.version {
                diagnostics.error(
                    "State written by a newer provider",
                    format!(
                        "This state was written with schema version {} of {}, newer than this provider's {}. Use the provider version that wrote it.",
                        request.version, request.type_name, served.schema.version
                    ),
                );
            } else if json.is_empty() {
                upgraded_state =
                    encode(&Value::Null, &served.ty, "upgraded state", &mut diagnostics);
            } else {
                // Same (or older, compatible) schema: attributes that no longer exist are dropped,
                // new ones start as null and are filled by the next refresh.
                match cty::decode_json_lenient(&json, &served.ty) {
                    Ok(mut state) => {
                        null_write_only(&served.schema.block, &mut state);
                        upgraded_state =
                            encode(&state, &served.ty, "upgraded state", &mut diagnostics);
                    }
                    Err(err) => diagnostics.error(
                        "Could not read the stored state",
                        format!(
                            "The state stored for this {} does not match its schema: {err}.",
                            request.type_name
                        ),
                    ),
                }
            }
        }
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        if let Some(config) = decode(
            request.config.as_ref(),
            &self.provider_type,
            "provider configuration",
            &mut diagnostics,
        ) {
            let configure = ConfigureRequest {
                config,
                terraform_version: request.terraform_version,
            };
            if let Some(data) = self.provider.configure(configure, &mut diagnostics).await
                && let Ok(mut slot) = self.configured.write()
            {
                *slot = Some(Arc::new(data));
            }
        }
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut new_state = None;
        let mut private = request.private.clone();
        if let Some(served) = self.resource(&request.type_name, &mut diagnostics)
            && let Some(state) = decode(
                request.current_state.as_ref(),
                &served.ty,
                "state",
                &mut diagnostics,
            )
        {
            if state.is_null() {
                new_state = encode(&Value::Null, &served.ty, "state", &mut diagnostics);
            } else if let Some(provider) = self.require_configured(&mut diagnostics) {
                let mut response = ReadResponse {
                    state: state.clone(),
                    private: request.private,
                    diagnostics: Diagnostics::new(),
                };
                served
                    .implementation
                    .read(
                        ReadRequest {
                            state,
                            private: response.private.clone(),
                            provider,
                            stop: self.stop.token(),
                        },
                        &mut response,
                    )
                    .await;
                null_write_only(&served.schema.block, &mut response.state);
                diagnostics.extend(response.diagnostics);
                new_state = encode(&response.state, &served.ty, "state", &mut diagnostics);
                private = response.private;
            }
        }
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: to_proto::diagnostics(diagnostics),
            private,
            deferred: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut planned_state = None;
        let mut requires_replace = Vec::new();
        if let Some(served) = self.resource(&request.type_name, &mut diagnostics) {
            let prior = decode(
                request.prior_state.as_ref(),
                &served.ty,
                "prior state",
                &mut diagnostics,
            );
            let proposed = decode(
                request.proposed_new_state.as_ref(),
                &served.ty,
                "proposed new state",
                &mut diagnostics,
            );
            let config = decode(
                request.config.as_ref(),
                &served.ty,
                "configuration",
                &mut diagnostics,
            );
            if let (Some(prior), Some(proposed), Some(config)) = (prior, proposed, config) {
                let plan =
                    crate::framework::plan::plan(&served.schema.block, &prior, &proposed, &config);
                let mut response = ModifyPlanResponse {
                    planned: plan.planned,
                    requires_replace: plan.requires_replace,
                    diagnostics: Diagnostics::new(),
                };
                if !response.planned.is_null() {
                    let modify = ModifyPlanRequest {
                        config,
                        prior,
                        provider: self.configured(),
                    };
                    served
                        .implementation
                        .modify_plan(modify, &mut response)
                        .await;
                }
                null_write_only(&served.schema.block, &mut response.planned);
                diagnostics.extend(response.diagnostics);
                planned_state = encode(&response.planned, &served.ty, "plan", &mut diagnostics);
                requires_replace = response
                    .requires_replace
                    .iter()
                    .map(to_proto::attribute_path)
                    .collect();
            }
        }
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private: request.prior_private,
            diagnostics: to_proto::diagnostics(diagnostics),
            legacy_type_system: false,
            deferred: None,
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut new_state = None;
        let mut private = request.planned_private.clone();
        if let Some(served) = self.resource(&request.type_name, &mut diagnostics) {
            let prior = decode(
                request.prior_state.as_ref(),
                &served.ty,
                "prior state",
                &mut diagnostics,
            );
            let planned = decode(
                request.planned_state.as_ref(),
                &served.ty,
                "planned state",
                &mut diagnostics,
            );
            let config = decode(
                request.config.as_ref(),
                &served.ty,
                "configuration",
                &mut diagnostics,
            );
            let provider = self.require_configured(&mut diagnostics);
            if let (Some(prior), Some(planned), Some(config), Some(provider)) =
                (prior, planned, config, provider)
            {
                let stop = self.stop.token();
                let state = if planned.is_null() {
                    let mut response = DeleteResponse::default();
                    served
                        .implementation
                        .delete(
                            DeleteRequest {
                                prior: prior.clone(),
                                private: private.clone(),
                                provider,
                                stop,
                            },
                            &mut response,
                        )
                        .await;
                    let failed = response.diagnostics.has_errors();
                    diagnostics.extend(response.diagnostics);
                    // A failed delete keeps the object in state, so that nothing is lost.
                    if failed { prior } else { Value::Null }
                } else if prior.is_null() {
                    let mut response = CreateResponse {
                        state: planned.clone(),
                        private: Vec::new(),
                        diagnostics: Diagnostics::new(),
                    };
                    served
                        .implementation
                        .create(
                            CreateRequest {
                                config,
                                planned,
                                provider,
                                stop,
                            },
                            &mut response,
                        )
                        .await;
                    private = response.private;
                    let failed = response.diagnostics.has_errors();
                    diagnostics.extend(response.diagnostics);
                    // Nothing half-planned may reach state: a failed create that produced no
                    // complete object leaves no object.
                    if failed && !response.state.is_wholly_known() {
                        Value::Null
                    } else {
                        response.state
                    }
                } else {
                    let mut response = UpdateResponse {
                        state: planned.clone(),
                        private: private.clone(),
                        diagnostics: Diagnostics::new(),
                    };
                    served
                        .implementation
                        .update(
                            UpdateRequest {
                                config,
                                planned,
                                prior: prior.clone(),
                                private: private.clone(),
                                provider,
                                stop,
                            },
                            &mut response,
                        )
                        .await;
                    private = response.private;
                    let failed = response.diagnostics.has_errors();
                    diagnostics.extend(response.diagnostics);
                    if failed && !response.state.is_wholly_known() {
                        prior
                    } else {
                        response.state
                    }
                };
                let mut state = state;
                if !state.is_wholly_known() {
                    diagnostics.error(
                        "Provider left values unknown after apply",
                        format!("The {} resource returned a state with unknown values. This is a bug in the provider; please report it.", request.type_name),
                    );
                    state = Value::Null;
                }
                null_write_only(&served.schema.block, &mut state);
                new_state = encode(&state, &served.ty, "new state", &mut diagnostics);
            }
        }
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private,
            diagnostics: to_proto::diagnostics(diagnostics),
            legacy_type_system: false,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut imported_resources = Vec::new();
        if let Some(served) = self.resource(&request.type_name, &mut diagnostics)
            && let Some(provider) = self.require_configured(&mut diagnostics)
        {
            let mut response = ImportStateResponse {
                state: Value::Null,
                diagnostics: Diagnostics::new(),
            };
            served
                .implementation
                .import_state(
                    ImportStateRequest {
                        id: request.id,
                        provider,
                    },
                    &mut response,
                )
                .await;
            let failed = response.diagnostics.has_errors();
            diagnostics.extend(response.diagnostics);
            if !failed
                && let Some(state) = encode(
                    &response.state,
                    &served.ty,
                    "imported state",
                    &mut diagnostics,
                )
            {
                imported_resources.push(pb::import_resource_state::ImportedResource {
                    type_name: request.type_name,
                    state: Some(state),
                    private: Vec::new(),
                });
            }
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: to_proto::diagnostics(diagnostics),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        _request: Request<pb::move_resource_state::Request>,
    ) -> RpcResult<pb::move_resource_state::Response> {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error(
            "Moving state not supported",
            "This provider cannot move state between resource types.",
        );
        Ok(Response::new(pb::move_resource_state::Response {
            target_state: None,
            diagnostics: to_proto::diagnostics(diagnostics),
            target_private: Vec::new(),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut state = None;
        if let Some(served) = lookup(
            &self.data_sources,
            "data source",
            &request.type_name,
            &mut diagnostics,
        ) {
            let config = decode(
                request.config.as_ref(),
                &served.ty,
                "data source configuration",
                &mut diagnostics,
            );
            if let (Some(config), Some(provider)) =
                (config, self.require_configured(&mut diagnostics))
            {
                let mut response = DataSourceReadResponse {
                    state: config.clone(),
                    diagnostics: Diagnostics::new(),
                };
                served
                    .implementation
                    .read(
                        DataSourceReadRequest {
                            config,
                            provider,
                            stop: self.stop.token(),
                        },
                        &mut response,
                    )
                    .await;
                diagnostics.extend(response.diagnostics);
                state = encode(
                    &response.state,
                    &served.ty,
                    "data source result",
                    &mut diagnostics,
                );
            }
        }
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: to_proto::diagnostics(diagnostics),
            deferred: None,
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<pb::validate_ephemeral_resource_config::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        if let Some(served) = lookup(
            &self.ephemeral_resources,
            "ephemeral resource",
            &request.type_name,
            &mut diagnostics,
        ) && let Some(config) = served.checked_config(
            request.config.as_ref(),
            "ephemeral resource configuration",
            &mut diagnostics,
        ) {
            served
                .implementation
                .validate_config(ValidateConfigRequest { config }, &mut diagnostics)
                .await;
        }
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: to_proto::diagnostics(diagnostics),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> RpcResult<pb::open_ephemeral_resource::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut result = None;
        let mut renew_at = None;
        let mut private = None;
        if let Some(served) = lookup(
            &self.ephemeral_resources,
            "ephemeral resource",
            &request.type_name,
            &mut diagnostics,
        ) {
            let config = decode(
                request.config.as_ref(),
                &served.ty,
                "ephemeral resource configuration",
                &mut diagnostics,
            );
            if let (Some(config), Some(provider)) =
                (config, self.require_configured(&mut diagnostics))
            {
                let mut response = OpenResponse {
                    result: config.clone(),
                    renew_at: None,
                    private: None,
                    diagnostics: Diagnostics::new(),
                };
                served
                    .implementation
                    .open(OpenRequest { config, provider }, &mut response)
                    .await;
                diagnostics.extend(response.diagnostics);
                result = encode(
                    &response.result,
                    &served.ty,
                    "ephemeral result",
                    &mut diagnostics,
                );
                renew_at = response.renew_at.map(prost_types::Timestamp::from);
                private = response.private;
            }
        }
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
            renew_at,
            result,
            private,
            deferred: None,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> RpcResult<pb::renew_ephemeral_resource::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut response = LifecycleResponse::default();
        if let Some(served) = lookup(
            &self.ephemeral_resources,
            "ephemeral resource",
            &request.type_name,
            &mut diagnostics,
        ) && let Some(provider) = self.require_configured(&mut diagnostics)
        {
            served
                .implementation
                .renew(
                    LifecycleRequest {
                        private: request.private,
                        provider,
                    },
                    &mut response,
                )
                .await;
        }
        diagnostics.extend(std::mem::take(&mut response.diagnostics));
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
            renew_at: response.renew_at.map(prost_types::Timestamp::from),
            private: response.private,
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> RpcResult<pb::close_ephemeral_resource::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        if let Some(served) = lookup(
            &self.ephemeral_resources,
            "ephemeral resource",
            &request.type_name,
            &mut diagnostics,
        ) && let Some(provider) = self.require_configured(&mut diagnostics)
        {
            let mut response = LifecycleResponse::default();
            served
                .implementation
                .close(
                    LifecycleRequest {
                        private: request.private,
                        provider,
                    },
                    &mut response,
                )
                .await;
            diagnostics.extend(response.diagnostics);
        }
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> RpcResult<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response {
            functions: HashMap::new(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> RpcResult<pb::call_function::Response> {
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!(
                    "this provider has no function {:?}",
                    request.into_inner().name
                ),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> RpcResult<pb::stop_provider::Response> {
        tracing::info!("stop requested: cancelling operations in flight");
        self.stop.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}
