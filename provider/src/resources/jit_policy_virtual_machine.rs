//! `jit_policy_virtual_machine`: one VM's ports inside a JIT policy that others share.
//!
//! The portal's "enable JIT on this VM" adds the VM to its resource group's `default` policy
//! for the region; this resource does the same, so a VM module can enable JIT for its own VM
//! without owning the policy. It is **non-authoritative**: it reads the policy, changes only
//! its VM's entry, and writes the policy back. Within one provider process those
//! read-modify-writes are serialised per policy, so resources applied in parallel never lose
//! each other's VMs. The policy is created when its first VM arrives, and **deleted when its
//! last VM leaves** (a policy without VMs protects nothing, and Azure keeps no empty policy in
//! its portal views). Do not manage one policy both with `jit_policy` (which owns the whole
//! VM list and would remove the VMs added here) and with this resource.
//!
//! The id is `<policy id>|<virtual machine id>`, as azurerm writes association ids; import
//! takes the same.

use serde::{Deserialize, Serialize};

use jit_azure::models::{JitPolicy as ArmPolicy, JitPolicyProperties, JitVirtualMachine};
use jit_azure::{ArmError, Deadline};
use jit_core::{PolicyId, VmId, check_virtual_machine};
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

/// The `jit_policy_virtual_machine` resource type.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitPolicyVirtualMachine;

/// The name of this resource type.
pub const TYPE_NAME: &str = "jit_policy_virtual_machine";

/// The whole resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyVirtualMachineModel {
    /// `<policy id>|<vm id>`.
    pub id: Attr<String>,
    /// The VM's resource id.
    pub virtual_machine_id: Attr<String>,
    /// Region of the policy (the VM's).
    pub location: Attr<String>,
    /// The shared policy's name.
    pub policy_name: Attr<String>,
    /// The VM's resource group, which is the policy's.
    pub resource_group_name: Attr<String>,
    /// The shared policy's id.
    pub policy_id: Attr<String>,
    /// The Azure Firewall's public IP, if the VM sits behind one.
    pub public_ip_address: Attr<String>,
    /// The ports as configured.
    pub port: Attr<Vec<PortModel>>,
    /// The ports as they will be protected.
    pub effective_port: Attr<Vec<EffectivePortModel>>,
    /// Operation budgets.
    pub timeouts: Attr<TimeoutsModel>,
}

impl JitPolicyVirtualMachine {
    fn block() -> Block {
        Block::new("Enables just-in-time access on one virtual machine inside a JIT policy that other VMs may share (by default its resource group's `default` policy for the region, as the portal does). Other VMs of the policy are left as they are. Do not manage the same policy with `jit_policy` as well.")
            .attribute("id", Attribute::string("`<policy id>|<virtual machine id>`.").computed().plan(use_state_for_unknown()))
            .attribute(
                "virtual_machine_id",
                Attribute::string("The virtual machine's resource id. Its resource group is the policy's.")
                    .required()
                    .validate(validators::vm_id())
                    .plan(requires_replace()),
            )
            .attribute(
                "location",
                Attribute::string("The region of the VM and of the policy, e.g. `westeurope`.")
                    .required()
                    .validate(validators::location())
                    .plan(requires_replace()),
            )
            .attribute(
                "policy_name",
                Attribute::string("The policy to add the VM to. Defaults to `default`, the portal's policy. The policy name plus the VM name may not exceed 56 characters.")
                    .default_value(jit_core::limits::DEFAULT_POLICY_NAME)
                    .validate(validators::policy_name())
                    .plan(requires_replace()),
            )
            .attribute("resource_group_name", Attribute::string("The policy's resource group: the VM's.").computed().plan(use_state_for_unknown()))
            .attribute("policy_id", Attribute::string("The policy's resource id.").computed().plan(use_state_for_unknown()))
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
            .block("timeouts", timeouts::block())
    }
}

