//! The JIT API's resources as Resource Manager sends and takes them (api-version 2020-01-01).
//!
//! Written to accept what the live service sends, not only what the spec promises: unknown
//! fields are ignored, enums the spec closes (`status`, `statusReason`, `protocol`,
//! `provisioningState`) are open strings (the official examples answer `Initiating`, which the
//! spec's enum lacks), and port numbers are taken as numbers or as strings (`"22"`), as
//! hand-written `azapi` bodies send them and the service echoes.

use serde::{Deserialize, Deserializer, Serialize};

/// `Microsoft.Security/locations/jitNetworkAccessPolicies`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitPolicy {
    /// ARM id; read-only, never sent (the path names the policy).
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    /// Policy name; read-only, never sent.
    #[serde(default, skip_serializing)]
    pub name: Option<String>,
    /// `Microsoft.Security/locations/jitNetworkAccessPolicies`; read-only, never sent.
    #[serde(default, rename = "type", skip_serializing)]
    pub resource_type: Option<String>,
    /// `Basic` in every example and in the portal's policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The region. Read-only in the spec, yet sent by working clients; the path carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The body.
    pub properties: JitPolicyProperties,
}

/// `properties` of a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitPolicyProperties {
    /// The protected VMs (required by the API, possibly empty in answers).
    #[serde(default)]
    pub virtual_machines: Vec<JitVirtualMachine>,
    /// The request history. Never sent back by this client: a PUT that echoes it would
    /// rewrite the audit trail.
    #[serde(default, skip_serializing)]
    pub requests: Vec<JitRequest>,
    /// `Succeeded` when applied; read-only, open string.
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
}

/// A VM in a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitVirtualMachine {
    /// The VM's ARM id.
    pub id: String,
    /// Its protected ports.
    #[serde(default)]
    pub ports: Vec<JitPortRule>,
    /// The public IP of the Azure Firewall in front of the VM, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip_address: Option<String>,
}

/// A protected port of a VM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitPortRule {
    /// 0..65535; a number or a numeric string in answers.
    #[serde(deserialize_with = "port_number")]
    pub number: i64,
    /// `TCP`, `UDP` or `*`, in whatever case the service answers.
    #[serde(default = "any_protocol")]
    pub protocol: String,
    /// One allowed source; mutually exclusive with the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_source_address_prefix: Option<String>,
    /// Several allowed sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_source_address_prefixes: Option<Vec<String>>,
    /// ISO 8601 duration.
    #[serde(default = "default_duration")]
    pub max_request_access_duration: String,
}

impl JitPortRule {
    /// Every allowed source, whichever field carries them; `*` when none does.
    pub fn sources(&self) -> Vec<String> {
        match (
            &self.allowed_source_address_prefix,
            &self.allowed_source_address_prefixes,
        ) {
            (Some(prefix), _) => vec![prefix.clone()],
            (None, Some(prefixes)) => prefixes.clone(),
            (None, None) => vec![jit_core::limits::DEFAULT_SOURCE_PREFIX.to_owned()],
        }
    }
}

impl JitPortRule {
    /// The rule as `jit_core` checks requests against it, or the findings that keep it from
    /// being one (a policy written by another client may hold what this one would refuse).
    pub fn to_rule(&self) -> Result<jit_core::PortRule, Vec<jit_core::Finding>> {
        jit_core::RawPortRule {
            number: Some(self.number),
            protocol: Some(&self.protocol),
            allowed_source_address_prefix: self.allowed_source_address_prefix.as_deref(),
            allowed_source_address_prefixes: self
                .allowed_source_address_prefixes
                .as_ref()
                .map(|prefixes| prefixes.iter().map(String::as_str).collect()),
            max_request_access_duration: Some(&self.max_request_access_duration),
        }
        .parse()
    }
}

impl JitPolicy {
    /// The policy's entry for a VM, matching ids as Azure does (ignoring case).
    pub fn virtual_machine(&self, vm_id: &str) -> Option<&JitVirtualMachine> {
        let asked = jit_core::VmId::parse(vm_id).ok();
        self.properties.virtual_machines.iter().find(|vm| {
            match (&asked, jit_core::VmId::parse(&vm.id)) {
                (Some(asked), Ok(held)) => asked.same_vm(&held),
                _ => vm.id.eq_ignore_ascii_case(vm_id),
            }
        })
    }
}

fn any_protocol() -> String {
    jit_core::limits::DEFAULT_PROTOCOL.as_str().to_owned()
}

fn default_duration() -> String {
    "PT3H".to_owned()
}

/// A request in a policy's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitRequest {
    /// Per VM.
    #[serde(default)]
    pub virtual_machines: Vec<JitRequestVirtualMachine>,
    /// When it started (RFC 3339).
    #[serde(default)]
    pub start_time_utc: Option<String>,
    /// Who asked.
    #[serde(default)]
    pub requestor: Option<String>,
    /// Why.
    #[serde(default)]
    pub justification: Option<String>,
}

