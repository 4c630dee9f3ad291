//! List, get, create or update, and delete of JIT policies.
//!
//! A PUT is validated in full before anything changes: body shape first
//! (`InvalidRequestContent`), then the JIT rules through `jit_core` (`BadRequest`, one detail per
//! finding), then the VMs against the emulated Compute/Network state. `requests` in a PUT body
//! is ignored: history is the server's and a client must not be able to forge it.

use super::{Page, PolicyPath, json_response};
use crate::Emulator;
use crate::arm_error::{ArmError, ErrorBody};
use crate::nsg;
use crate::store::{POLICY_TYPE, Policy, PolicyVm, PortRule, State};
use axum::http::StatusCode;
use axum::response::Response;
use jit_core::{Field, Finding, RawPortRule, VmId, check_port_rule, check_virtual_machine};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// The policy in its wire shape (`JitNetworkAccessPolicy`).
#[derive(Serialize)]
struct PolicyWire<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind_of_resource: &'static str,
    kind: &'a str,
    location: &'a str,
    properties: PropertiesWire<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PropertiesWire<'a> {
    virtual_machines: &'a [PolicyVm],
    requests: &'a [crate::store::AccessRequest],
    provisioning_state: &'static str,
}

fn wire(policy: &Policy) -> PolicyWire<'_> {
    PolicyWire {
        id: &policy.id,
        name: &policy.name,
        kind_of_resource: POLICY_TYPE,
        kind: &policy.kind,
        location: &policy.location,
        properties: PropertiesWire {
            virtual_machines: &policy.virtual_machines,
            requests: &policy.requests,
            provisioning_state: "Succeeded",
        },
    }
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("wire types hold only strings, numbers and lists")
}

/// The four list operations, filtered by the path's scope, with `nextLink` paging.
pub fn list(
    emulator: &Emulator,
    subscription: &str,
    resource_group: Option<&str>,
    location: Option<&str>,
    page: &Page,
) -> Response {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ListWire<'a> {
        value: Vec<PolicyWire<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        next_link: Option<String>,
    }
    let bytes = emulator.read(|state| {
        let matching: Vec<&Policy> = state
            .policies
            .values()
            .filter(|p| p.subscription_id.eq_ignore_ascii_case(subscription))
            .filter(|p| {
                resource_group.is_none_or(|group| p.resource_group.eq_ignore_ascii_case(group))
            })
            .filter(|p| {
                location.is_none_or(|location| jit_core::same_location(&p.location, location))
            })
            .collect();
        let more = matching.len() > page.skip.saturating_add(page.size);
        let value = matching
            .into_iter()
            .skip(page.skip)
            .take(page.size)
            .map(wire)
            .collect();
        to_json(&ListWire {
            value,
            next_link: more.then(|| page.next_link()),
        })
    });
    json_response(StatusCode::OK, bytes)
}

/// GET of one policy.
pub fn get(emulator: &Emulator, path: &PolicyPath) -> Result<Response, ArmError> {
    let key = path.id().to_ascii_lowercase();
    emulator
        .read(|state| {
            state
                .policies
                .get(&key)
                .map(|policy| to_json(&wire(policy)))
        })
        .map(|bytes| json_response(StatusCode::OK, bytes))
        .ok_or_else(|| not_found(path))
}

/// ARM's 404 for a policy that does not exist.
pub fn not_found(path: &PolicyPath) -> ArmError {
    ArmError::resource_not_found(POLICY_TYPE, &path.name, &path.resource_group)
}

/// PUT: create or replace a policy; writes and removes NSG rules to match.
pub fn put(emulator: &Emulator, path: &PolicyPath, body: &Value) -> Result<Response, ArmError> {
    let (kind, virtual_machines) = parse_policy(body, &path.name)?;
    let key = path.id().to_ascii_lowercase();
    let bytes = emulator.write(|state| {
        check_vms_against_state(state, path, &virtual_machines)?;
        let policy = state.policies.entry(key.clone()).or_insert_with(|| Policy {
            id: path.id(),
            name: path.name.clone(),
            subscription_id: path.subscription.clone(),
            resource_group: path.resource_group.clone(),
            location: path.location.clone(),
            kind: kind.clone(),
            virtual_machines: Vec::new(),
            requests: Vec::new(),
            written_rules: Vec::new(),
        });
        policy.kind = kind;
        policy.virtual_machines = virtual_machines;
        nsg::reconcile(state, &key);
        state.next_expiry_known = false;
        let policy = state
            .policies
            .get(&key)
            .expect("inserted above under the same lock");
        Ok::<_, ArmError>(to_json(&wire(policy)))
    })?;
    tracing::info!(policy = %path.id(), "JIT policy written");
    Ok(json_response(StatusCode::OK, bytes))
}

