//! `POST .../jitNetworkAccessPolicies/{name}/initiate`: open ports for a while.
//!
//! A request may only open ports the policy configures, until no later than now plus the
//! port's maximum duration, from a source inside the port's allowed prefixes (no source: the
//! caller's address, as the spec documents). It is recorded in the policy's history, an allow
//! rule goes ahead of the deny rule, and an older open request for the same VM port is revoked
//! (`Revoked`/`NewerRequestInitiated`). All rule checks are `jit_core`'s.

use super::jit_policies::{Problems, not_found, optional_integer, optional_str, required_array};
use super::{Caller, PolicyPath, json_response};
use crate::Emulator;
use crate::arm_error::ArmError;
use crate::clock::parse_rfc3339;
use crate::nsg;
use crate::store::{
    AccessRequest, REASON_NEWER_REQUEST, REASON_USER_REQUESTED, RequestPort, RequestVm,
    STATUS_INITIATED, STATUS_REVOKED,
};
use axum::http::StatusCode;
use axum::response::Response;
use jit_core::{Field, Finding, IsoDuration, RawPortRule, RuleError, SourcePrefix, VmId};
use serde_json::Value;

/// One port of the request, checked for shape.
struct AskedPort {
    number: u16,
    end: time::OffsetDateTime,
    source: Option<String>,
    prefix: String,
}

