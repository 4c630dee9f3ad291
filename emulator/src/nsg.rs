//! The NSG rules JIT writes, and how they are named and prioritised.
//!
//! Azure does not document either (a docs issue asking for the priorities is open), so the
//! choices are ours and are stated in `docs/emulator.md`:
//! - one deny rule per protected VM port, named `SecurityCenter-JITRule-<policy>-<vm>-<port>-Deny`,
//!   at the first free priority from 1000 up, or after the last existing non-JIT inbound rule
//!   for that port (existing rules keep precedence, as Microsoft's overview says);
//! - one allow rule per active request port, named `...-<port>-Allow`, at the nearest free
//!   priority before its deny rule, so it is evaluated first.
//!
//! [`reconcile`] is the only writer: it derives the rules a policy should have from the policy
//! and its active requests, and makes the NSGs match, touching no rule it did not write.

use crate::store::{Policy, STATUS_INITIATED, State, WrittenRule};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The name prefix of every rule JIT writes (and the mark of a rule that is not the user's).
pub const JIT_RULE_PREFIX: &str = "SecurityCenter-JITRule-";
/// Where deny rules start when no user rule covers the port.
pub const DENY_BASE_PRIORITY: i64 = 1000;
/// NSG priorities run 100..=4096.
pub const MIN_PRIORITY: i64 = 100;
/// NSG priorities run 100..=4096.
pub const MAX_PRIORITY: i64 = 4096;

/// Where a VM's traffic is filtered, as JIT needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmNetwork {
    /// The NSG id as stored.
    pub nsg_id: String,
    /// The VM's private IP, used as the destination of the rules (`*` when unknown).
    pub private_ip: String,
}

/// Why a VM cannot be protected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsupported {
    /// No VM with that id.
    #[error("the virtual machine '{0}' was not found")]
    VmNotFound(String),
    /// Neither the VM's NIC nor its subnet has an NSG.
    #[error(
        "the virtual machine '{0}' is not supported for just-in-time network access: JIT \
         requires an NSG to be configured or a Firewall configuration (or both)"
    )]
    NoNsg(String),
}

