//! `jit_policy`: the JIT policy for virtual machines in one resource group and region.
//!
//! Backed by `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Security/locations/
//! {location}/jitNetworkAccessPolicies/{name}` at api-version 2020-01-01. The name, resource
//! group and location form the id, so changing any of them replaces the policy; the list of VMs
//! and ports is replaced in place by one PUT.
//!
//! A `virtual_machine` without `port` blocks gets Azure's recommended ports (22, 3389, 5985,
//! 5986, protocol `*`, source `*`, PT3H); the computed `effective_port` shows what will be
//! protected, so the plan never hides a default.

use serde::{Deserialize, Serialize};

use jit_core::{
    Field, PolicyId, RawPortRule, check_port_rule, check_virtual_machine, default_port_rules,
};
use tfplugin::cty::Type;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::plan_modifier::{requires_replace, use_state_for_unknown};
use tfplugin::framework::resource::*;
use tfplugin::framework::validator::each_element;
use tfplugin::framework::{
    Attribute, Block, Diagnostics, NestedBlock, Path, Resource, Schema, TypeDefinition,
    ValidateConfigRequest,
};

use super::lifecycle_not_available;
use crate::config::ArmSettings;
use crate::validators;

/// The `jit_policy` resource type.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitPolicy;

/// The name of this resource type.
pub const TYPE_NAME: &str = "jit_policy";

/// A `port` block as configured (or planned: any value may still be unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortModel {
    /// Port number.
    pub number: Attr<i64>,
    /// `TCP`, `UDP` or `*`.
    pub protocol: Attr<String>,
    /// One allowed source.
    pub allowed_source_address_prefix: Attr<String>,
    /// Several allowed sources.
    pub allowed_source_address_prefixes: Attr<Vec<Attr<String>>>,
    /// Longest access a request may get.
    pub max_request_access_duration: Attr<String>,
}

/// A port as it will be protected, defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectivePortModel {
    /// Port number.
    pub number: i64,
    /// `TCP`, `UDP` or `*`.
    pub protocol: String,
    /// Every allowed source.
    pub allowed_source_address_prefixes: Vec<String>,
    /// Longest access a request may get.
    pub max_request_access_duration: String,
}

/// A `virtual_machine` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualMachineModel {
    /// The VM's resource id.
    pub id: Attr<String>,
    /// The Azure Firewall's public IP, if the VM sits behind one.
    pub public_ip_address: Attr<String>,
    /// The ports as configured.
    pub port: Attr<Vec<PortModel>>,
    /// The ports as they will be protected.
    pub effective_port: Attr<Vec<EffectivePortModel>>,
}

/// The whole resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyModel {
    /// ARM id.
    pub id: Attr<String>,
    /// Policy name.
    pub name: Attr<String>,
    /// Resource group.
    pub resource_group_name: Attr<String>,
    /// Region.
    pub location: Attr<String>,
    /// ARM's provisioning state.
    pub provisioning_state: Attr<String>,
    /// The VMs.
    pub virtual_machine: Attr<Vec<VirtualMachineModel>>,
}

fn effective_port_type() -> Type {
    Type::list(Type::object([
        ("number", Type::Number),
        ("protocol", Type::String),
        ("allowed_source_address_prefixes", Type::list(Type::String)),
        ("max_request_access_duration", Type::String),
    ]))
}

fn port_block() -> Block {
    Block::new("A management port to protect. Without any `port` block, Azure's recommended ports are protected: 22, 3389, 5985 and 5986.")
        .attribute("number", Attribute::number("The port number, 0-65535.").required().validate(validators::port_number()))
        .attribute(
            "protocol",
            Attribute::string("`TCP`, `UDP` or `*` (both). Defaults to `*`.")
                .default_value(jit_core::limits::DEFAULT_PROTOCOL.as_str())
                .validate(validators::protocol()),
        )
        .attribute(
            "allowed_source_address_prefix",
            Attribute::string("The one source allowed to request access: `*`, an IP address, a CIDR block or a service tag. Conflicts with `allowed_source_address_prefixes`. When neither is set, Azure allows any source (`*`).")
                .optional()
                .validate(validators::source_prefix()),
        )
        .attribute(
            "allowed_source_address_prefixes",
            Attribute::string_list("The sources allowed to request access. Conflicts with `allowed_source_address_prefix`.")
                .optional()
                .validate(each_element(validators::source_prefix())),
        )
        .attribute(
            "max_request_access_duration",
            Attribute::string("The longest access a request may get, as an ISO 8601 duration between `PT5M` and `PT24H`. Defaults to `PT3H`.")
                .default_value("PT3H")
                .validate(validators::max_request_access_duration()),
        )
}

