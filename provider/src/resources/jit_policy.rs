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

use jit_azure::models::{JitPolicy as ArmPolicy, JitPolicyProperties, JitVirtualMachine};
use jit_azure::{ArmError, Deadline};
use jit_core::{Field, PolicyId, check_virtual_machine};
use tfplugin::cty::Value;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::plan_modifier::{requires_replace, use_state_for_unknown};
use tfplugin::framework::resource::*;
use tfplugin::framework::{
    Attribute, Block, Diagnostics, NestedBlock, Path, Resource, Schema, TypeDefinition,
    ValidateConfigRequest,
};

use super::ports::{
    self, EffectivePortModel, PortModel, effective_port_type, effective_ports, port_block,
};
use super::{finish_apply, until_stopped};
use crate::arm::Arm;
use crate::timeouts::{self, Operation, TimeoutsModel};
use crate::validators;
use tfplugin::framework::stop::StopToken;

/// The `jit_policy` resource type.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitPolicy;

/// The name of this resource type.
pub const TYPE_NAME: &str = "jit_policy";

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
    /// Operation budgets.
    pub timeouts: Attr<TimeoutsModel>,
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
            .attribute("provisioning_state", Attribute::string("The provisioning state Azure reports.").computed().plan(use_state_for_unknown()))
            .block("virtual_machine", NestedBlock::list(virtual_machine_block()).min_items(1))
            .block("timeouts", timeouts::block())
    }
}