/// Handles initiate; answers 202 with the recorded request.
pub fn initiate(
    emulator: &Emulator,
    path: &PolicyPath,
    body: &Value,
    caller: &Caller,
) -> Result<Response, ArmError> {
    let mut problems = Problems::default();
    if !body.is_object() {
        return Err(ArmError::invalid_content(
            "The request content must be a JSON object.",
            "",
        ));
    }
    let justification = optional_str(body, "justification", "", &mut problems).map(str::to_owned);
    let mut asked: Vec<(String, String, Vec<AskedPort>)> = Vec::new();
    for (vm_index, vm) in required_array(body, "virtualMachines", "", &mut problems)
        .iter()
        .enumerate()
    {
        let prefix = format!("virtualMachines[{vm_index}]");
        let id = optional_str(vm, "id", &prefix, &mut problems);
        if vm.get("id").is_none_or(Value::is_null) {
            problems.missing(format!("{prefix}.id"));
        }
        let mut ports = Vec::new();
        for (port_index, port) in required_array(vm, "ports", &prefix, &mut problems)
            .iter()
            .enumerate()
        {
            let prefix = format!("{prefix}.ports[{port_index}]");
            let number = optional_integer(port, "number", &prefix, &mut problems);
            let end = optional_str(port, "endTimeUtc", &prefix, &mut problems);
            let source = optional_str(port, "allowedSourceAddressPrefix", &prefix, &mut problems);
            if port.get("number").is_none_or(Value::is_null) {
                problems.missing(format!("{prefix}.number"));
            }
            if port.get("endTimeUtc").is_none_or(Value::is_null) {
                problems.missing(format!("{prefix}.endTimeUtc"));
            }
            let end = match end.map(|text| (text, parse_rfc3339(text))) {
                Some((_, Some(end))) => Some(end),
                Some((text, None)) => {
                    problems.wrong_type(
                        format!("{prefix}.endTimeUtc"),
                        &format!("an RFC 3339 date-time, not `{text}`"),
                    );
                    None
                }
                None => None,
            };
            let number = match number.map(jit_core::PortNumber::new) {
                Some(Ok(number)) => Some(number.get()),
                Some(Err(error)) => {
                    problems.finding(&prefix, &Finding::new(Field::Number, error));
                    None
                }
                None => None,
            };
            if let (Some(number), Some(end)) = (number, end) {
                ports.push(AskedPort {
                    number,
                    end,
                    source: source.map(str::to_owned),
                    prefix,
                });
            }
        }
        if let Some(id) = id {
            asked.push((id.to_owned(), prefix, ports));
        }
    }
    if let Some(error) = problems.into_error() {
        return Err(error);
    }

    let key = path.id().to_ascii_lowercase();
    let request = emulator.write(|state| {
        let now = emulator.clock.now();
        let policy = state.policies.get(&key).ok_or_else(|| not_found(path))?;
        let mut problems = Problems::default();
        let mut recorded = Vec::new();
        for (vm_id, prefix, ports) in &asked {
            let parsed = VmId::parse(vm_id);
            let configured = policy.virtual_machines.iter().enumerate().find(|(_, vm)| {
                match (&parsed, VmId::parse(&vm.id)) {
                    (Ok(asked), Ok(configured)) => asked.same_vm(&configured),
                    _ => vm.id.eq_ignore_ascii_case(vm_id),
                }
            });
            let Some((vm_index, configured)) = configured else {
                problems.rule(
                    format!("{prefix}.id"),
                    format!(
                        "virtual machine `{vm_id}` is not in the JIT policy `{}`",
                        path.name
                    ),
                );
                continue;
            };
            let mut opened = Vec::new();
            for port in ports {
                let Some((rule_index, rule)) = configured
                    .ports
                    .iter()
                    .enumerate()
                    .find(|(_, rule)| rule.number == port.number)
                else {
                    problems.finding(
                        &port.prefix,
                        &Finding::new(
                            Field::Number,
                            RuleError::PortNotInPolicy {
                                number: port.number,
                            },
                        ),
                    );
                    continue;
                };
                if opened.iter().any(|p: &RequestPort| p.number == port.number) {
                    problems.finding(
                        &port.prefix,
                        &Finding::new(
                            Field::Number,
                            RuleError::DuplicateRequestPort {
                                number: port.number,
                            },
                        ),
                    );
                    continue;
                }
                let raw = RawPortRule {
                    number: Some(i64::from(rule.number)),
                    protocol: Some(&rule.protocol),
                    allowed_source_address_prefix: rule.allowed_source_address_prefix.as_deref(),
                    allowed_source_address_prefixes: rule
                        .allowed_source_address_prefixes
                        .as_ref()
                        .map(|p| p.iter().map(String::as_str).collect()),
                    max_request_access_duration: Some(&rule.max_request_access_duration),
                };
                let Ok(core_rule) = raw.parse() else {
                    return Err(ArmError::internal("a stored port rule no longer parses"));
                };
                if port.end <= now {
                    problems.rule(
                        format!("{}.endTimeUtc", port.prefix),
                        format!(
                            "end time {} is not after the current time {}",
                            crate::clock::format_azure(port.end),
                            crate::clock::format_azure(now)
                        ),
                    );
                    continue;
                }
                let source = match &port.source {
                    Some(text) => match text.parse::<SourcePrefix>() {
                        Ok(source) => source,
                        Err(error) => {
                            problems.finding(
                                &port.prefix,
                                &Finding::new(Field::AllowedSourceAddressPrefix, error),
                            );
                            continue;
                        }
                    },
                    None => SourcePrefix::from(caller.ip),
                };
                // Whole seconds, rounded down: a client that computes `now + max` on its own
                // clock must not be refused for a few milliseconds of skew.
                let seconds = u64::try_from((port.end - now).whole_seconds()).unwrap_or(0);
                let errors = core_rule.check_request(&source, IsoDuration::from_secs(seconds));
                for error in errors {
                    let field = match error {
                        RuleError::SourceNotAllowed { .. } => Field::AllowedSourceAddressPrefix,
                        _ => Field::EndTimeUtc,
                    };
                    problems.finding(&port.prefix, &Finding::new(field, error));
                }
                opened.push(RequestPort {
                    number: port.number,
                    allowed_source_address_prefix: Some(
                        port.source.clone().unwrap_or_else(|| caller.ip.to_string()),
                    ),
                    allowed_source_address_prefixes: None,
                    end_time_utc: port.end,
                    status: STATUS_INITIATED.to_owned(),
                    status_reason: REASON_USER_REQUESTED.to_owned(),
                    mapped_port: configured
                        .public_ip_address
                        .as_ref()
                        .map(|_| firewall_port(vm_index, rule_index)),
                });
            }
            recorded.push((
                configured.id.clone(),
                RequestVm {
                    id: vm_id.clone(),
                    ports: opened,
                },
            ));
        }
        if let Some(error) = problems.into_error() {
            return Err(error);
        }
        let policy = state
            .policies
            .get_mut(&key)
            .expect("looked up above under the same lock");
        for (configured_id, request_vm) in &recorded {
            for port in &request_vm.ports {
                for older in policy
                    .requests
                    .iter_mut()
                    .flat_map(|request| request.virtual_machines.iter_mut())
                    .filter(|vm| {
                        vm.id.eq_ignore_ascii_case(configured_id)
                            || vm.id.eq_ignore_ascii_case(&request_vm.id)
                    })
                    .flat_map(|vm| vm.ports.iter_mut())
                    .filter(|older| older.number == port.number && older.status == STATUS_INITIATED)
                {
                    older.status = STATUS_REVOKED.to_owned();
                    older.status_reason = REASON_NEWER_REQUEST.to_owned();
                }
            }
        }
        let request = AccessRequest {
            virtual_machines: recorded.into_iter().map(|(_, vm)| vm).collect(),
            start_time_utc: now,
            requestor: caller.requestor.clone(),
            justification: justification.clone(),
        };
        // History entries use the configured VM id so that allow rules find their VM.
        let mut stored = request.clone();
        for vm in &mut stored.virtual_machines {
            if let Some(configured) = policy.virtual_machines.iter().find(|c| {
                matches!((VmId::parse(&c.id), VmId::parse(&vm.id)), (Ok(a), Ok(b)) if a.same_vm(&b))
            }) {
                vm.id = configured.id.clone();
            }
        }
        policy.requests.push(stored);
        trim_history(&mut policy.requests);
        for port in request
            .virtual_machines
            .iter()
            .flat_map(|vm| vm.ports.iter())
        {
            state.note_end_time(port.end_time_utc);
        }
        nsg::reconcile(state, &key);
        Ok(request)
    })?;
    tracing::info!(policy = %path.id(), requestor = %request.requestor, "JIT access initiated");
    Ok(json_response(
        StatusCode::ACCEPTED,
        serde_json::to_vec(&request).expect("wire types hold only strings, numbers and lists"),
    ))
}