/// Finds the NSG that filters a VM: its primary NIC's NSG, else its subnet's.
pub fn vm_network(state: &State, vm_id: &str) -> Result<VmNetwork, Unsupported> {
    let vm = state
        .resource(vm_id)
        .ok_or_else(|| Unsupported::VmNotFound(vm_id.to_owned()))?;
    let nics = vm
        .pointer("/properties/networkProfile/networkInterfaces")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let primary = nics
        .iter()
        .find(|nic| nic.pointer("/properties/primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| nics.first())
        .and_then(|nic| nic.get("id"))
        .and_then(Value::as_str)
        .and_then(|id| state.resource(id));
    let Some(nic) = primary else {
        return Err(Unsupported::NoNsg(vm_id.to_owned()));
    };
    let ip_configuration = nic.pointer("/properties/ipConfigurations/0/properties");
    let private_ip = ip_configuration
        .and_then(|config| config.get("privateIPAddress"))
        .and_then(Value::as_str)
        .unwrap_or("*")
        .to_owned();
    let nic_nsg = nic
        .pointer("/properties/networkSecurityGroup/id")
        .and_then(Value::as_str);
    let subnet_nsg = || {
        let subnet_id = ip_configuration?.pointer("/subnet/id")?.as_str()?;
        let lower = subnet_id.to_ascii_lowercase();
        let split = lower.find("/subnets/")?;
        let vnet = state.resource(&subnet_id[..split])?;
        let subnet_name = &subnet_id[split + "/subnets/".len()..];
        vnet.pointer("/properties/subnets")?
            .as_array()?
            .iter()
            .find(|subnet| {
                subnet
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|name| name.eq_ignore_ascii_case(subnet_name))
            })?
            .pointer("/properties/networkSecurityGroup/id")?
            .as_str()
    };
    let nsg_id = nic_nsg
        .or_else(subnet_nsg)
        .filter(|id| state.resource(id).is_some())
        .ok_or_else(|| Unsupported::NoNsg(vm_id.to_owned()))?;
    Ok(VmNetwork {
        nsg_id: nsg_id.to_owned(),
        private_ip,
    })
}

/// A rule a policy should have.
#[derive(Debug, Clone)]
struct DesiredRule {
    nsg_key: String,
    nsg_id: String,
    name: String,
    deny_name: Option<String>,
    port: u16,
    body: Value,
}

/// Makes the NSGs hold exactly the rules the policy at `policy_key` implies (none if the
/// policy is gone): removes rules it wrote that are no longer wanted, adds the missing ones.
pub fn reconcile(state: &mut State, policy_key: &str) {
    let desired = state
        .policies
        .get(policy_key)
        .map(|p| desired_rules(state, p))
        .unwrap_or_default();
    let previous = state
        .policies
        .get(policy_key)
        .map(|p| p.written_rules.clone())
        .unwrap_or_default();
    let wanted: BTreeSet<WrittenRule> = desired
        .iter()
        .map(|rule| WrittenRule {
            nsg_key: rule.nsg_key.clone(),
            name: rule.name.clone(),
        })
        .collect();
    for old in previous.iter().filter(|old| !wanted.contains(old)) {
        if let Some(rules) = security_rules_mut(state, &old.nsg_key) {
            rules.retain(|rule| !rule_named(rule, &old.name));
        }
    }
    // Deny rules first, so that allow rules can be placed before them.
    let (deny, allow): (Vec<_>, Vec<_>) = desired.into_iter().partition(|r| r.deny_name.is_none());
    for rule in deny.into_iter().chain(allow) {
        upsert(state, rule);
    }
    if let Some(policy) = state.policies.get_mut(policy_key) {
        policy.written_rules = wanted.into_iter().collect();
    }
}

/// Removes every rule a deleted policy wrote.
pub fn remove_all(state: &mut State, written: &[WrittenRule]) {
    for old in written {
        if let Some(rules) = security_rules_mut(state, &old.nsg_key) {
            rules.retain(|rule| !rule_named(rule, &old.name));
        }
    }
}

/// The deny rule name for a VM port of a policy.
pub fn deny_rule_name(policy: &str, vm_name: &str, port: u16) -> String {
    format!("{JIT_RULE_PREFIX}{policy}-{vm_name}-{port}-Deny")
}

/// The allow rule name for a VM port of a policy.
pub fn allow_rule_name(policy: &str, vm_name: &str, port: u16) -> String {
    format!("{JIT_RULE_PREFIX}{policy}-{vm_name}-{port}-Allow")
}

fn desired_rules(state: &State, policy: &Policy) -> Vec<DesiredRule> {
    let mut rules = Vec::new();
    for vm in &policy.virtual_machines {
        let Ok(network) = vm_network(state, &vm.id) else {
            continue;
        };
        let vm_name = last_segment(&vm.id);
        for port in &vm.ports {
            let deny = deny_rule_name(&policy.name, vm_name, port.number);
            rules.push(DesiredRule {
                nsg_key: network.nsg_id.to_ascii_lowercase(),
                nsg_id: network.nsg_id.clone(),
                name: deny.clone(),
                deny_name: None,
                port: port.number,
                body: rule_properties(
                    "Deny",
                    &port.protocol,
                    &["*"],
                    port.number,
                    &network.private_ip,
                    &format!(
                        "JIT deny rule of policy {} for port {}",
                        policy.name, port.number
                    ),
                ),
            });
            let active = policy
                .requests
                .iter()
                .flat_map(|request| request.virtual_machines.iter())
                .filter(|request_vm| request_vm.id.eq_ignore_ascii_case(&vm.id))
                .flat_map(|request_vm| request_vm.ports.iter())
                .rfind(|request_port| {
                    request_port.number == port.number && request_port.status == STATUS_INITIATED
                });
            if let Some(active) = active {
                let sources: Vec<&str> = match (
                    &active.allowed_source_address_prefix,
                    &active.allowed_source_address_prefixes,
                ) {
                    (Some(prefix), _) => vec![prefix.as_str()],
                    (None, Some(prefixes)) => prefixes.iter().map(String::as_str).collect(),
                    (None, None) => vec!["*"],
                };
                rules.push(DesiredRule {
                    nsg_key: network.nsg_id.to_ascii_lowercase(),
                    nsg_id: network.nsg_id.clone(),
                    name: allow_rule_name(&policy.name, vm_name, port.number),
                    deny_name: Some(deny),
                    port: port.number,
                    body: rule_properties(
                        "Allow",
                        &port.protocol,
                        &sources,
                        port.number,
                        &network.private_ip,
                        &format!(
                            "JIT allow rule of policy {} for port {} until {}",
                            policy.name,
                            port.number,
                            crate::clock::format_azure(active.end_time_utc)
                        ),
                    ),
                });
            }
        }
    }
    rules
}

fn rule_properties(
    access: &str,
    protocol: &str,
    sources: &[&str],
    port: u16,
    destination: &str,
    description: &str,
) -> Value {
    let protocol = match protocol {
        "TCP" => "Tcp",
        "UDP" => "Udp",
        _ => "*",
    };
    let mut properties = json!({
        "provisioningState": "Succeeded",
        "description": description,
        "protocol": protocol,
        "sourcePortRange": "*",
        "destinationPortRange": port.to_string(),
        "destinationAddressPrefix": destination,
        "access": access,
        "direction": "Inbound",
    });
    if let [single] = sources {
        properties["sourceAddressPrefix"] = json!(single);
    } else {
        properties["sourceAddressPrefixes"] = json!(sources);
    }
    properties
}

fn upsert(state: &mut State, rule: DesiredRule) {
    let Some(rules) = security_rules_mut(state, &rule.nsg_key) else {
        return;
    };
    if let Some(existing) = rules
        .iter_mut()
        .find(|existing| rule_named(existing, &rule.name))
    {
        // Keep the priority the rule was given, so rules do not move on every update.
        let priority = existing
            .pointer("/properties/priority")
            .cloned()
            .unwrap_or(json!(null));
        let mut properties = rule.body;
        properties["priority"] = priority;
        existing["properties"] = properties;
        return;
    }
    let taken: BTreeSet<i64> = rules
        .iter()
        .filter(|r| r.pointer("/properties/direction").and_then(Value::as_str) == Some("Inbound"))
        .filter_map(|r| r.pointer("/properties/priority").and_then(Value::as_i64))
        .collect();
    let priority = match &rule.deny_name {
        None => {
            let after_user_rules = rules
                .iter()
                .filter(|r| {
                    !r.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .starts_with(JIT_RULE_PREFIX)
                })
                .filter(|r| {
                    r.pointer("/properties/direction").and_then(Value::as_str) == Some("Inbound")
                })
                .filter(|r| covers_port(r, rule.port))
                .filter_map(|r| r.pointer("/properties/priority").and_then(Value::as_i64))
                .max()
                .map_or(DENY_BASE_PRIORITY, |p| (p + 1).max(DENY_BASE_PRIORITY));
            (after_user_rules..=MAX_PRIORITY).find(|p| !taken.contains(p))
        }
        Some(deny) => {
            let deny_priority = rules
                .iter()
                .find(|r| rule_named(r, deny))
                .and_then(|r| r.pointer("/properties/priority").and_then(Value::as_i64))
                .unwrap_or(DENY_BASE_PRIORITY);
            (MIN_PRIORITY..deny_priority)
                .rev()
                .find(|p| !taken.contains(p))
        }
    };
    let Some(priority) = priority else {
        tracing::warn!(nsg = %rule.nsg_id, rule = %rule.name, "no free NSG priority; rule not written");
        return;
    };
    let mut properties = rule.body;
    properties["priority"] = json!(priority);
    rules.push(json!({
        "name": rule.name,
        "id": format!("{}/securityRules/{}", rule.nsg_id, rule.name),
        "type": "Microsoft.Network/networkSecurityGroups/securityRules",
        "properties": properties,
    }));
}

fn security_rules_mut<'a>(state: &'a mut State, nsg_key: &str) -> Option<&'a mut Vec<Value>> {
    let nsg = state.resources.get_mut(nsg_key)?;
    let properties = nsg
        .as_object_mut()?
        .entry("properties")
        .or_insert_with(|| json!({}));
    let rules = properties
        .as_object_mut()?
        .entry("securityRules")
        .or_insert_with(|| json!([]));
    if !rules.is_array() {
        *rules = json!([]);
    }
    rules.as_array_mut()
}

