//! The protocol service driven in-process with a small provider: each RPC's contract with
//! Terraform (msgpack in and out, diagnostics with paths, write-only values never returned,
//! state upgrades from JSON, stop signals).

// Helpers outside `#[test]` functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tfplugin::cty::{self, Type, Value};
use tfplugin::framework::data_source::{DataSource, DataSourceReadRequest, DataSourceReadResponse};
use tfplugin::framework::ephemeral::{
    EphemeralResource, LifecycleRequest, LifecycleResponse, OpenRequest, OpenResponse,
};
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::plan_modifier::requires_replace;
use tfplugin::framework::provider::ConfigureRequest;
use tfplugin::framework::resource::*;
use tfplugin::framework::validator::{Invalid, from_fn};
use tfplugin::framework::{
    Attribute, Block, Diagnostics, Provider, Resource, Schema, TypeDefinition,
};
use tfplugin::generated::tfplugin6 as pb;
use tfplugin::generated::tfplugin6::provider_server::Provider as _;
use tonic::Request;

struct Toy {
    stopped_seen: Arc<AtomicBool>,
}

struct Thing {
    stopped_seen: Arc<AtomicBool>,
}

fn thing_block() -> Block {
    Block::new("A thing.")
        .attribute("id", Attribute::string("Id.").computed())
        .attribute(
            "name",
            Attribute::string("Name.")
                .required()
                .plan(requires_replace()),
        )
        .attribute(
            "size",
            Attribute::number("Size.")
                .default_value(3)
                .validate(from_fn("must be at most 10", |value| {
                    match value.as_i64() {
                        Some(size) if size > 10 => {
                            Err(Invalid::new("Too big", format!("size {size} is over 10")))
                        }
                        _ => Ok(()),
                    }
                })),
        )
        .attribute(
            "password",
            Attribute::string("Never stored.").optional().write_only(),
        )
}

/// `toy_thing` as a model; `password` is left out, so it is written as null.
#[derive(serde::Serialize, serde::Deserialize)]
struct ThingModel {
    id: Attr<String>,
    name: Attr<String>,
    size: Attr<i64>,
}

#[async_trait::async_trait]
impl TypeDefinition for Thing {
    fn type_name(&self) -> &'static str {
        "toy_thing"
    }
    fn schema(&self) -> Schema {
        Schema::new(1, thing_block())
    }
}

#[async_trait::async_trait]
impl Resource<String> for Thing {
    async fn create(&self, request: CreateRequest<String>, response: &mut CreateResponse) {
        // Read the plan into the model, fill what is known after apply, write it back.
        let mut thing: ThingModel = match model::decode(&request.planned) {
            Ok(thing) => thing,
            Err(err) => return response.diagnostics.error("Bad plan", err.to_string()),
        };
        let name = thing.name.as_deref().unwrap_or_default();
        thing.id = Attr::Known(format!("{}-{name}", request.provider));
        response.write_state(&thing);
    }
    async fn read(&self, request: ReadRequest<String>, _response: &mut ReadResponse) {
        self.stopped_seen
            .store(request.stop.is_stopped(), Ordering::SeqCst);
    }
    async fn update(&self, _request: UpdateRequest<String>, _response: &mut UpdateResponse) {}
    async fn delete(&self, _request: DeleteRequest<String>, response: &mut DeleteResponse) {
        response
            .diagnostics
            .error("Delete refused", "the thing is protected");
    }
}

#[async_trait::async_trait]
impl Provider for Toy {
    type Data = String;
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Toy.").attribute("prefix", Attribute::string("Prefix.").optional()),
        )
    }
    async fn configure(
        &self,
        request: ConfigureRequest,
        _diagnostics: &mut Diagnostics,
    ) -> Option<String> {
        Some(
            request
                .config
                .get_attr("prefix")
                .and_then(Value::as_str)
                .unwrap_or("toy")
                .to_owned(),
        )
    }
    fn resources(&self) -> Vec<Arc<dyn Resource<String>>> {
        vec![Arc::new(Thing {
            stopped_seen: self.stopped_seen.clone(),
        })]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<String>>> {
        vec![Arc::new(Info)]
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<String>>> {
        vec![Arc::new(Token)]
    }
}

fn named_block() -> Block {
    Block::new("")
        .attribute("name", Attribute::string("").required())
        .attribute("value", Attribute::string("").computed())
}

fn named_type() -> Type {
    named_block().value_type()
}

struct Info;

#[async_trait::async_trait]
impl TypeDefinition for Info {
    fn type_name(&self) -> &'static str {
        "toy_info"
    }
    fn schema(&self) -> Schema {
        Schema::new(0, named_block())
    }
}