fn virtual_machine_block() -> Block {
    Block::new("A virtual machine whose management ports the policy protects.")
        .attribute("id", Attribute::string("The virtual machine's resource id.").required().validate(validators::vm_id()))
        .attribute(
            "public_ip_address",
            Attribute::string("The public IP address of the Azure Firewall in front of the VM, if any.").optional(),
        )
        .attribute(
            "effective_port",
            Attribute::new(effective_port_type(), "The ports as they will be protected: the `port` blocks with defaults filled in, or Azure's recommended ports when there are none.")
                .computed(),
        )
        .block("port", NestedBlock::list(port_block()))
}

impl JitPolicy {
    fn block() -> Block {
        Block::new("Enables just-in-time VM access on virtual machines: their management ports stay closed behind NSG deny rules until someone requests access with `jit_access_request`.")
            .attribute(
                "id",
                Attribute::string("The policy's resource id.").computed().plan(use_state_for_unknown()),
            )
            .attribute(
                "name",
                Attribute::string("The policy name. Defaults to `default`, the name the Azure portal uses (one policy per resource group and region). The policy name plus a VM name may not exceed 56 characters.")
                    .default_value(jit_core::limits::DEFAULT_POLICY_NAME)
                    .validate(validators::policy_name())
                    .plan(requires_replace()),
            )
            .attribute(
                "resource_group_name",
                Attribute::string("The resource group of the policy (usually the VMs').")
                    .required()
                    .validate(validators::resource_group_name())
                    .plan(requires_replace()),
            )
            .attribute(
                "location",
                Attribute::string("The region of the policy, which must be the VMs' region, e.g. `westeurope`.")
                    .required()
                    .validate(validators::location())
                    .plan(requires_replace()),
            )
            .attribute("provisioning_state", Attribute::string("The provisioning state Azure reports.").computed())
            .block("virtual_machine", NestedBlock::list(virtual_machine_block()).min_items(1))
    }
}

/// Where a core finding points in this resource's configuration.
fn finding_path(field: Field, vm_index: usize, port_index: usize, name_configured: bool) -> Path {
    let vm = Path::attr_root("virtual_machine").index(vm_index);
    let port = vm.attr("port").index(port_index);
    match field {
        Field::AllowedSourceAddressPrefixes(index) => {
            port.attr("allowed_source_address_prefixes").index(index)
        }
        Field::PolicyName if name_configured => Path::attr_root("name"),
        Field::PolicyName | Field::VirtualMachineId => vm.attr("id"),
        other => port.attr(crate::fields::attribute_name(other)),
    }
}

/// Which findings the attribute validators already reported, so each problem shows once.
fn reported_by_validators(field: Field, error: &jit_core::RuleError) -> bool {
    !matches!(
        error,
        jit_core::RuleError::BothPrefixAndPrefixes | jit_core::RuleError::EmptyPrefixes
    ) && !matches!(field, Field::PolicyName)
}

/// Reports each `port` block of one `virtual_machine` that repeats an earlier one (same number
/// and protocol, or `*` with TCP or UDP), at the repeating block's `number`: the rule is
/// `jit_core::duplicate_ports`. A port whose number or protocol is unknown is skipped; an unset
/// protocol is the default `*`.
fn report_duplicate_ports(vm_index: usize, ports: &[PortModel], diagnostics: &mut Diagnostics) {
    let keys = ports.iter().map(|port| {
        let number = jit_core::PortNumber::new(*port.number.known()?).ok()?;
        let protocol = match &port.protocol {
            Attr::Null => jit_core::limits::DEFAULT_PROTOCOL,
            Attr::Unknown => return None,
            Attr::Known(protocol) => protocol.parse().ok()?,
        };
        Some((number, protocol))
    });
    for duplicate in jit_core::duplicate_ports(keys) {
        let error = duplicate.error();
        diagnostics.attribute_error(
            Path::attr_root("virtual_machine")
                .index(vm_index)
                .attr("port")
                .index(duplicate.index)
                .attr("number"),
            "Duplicate port",
            format!("{error}: {}.", error.help().trim_end_matches('.')),
        );
    }
}