fn rule_named(rule: &Value, name: &str) -> bool {
    rule.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

/// Whether an NSG rule's destination ports include `port` (`*`, `22`, `20-30`, or a list).
fn covers_port(rule: &Value, port: u16) -> bool {
    let matches = |range: &str| {
        let range = range.trim();
        if range == "*" {
            return true;
        }
        match range.split_once('-') {
            Some((low, high)) => match (low.trim().parse::<u16>(), high.trim().parse::<u16>()) {
                (Ok(low), Ok(high)) => (low..=high).contains(&port),
                _ => false,
            },
            None => range.parse::<u16>() == Ok(port),
        }
    };
    let single = rule
        .pointer("/properties/destinationPortRange")
        .and_then(Value::as_str);
    let many = rule
        .pointer("/properties/destinationPortRanges")
        .and_then(Value::as_array);
    single.is_some_and(matches)
        || many.is_some_and(|ranges| ranges.iter().filter_map(Value::as_str).any(matches))
}

/// The last segment of an ARM id (the resource name).
pub fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_are_understood() {
        let rule = |range: &str| json!({"properties": {"destinationPortRange": range}});
        assert!(covers_port(&rule("*"), 22));
        assert!(covers_port(&rule("20-30"), 22));
        assert!(!covers_port(&rule("23"), 22));
        let many = json!({"properties": {"destinationPortRanges": ["80", "3389"]}});
        assert!(covers_port(&many, 3389));
    }
}