/// The VM and its policy's id from the configuration; `None` while a part is unknown or the
/// VM id is invalid (validation reports that).
fn ids(model: &PolicyVirtualMachineModel) -> Option<(VmId, PolicyId)> {
    let vm = VmId::parse(model.virtual_machine_id.known()?).ok()?;
    let policy = PolicyId {
        subscription_id: vm.subscription_id.clone(),
        resource_group: vm.resource_group.clone(),
        location: model.location.known()?.clone(),
        name: model.policy_name.known()?.clone(),
    };
    Some((vm, policy))
}

/// Parses `<policy id>|<vm id>`.
fn parse_id(text: &str) -> Result<(PolicyId, String), String> {
    let (policy, vm) = text.split_once('|').ok_or_else(|| {
        format!("{text:?} has no `|`: import with `<policy id>|<virtual machine id>`, e.g. `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01`")
    })?;
    let policy =
        PolicyId::parse(policy.trim()).map_err(|err| format!("the part before `|`: {err}"))?;
    VmId::parse(vm.trim()).map_err(|err| format!("the part after `|`: {err}"))?;
    Ok((policy, vm.trim().to_owned()))
}

fn composite_id(policy: &PolicyId, vm_id: &str) -> String {
    format!("{policy}|{vm_id}")
}

/// The state for the VM's entry in the policy Azure holds.
fn from_arm(
    vm: &JitVirtualMachine,
    policy: &PolicyId,
    prior: &PolicyVirtualMachineModel,
) -> PolicyVirtualMachineModel {
    let (port, effective_port) = ports::reconcile(&prior.port, &vm.ports);
    let vm_id = match &prior.virtual_machine_id {
        Attr::Known(id) if id.eq_ignore_ascii_case(&vm.id) => id.clone(),
        _ => vm.id.clone(),
    };
    PolicyVirtualMachineModel {
        id: Attr::Known(composite_id(policy, &vm_id)),
        virtual_machine_id: Attr::Known(vm_id),
        location: Attr::Known(
            prior
                .location
                .known()
                .cloned()
                .unwrap_or_else(|| policy.location.clone()),
        ),
        policy_name: Attr::Known(
            prior
                .policy_name
                .known()
                .cloned()
                .unwrap_or_else(|| policy.name.clone()),
        ),
        resource_group_name: Attr::Known(policy.resource_group.clone()),
        policy_id: Attr::Known(policy.to_string()),
        public_ip_address: if prior.public_ip_address.is_null() {
            Attr::Null
        } else {
            vm.public_ip_address.clone().map_or(Attr::Null, Attr::Known)
        },
        port: match port {
            Attr::Null => Attr::Known(Vec::new()),
            port => port,
        },
        effective_port,
        timeouts: prior.timeouts.clone(),
    }
}

/// Puts this VM's entry into the policy (creating the policy if it does not exist), under
/// the policy's lock; returns the state to store.
async fn upsert(
    arm: &Arm,
    planned: &PolicyVirtualMachineModel,
    deadline: &Deadline,
) -> Result<Option<PolicyVirtualMachineModel>, ArmError> {
    let (Some((_, policy_id)), Some(ports), Some(vm_id)) = (
        ids(planned),
        ports::to_arm(&planned.port),
        planned.virtual_machine_id.known(),
    ) else {
        return Ok(None);
    };
    arm.forget(&policy_id);
    let _guard = arm.lock(&policy_id).await;
    let entry = JitVirtualMachine {
        id: vm_id.clone(),
        ports,
        public_ip_address: planned.public_ip_address.known().cloned(),
    };
    let mut policy = arm
        .client
        .get_policy(&policy_id, deadline)
        .await?
        .unwrap_or_else(|| ArmPolicy {
            id: None,
            name: None,
            resource_type: None,
            kind: Some("Basic".to_owned()),
            location: Some(policy_id.location.clone()),
            properties: JitPolicyProperties {
                virtual_machines: Vec::new(),
                requests: Vec::new(),
                provisioning_state: None,
            },
        });
    let vms = &mut policy.properties.virtual_machines;
    match vms.iter_mut().find(|vm| vm.id.eq_ignore_ascii_case(vm_id)) {
        Some(existing) => *existing = entry.clone(),
        None => vms.push(entry.clone()),
    }
    let stored = arm.client.put_policy(&policy_id, &policy, deadline).await?;
    let held = stored
        .properties
        .virtual_machines
        .iter()
        .find(|vm| vm.id.eq_ignore_ascii_case(vm_id));
    // Should Azure not echo the VM, store what was sent: the next refresh shows the truth.
    Ok(Some(from_arm(held.unwrap_or(&entry), &policy_id, planned)))
}