/// The first port of the range an emulated Azure Firewall maps ports into.
pub const FIREWALL_BASE_PORT: i64 = 50000;

/// How many ports of that range each VM of a policy has.
pub const FIREWALL_PORTS_PER_VM: i64 = 100;

/// The `mappedPort` of a request port when the policy's VM has a `publicIpAddress` (an Azure
/// Firewall in front of it): the firewall's DNAT port that leads to the VM's port.
///
/// Azure takes it from the firewall's DNAT table; the emulator has no firewall, so it derives
/// one that is stable and distinct within a policy: `50000 + 100 × (the VM's position in the
/// policy) + (the port rule's position in the VM's rules)`, both counted from 0, wrapped to
/// stay within 50000..=65535. The first VM's first rule maps to 50000, its second to 50001, the
/// second VM's first rule to 50100.
pub fn firewall_port(vm_index: usize, rule_index: usize) -> i64 {
    const RANGE: i64 = 65536 - FIREWALL_BASE_PORT;
    let vm = i64::try_from(vm_index).unwrap_or(i64::MAX) % RANGE;
    let rule = i64::try_from(rule_index).unwrap_or(i64::MAX) % RANGE;
    FIREWALL_BASE_PORT + (vm * FIREWALL_PORTS_PER_VM + rule) % RANGE
}

/// The most requests a policy's history keeps. Azure documents no limit (the portal shows the
/// last 7 days); without one, a busy policy's GET and every initiate would grow without end.
pub const MAX_HISTORY: usize = 100;

/// Drops the oldest closed requests beyond [`MAX_HISTORY`]; open ones are never dropped.
fn trim_history(requests: &mut Vec<AccessRequest>) {
    while requests.len() > MAX_HISTORY {
        let closed = requests.iter().position(|request| {
            request
                .virtual_machines
                .iter()
                .flat_map(|vm| vm.ports.iter())
                .all(|port| port.status != STATUS_INITIATED)
        });
        match closed {
            Some(index) => {
                requests.remove(index);
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firewall_ports_are_stable_distinct_and_in_range() {
        assert_eq!(firewall_port(0, 0), 50000);
        assert_eq!(firewall_port(0, 1), 50001);
        assert_eq!(firewall_port(1, 0), 50100);
        for (vm, rule) in [(155, 35), (156, 0), (usize::MAX, usize::MAX)] {
            let port = firewall_port(vm, rule);
            assert!(
                (FIREWALL_BASE_PORT..=65535).contains(&port),
                "{vm} {rule}: {port}"
            );
        }
    }
}