/// The ports as they will be protected; unknown while any port value is.
fn effective_ports(ports: &Attr<Vec<PortModel>>) -> Attr<Vec<EffectivePortModel>> {
    let ports = match ports {
        Attr::Unknown => return Attr::Unknown,
        Attr::Null => &[][..],
        Attr::Known(ports) => ports.as_slice(),
    };
    if ports.is_empty() {
        return Attr::Known(
            default_port_rules()
                .into_iter()
                .map(|rule| EffectivePortModel {
                    number: i64::from(rule.number.get()),
                    protocol: rule.protocol.as_str().to_owned(),
                    allowed_source_address_prefixes: rule
                        .allowed_source
                        .prefixes()
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    max_request_access_duration: rule.max_request_access_duration.to_string(),
                })
                .collect(),
        );
    }
    let effective: Option<Vec<EffectivePortModel>> = ports
        .iter()
        .map(|port| {
            let sources = match (
                &port.allowed_source_address_prefix,
                &port.allowed_source_address_prefixes,
            ) {
                (Attr::Known(prefix), _) => vec![prefix.clone()],
                (Attr::Null, Attr::Known(prefixes)) => prefixes
                    .iter()
                    .map(|prefix| prefix.known().cloned())
                    .collect::<Option<Vec<String>>>()?,
                (Attr::Null, Attr::Null) => {
                    vec![jit_core::limits::DEFAULT_SOURCE_PREFIX.to_owned()]
                }
                _ => return None,
            };
            Some(EffectivePortModel {
                number: *port.number.known()?,
                protocol: port.protocol.known()?.clone(),
                allowed_source_address_prefixes: sources,
                max_request_access_duration: port.max_request_access_duration.known()?.clone(),
            })
        })
        .collect();
    effective.map_or(Attr::Unknown, Attr::Known)
}

#[async_trait::async_trait]
impl TypeDefinition for JitPolicy {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(0, Self::block())
    }

    async fn validate_config(&self, request: ValidateConfigRequest, diagnostics: &mut Diagnostics) {
        let config = match model::decode::<PolicyModel>(&request.config) {
            Ok(config) => config,
            Err(err) => {
                diagnostics.error(
                    "Could not read the jit_policy configuration",
                    err.to_string(),
                );
                return;
            }
        };
        let name_configured = !config.name.is_null();
        // Unknown until apply: the 56-character rule is checked once the name is known.
        let policy_name = if name_configured {
            config.name.as_deref()
        } else {
            Some(jit_core::limits::DEFAULT_POLICY_NAME)
        };
        let vms = config.virtual_machine.as_deref().unwrap_or_default();
        for (vm_index, vm) in vms.iter().enumerate() {
            let ports = vm.port.as_deref().unwrap_or_default();
            report_duplicate_ports(vm_index, ports, diagnostics);
            for finding in check_virtual_machine(policy_name, vm.id.as_deref()) {
                if finding.field == Field::PolicyName {
                    diagnostics.attribute_error(
                        finding_path(finding.field, vm_index, 0, name_configured),
                        "Policy name and VM name too long",
                        format!(
                            "{}: {}.",
                            finding.message(),
                            finding.help().trim_end_matches('.')
                        ),
                    );
                }
            }
            for (port_index, port) in ports.iter().enumerate() {
                for finding in check_port_rule(&raw_port_rule(port)) {
                    if reported_by_validators(finding.field, &finding.error) {
                        continue;
                    }
                    let path = finding_path(finding.field, vm_index, port_index, name_configured);
                    let (path, summary) = if finding.error == jit_core::RuleError::EmptyPrefixes {
                        // An empty list has no element to point at: point at the list.
                        (
                            Path(path.0[..path.0.len() - 1].to_vec()),
                            "Empty source address prefixes",
                        )
                    } else {
                        (path, "Conflicting source address prefixes")
                    };
                    diagnostics.attribute_error(
                        path,
                        summary,
                        format!(
                            "{}: {}.",
                            finding.message(),
                            finding.help().trim_end_matches('.')
                        ),
                    );
                }
            }
        }
    }
}

/// A configured port as `jit_core` checks it; unknown values are `None`, checked at apply.
fn raw_port_rule(port: &PortModel) -> RawPortRule<'_> {
    RawPortRule {
        number: port.number.known().copied(),
        protocol: port.protocol.as_deref(),
        allowed_source_address_prefix: port.allowed_source_address_prefix.as_deref(),
        // An unknown list, or one with unknown elements, is checked at apply time.
        allowed_source_address_prefixes: port
            .allowed_source_address_prefixes
            .known()
            .and_then(|prefixes| prefixes.iter().map(|prefix| prefix.as_deref()).collect()),
        max_request_access_duration: port.max_request_access_duration.as_deref(),
    }
}

#[async_trait::async_trait]
impl Resource<ArmSettings> for JitPolicy {
    async fn modify_plan(
        &self,
        request: ModifyPlanRequest<ArmSettings>,
        response: &mut ModifyPlanResponse,
    ) {
        let Some(mut planned) = model::read::<PolicyModel>(
            &response.planned,
            "jit_policy plan",
            &mut response.diagnostics,
        ) else {
            return;
        };
        if let Attr::Known(vms) = &mut planned.virtual_machine {
            for vm in vms {
                vm.effective_port = effective_ports(&vm.port);
            }
        }
        // The id follows from the configuration; show it in the plan when it is known.
        if !planned.id.is_known()
            && request.prior.is_null()
            && let (Some(settings), Some(name), Some(group), Some(location)) = (
                &request.provider,
                planned.name.known(),
                planned.resource_group_name.known(),
                planned.location.known(),
            )
        {
            planned.id = Attr::Known(
                PolicyId {
                    subscription_id: settings.subscription_id.clone(),
                    resource_group: group.clone(),
                    location: location.clone(),
                    name: name.clone(),
                }
                .to_string(),
            );
        }
        response.write_planned(&planned);
    }

