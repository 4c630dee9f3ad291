//! Admin endpoints under `/_emulator/`, a prefix no ARM path uses.
//!
//! They need no token: they are for the operator and the tests on the same machine. Their
//! bodies are JSON whatever the `Content-Type` says ([`AdminJson`]).

use crate::Emulator;
use crate::arm_error::ArmError;
use crate::faults::FaultSpec;
use crate::requests::RequestCounts;
use crate::store::{Snapshot, State as Store};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

type Shared = State<Arc<Emulator>>;

/// An admin request body, parsed as JSON whatever its `Content-Type`.
///
/// `curl -d '{...}'`, as the README shows it, sends `application/x-www-form-urlencoded`, and
/// axum's `Json` refuses anything but `application/json` with a 415. Every admin body is JSON,
/// so the header tells nothing here; ARM paths keep their own handling.
#[derive(Debug, Clone, Copy, Default)]
pub struct AdminJson<T>(pub T);

/// Why an admin body was refused: 400 `InvalidRequestContent` with the reason (and where in
/// the body, for JSON errors), or 413 for a body over axum's limit.
#[derive(Debug, thiserror::Error)]
pub enum AdminJsonRejection {
    /// The body could not be read: too large, or the connection failed.
    #[error("cannot read the request body: {0}")]
    Body(#[from] BytesRejection),
    /// The body is empty or only whitespace.
    #[error("the request body is empty; send a JSON object")]
    Empty,
    /// The body is not JSON (serde_json's message ends with the line and column).
    #[error("the request body is not valid JSON: {0}")]
    Syntax(serde_json::Error),
    /// The body is JSON, but a field is missing, unknown or of the wrong type.
    #[error("the request body does not have the expected fields: {0}")]
    Shape(serde_json::Error),
}

impl IntoResponse for AdminJsonRejection {
    fn into_response(self) -> Response {
        let error = match &self {
            AdminJsonRejection::Body(rejection)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                ArmError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "RequestEntityTooLarge",
                    self.to_string(),
                )
            }
            _ => ArmError::invalid_content(self.to_string(), ""),
        };
        error.into_response()
    }
}

impl<T, S> FromRequest<S> for AdminJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AdminJsonRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(AdminJsonRejection::Empty);
        }
        serde_json::from_slice(&bytes)
            .map(AdminJson)
            .map_err(|error| match error.classify() {
                serde_json::error::Category::Data => AdminJsonRejection::Shape(error),
                _ => AdminJsonRejection::Syntax(error),
            })
    }
}

/// `GET /_emulator/health`: liveness, and the benchmark's baseline.
pub async fn health() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

/// `POST /_emulator/reset`: empty state, no faults, real clock, request counters zeroed.
pub async fn reset(State(emulator): Shared) -> StatusCode {
    emulator.faults.clear();
    emulator.requests.clear();
    emulator.restore(Snapshot {
        version: 1,
        clock: crate::clock::ClockMode::Real { offset_nanos: 0 },
        state: Store::default(),
    });
    tracing::info!("state reset");
    StatusCode::NO_CONTENT
}

/// `GET /_emulator/state`: the whole state as `--state` writes it.
pub async fn dump(State(emulator): Shared) -> Json<Snapshot> {
    emulator.apply_expiry();
    Json(emulator.snapshot())
}

/// `PUT /_emulator/state`: replaces the state with a dump.
pub async fn load(State(emulator): Shared, AdminJson(snapshot): AdminJson<Snapshot>) -> StatusCode {
    emulator.restore(snapshot);
    StatusCode::NO_CONTENT
}

fn clock_view(emulator: &Emulator) -> Value {
    json!({ "now": crate::clock::format_azure(emulator.clock.now()), "mode": emulator.clock.mode() })
}

/// `GET /_emulator/clock`.
pub async fn clock(State(emulator): Shared) -> Json<Value> {
    Json(clock_view(&emulator))
}

/// Body of `POST /_emulator/clock`: exactly one of the fields.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClockChange {
    /// Freeze the clock at this RFC 3339 time.
    freeze_at: Option<String>,
    /// Move the clock forward by this many seconds (not backward: history would contradict).
    advance_seconds: Option<u64>,
    /// Return to the real clock.
    real: Option<bool>,
}

/// `POST /_emulator/clock`: freeze, advance or release the clock; expiry is applied at once.
pub async fn set_clock(
    State(emulator): Shared,
    AdminJson(change): AdminJson<ClockChange>,
) -> Response {
    match change {
        ClockChange {
            freeze_at: Some(at),
            advance_seconds: None,
            real: None,
        } => {
            let Some(at) = crate::clock::parse_rfc3339(&at) else {
                return ArmError::invalid_content(
                    format!("`{at}` is not an RFC 3339 date-time"),
                    "freezeAt",
                )
                .into_response();
            };
            emulator.clock.freeze(at);
        }
        ClockChange {
            freeze_at: None,
            advance_seconds: Some(seconds),
            real: None,
        } => {
            emulator.clock.advance(time::Duration::seconds(
                i64::try_from(seconds).unwrap_or(i64::MAX),
            ));
        }
        ClockChange {
            freeze_at: None,
            advance_seconds: None,
            real: Some(true),
        } => emulator.clock.unfreeze(),
        _ => {
            return ArmError::invalid_content(
                "give exactly one of freezeAt, advanceSeconds or real: true",
                "",
            )
            .into_response();
        }
    }
    emulator.apply_expiry();
    if let Err(error) = emulator.flush() {
        tracing::error!(%error, "state not saved");
    }
    tracing::info!(now = %crate::clock::format_azure(emulator.clock.now()), "clock changed");
    Json(clock_view(&emulator)).into_response()
}