#[async_trait::async_trait]
impl DataSource<String> for Info {
    async fn read(
        &self,
        request: DataSourceReadRequest<String>,
        response: &mut DataSourceReadResponse,
    ) {
        *response.state.get_attr_mut("value").unwrap() =
            Value::from(format!("{}:info", request.provider));
    }
}

struct Token;

#[async_trait::async_trait]
impl TypeDefinition for Token {
    fn type_name(&self) -> &'static str {
        "toy_token"
    }
    fn schema(&self) -> Schema {
        Schema::new(0, named_block())
    }
}

#[async_trait::async_trait]
impl EphemeralResource<String> for Token {
    async fn open(&self, request: OpenRequest<String>, response: &mut OpenResponse) {
        *response.result.get_attr_mut("value").unwrap() =
            Value::from(format!("{}:token", request.provider));
        response.renew_at =
            Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000));
        response.private = Some(b"lease-1".to_vec());
    }
    async fn renew(&self, request: LifecycleRequest<String>, response: &mut LifecycleResponse) {
        assert_eq!(request.private.as_deref(), Some(&b"lease-1"[..]));
        response.private = Some(b"lease-2".to_vec());
    }
    async fn close(&self, request: LifecycleRequest<String>, response: &mut LifecycleResponse) {
        if request.private.as_deref() != Some(&b"lease-2"[..]) {
            response
                .diagnostics
                .error("Wrong lease", "close got the wrong private data");
        }
    }
}

fn service() -> (tfplugin::grpc::ProviderService<Toy>, Arc<AtomicBool>) {
    let stopped_seen = Arc::new(AtomicBool::new(false));
    (
        tfplugin::grpc::ProviderService::new(Toy {
            stopped_seen: stopped_seen.clone(),
        }),
        stopped_seen,
    )
}

fn ty() -> Type {
    thing_block().value_type()
}

fn dynamic(value: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: cty::encode_msgpack(value, &ty()).unwrap(),
        json: Vec::new(),
    })
}

fn read_value(value: Option<pb::DynamicValue>) -> Value {
    cty::decode_msgpack(&value.expect("a value").msgpack, &ty()).unwrap()
}

fn thing(id: Value, name: &str, size: Value, password: Value) -> Value {
    Value::object([
        ("id", id),
        ("name", Value::from(name)),
        ("size", size),
        ("password", password),
    ])
}

async fn configure(service: &tfplugin::grpc::ProviderService<Toy>) {
    let config = Value::object([("prefix", Value::from("p"))]);
    let provider_type = Type::object([("prefix", Type::String)]);
    let response = service
        .configure_provider(Request::new(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: Some(pb::DynamicValue {
                msgpack: cty::encode_msgpack(&config, &provider_type).unwrap(),
                json: Vec::new(),
            }),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(response.diagnostics.is_empty());
}

#[tokio::test]
async fn schema_lists_resources_with_markdown_descriptions() {
    let (service, _) = service();
    let response = service
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    let thing = &response.resource_schemas["toy_thing"];
    assert_eq!(thing.version, 1);
    let block = thing.block.as_ref().unwrap();
    let password = block
        .attributes
        .iter()
        .find(|a| a.name == "password")
        .unwrap();
    assert!(password.write_only && password.optional);
    assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
    assert!(
        response
            .server_capabilities
            .unwrap()
            .get_provider_schema_optional
    );
}

#[tokio::test]
async fn validation_reports_at_the_attribute() {
    let (service, _) = service();
    let config = thing(Value::Null, "a", Value::from(11), Value::Null);
    let response = service
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "toy_thing".into(),
            config: dynamic(&config),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.diagnostics.len(), 1);
    let diagnostic = &response.diagnostics[0];
    assert_eq!(diagnostic.summary, "Too big");
    let steps = &diagnostic.attribute.as_ref().unwrap().steps;
    assert_eq!(
        steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "size".into()
        ))
    );

    // An unknown value is not checked yet.
    let config = thing(Value::Null, "a", Value::Unknown, Value::Null);
    let response = service
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "toy_thing".into(),
            config: dynamic(&config),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(response.diagnostics.is_empty());
}

#[tokio::test]
async fn plan_fills_defaults_and_never_returns_write_only_values() {
    let (service, _) = service();
    configure(&service).await;
    let config = thing(Value::Null, "a", Value::Null, Value::from("s3cret"));
    let response = service
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "toy_thing".into(),
            prior_state: dynamic(&Value::Null),
            proposed_new_state: dynamic(&config),
            config: dynamic(&config),
            prior_private: Vec::new(),
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    assert_eq!(
        read_value(response.planned_state),
        thing(Value::Unknown, "a", Value::from(3), Value::Null)
    );
    assert!(!response.legacy_type_system);
}