/// Where the name-length finding points: the name when it is configured, else the VM id.
fn name_length_path(vm_index: usize, name_configured: bool) -> Path {
    if name_configured {
        Path::attr_root("name")
    } else {
        Path::attr_root("virtual_machine")
            .index(vm_index)
            .attr("id")
    }
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
            ports::check_ports(
                &Path::attr_root("virtual_machine").index(vm_index),
                ports,
                diagnostics,
            );
            for finding in check_virtual_machine(policy_name, vm.id.as_deref()) {
                if finding.field == Field::PolicyName {
                    diagnostics.attribute_error(
                        name_length_path(vm_index, name_configured),
                        "Policy name and VM name too long",
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

/// The policy's id from its configuration; `None` while a part is unknown.
fn policy_id(model: &PolicyModel, subscription_id: &str) -> Option<PolicyId> {
    Some(PolicyId {
        subscription_id: subscription_id.to_owned(),
        resource_group: model.resource_group_name.known()?.clone(),
        location: model.location.known()?.clone(),
        name: model.name.known()?.clone(),
    })
}

/// The policy to PUT for a planned model: every VM with its ports, nothing else.
fn to_arm(planned: &PolicyModel) -> Option<ArmPolicy> {
    let virtual_machines = planned
        .virtual_machine
        .known()?
        .iter()
        .map(|vm| {
            Some(JitVirtualMachine {
                id: vm.id.known()?.clone(),
                ports: ports::to_arm(&vm.port)?,
                public_ip_address: vm.public_ip_address.known().cloned(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(ArmPolicy {
        id: None,
        name: None,
        resource_type: None,
        kind: Some("Basic".to_owned()),
        location: planned.location.known().cloned(),
        properties: JitPolicyProperties {
            virtual_machines,
            requests: Vec::new(),
            provisioning_state: None,
        },
    })
}

/// The state for the policy Azure holds, keeping the prior state's spelling wherever it
/// means the same (see [`ports::reconcile`]): VMs in the prior order, matched by id ignoring
/// case; new ones after them; ones Azure no longer has dropped (drift).
fn from_arm(arm: &ArmPolicy, id: &PolicyId, prior: &PolicyModel) -> PolicyModel {
    let keep = |prior: &Attr<String>, held: &str, same: fn(&str, &str) -> bool| match prior {
        Attr::Known(value) if same(value, held) => prior.clone(),
        _ => Attr::Known(held.to_owned()),
    };
    let prior_vms = prior.virtual_machine.as_deref().unwrap_or_default();
    let mut held: Vec<&JitVirtualMachine> = arm.properties.virtual_machines.iter().collect();
    let mut vms = Vec::new();
    for prior_vm in prior_vms {
        let Some(position) = held.iter().position(|vm| {
            prior_vm
                .id
                .known()
                .is_some_and(|id| id.eq_ignore_ascii_case(&vm.id))
        }) else {
            continue;
        };
        let vm = held.remove(position);
        vms.push(vm_from_arm(vm, Some(prior_vm)));
    }
    vms.extend(held.into_iter().map(|vm| vm_from_arm(vm, None)));
    let location = arm.location.as_deref().unwrap_or(&id.location);
    PolicyModel {
        id: keep(&prior.id, &id.to_string(), str::eq_ignore_ascii_case),
        name: keep(
            &prior.name,
            arm.name.as_deref().unwrap_or(&id.name),
            str::eq_ignore_ascii_case,
        ),
        resource_group_name: keep(
            &prior.resource_group_name,
            &id.resource_group,
            str::eq_ignore_ascii_case,
        ),
        location: keep(&prior.location, location, jit_core::same_location),
        provisioning_state: arm
            .properties
            .provisioning_state
            .clone()
            .map_or(Attr::Null, Attr::Known),
        virtual_machine: Attr::Known(vms),
        timeouts: prior.timeouts.clone(),
    }
}

fn vm_from_arm(vm: &JitVirtualMachine, prior: Option<&VirtualMachineModel>) -> VirtualMachineModel {
    let prior_ports = prior.map_or(Attr::Null, |prior| prior.port.clone());
    let (port, effective_port) = ports::reconcile(&prior_ports, &vm.ports);
    VirtualMachineModel {
        id: match prior {
            Some(prior) if prior.id.is_known() => prior.id.clone(),
            _ => Attr::Known(vm.id.clone()),
        },
        // Set by the user or not at all: Azure's value shows only where one was configured.
        public_ip_address: match prior {
            Some(prior) if prior.public_ip_address.is_null() => Attr::Null,
            _ => vm.public_ip_address.clone().map_or(Attr::Null, Attr::Known),
        },
        port: if prior.is_none() && port.as_deref().is_some_and(<[PortModel]>::is_empty) {
            Attr::Null
        } else {
            port
        },
        effective_port,
    }
}

/// Shown when an import id is not a JIT policy id.
fn import_help(id: &str, error: &jit_core::RuleError) -> String {
    format!(
        "{error}. Import a jit_policy by its resource id, {}, e.g. `terraform import jit_policy.web /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default` (given: {id:?}).",
        jit_core::policy_id::SHAPE
    )
}

/// Creates or replaces the policy with one PUT and returns the state to store.
async fn put(
    arm: &Arm,
    planned: &PolicyModel,
    deadline: &Deadline,
) -> Result<Option<PolicyModel>, ArmError> {
    let (Some(id), Some(body)) = (
        policy_id(planned, &arm.settings.subscription_id),
        to_arm(planned),
    ) else {
        return Ok(None);
    };
    arm.forget(&id);
    let _guard = arm.lock(&id).await;
    let stored = arm.client.put_policy(&id, &body, deadline).await?;
    Ok(Some(from_arm(&stored, &id, planned)))
}

/// Create and update alike: one PUT of the planned policy within the operation's budget; the
/// state to store, or `None` with the failure reported.
async fn apply(
    planned: &Value,
    arm: &Arm,
    stop: StopToken,
    op: Operation,
    diagnostics: &mut Diagnostics,
) -> Option<PolicyModel> {
    let planned = model::read::<PolicyModel>(planned, "jit_policy plan", diagnostics)?;
    let (verb, verbing) = op.verbs();
    let what = operation(verb, &planned);
    let deadline = Deadline::after(
        TimeoutsModel::budget(&planned.timeouts, op),
        operation(verbing, &planned),
    );
    let result = until_stopped(stop, put(arm, &planned, &deadline)).await;
    finish_apply(result, &what, diagnostics)
}

fn operation(verb: &str, model: &PolicyModel) -> String {
    format!(
        "{verb} {TYPE_NAME} {:?}",
        model.name.known().map_or("(unknown)", String::as_str)
    )
}

#[async_trait::async_trait]
impl Resource<Arm> for JitPolicy {
    async fn modify_plan(
        &self,
        request: ModifyPlanRequest<Arm>,
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
            && let Some(arm) = &request.provider
            && let Some(id) = policy_id(&planned, &arm.settings.subscription_id)
        {
            planned.id = Attr::Known(id.to_string());
        }
        response.write_planned(&planned);
    }

    async fn create(&self, request: CreateRequest<Arm>, response: &mut CreateResponse) {
        let (planned, provider, stop) = (request.planned, request.provider, request.stop);
        if let Some(state) = apply(
            &planned,
            &provider,
            stop,
            Operation::Create,
            &mut response.diagnostics,
        )
        .await
        {
            response.write_state(&state);
        }
    }

    async fn read(&self, request: ReadRequest<Arm>, response: &mut ReadResponse) {
        let Some(prior) = model::read::<PolicyModel>(
            &request.state,
            "jit_policy state",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let id = match prior.id.known().map(|id| PolicyId::parse(id)) {
            Some(Ok(id)) => id,
            _ => match policy_id(&prior, &request.provider.settings.subscription_id) {
                Some(id) => id,
                None => return,
            },
        };
        let deadline = Deadline::after(
            TimeoutsModel::budget(&prior.timeouts, Operation::Read),
            operation("reading", &prior),
        );
        match until_stopped(request.stop, request.provider.read_policy(&id, &deadline)).await {
            Ok(Some(held)) => {
                response.write_state(&from_arm(&held, &id, &prior));
            }
            // Deleted outside Terraform: it leaves the state, and the next plan creates it.
            Ok(None) => response.state = Value::Null,
            Err(failure) => failure.report(&operation("read", &prior), &mut response.diagnostics),
        }
    }

    async fn update(&self, request: UpdateRequest<Arm>, response: &mut UpdateResponse) {
        let (planned, provider, stop) = (request.planned, request.provider, request.stop);
        if let Some(state) = apply(
            &planned,
            &provider,
            stop,
            Operation::Update,
            &mut response.diagnostics,
        )
        .await
        {
            response.write_state(&state);
        }
    }

    async fn delete(&self, request: DeleteRequest<Arm>, response: &mut DeleteResponse) {
        let Some(prior) = model::read::<PolicyModel>(
            &request.prior,
            "jit_policy state",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let Some(id) = policy_id(&prior, &request.provider.settings.subscription_id) else {
            return;
        };
        let arm = &request.provider;
        let deadline = Deadline::after(
            TimeoutsModel::budget(&prior.timeouts, Operation::Delete),
            operation("deleting", &prior),
        );
        arm.forget(&id);
        let work = async {
            let _guard = arm.lock(&id).await;
            arm.client.delete_policy(&id, &deadline).await
        };
        if let Err(failure) = until_stopped(request.stop, work).await {
            failure.report(&operation("delete", &prior), &mut response.diagnostics);
        }
    }

    async fn import_state(
        &self,
        request: ImportStateRequest<Arm>,
        response: &mut ImportStateResponse,
    ) {
        let id = match PolicyId::parse(request.id.trim()) {
            Ok(id) => id,
            Err(error) => {
                response
                    .diagnostics
                    .error("Invalid import id", import_help(&request.id, &error));
                return;
            }
        };
        if !id
            .subscription_id
            .eq_ignore_ascii_case(&request.provider.settings.subscription_id)
        {
            response.diagnostics.error(
                "Import id in another subscription",
                format!(
                    "{:?} is in subscription {}, but the provider is configured for {}: configure the provider (or an aliased one) for that subscription.",
                    request.id, id.subscription_id, request.provider.settings.subscription_id
                ),
            );
            return;
        }
        let state = PolicyModel {
            id: Attr::Known(id.to_string()),
            name: Attr::Known(id.name.clone()),
            resource_group_name: Attr::Known(id.resource_group.clone()),
            location: Attr::Known(id.location.clone()),
            provisioning_state: Attr::Null,
            virtual_machine: Attr::Null,
            timeouts: Attr::Null,
        };
        response.write_state(&state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jit_azure::models::JitPortRule;

    fn vm(id: &str) -> VirtualMachineModel {
        VirtualMachineModel {
            id: Attr::Known(id.to_owned()),
            public_ip_address: Attr::Null,
            port: Attr::Known(Vec::new()),
            effective_port: Attr::Unknown,
        }
    }

    fn held(id: &str) -> JitVirtualMachine {
        JitVirtualMachine {
            id: id.to_owned(),
            ports: ports::to_arm(&Attr::Null).expect("defaults"),
            public_ip_address: Some("198.51.100.9".to_owned()),
        }
    }

    fn policy_id() -> PolicyId {
        PolicyId::parse("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default").expect("an id")
    }

    #[test]
    fn state_keeps_the_configured_order_and_spelling_and_shows_what_azure_changed() {
        let prior = PolicyModel {
            id: Attr::Unknown,
            name: Attr::Known("default".into()),
            resource_group_name: Attr::Known("RG-Prod".into()),
            location: Attr::Known("westeurope".into()),
            provisioning_state: Attr::Unknown,
            virtual_machine: Attr::Known(vec![vm("/x/VM-A"), vm("/x/vm-b"), vm("/x/vm-gone")]),
            timeouts: Attr::Null,
        };
        let arm = ArmPolicy {
            id: None,
            name: Some("default".into()),
            resource_type: None,
            kind: Some("Basic".into()),
            location: Some("West Europe".into()),
            properties: JitPolicyProperties {
                virtual_machines: vec![held("/x/vm-new"), held("/x/vm-b"), held("/x/vm-a")],
                requests: Vec::new(),
                provisioning_state: Some("Succeeded".into()),
            },
        };
        let state = from_arm(&arm, &policy_id(), &prior);
        let ids: Vec<String> = state
            .virtual_machine
            .known()
            .expect("VMs")
            .iter()
            .map(|vm| vm.id.known().cloned().unwrap_or_default())
            .collect();
        assert_eq!(ids, ["/x/VM-A", "/x/vm-b", "/x/vm-new"]);
        assert_eq!(state.resource_group_name, Attr::Known("RG-Prod".into()));
        assert_eq!(state.location, Attr::Known("westeurope".into()));
        let vms = state.virtual_machine.known().expect("VMs");
        // Not configured: Azure's firewall address does not become a diff.
        assert_eq!(vms[0].public_ip_address, Attr::Null);
        // A VM Terraform did not know shows with Azure's ports, so the plan can remove it.
        assert_eq!(vms[2].public_ip_address, Attr::Known("198.51.100.9".into()));
        assert!(
            vms[2]
                .effective_port
                .known()
                .is_some_and(|ports| ports.len() == 4)
        );
    }

    #[test]
    fn the_put_body_sends_each_source_list_as_configured() {
        let port = |prefix: Attr<String>, prefixes: Attr<Vec<Attr<String>>>| PortModel {
            number: Attr::Known(22),
            protocol: Attr::Known("TCP".into()),
            allowed_source_address_prefix: prefix,
            allowed_source_address_prefixes: prefixes,
            max_request_access_duration: Attr::Known("PT1H".into()),
        };
        let planned = PolicyModel {
            id: Attr::Unknown,
            name: Attr::Known("default".into()),
            resource_group_name: Attr::Known("rg".into()),
            location: Attr::Known("westeurope".into()),
            provisioning_state: Attr::Unknown,
            virtual_machine: Attr::Known(vec![VirtualMachineModel {
                port: Attr::Known(vec![
                    port(Attr::Known("10.0.0.1".into()), Attr::Null),
                    port(
                        Attr::Null,
                        Attr::Known(vec![Attr::Known("10.0.0.0/8".into())]),
                    ),
                ]),
                ..vm("/x/vm")
            }]),
            timeouts: Attr::Null,
        };
        let body = to_arm(&planned).expect("known");
        let ports: &[JitPortRule] = &body.properties.virtual_machines[0].ports;
        assert_eq!(
            ports[0].allowed_source_address_prefix.as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(
            ports[1].allowed_source_address_prefixes,
            Some(vec!["10.0.0.0/8".to_owned()])
        );
        assert_eq!(body.kind.as_deref(), Some("Basic"));
        let unknown = PolicyModel {
            virtual_machine: Attr::Unknown,
            ..planned
        };
        assert!(
            to_arm(&unknown).is_none(),
            "nothing is sent while a value is unknown"
        );
    }
}