/// Create and update alike: this VM's entry put into the policy within the operation's budget;
/// the state to store, or `None` with the failure reported.
async fn apply(
    planned: &Value,
    arm: &Arm,
    stop: StopToken,
    op: Operation,
    diagnostics: &mut Diagnostics,
) -> Option<PolicyVirtualMachineModel> {
    let planned = model::read::<PolicyVirtualMachineModel>(
        planned,
        "jit_policy_virtual_machine plan",
        diagnostics,
    )?;
    let (verb, verbing) = op.verbs();
    let what = operation(verb, &planned);
    let deadline = Deadline::after(
        TimeoutsModel::budget(&planned.timeouts, op),
        operation(verbing, &planned),
    );
    let result = until_stopped(stop, upsert(arm, &planned, &deadline)).await;
    finish_apply(result, &what, diagnostics)
}

fn operation(verb: &str, model: &PolicyVirtualMachineModel) -> String {
    format!(
        "{verb} {TYPE_NAME} for {}",
        model
            .virtual_machine_id
            .known()
            .map_or("(unknown VM)", String::as_str)
    )
}

#[async_trait::async_trait]
impl TypeDefinition for JitPolicyVirtualMachine {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(0, Self::block())
    }

    async fn validate_config(&self, request: ValidateConfigRequest, diagnostics: &mut Diagnostics) {
        let Some(config) = model::read::<PolicyVirtualMachineModel>(
            &request.config,
            "jit_policy_virtual_machine configuration",
            diagnostics,
        ) else {
            return;
        };
        ports::check_ports(
            &Path(Vec::new()),
            config.port.as_deref().unwrap_or_default(),
            diagnostics,
        );
        let name_configured = !config.policy_name.is_null();
        let policy_name = if name_configured {
            config.policy_name.as_deref()
        } else {
            Some(jit_core::limits::DEFAULT_POLICY_NAME)
        };
        for finding in check_virtual_machine(policy_name, config.virtual_machine_id.as_deref()) {
            if finding.field == jit_core::Field::PolicyName {
                diagnostics.attribute_error(
                    Path::attr_root(if name_configured {
                        "policy_name"
                    } else {
                        "virtual_machine_id"
                    }),
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

#[async_trait::async_trait]
impl Resource<Arm> for JitPolicyVirtualMachine {
    async fn modify_plan(
        &self,
        _request: ModifyPlanRequest<Arm>,
        response: &mut ModifyPlanResponse,
    ) {
        let Some(mut planned) = model::read::<PolicyVirtualMachineModel>(
            &response.planned,
            "jit_policy_virtual_machine plan",
            &mut response.diagnostics,
        ) else {
            return;
        };
        planned.effective_port = effective_ports(&planned.port);
        if let Some((vm, policy)) = ids(&planned) {
            planned.resource_group_name = Attr::Known(vm.resource_group.clone());
            planned.policy_id = Attr::Known(policy.to_string());
            if let Some(vm_id) = planned.virtual_machine_id.known() {
                planned.id = Attr::Known(composite_id(&policy, vm_id));
            }
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
        let Some(prior) = model::read::<PolicyVirtualMachineModel>(
            &request.state,
            "jit_policy_virtual_machine state",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let Some((policy_id, vm_id)) =
            prior
                .id
                .known()
                .and_then(|id| parse_id(id).ok())
                .or_else(|| {
                    ids(&prior).and_then(|(_, policy)| {
                        Some((policy, prior.virtual_machine_id.known()?.clone()))
                    })
                })
        else {
            return;
        };
        let deadline = Deadline::after(
            TimeoutsModel::budget(&prior.timeouts, Operation::Read),
            operation("reading", &prior),
        );
        match until_stopped(
            request.stop,
            request.provider.read_policy(&policy_id, &deadline),
        )
        .await
        {
            Ok(policy) => {
                let held = policy.as_ref().and_then(|policy| {
                    policy
                        .properties
                        .virtual_machines
                        .iter()
                        .find(|vm| vm.id.eq_ignore_ascii_case(&vm_id))
                });
                match held {
                    Some(held) => {
                        let mut prior = prior;
                        if prior.location.is_null() {
                            prior.location = Attr::Known(policy_id.location.clone());
                        }
                        if prior.policy_name.is_null() {
                            prior.policy_name = Attr::Known(policy_id.name.clone());
                        }
                        response.write_state(&from_arm(held, &policy_id, &prior));
                    }
                    // The VM (or its policy) left outside Terraform: plan adds it again.
                    None => response.state = Value::Null,
                }
            }
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
        let Some(prior) = model::read::<PolicyVirtualMachineModel>(
            &request.prior,
            "jit_policy_virtual_machine state",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let Some((policy_id, vm_id)) = prior.id.known().and_then(|id| parse_id(id).ok()) else {
            return;
        };
        let arm = &request.provider;
        let deadline = Deadline::after(
            TimeoutsModel::budget(&prior.timeouts, Operation::Delete),
            operation("removing", &prior),
        );
        arm.forget(&policy_id);
        let work = async {
            let _guard = arm.lock(&policy_id).await;
            let Some(mut policy) = arm.client.get_policy(&policy_id, &deadline).await? else {
                return Ok(());
            };
            let vms = &mut policy.properties.virtual_machines;
            let before = vms.len();
            vms.retain(|vm| !vm.id.eq_ignore_ascii_case(&vm_id));
            if vms.len() == before {
                return Ok(());
            }
            if vms.is_empty() {
                arm.client.delete_policy(&policy_id, &deadline).await?;
            } else {
                arm.client
                    .put_policy(&policy_id, &policy, &deadline)
                    .await?;
            }
            Ok(())
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
        let (policy_id, vm_id) = match parse_id(request.id.trim()) {
            Ok(parts) => parts,
            Err(reason) => {
                response.diagnostics.error("Invalid import id", reason);
                return;
            }
        };
        let state = PolicyVirtualMachineModel {
            id: Attr::Known(composite_id(&policy_id, &vm_id)),
            virtual_machine_id: Attr::Known(vm_id),
            location: Attr::Known(policy_id.location.clone()),
            policy_name: Attr::Known(policy_id.name.clone()),
            resource_group_name: Attr::Known(policy_id.resource_group.clone()),
            policy_id: Attr::Known(policy_id.to_string()),
            public_ip_address: Attr::Null,
            port: Attr::Null,
            effective_port: Attr::Null,
            timeouts: Attr::Null,
        };
        response.write_state(&state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_name_what_is_wrong() {
        let policy = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default";
        let vm = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web";
        let (parsed, vm_id) = parse_id(&format!("{policy}|{vm}")).unwrap();
        assert_eq!(parsed.name, "default");
        assert_eq!(vm_id, vm);
        assert!(parse_id(policy).unwrap_err().contains("has no `|`"));
        assert!(
            parse_id(&format!("{vm}|{vm}"))
                .unwrap_err()
                .starts_with("the part before `|`")
        );
        assert!(
            parse_id(&format!("{policy}|/x"))
                .unwrap_err()
                .starts_with("the part after `|`")
        );
    }
}
