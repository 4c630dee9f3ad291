//! `tfplugin6.Provider` for any framework provider: each call converted to a [`Server`] call
//! and its answer converted back, nothing else.

use std::collections::HashMap;

use tonic::{Request, Response, Status};

use super::{from_proto, to_proto};
use crate::framework::Diagnostics;
use crate::framework::provider::Provider;
use crate::framework::server::{Kind, Server};
use crate::generated::tfplugin6 as pb;

type RpcResult<T> = Result<Response<T>, Status>;

/// Serves a framework [`Provider`] over the plugin protocol.
pub struct ProviderService<P: Provider> {
    server: Server<P>,
    /// Built once: Terraform asks for the schema in every process, often several times.
    schema_response: pb::get_provider_schema::Response,
}

impl<P: Provider> ProviderService<P> {
    /// Prepares `provider` for serving: every schema is computed and converted once.
    pub fn new(provider: P) -> Self {
        let server = Server::new(provider);
        let schemas = |kind| {
            server
                .schemas(kind)
                .map(|(name, schema)| (name.to_owned(), to_proto::schema(schema)))
                .collect()
        };
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(to_proto::schema(server.provider_schema())),
            resource_schemas: schemas(Kind::Resource),
            data_source_schemas: schemas(Kind::DataSource),
            functions: HashMap::new(),
            ephemeral_resource_schemas: schemas(Kind::EphemeralResource),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(server_capabilities()),
        };
        ProviderService {
            server,
            schema_response,
        }
    }

    /// Every problem Terraform would report about the schemas, for unit tests.
    pub fn schema_problems(&self) -> Vec<String> {
        self.server.schema_problems()
    }

    fn type_names(&self, kind: Kind) -> impl Iterator<Item = String> {
        self.server.schemas(kind).map(|(name, _)| name.to_owned())
    }
}

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
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
                .type_names(Kind::DataSource)
                .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            resources: self
                .type_names(Kind::Resource)
                .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: self
                .type_names(Kind::EphemeralResource)
                .map(|type_name| pb::get_metadata::EphemeralMetadata { type_name })
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
        let config = from_proto::value(request.config);
        let diagnostics = self.server.validate_provider_config(&config).await;
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        let request = request.into_inner();
        let config = from_proto::value(request.config);
        let diagnostics = self
            .server
            .validate_config(Kind::Resource, &request.type_name, &config)
            .await;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        let request = request.into_inner();
        let config = from_proto::value(request.config);
        let diagnostics = self
            .server
            .validate_config(Kind::DataSource, &request.type_name, &config)
            .await;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        let request = request.into_inner();
        let json = request.raw_state.map(|raw| raw.json).unwrap_or_default();
        let outcome = self
            .server
            .upgrade_state(&request.type_name, request.version, &json)
            .await;
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: to_proto::value(outcome.value),
            diagnostics: to_proto::diagnostics(outcome.diagnostics),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        let request = request.into_inner();
        let config = from_proto::value(request.config);
        let diagnostics = self
            .server
            .configure(&config, request.terraform_version)
            .await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: to_proto::diagnostics(diagnostics),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let request = request.into_inner();
        let state = from_proto::value(request.current_state);
        let outcome = self
            .server
            .read_resource(&request.type_name, &state, request.private)
            .await;
        Ok(Response::new(pb::read_resource::Response {
            new_state: to_proto::value(outcome.value),
            diagnostics: to_proto::diagnostics(outcome.diagnostics),
            private: outcome.private,
            deferred: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let request = request.into_inner();
        let change = self
            .server
            .plan_resource_change(
                &request.type_name,
                &from_proto::value(request.prior_state),
                &from_proto::value(request.proposed_new_state),
                &from_proto::value(request.config),
                request.prior_private,
            )
            .await;
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: to_proto::value(change.planned),
            requires_replace: change
                .requires_replace
                .iter()
                .map(to_proto::attribute_path)
                .collect(),
            planned_private: change.private,
            diagnostics: to_proto::diagnostics(change.diagnostics),
            legacy_type_system: false,
            deferred: None,
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let request = request.into_inner();
        let outcome = self
            .server
            .apply_resource_change(
                &request.type_name,
                &from_proto::value(request.prior_state),
                &from_proto::value(request.planned_state),
                &from_proto::value(request.config),
                request.planned_private,
            )
            .await;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: to_proto::value(outcome.value),
            private: outcome.private,
            diagnostics: to_proto::diagnostics(outcome.diagnostics),
            legacy_type_system: false,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let request = request.into_inner();
        let outcome = self
            .server
            .import_resource_state(&request.type_name, request.id)
            .await;
        let imported_resources = to_proto::value(outcome.value)
            .map(|state| pb::import_resource_state::ImportedResource {
                type_name: request.type_name,
                state: Some(state),
                private: outcome.private,
            })
            .into_iter()
            .collect();
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: to_proto::diagnostics(outcome.diagnostics),
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
        let config = from_proto::value(request.config);
        let outcome = self
            .server
            .read_data_source(&request.type_name, &config)
            .await;
        Ok(Response::new(pb::read_data_source::Response {
            state: to_proto::value(outcome.value),
            diagnostics: to_proto::diagnostics(outcome.diagnostics),
            deferred: None,
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<pb::validate_ephemeral_resource_config::Response> {
        let request = request.into_inner();
        let config = from_proto::value(request.config);
        let diagnostics = self
            .server
            .validate_config(Kind::EphemeralResource, &request.type_name, &config)
            .await;
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
        let config = from_proto::value(request.config);
        let opened = self
            .server
            .open_ephemeral_resource(&request.type_name, &config)
            .await;
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: to_proto::diagnostics(opened.diagnostics),
            renew_at: to_proto::timestamp(opened.renew_at),
            result: to_proto::value(opened.result),
            private: opened.private,
            deferred: None,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> RpcResult<pb::renew_ephemeral_resource::Response> {
        let request = request.into_inner();
        let renewed = self
            .server
            .renew_ephemeral_resource(&request.type_name, request.private)
            .await;
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: to_proto::diagnostics(renewed.diagnostics),
            renew_at: to_proto::timestamp(renewed.renew_at),
            private: renewed.private,
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> RpcResult<pb::close_ephemeral_resource::Response> {
        let request = request.into_inner();
        let diagnostics = self
            .server
            .close_ephemeral_resource(&request.type_name, request.private)
            .await;
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
        self.server.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}