/// DELETE: 200 when the policy existed (its rules are removed), 204 when it did not.
pub fn delete(emulator: &Emulator, path: &PolicyPath) -> Response {
    let key = path.id().to_ascii_lowercase();
    let existed = emulator.write(|state| match state.policies.remove(&key) {
        Some(policy) => {
            nsg::remove_all(state, &policy.written_rules);
            state.next_expiry_known = false;
            true
        }
        None => false,
    });
    if existed {
        tracing::info!(policy = %path.id(), "JIT policy deleted");
        json_response(StatusCode::OK, Vec::new())
    } else {
        json_response(StatusCode::NO_CONTENT, Vec::new())
    }
}

/// The JSON property of the JIT API that holds `field`, in the object where it lives (a port, a
/// VM, the request); `jit_core` names no properties, as each consumer names fields its own way.
pub const fn json_name(field: Field) -> &'static str {
    match field {
        Field::Number => "number",
        Field::Protocol => "protocol",
        Field::AllowedSourceAddressPrefix => "allowedSourceAddressPrefix",
        Field::AllowedSourceAddressPrefixes(_) => "allowedSourceAddressPrefixes",
        Field::MaxRequestAccessDuration => "maxRequestAccessDuration",
        Field::PolicyName => "name",
        Field::VirtualMachineId => "id",
        Field::EndTimeUtc => "endTimeUtc",
        Field::Justification => "justification",
    }
}

/// Collects problems in a request body: shape problems and rule findings apart.
#[derive(Default)]
pub struct Problems {
    /// Wrong or missing JSON (`InvalidRequestContent`).
    pub shape: Vec<ErrorBody>,
    /// JIT rules broken (`BadRequest`).
    pub rules: Vec<ErrorBody>,
}

impl Problems {
    /// A missing required property.
    pub fn missing(&mut self, target: String) {
        let name = target.rsplit('.').next().unwrap_or(&target).to_owned();
        self.shape.push(
            ErrorBody::new(
                "InvalidRequestContent",
                format!("Required property '{name}' not found in JSON."),
            )
            .at(target),
        );
    }

    /// A value of the wrong JSON type.
    pub fn wrong_type(&mut self, target: String, expected: &str) {
        self.shape.push(
            ErrorBody::new(
                "InvalidRequestContent",
                format!("The value at '{target}' must be {expected}."),
            )
            .at(target),
        );
    }

    /// A `jit_core` finding about a field under `prefix`.
    pub fn finding(&mut self, prefix: &str, finding: &Finding) {
        let mut target = format!("{prefix}.{}", json_name(finding.field));
        if finding.field == Field::PolicyName {
            target = "name".to_owned();
        }
        if let Some(index) = finding.field.list_index() {
            target = format!("{target}[{index}]");
        }
        self.rules.push(
            ErrorBody::new(
                "BadRequest",
                format!("{}. {}", finding.message(), finding.help()),
            )
            .at(target),
        );
    }

    /// A rule broken that `jit_core` reports as a plain error.
    pub fn rule(&mut self, target: String, message: String) {
        self.rules
            .push(ErrorBody::new("BadRequest", message).at(target));
    }

    /// The error to answer, if any: shape problems win, as a body that cannot be read has no
    /// rules to check.
    pub fn into_error(self) -> Option<ArmError> {
        ArmError::from_details("InvalidRequestContent", self.shape)
            .or_else(|| ArmError::from_details("BadRequest", self.rules))
    }
}

/// Reads an optional string property, noting a wrong type.
pub fn optional_str<'a>(
    object: &'a Value,
    name: &str,
    prefix: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    match object.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(_) => {
            problems.wrong_type(format!("{prefix}.{name}"), "a string");
            None
        }
    }
}

