//! The one test harness: an emulator served in process, a `call` helper that validates every
//! JIT response against the official spec's JSON schema, and setup shortcuts.
#![allow(dead_code)]
// Test support code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jit_emulator::{Config, Emulator, EmulatorService};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub const SUB: &str = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";
pub const RG: &str = "myRg1";
pub const LOCATION: &str = "westeurope";
pub const BARBARA: &str = "barbara-app:barbara-secret:barbara@contoso.com";

/// Where the copied spec lives (see `tests/azure-spec/README.md`).
pub fn spec_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/azure-spec"))
}

pub fn read_json(relative: &str) -> Value {
    let path = spec_dir().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The spec's definitions with common/v1/types.json merged in and `$ref`s made local.
fn definitions() -> &'static Value {
    static DEFINITIONS: OnceLock<Value> = OnceLock::new();
    DEFINITIONS.get_or_init(|| {
        fn localise(value: &mut Value) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(reference)) = map.get_mut("$ref")
                        && let Some(at) = reference.find("#/definitions/")
                    {
                        *reference = reference[at..].to_owned();
                    }
                    map.values_mut().for_each(localise);
                }
                Value::Array(items) => items.iter_mut().for_each(localise),
                _ => {}
            }
        }
        let mut merged = read_json("common/v1/types.json")["definitions"].clone();
        let spec = read_json("jitNetworkAccessPolicies.json")["definitions"].clone();
        for (name, definition) in spec.as_object().unwrap() {
            assert!(
                merged.get(name).is_none(),
                "definition {name} defined twice"
            );
            merged[name] = definition.clone();
        }
        localise(&mut merged);
        merged
    })
}

/// Checks `instance` against the spec definition `name`; panics with every error.
pub fn assert_schema(name: &str, instance: &Value) {
    let schema = json!({ "definitions": definitions(), "allOf": [{ "$ref": format!("#/definitions/{name}") }] });
    let validator = jsonschema::draft4::new(&schema).expect("the spec's schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "response does not match {name}: {errors:#?}\n{instance:#}"
    );
}

pub struct Harness {
    pub emulator: Arc<Emulator>,
    pub service: EmulatorService,
    pub token: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Harness {
    /// A fresh emulator with one client (`BARBARA`) and a token for it.
    pub async fn new() -> Harness {
        Harness::with_config(Config {
            clients: vec![BARBARA.parse().unwrap()],
            ..Config::default()
        })
        .await
    }

    pub async fn with_config(config: Config) -> Harness {
        let emulator = Emulator::new(config).unwrap();
        let service = jit_emulator::app(emulator.clone());
        let mut harness = Harness {
            emulator,
            service,
            token: None,
        };
        harness.token = Some(
            harness
                .get_token("barbara-app", "barbara-secret")
                .await
                .unwrap(),
        );
        harness
    }

    pub async fn get_token(&self, client_id: &str, secret: &str) -> Result<String, Value> {
        let form = format!(
            "grant_type=client_credentials&client_id={client_id}&client_secret={secret}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
        );
        let request = Request::post("/tenant-1/oauth2/v2.0/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let reply = self.send(request).await;
        if reply.status == StatusCode::OK {
            Ok(reply.body["access_token"].as_str().unwrap().to_owned())
        } else {
            Err(reply.body)
        }
    }

    /// Sends a raw request; panics if the connection would have been dropped.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .service
            .clone()
            .oneshot(request)
            .await
            .expect("connection not dropped");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// An ARM call with the harness token; every JIT or error response is schema-checked.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.call_with(
            method,
            path,
            body.map(|b| b.to_string()),
            self.token.as_deref(),
        )
        .await
    }

    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        token: Option<&str>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request
            .header("content-type", "application/json")
            .body(body.map(Body::from).unwrap_or_default())
            .unwrap();
        let reply = self.send(request).await;
        validate(method, path, &reply);
        reply
    }

    pub async fn admin(&self, method: &str, path: &str, body: Value) -> Reply {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    pub async fn freeze(&self, at: &str) {
        let reply = self
            .admin("POST", "/_emulator/clock", json!({ "freezeAt": at }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    }

    pub async fn advance(&self, seconds: u64) {
        let reply = self
            .admin(
                "POST",
                "/_emulator/clock",
                json!({ "advanceSeconds": seconds }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }

    /// Seeds a VM (with NIC and, unless `nsg` is false, NSG) in `LOCATION`.
    pub async fn seed_vm(&self, name: &str, nsg: bool) -> String {
        let id = vm_id(name);
        let reply = self
            .admin(
                "POST",
                "/_emulator/vms",
                json!({ "id": id, "location": LOCATION, "nsg": nsg }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        id
    }

    /// The NSG rules of a seeded VM's NSG.
    pub async fn rules(&self, vm_name: &str) -> Vec<Value> {
        let path = format!(
            "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/networkSecurityGroups/{vm_name}-nsg/securityRules?api-version=2024-05-01"
        );
        let reply = self.call("GET", &path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body["value"].as_array().unwrap().clone()
    }
}

pub fn vm_id(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/{name}"
    )
}

pub fn policy_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Security/locations/{LOCATION}/jitNetworkAccessPolicies/{name}?api-version=2020-01-01"
    )
}

pub fn initiate_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Security/locations/{LOCATION}/jitNetworkAccessPolicies/{name}/initiate?api-version=2020-01-01"
    )
}

/// A policy body protecting `ports` of one VM, each `(number, source, duration)`.
pub fn policy_body(vm: &str, ports: &[(u16, &str, &str)]) -> Value {
    let ports: Vec<Value> = ports
        .iter()
        .map(|(number, source, duration)| json!({"number": number, "protocol": "*", "allowedSourceAddressPrefix": source, "maxRequestAccessDuration": duration}))
        .collect();
    json!({ "kind": "Basic", "properties": { "virtualMachines": [{ "id": vm, "ports": ports }] } })
}

pub fn initiate_body(vm: &str, port: u16, end: &str, source: Option<&str>) -> Value {
    let mut port = json!({ "number": port, "endTimeUtc": end });
    if let Some(source) = source {
        port["allowedSourceAddressPrefix"] = json!(source);
    }
    json!({ "virtualMachines": [{ "id": vm, "ports": [port] }], "justification": "test" })
}

/// Every response on an ARM path is checked against the spec (JIT bodies) or `CloudError`.
fn validate(method: &str, path: &str, reply: &Reply) {
    let path_only = path.split('?').next().unwrap();
    if reply.status.is_client_error() || reply.status.is_server_error() {
        if path_only.starts_with("/subscriptions") || reply.body.get("error").is_some() {
            assert_schema("CloudError", &reply.body);
            assert!(
                reply.body["error"]["code"].is_string()
                    && reply.body["error"]["message"].is_string()
            );
        }
        return;
    }
    if !path_only
        .to_ascii_lowercase()
        .contains("/microsoft.security/")
    {
        return;
    }
    let last = path_only.rsplit('/').next().unwrap();
    match (method, reply.status.as_u16()) {
        ("GET", 200) if last.eq_ignore_ascii_case("jitNetworkAccessPolicies") => {
            assert_schema("JitNetworkAccessPoliciesList", &reply.body)
        }
        ("GET" | "PUT", 200) => assert_schema("JitNetworkAccessPolicy", &reply.body),
        ("POST", 202) => assert_schema("JitNetworkAccessRequest", &reply.body),
        ("DELETE", 200 | 204) => assert_eq!(reply.body, Value::Null),
        other => panic!("unexpected success {other:?} for {path}"),
    }
}
