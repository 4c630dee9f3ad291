//! A `jit-emulator` in the test process, over TLS with its token endpoint on, the way users
//! run it: the provider under test reaches it through `endpoint`/`authority_host` and trusts
//! its CA through `SSL_CERT_FILE`, exactly as it would trust a TLS-inspecting proxy.
//!
//! Tests read what the emulator holds through its own HTTP API (ARM calls with a token, and
//! the `/_emulator/` admin endpoints), so they check what a client would see.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::SUBSCRIPTION_ID;

/// A tenant id for tests; the emulator accepts any.
pub const TENANT_ID: &str = "00000000-0000-0000-0000-0000000000aa";

/// The ARM api-version of the JIT API.
pub const API: &str = "api-version=2020-01-01";

/// A running emulator, stopped when dropped.
pub struct Emulator {
    /// Its base URL, `https://127.0.0.1:PORT`.
    pub url: String,
    /// The CA certificate its server certificate chains to (PEM).
    pub ca_file: PathBuf,
    /// The emulator itself, for its clock and faults.
    pub state: Arc<jit_emulator::Emulator>,
    http: reqwest::blocking::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// The ids the emulator made for a seeded VM.
#[derive(Debug, Clone)]
pub struct SeededVm {
    /// The VM.
    pub id: String,
    /// Its NSG.
    pub nsg: String,
}

impl Emulator {
    /// Starts an emulator with TLS and authentication on.
    pub fn start() -> Self {
        Self::start_with(jit_emulator::Config::default())
    }