/// Reads a required array property, noting it when missing or of the wrong type.
pub fn required_array<'a>(
    object: &'a Value,
    name: &str,
    prefix: &str,
    problems: &mut Problems,
) -> &'a [Value] {
    let target = if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    };
    match object.get(name) {
        None | Some(Value::Null) => {
            problems.missing(target);
            &[]
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.wrong_type(target, "an array");
            &[]
        }
    }
}

/// Reads an integer property (`number`), noting a wrong type.
pub fn optional_integer(
    object: &Value,
    name: &str,
    prefix: &str,
    problems: &mut Problems,
) -> Option<i64> {
    match object.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) if number.as_i64().is_some() => number.as_i64(),
        Some(Value::Number(number)) if number.as_u64().is_some() => Some(i64::MAX),
        Some(_) => {
            problems.wrong_type(format!("{prefix}.{name}"), "an integer");
            None
        }
    }
}

fn parse_policy(body: &Value, policy_name: &str) -> Result<(String, Vec<PolicyVm>), ArmError> {
    let mut problems = Problems::default();
    if !body.is_object() {
        return Err(ArmError::invalid_content(
            "The request content must be a JSON object.",
            "",
        ));
    }
    let kind = optional_str(body, "kind", "", &mut problems)
        .unwrap_or(jit_core::limits::POLICY_KIND)
        .to_owned();
    let properties = match body.get("properties") {
        Some(properties @ Value::Object(_)) => properties,
        None | Some(Value::Null) => {
            problems.missing("properties".to_owned());
            return Err(problems.into_error().expect("a problem was just added"));
        }
        Some(_) => {
            problems.wrong_type("properties".to_owned(), "an object");
            return Err(problems.into_error().expect("a problem was just added"));
        }
    };
    let mut vms = Vec::new();
    let mut seen_vms = BTreeSet::new();
    for (vm_index, vm) in required_array(properties, "virtualMachines", "properties", &mut problems)
        .iter()
        .enumerate()
    {
        let prefix = format!("properties.virtualMachines[{vm_index}]");
        if !vm.is_object() {
            problems.wrong_type(prefix, "an object");
            continue;
        }
        let id = optional_str(vm, "id", &prefix, &mut problems);
        if id.is_none() && vm.get("id").is_none_or(Value::is_null) {
            problems.missing(format!("{prefix}.id"));
        }
        for finding in check_virtual_machine(Some(policy_name), id) {
            problems.finding(&prefix, &finding);
        }
        if let Some(id) = id
            && !seen_vms.insert(id.to_ascii_lowercase())
        {
            problems.rule(
                format!("{prefix}.id"),
                format!("virtual machine `{id}` is listed more than once"),
            );
        }
        let public_ip_address =
            optional_str(vm, "publicIpAddress", &prefix, &mut problems).map(str::to_owned);
        let mut ports = Vec::new();
        let port_values = required_array(vm, "ports", &prefix, &mut problems);
        duplicate_port_problems(&prefix, id, port_values, &mut problems);
        for (port_index, port) in port_values.iter().enumerate() {
            let prefix = format!("{prefix}.ports[{port_index}]");
            if !port.is_object() {
                problems.wrong_type(prefix, "an object");
                continue;
            }
            let shape_before = problems.shape.len();
            let number = optional_integer(port, "number", &prefix, &mut problems);
            let protocol = optional_str(port, "protocol", &prefix, &mut problems);
            let prefix_single =
                optional_str(port, "allowedSourceAddressPrefix", &prefix, &mut problems);
            let prefixes = match port.get("allowedSourceAddressPrefixes") {
                None | Some(Value::Null) => None,
                Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                    Some(items.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                }
                Some(_) => {
                    problems.wrong_type(
                        format!("{prefix}.allowedSourceAddressPrefixes"),
                        "an array of strings",
                    );
                    None
                }
            };
            let duration = optional_str(port, "maxRequestAccessDuration", &prefix, &mut problems);
            // The spec requires these three, although jit_core would fill defaults.
            for (name, present) in [
                ("number", port.get("number")),
                ("protocol", port.get("protocol")),
                (
                    "maxRequestAccessDuration",
                    port.get("maxRequestAccessDuration"),
                ),
            ] {
                if present.is_none_or(Value::is_null) {
                    problems.missing(format!("{prefix}.{name}"));
                }
            }
            if problems.shape.len() > shape_before {
                continue;
            }
            let raw = RawPortRule {
                number,
                protocol,
                allowed_source_address_prefix: prefix_single,
                allowed_source_address_prefixes: prefixes.clone(),
                max_request_access_duration: duration,
            };
            let findings = check_port_rule(&raw);
            for finding in &findings {
                problems.finding(&prefix, finding);
            }
            let (Some(number), Some(protocol), Some(duration), true) =
                (number, protocol, duration, findings.is_empty())
            else {
                continue;
            };
            let number = u16::try_from(number).expect("jit_core checked the range 0..=65535");
            ports.push(PortRule {
                number,
                protocol: protocol.to_owned(),
                allowed_source_address_prefix: prefix_single.map(str::to_owned),
                allowed_source_address_prefixes: prefixes
                    .map(|p| p.into_iter().map(str::to_owned).collect()),
                max_request_access_duration: duration.to_owned(),
            });
        }
        if let Some(id) = id {
            vms.push(PolicyVm {
                id: id.to_owned(),
                ports,
                public_ip_address,
            });
        }
    }
    match problems.into_error() {
        Some(error) => Err(error),
        None => Ok((kind, vms)),
    }
}

