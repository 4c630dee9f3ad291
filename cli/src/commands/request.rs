//! `jit request`: find the VM's policy, check the request with the policy's own rules, open
//! access, and say what Azure opened and until when.
//!
//! The checks are `jit_core`'s, the same the provider runs at plan time and the emulator runs
//! on initiate: only ports the policy lists, no longer than each port's maximum, a source
//! inside its allowed prefixes. A request that fails them is never sent, so it leaves nothing
//! in the audit trail. Without `--source` the source is the caller's address as Azure sees it,
//! which only Azure can check.

use jit_azure::models::{
    JitInitiatePort, JitInitiateRequest, JitInitiateVirtualMachine, JitPolicy, JitRequest,
    JitRequestPort, JitVirtualMachine,
};
use jit_core::{PolicyId, RuleError, VmId, check_access};
use time::OffsetDateTime;

use super::Context;
use crate::args::RequestArgs;
use crate::error::{CliError, Refusal};
use crate::output::{local_and_utc, rfc3339_utc};

pub async fn run(context: &Context, args: &RequestArgs) -> Result<String, CliError> {
    let (policy_id, policy) = find_policy(context, args).await?;
    let entry = vm_entry(&policy, &args.vm).ok_or_else(|| CliError::VmNotInPolicy {
        policy: policy_id.to_string(),
        vm: args.vm.to_string(),
    })?;
    check(&policy_id, entry, args)?;

    let end = rfc3339_utc(
        OffsetDateTime::now_utc()
            + time::Duration::seconds(i64::try_from(args.duration.as_secs()).unwrap_or(i64::MAX)),
    );
    let request = JitInitiateRequest {
        virtual_machines: vec![JitInitiateVirtualMachine {
            id: entry.id.clone(),
            ports: args
                .ports
                .iter()
                .map(|number| JitInitiatePort {
                    number: i64::from(*number),
                    end_time_utc: end.clone(),
                    allowed_source_address_prefix: args
                        .source
                        .as_ref()
                        .map(|source| source.text.clone()),
                })
                .collect(),
        }],
        justification: args.justification.clone(),
    };
    context.progress.say("Requesting access");
    let answered = context
        .client
        .initiate(&policy_id, &request, &context.deadline)
        .await?;
    let mut opened = answered_ports(&answered, &args.vm);
    if opened.iter().any(|port| sources(port).is_empty()) {
        // The answer should say which address Azure let in; when it does not, the history does.
        context.progress.say("Reading the recorded request");
        if let Some(held) = context
            .client
            .get_policy(&policy_id, &context.deadline)
            .await?
            && let Some(recorded) = latest_request(&held, &args.vm)
        {
            opened = answered_ports(recorded, &args.vm);
        }
    }
    Ok(describe(context, args, &policy_id, entry, &opened, &end))
}

/// The policy given with `--policy`, or the one policy of the VM's subscription that lists it.
async fn find_policy(
    context: &Context,
    args: &RequestArgs,
) -> Result<(PolicyId, JitPolicy), CliError> {
    if let Some(id) = &args.policy {
        context.progress.say("Reading the JIT policy");
        let policy = context
            .client
            .get_policy(id, &context.deadline)
            .await?
            .ok_or_else(|| CliError::PolicyNotFound {
                policy: id.to_string(),
            })?;
        return Ok((id.clone(), policy));
    }
    context.progress.say("Finding the VM's JIT policy");
    let listed = context
        .client
        .list_policies(&args.vm.subscription_id, None, None, &context.deadline)
        .await?;
    let mut covering: Vec<JitPolicy> = listed
        .into_iter()
        .filter(|policy| vm_entry(policy, &args.vm).is_some())
        .collect();
    let ids: Vec<String> = covering
        .iter()
        .map(|policy| policy.id.clone().unwrap_or_default())
        .collect();
    let policy = match covering.len() {
        0 => {
            return Err(CliError::NoPolicy {
                vm: args.vm.to_string(),
                subscription: args.vm.subscription_id.clone(),
            });
        }
        1 => covering.remove(0),
        _ => {
            return Err(CliError::SeveralPolicies {
                vm: args.vm.to_string(),
                policies: ids,
            });
        }
    };
    let id_text = policy.id.clone().unwrap_or_default();
    let id = PolicyId::parse(&id_text).map_err(|error| CliError::UnreadablePolicy {
        policy: id_text.clone(),
        reason: error.to_string(),
    })?;
    Ok((id, policy))
}

fn vm_entry<'a>(policy: &'a JitPolicy, vm: &VmId) -> Option<&'a JitVirtualMachine> {
    policy
        .properties
        .virtual_machines
        .iter()
        .find(|entry| VmId::parse(&entry.id).is_ok_and(|id| id.same_vm(vm)))
}