#[tokio::test]
async fn apply_creates_and_a_failed_delete_keeps_state() {
    let (service, _) = service();
    configure(&service).await;
    let config = thing(Value::Null, "a", Value::Null, Value::from("s3cret"));
    let planned = thing(Value::Unknown, "a", Value::from(3), Value::Null);
    let response = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "toy_thing".into(),
            prior_state: dynamic(&Value::Null),
            planned_state: dynamic(&planned),
            config: dynamic(&config),
            planned_private: Vec::new(),
            provider_meta: None,
        }))
        .await
        .unwrap()
        .into_inner();
    let created = read_value(response.new_state);
    assert_eq!(
        created,
        thing(Value::from("p-a"), "a", Value::from(3), Value::Null)
    );

    let response = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "toy_thing".into(),
            prior_state: dynamic(&created),
            planned_state: dynamic(&Value::Null),
            config: dynamic(&Value::Null),
            planned_private: Vec::new(),
            provider_meta: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.diagnostics[0].summary, "Delete refused");
    assert_eq!(
        read_value(response.new_state),
        created,
        "nothing is lost when delete fails"
    );
}

#[tokio::test]
async fn upgrade_reads_json_state_and_drops_removed_attributes() {
    let (service, _) = service();
    let json = br#"{"id":"p-a","name":"a","size":4,"password":"leaked","removed_in_v1":true}"#;
    let response = service
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "toy_thing".into(),
            version: 1,
            raw_state: Some(pb::RawState {
                json: json.to_vec(),
                flatmap: Default::default(),
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    assert_eq!(
        read_value(response.upgraded_state),
        thing(Value::from("p-a"), "a", Value::from(4), Value::Null)
    );

    let response = service
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "toy_thing".into(),
            version: 2,
            raw_state: Some(pb::RawState {
                json: json.to_vec(),
                flatmap: Default::default(),
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        response.diagnostics[0].summary,
        "State written by a newer provider"
    );
}

#[tokio::test]
async fn stop_reaches_operations() {
    let (service, stopped_seen) = service();
    configure(&service).await;
    service
        .stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .unwrap();
    let state = thing(Value::from("p-a"), "a", Value::from(3), Value::Null);
    service
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "toy_thing".into(),
            current_state: dynamic(&state),
            private: Vec::new(),
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .unwrap();
    assert!(stopped_seen.load(Ordering::SeqCst), "the read saw the stop");
}

#[tokio::test]
async fn unknown_resource_type_is_a_diagnostic_not_a_crash() {
    let (service, _) = service();
    let response = service
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "toy_nothing".into(),
            config: None,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.diagnostics[0].summary, "Unknown resource type");
}

#[tokio::test]
async fn data_sources_and_ephemeral_resources() {
    let (service, _) = service();
    configure(&service).await;
    let config = Value::object([("name", Value::from("n")), ("value", Value::Null)]);
    let encoded = Some(pb::DynamicValue {
        msgpack: cty::encode_msgpack(&config, &named_type()).unwrap(),
        json: Vec::new(),
    });
    let read = service
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "toy_info".into(),
            config: encoded.clone(),
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    let state = cty::decode_msgpack(&read.state.unwrap().msgpack, &named_type()).unwrap();
    assert_eq!(state.get_attr("value"), Some(&Value::from("p:info")));

    let opened = service
        .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
            type_name: "toy_token".into(),
            config: encoded,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    let result = cty::decode_msgpack(&opened.result.unwrap().msgpack, &named_type()).unwrap();
    assert_eq!(result.get_attr("value"), Some(&Value::from("p:token")));
    assert_eq!(opened.renew_at.map(|at| at.seconds), Some(1_800_000_000));
    let renewed = service
        .renew_ephemeral_resource(Request::new(pb::renew_ephemeral_resource::Request {
            type_name: "toy_token".into(),
            private: opened.private,
        }))
        .await
        .unwrap()
        .into_inner();
    let closed = service
        .close_ephemeral_resource(Request::new(pb::close_ephemeral_resource::Request {
            type_name: "toy_token".into(),
            private: renewed.private,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(closed.diagnostics.is_empty(), "{:?}", closed.diagnostics);

    let schema = service
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(schema.data_source_schemas.contains_key("toy_info"));
    assert!(schema.ephemeral_resource_schemas.contains_key("toy_token"));
}