/// `GET /_emulator/faults`.
pub async fn faults(State(emulator): Shared) -> Json<Value> {
    Json(json!({ "value": emulator.faults.list() }))
}

/// `POST /_emulator/faults`: arms a fault.
pub async fn add_fault(State(emulator): Shared, AdminJson(spec): AdminJson<FaultSpec>) -> Response {
    let fault = emulator.faults.add(spec);
    tracing::info!(id = fault.id, path = %fault.spec.path, "fault armed");
    (StatusCode::CREATED, Json(fault)).into_response()
}

/// `DELETE /_emulator/faults`.
pub async fn clear_faults(State(emulator): Shared) -> StatusCode {
    emulator.faults.clear();
    StatusCode::NO_CONTENT
}

/// `GET /_emulator/requests`: the ARM requests served so far, per method and path, and the
/// token requests.
pub async fn requests(State(emulator): Shared) -> Json<RequestCounts> {
    Json(emulator.requests.snapshot())
}

/// `DELETE /_emulator/requests`: zeroes the request counters (a test starts its budget here).
pub async fn clear_requests(State(emulator): Shared) -> StatusCode {
    emulator.requests.clear();
    StatusCode::NO_CONTENT
}

/// `GET /_emulator/config`.
pub async fn config(State(emulator): Shared) -> Json<Value> {
    Json(json!({
        "pageSize": emulator.page_size.load(Ordering::Relaxed),
        "requireAuth": emulator.config.require_auth,
        "tls": emulator.config.tls,
        "clients": emulator.authority.clients().iter().map(|c| json!({"clientId": c.client_id, "name": c.name})).collect::<Vec<_>>(),
    }))
}

/// Body of `POST /_emulator/config`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigChange {
    /// Items per page of list operations.
    page_size: Option<usize>,
}

/// `POST /_emulator/config`: changes run-time settings.
pub async fn set_config(
    State(emulator): Shared,
    AdminJson(change): AdminJson<ConfigChange>,
) -> Json<Value> {
    if let Some(size) = change.page_size {
        emulator.page_size.store(size.max(1), Ordering::Relaxed);
    }
    config(State(emulator)).await
}

/// Body of `POST /_emulator/vms`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedVm {
    /// The VM's ARM id.
    id: String,
    /// Its location.
    location: String,
    /// Its NIC's private IP (default `10.0.0.4`).
    private_ip_address: Option<String>,
    /// Whether to give the NIC an NSG (default true); false makes an unsupported VM.
    nsg: Option<bool>,
    /// `properties.storageProfile.osDisk.osType`: `Linux` (the default) or `Windows`, which
    /// an inventory reads to suggest SSH or RDP.
    os_type: Option<String>,
}

/// `POST /_emulator/vms`: creates a VM with a NIC and (by default) an NSG in one call, the
/// ARM resources a test would otherwise PUT one by one.
pub async fn seed_vm(State(emulator): Shared, AdminJson(seed): AdminJson<SeedVm>) -> Response {
    let vm_id = match jit_core::VmId::parse(&seed.id) {
        Ok(vm_id) => vm_id,
        Err(error) => return ArmError::invalid_content(error.to_string(), "id").into_response(),
    };
    let group = format!(
        "/subscriptions/{}/resourceGroups/{}/providers",
        vm_id.subscription_id, vm_id.resource_group
    );
    let nsg_id = format!(
        "{group}/Microsoft.Network/networkSecurityGroups/{}-nsg",
        vm_id.name
    );
    let nic_id = format!(
        "{group}/Microsoft.Network/networkInterfaces/{}-nic",
        vm_id.name
    );
    if let Some(os_type) = &seed.os_type
        && os_type != "Linux"
        && os_type != "Windows"
    {
        return ArmError::invalid_content(
            format!("osType `{os_type}` is not Linux or Windows"),
            "osType",
        )
        .into_response();
    }
    let with_nsg = seed.nsg.unwrap_or(true);
    let ip = seed
        .private_ip_address
        .unwrap_or_else(|| "10.0.0.4".to_owned());
    let nsg = json!({
        "id": nsg_id, "name": format!("{}-nsg", vm_id.name), "type": "Microsoft.Network/networkSecurityGroups",
        "location": seed.location, "properties": {"provisioningState": "Succeeded", "securityRules": []},
    });
    let mut nic_properties = json!({
        "provisioningState": "Succeeded",
        "ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": ip, "primary": true}}],
    });
    if with_nsg {
        nic_properties["networkSecurityGroup"] = json!({ "id": nsg_id });
    }
    let nic = json!({
        "id": nic_id, "name": format!("{}-nic", vm_id.name), "type": "Microsoft.Network/networkInterfaces",
        "location": seed.location, "properties": nic_properties,
    });
    let vm = json!({
        "id": seed.id, "name": vm_id.name, "type": "Microsoft.Compute/virtualMachines", "location": seed.location,
        "properties": {"provisioningState": "Succeeded",
            "storageProfile": {"osDisk": {"osType": seed.os_type.unwrap_or_else(|| "Linux".to_owned())}},
            "networkProfile": {"networkInterfaces": [{"id": nic_id, "properties": {"primary": true}}]}},
    });
    emulator.write(|state| {
        if with_nsg {
            state.resources.insert(nsg_id.to_ascii_lowercase(), nsg);
        }
        state.resources.insert(nic_id.to_ascii_lowercase(), nic);
        state.resources.insert(seed.id.to_ascii_lowercase(), vm);
    });
    (
        StatusCode::CREATED,
        Json(json!({ "vm": seed.id, "nic": nic_id, "nsg": with_nsg.then_some(nsg_id) })),
    )
        .into_response()
}