/// Refuses each port of one VM that repeats an earlier port (same number and protocol, or `*`
/// with TCP or UDP): `jit_core::duplicate_ports`, with the repeating port's `number` as target
/// and the VM and the earlier port named in the message. Ports whose number or protocol is
/// missing or invalid are reported elsewhere and skipped here.
fn duplicate_port_problems(
    vm_prefix: &str,
    vm_id: Option<&str>,
    ports: &[Value],
    problems: &mut Problems,
) {
    let keys = ports.iter().map(|port| {
        let number = jit_core::PortNumber::new(port.get("number")?.as_i64()?).ok()?;
        let protocol = port.get("protocol")?.as_str()?.parse().ok()?;
        Some((number, protocol))
    });
    for duplicate in jit_core::duplicate_ports(keys) {
        let error = duplicate.error();
        let vm = vm_id.map_or_else(|| "this virtual machine".to_owned(), |id| format!("`{id}`"));
        problems.rule(
            format!("{vm_prefix}.ports[{}].number", duplicate.index),
            format!(
                "{error} ({vm_prefix}.ports[{}]) of virtual machine {vm}. {}.",
                duplicate.first_index,
                error.help()
            ),
        );
    }
}

/// The checks that need the emulated world: the VM exists, is in the policy's subscription,
/// resource group and location, and has an NSG (else it is "unsupported", as the portal says).
fn check_vms_against_state(
    state: &State,
    path: &PolicyPath,
    vms: &[PolicyVm],
) -> Result<(), ArmError> {
    let mut problems = Problems::default();
    for (index, vm) in vms.iter().enumerate() {
        let target = format!("properties.virtualMachines[{index}].id");
        let Ok(vm_id) = VmId::parse(&vm.id) else {
            continue;
        };
        if !vm_id
            .subscription_id
            .eq_ignore_ascii_case(&path.subscription)
            || !vm_id
                .resource_group
                .eq_ignore_ascii_case(&path.resource_group)
        {
            problems.rule(
                target,
                format!(
                    "virtual machine `{}` is not in the policy's subscription and resource group `{}`",
                    vm.id, path.resource_group
                ),
            );
            continue;
        }
        let location = state
            .resource(&vm.id)
            .and_then(|vm| vm.get("location"))
            .and_then(Value::as_str);
        if let Some(location) = location
            && !jit_core::same_location(location, &path.location)
        {
            problems.rule(
                target,
                format!(
                    "virtual machine `{}` is in location `{location}`, not in the policy's location `{}`",
                    vm.id, path.location
                ),
            );
            continue;
        }
        if let Err(unsupported) = nsg::vm_network(state, &vm.id) {
            problems.rule(target, unsupported.to_string());
        }
    }
    match problems.into_error() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