    /// Starts an emulator with `config` (TLS is always on).
    pub fn start_with(mut config: jit_emulator::Config) -> Self {
        config.tls = true;
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let ca_file = dir.path().join("ca.pem");
        let emulator = jit_emulator::Emulator::new(config).expect("build the emulator");
        let acceptor = jit_emulator::tls::acceptor(&ca_file, &[]).expect("generate certificates");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("start a runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind a loopback port");
        let port = listener.local_addr().expect("a local address").port();
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let service = jit_emulator::app(emulator.clone());
        let thread = std::thread::spawn(move || {
            runtime
                .block_on(jit_emulator::serve(
                    listener,
                    service,
                    Some(acceptor),
                    async {
                        let _ = stopped.await;
                    },
                ))
                .expect("the emulator serves");
        });
        let ca = std::fs::read(&ca_file).expect("read the CA");
        let http = reqwest::blocking::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).expect("a PEM CA")])
            .build()
            .expect("an HTTP client");
        Emulator {
            url: format!("https://127.0.0.1:{port}"),
            ca_file,
            state: emulator,
            http,
            shutdown: Some(shutdown),
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// The variables that point the provider at this emulator, as a user would set them.
    pub fn provider_env(&self) -> Vec<(String, String)> {
        [
            ("ARM_SUBSCRIPTION_ID", SUBSCRIPTION_ID),
            ("ARM_TENANT_ID", TENANT_ID),
            ("ARM_CLIENT_ID", jit_emulator::auth::DEFAULT_CLIENT_ID),
            (
                "ARM_CLIENT_SECRET",
                jit_emulator::auth::DEFAULT_CLIENT_SECRET,
            ),
            ("ARM_RESOURCE_MANAGER_ENDPOINT", &self.url),
            ("ARM_AUTHORITY_HOST", &self.url),
            ("SSL_CERT_FILE", &self.ca_file.display().to_string()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
    }

    /// Seeds a VM (with its NIC and NSG) in `resource_group`, in westeurope.
    pub fn seed_vm(&self, resource_group: &str, name: &str) -> SeededVm {
        let id = vm_id(resource_group, name);
        let (status, body) = self.admin(
            "POST",
            "/_emulator/vms",
            Some(json!({"id": id, "location": "westeurope"})),
        );
        assert!(
            status == 200 || status == 201,
            "seeding {id}: {status} {body}"
        );
        SeededVm {
            id,
            nsg: body["nsg"].as_str().expect("the NSG id").to_owned(),
        }
    }

    /// A bearer token of the default client.
    pub fn token(&self) -> String {
        let response = self
            .http
            .post(format!("{}/{TENANT_ID}/oauth2/v2.0/token", self.url))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", jit_emulator::auth::DEFAULT_CLIENT_ID),
                ("client_secret", jit_emulator::auth::DEFAULT_CLIENT_SECRET),
                ("scope", "https://management.azure.com/.default"),
            ])
            .send()
            .expect("request a token");
        let body: Value = response.json().expect("a token answer");
        body["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    /// An ARM call with a token: `(status, body)`; `path` without the api-version.
    pub fn arm(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = format!("{}{path}{separator}{API}", self.url);
        let mut request = self
            .http
            .request(method.parse().expect("an HTTP method"), url)
            .bearer_auth(self.token());
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request)
    }

    /// An admin call (`/_emulator/...`): `(status, body)`.
    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(
            method.parse().expect("an HTTP method"),
            format!("{}{path}", self.url),
        );
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request)
    }

    /// The policy the emulator holds, if any.
    pub fn policy(&self, id: &str) -> Option<Value> {
        match self.arm("GET", id, None) {
            (200, body) => Some(body),
            (404, _) => None,
            (status, body) => panic!("GET {id}: {status} {body}"),
        }
    }

    /// The NSG's security rules that JIT wrote, as `(name, access, port, source)`.
    pub fn jit_rules(&self, nsg: &str) -> Vec<(String, String, String, String)> {
        let request = self
            .http
            .get(format!(
                "{}{nsg}/securityRules?api-version=2024-05-01",
                self.url
            ))
            .bearer_auth(self.token());
        let (status, body) = read(request);
        assert_eq!(status, 200, "{body}");
        body["value"]
            .as_array()
            .expect("a rule list")
            .iter()
            .filter(|rule| {
                rule["name"]
                    .as_str()
                    .is_some_and(|name| name.starts_with(jit_emulator::nsg::JIT_RULE_PREFIX))
            })
            .map(|rule| {
                let p = &rule["properties"];
                let source = p["sourceAddressPrefix"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| p["sourceAddressPrefixes"].to_string());
                (
                    rule["name"].as_str().unwrap_or_default().to_owned(),
                    p["access"].as_str().unwrap_or_default().to_owned(),
                    p["destinationPortRange"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    source,
                )
            })
            .collect()
    }

    /// The ARM calls served since the last reset, as `(method, path) -> count`.
    pub fn requests(&self) -> Vec<(String, String, u64)> {
        let (status, body) = self.admin("GET", "/_emulator/requests", None);
        assert_eq!(status, 200, "{body}");
        body["requests"]
            .as_array()
            .expect("a request list")
            .iter()
            .map(|entry| {
                (
                    entry["method"].as_str().unwrap_or_default().to_owned(),
                    entry["path"].as_str().unwrap_or_default().to_owned(),
                    entry["count"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Token requests served since the last reset.
    pub fn token_requests(&self) -> u64 {
        self.admin("GET", "/_emulator/requests", None).1["tokenRequests"]
            .as_u64()
            .unwrap_or_default()
    }

    /// Zeroes the request counters.
    pub fn reset_requests(&self) {
        let (status, body) = self.admin("DELETE", "/_emulator/requests", None);
        assert_eq!(status, 204, "{body}");
    }

    /// Adds a fault (see docs/emulator.md), e.g. `{"path": "*", "kind": "status", "status": 503}`.
    pub fn fault(&self, spec: Value) {
        let (status, body) = self.admin("POST", "/_emulator/faults", Some(spec));
        assert!(
            (200..300).contains(&status),
            "adding a fault: {status} {body}"
        );
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        let (status, body) = self.admin("DELETE", "/_emulator/faults", None);
        assert!(
            (200..300).contains(&status),
            "clearing faults: {status} {body}"
        );
    }
}

fn read(request: reqwest::blocking::RequestBuilder) -> (u16, Value) {
    let response = request.send().expect("reach the emulator");
    let status = response.status().as_u16();
    let text = response.text().expect("read the answer");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// A VM id in the test subscription.
pub fn vm_id(resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{resource_group}/providers/Microsoft.Compute/virtualMachines/{name}"
    )
}

/// A JIT policy id in the test subscription, in westeurope.
pub fn policy_id(resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{resource_group}/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/{name}"
    )
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