/// A VM of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitRequestVirtualMachine {
    /// The VM's ARM id.
    pub id: String,
    /// Its ports.
    #[serde(default)]
    pub ports: Vec<JitRequestPort>,
}

/// A port of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitRequestPort {
    /// The port.
    #[serde(deserialize_with = "port_number")]
    pub number: i64,
    /// One source.
    #[serde(default)]
    pub allowed_source_address_prefix: Option<String>,
    /// Several sources.
    #[serde(default)]
    pub allowed_source_address_prefixes: Option<Vec<String>>,
    /// When access ends (RFC 3339).
    #[serde(default)]
    pub end_time_utc: Option<String>,
    /// `Initiated`, `Revoked`, or what else the service says (`Initiating`).
    #[serde(default)]
    pub status: Option<String>,
    /// `Expired`, `UserRequested`, `NewerRequestInitiated`, ...
    #[serde(default)]
    pub status_reason: Option<String>,
    /// The Azure Firewall's port mapped to this one, if any.
    #[serde(default, deserialize_with = "optional_port_number")]
    pub mapped_port: Option<i64>,
}

/// The body of `POST .../jitNetworkAccessPolicies/{name}/initiate`: open access now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitInitiateRequest {
    /// Per VM, the ports to open.
    pub virtual_machines: Vec<JitInitiateVirtualMachine>,
    /// Why, for the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

/// A VM of an initiate request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitInitiateVirtualMachine {
    /// The VM's ARM id.
    pub id: String,
    /// Its ports.
    pub ports: Vec<JitInitiatePort>,
}

/// A port of an initiate request. The API takes an end time, not a duration, and one source
/// at most: without it, Azure opens the port for the caller's own address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitInitiatePort {
    /// The port.
    #[serde(deserialize_with = "port_number")]
    pub number: i64,
    /// When access ends (RFC 3339, UTC).
    pub end_time_utc: String,
    /// The one source to allow; `None` for the caller's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_source_address_prefix: Option<String>,
}

/// A page of a list operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page's absolute URL, if any.
    #[serde(default)]
    pub next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(i64),
    String(String),
}

fn port_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match NumberOrString::deserialize(deserializer)? {
        NumberOrString::Number(number) => Ok(number),
        NumberOrString::String(text) => text
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("port number {text:?} is not a number"))),
    }
}

fn optional_port_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapper(#[serde(deserialize_with = "port_number")] i64);
    Ok(Option::<Wrapper>::deserialize(deserializer)?.map(|Wrapper(number)| number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_what_the_service_sends() {
        let policy: JitPolicy = serde_json::from_value(serde_json::json!({
            "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default",
            "name": "default",
            "kind": "Basic",
            "location": "westeurope",
            "somethingNew": {"nested": true},
            "properties": {
                "virtualMachines": [{"id": "/vm", "ports": [
                    {"number": "22", "protocol": "Tcp", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"},
                    {"number": 3389, "protocol": "*", "allowedSourceAddressPrefixes": ["10.0.0.0/8"], "maxRequestAccessDuration": "PT1H"}
                ]}],
                "requests": [{"virtualMachines": [{"id": "/vm", "ports": [
                    {"number": 22, "endTimeUtc": "2026-01-01T00:00:00Z", "status": "Initiating", "statusReason": "UserRequested", "mappedPort": "2222"}
                ]}], "startTimeUtc": "2026-01-01T00:00:00Z", "requestor": "barbara@contoso.com"}],
                "provisioningState": "Succeeded"
            }
        }))
        .unwrap();
        let ports = &policy.properties.virtual_machines[0].ports;
        assert_eq!(ports[0].number, 22);
        assert_eq!(ports[0].protocol, "Tcp");
        assert_eq!(ports[1].sources(), vec!["10.0.0.0/8".to_owned()]);
        let request_port = &policy.properties.requests[0].virtual_machines[0].ports[0];
        assert_eq!(request_port.status.as_deref(), Some("Initiating"));
        assert_eq!(request_port.mapped_port, Some(2222));
    }

    #[test]
    fn a_put_body_never_carries_the_history_or_read_only_state() {
        let policy: JitPolicy = serde_json::from_value(serde_json::json!({
            "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default",
            "name": "default",
            "type": "Microsoft.Security/locations/jitNetworkAccessPolicies",
            "properties": {"virtualMachines": [], "requests": [{"requestor": "x"}], "provisioningState": "Succeeded"}
        }))
        .unwrap();
        let body = serde_json::to_value(&policy).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"properties": {"virtualMachines": []}})
        );
    }

    #[test]
    fn a_port_number_that_is_no_number_is_named() {
        let err = serde_json::from_value::<JitPortRule>(serde_json::json!({"number": "ssh"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"ssh\""), "{err}");
    }
}