/// Every way the request breaks the policy's rules, each naming its flag.
fn check(
    policy_id: &PolicyId,
    entry: &JitVirtualMachine,
    args: &RequestArgs,
) -> Result<(), CliError> {
    let mut refusals = Vec::new();
    let configured: Vec<String> = entry
        .ports
        .iter()
        .map(|rule| rule.number.to_string())
        .collect();
    for (index, number) in args.ports.iter().enumerate() {
        let refuse = |flag: &'static str,
                      value: String,
                      error: RuleError,
                      allowed: Option<String>| Refusal {
            flag,
            value,
            error,
            allowed,
        };
        if args.ports[..index].contains(number) {
            refusals.push(refuse(
                "--port",
                number.to_string(),
                RuleError::DuplicateRequestPort { number: *number },
                None,
            ));
            continue;
        }
        let Some(stored) = entry
            .ports
            .iter()
            .find(|rule| rule.number == i64::from(*number))
        else {
            refusals.push(refuse(
                "--port",
                number.to_string(),
                RuleError::PortNotInPolicy { number: *number },
                Some(format!(
                    "policy `{}` opens {}",
                    policy_id.name,
                    if configured.is_empty() {
                        "no port".to_owned()
                    } else {
                        configured.join(", ")
                    }
                )),
            ));
            continue;
        };
        let sources = stored.sources();
        let rule = stored
            .to_rule()
            .map_err(|findings| CliError::UnreadablePolicy {
                policy: policy_id.to_string(),
                reason: findings
                    .iter()
                    .map(|finding| finding.message())
                    .collect::<Vec<_>>()
                    .join("; "),
            })?;
        // Without --source, Azure checks the caller's address, which only it knows.
        let source = args.source.as_ref().map(|source| &source.prefix);
        for error in check_access(
            std::slice::from_ref(&rule),
            rule.number,
            source,
            Some(args.duration),
        ) {
            match error {
                RuleError::SourceNotAllowed { .. } => refusals.push(refuse(
                    "--source",
                    args.source
                        .as_ref()
                        .map(|source| source.text.clone())
                        .unwrap_or_default(),
                    error,
                    Some(format!("port {number} allows {}", sources.join(", "))),
                )),
                other => {
                    refusals.push(refuse("--duration", args.duration.to_string(), other, None))
                }
            }
        }
    }
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(CliError::Refused(refusals))
    }
}

/// The ports of the VM in a request, as Azure recorded them.
fn answered_ports(request: &JitRequest, vm: &VmId) -> Vec<JitRequestPort> {
    request
        .virtual_machines
        .iter()
        .filter(|entry| VmId::parse(&entry.id).is_ok_and(|id| id.same_vm(vm)))
        .flat_map(|entry| entry.ports.iter().cloned())
        .collect()
}

/// The newest request of the history for the VM (the history is oldest first).
fn latest_request<'a>(policy: &'a JitPolicy, vm: &VmId) -> Option<&'a JitRequest> {
    policy
        .properties
        .requests
        .iter()
        .rev()
        .find(|request| !answered_ports(request, vm).is_empty())
}

fn sources(port: &JitRequestPort) -> Vec<String> {
    match (
        &port.allowed_source_address_prefix,
        &port.allowed_source_address_prefixes,
    ) {
        (Some(prefix), _) => vec![prefix.clone()],
        (None, Some(prefixes)) => prefixes.clone(),
        (None, None) => Vec::new(),
    }
}

fn describe(
    context: &Context,
    args: &RequestArgs,
    policy_id: &PolicyId,
    entry: &JitVirtualMachine,
    opened: &[JitRequestPort],
    asked_end: &str,
) -> String {
    let mut text = format!(
        "Access to {} (resource group {}) opened through JIT policy `{}`:\n",
        args.vm.name, args.vm.resource_group, policy_id.name
    );
    for number in &args.ports {
        let port = opened.iter().find(|port| port.number == i64::from(*number));
        let from = port
            .map(sources)
            .filter(|sources| !sources.is_empty())
            .map_or_else(|| "your address".to_owned(), |sources| sources.join(", "));
        let end = port
            .and_then(|port| port.end_time_utc.as_deref())
            .unwrap_or(asked_end);
        text.push_str(&format!(
            "  port {number} from {from} until {}\n",
            local_and_utc(end, context.local_offset)
        ));
        if let (Some(address), Some(mapped)) = (
            entry.public_ip_address.as_deref(),
            port.and_then(|port| port.mapped_port),
        ) {
            text.push_str(&format!(
                "    through the Azure Firewall: connect to {address}:{mapped}\n"
            ));
        }
    }
    text
}