    async fn create(&self, _request: CreateRequest<ArmSettings>, response: &mut CreateResponse) {
        lifecycle_not_available(&mut response.diagnostics, TYPE_NAME, "Create");
    }

    async fn read(&self, _request: ReadRequest<ArmSettings>, _response: &mut ReadResponse) {}

    async fn update(&self, _request: UpdateRequest<ArmSettings>, response: &mut UpdateResponse) {
        lifecycle_not_available(&mut response.diagnostics, TYPE_NAME, "Update");
    }

    async fn delete(&self, _request: DeleteRequest<ArmSettings>, _response: &mut DeleteResponse) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_ports_means_azure_defaults() {
        let ports = effective_ports(&Attr::Null).into_known().unwrap();
        let numbers: Vec<i64> = ports.iter().map(|port| port.number).collect();
        assert_eq!(numbers, vec![22, 3389, 5985, 5986]);
        assert!(
            ports
                .iter()
                .all(|port| port.protocol == "*" && port.max_request_access_duration == "PT3H")
        );
        assert!(
            ports
                .iter()
                .all(|port| port.allowed_source_address_prefixes == vec!["*".to_owned()])
        );
    }

    #[test]
    fn effective_ports_fill_sources() {
        let port = PortModel {
            number: Attr::Known(22),
            protocol: Attr::Known("TCP".into()),
            allowed_source_address_prefix: Attr::Null,
            allowed_source_address_prefixes: Attr::Known(vec![Attr::Known("10.0.0.0/8".into())]),
            max_request_access_duration: Attr::Known("PT1H".into()),
        };
        let ports = effective_ports(&Attr::Known(vec![port.clone()]))
            .into_known()
            .unwrap();
        assert_eq!(
            ports[0].allowed_source_address_prefixes,
            vec!["10.0.0.0/8".to_owned()]
        );
        // An unknown value, even one source of several, leaves the effective ports unknown.
        let unknown_number = PortModel {
            number: Attr::Unknown,
            ..port.clone()
        };
        assert_eq!(
            effective_ports(&Attr::Known(vec![unknown_number])),
            Attr::Unknown
        );
        let unknown_source = PortModel {
            allowed_source_address_prefixes: Attr::Known(vec![Attr::Unknown]),
            ..port
        };
        assert_eq!(
            effective_ports(&Attr::Known(vec![unknown_source])),
            Attr::Unknown
        );
        assert_eq!(effective_ports(&Attr::Unknown), Attr::Unknown);
    }

    /// `(path, detail)` of each duplicate-port diagnostic for one VM with these ports, each
    /// given as (number, protocol); `Attr::Null` is an unset protocol.
    fn duplicates(ports: Vec<(Attr<i64>, Attr<String>)>) -> Vec<(String, String)> {
        let ports: Vec<PortModel> = ports
            .into_iter()
            .map(|(number, protocol)| PortModel {
                number,
                protocol,
                allowed_source_address_prefix: Attr::Null,
                allowed_source_address_prefixes: Attr::Null,
                max_request_access_duration: Attr::Null,
            })
            .collect();
        let mut diagnostics = Diagnostics::new();
        report_duplicate_ports(1, &ports, &mut diagnostics);
        diagnostics
            .iter()
            .map(|d| {
                assert_eq!(d.summary, "Duplicate port");
                (
                    d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                    d.detail.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn duplicate_ports_are_reported_at_the_repeating_number() {
        let port =
            |number: i64, protocol: &str| (Attr::Known(number), Attr::Known(protocol.to_owned()));
        assert_eq!(duplicates(vec![port(22, "TCP"), port(22, "UDP")]), vec![]);
        let found = duplicates(vec![port(22, "TCP"), port(3389, "TCP"), port(22, "TCP")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, ".virtual_machine[1].port[2].number");
        assert_eq!(
            found[0].1,
            "port 22 with protocol TCP is listed more than once: list each port and protocol \
             once: merge the two rules into one."
        );
        // An unset protocol is the default `*`, which overlaps TCP.
        let found = duplicates(vec![port(22, "TCP"), (Attr::Known(22), Attr::Null)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.starts_with("port 22 with protocol * overlaps"),
            "{found:?}"
        );
        // Unknown numbers and protocols are skipped.
        assert_eq!(
            duplicates(vec![
                port(22, "TCP"),
                (Attr::Unknown, Attr::Known("TCP".to_owned())),
                (Attr::Known(22), Attr::Unknown),
            ]),
            vec![]
        );
    }
}
