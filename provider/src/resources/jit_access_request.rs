//! `jit_access_request`: a request to open a JIT policy's ports for a while.
//!
//! Creating it initiates the request (`POST .../jitNetworkAccessPolicies/{name}/initiate`);
//! Azure keeps it in the policy's request history, which is the audit trail. A request cannot
//! be changed or withdrawn through the API, so every attribute that shapes the request forces a
//! new one, and destroying it only forgets it: access ends at `end_time_utc`, or when a newer
//! request for the same port revokes it.
//!
//! **Checked before any call.** At plan time, when the policy exists, each port is checked
//! against it with `jit_core::check_access` (a port the policy configures, no longer than its
//! maximum, from an allowed source), with the diagnostic on the offending attribute. The
//! policy comes from the list its refresh already read, so the check costs no call when the
//! policy is in the same configuration.
//!
//! **Expiry is quiet.** Refresh reads the request back from the history and reports each
//! port's status. When access ends, the refresh that first sees it says so once (a warning);
//! the request then stays in state as a record and later plans show no change. With
//! `renew = true` an ended request is instead planned for replacement: the next apply asks
//! again.

use serde::{Deserialize, Serialize};

use jit_azure::models::{
    JitInitiatePort, JitInitiateRequest, JitInitiateVirtualMachine, JitPolicy, JitRequest,
};
use jit_azure::{ArmError, Deadline};
use jit_core::{IsoDuration, PolicyId, PortNumber, RuleError, SourcePrefix};
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::plan_modifier::{requires_replace, use_state_for_unknown};
use tfplugin::framework::resource::*;
use tfplugin::framework::{
    Attribute, Block, Diagnostics, NestedBlock, Path, Resource, Schema, TypeDefinition,
    ValidateConfigRequest,
};

use super::{finish_apply, until_stopped};
use crate::access::{self, Asked, PortProblem};
use crate::arm::Arm;
use crate::timeouts::{self, Operation, TimeoutsModel};
use crate::validators;

/// The `jit_access_request` resource type.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitAccessRequest;

/// The name of this resource type.
pub const TYPE_NAME: &str = "jit_access_request";

/// The whole resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestModel {
    /// `{policy id}|{start time}`.
    pub id: Attr<String>,
    /// The policy the request goes through.
    pub policy_id: Attr<String>,
    /// Why, for the audit trail.
    pub justification: Attr<String>,
    /// Ask again once access has ended.
    pub renew: Attr<bool>,
    /// When Azure recorded the request.
    pub start_time_utc: Attr<String>,
    /// Who asked, as Azure recorded it.
    pub requestor: Attr<String>,
    /// The VMs.
    pub virtual_machine: Attr<Vec<RequestVmModel>>,
    /// Operation budgets.
    pub timeouts: Attr<TimeoutsModel>,
}

/// A `virtual_machine` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestVmModel {
    /// The VM's resource id.
    pub id: Attr<String>,
    /// Its ports.
    pub port: Attr<Vec<RequestPortModel>>,
}

/// A `port` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestPortModel {
    /// The port.
    pub number: Attr<i64>,
    /// The source to open it to; the caller's address, as Azure recorded it, when not set.
    pub allowed_source_address_prefix: Attr<String>,
    /// How long.
    pub duration: Attr<String>,
    /// Until when.
    pub end_time_utc: Attr<String>,
    /// `Initiated` or `Revoked`.
    pub status: Attr<String>,
    /// Why.
    pub status_reason: Attr<String>,
    /// The Azure Firewall's port mapped to this one.
    pub mapped_port: Attr<i64>,
}

/// A computed value that never changes once recorded.
fn recorded(attribute: Attribute) -> Attribute {
    attribute.computed().plan(use_state_for_unknown())
}

fn port_block() -> Block {
    Block::new("A port to open. It must be a port of the policy for that VM.")
        .attribute(
            "number",
            Attribute::number("The port number.").required().validate(validators::port_number()).plan(requires_replace()),
        )
        .attribute(
            "allowed_source_address_prefix",
            Attribute::string("The address (or CIDR block) to open the port to; it must be within the policy's allowed sources. When not set, Azure opens the port to the address the request comes from, and that address is recorded here.")
                .optional()
                .computed()
                .validate(validators::source_prefix())
                .plan(use_state_for_unknown())
                .plan(requires_replace()),
        )
        .attribute(
            "duration",
            Attribute::string("How long to open the port, as an ISO 8601 duration (e.g. `PT1H`), at most the policy's `max_request_access_duration`. Conflicts with `end_time_utc`.")
                .optional()
                .validate(validators::access_duration())
                .plan(requires_replace()),
        )
        .attribute(
            "end_time_utc",
            Attribute::string("When to close the port again (RFC 3339, UTC). Computed from `duration` when that is set instead.")
                .optional()
                .computed()
                .validate(validators::rfc3339())
                .plan(use_state_for_unknown())
                .plan(requires_replace()),
        )
        .attribute("status", recorded(Attribute::string("`Initiated` while access is open, `Revoked` once it ended, as of the last refresh.")))
        .attribute("status_reason", recorded(Attribute::string("Why the status is what it is: `UserRequested`, `Expired` or `NewerRequestInitiated`.")))
        .attribute("mapped_port", recorded(Attribute::number("The Azure Firewall's port that leads to this one, when the VM sits behind a firewall (connect to the policy VM's `public_ip_address` on it).")))
}

fn virtual_machine_block() -> Block {
    Block::new("A virtual machine to open ports on.")
        .attribute(
            "id",
            Attribute::string("The virtual machine's resource id.")
                .required()
                .validate(validators::vm_id())
                .plan(requires_replace()),
        )
        .block("port", NestedBlock::list(port_block()).min_items(1))
}

impl JitAccessRequest {
    fn block() -> Block {
        Block::new("Requests just-in-time access to virtual machines protected by a `jit_policy`. Every request is kept by Azure in the policy's history for audit. Azure cannot withdraw a request: destroying this resource only removes it from state, and access ends at `end_time_utc`.")
            .attribute("id", recorded(Attribute::string("An id for this request: the policy id and the request's start time, `{policy_id}|{start_time_utc}`.")))
            .attribute(
                "policy_id",
                Attribute::string("The id of the JIT policy, e.g. `jit_policy.web.id`.")
                    .required()
                    .validate(validators::policy_id())
                    .plan(requires_replace()),
            )
            .attribute(
                "justification",
                Attribute::string("Why access is needed, e.g. a ticket number; kept in the audit history.").optional().plan(requires_replace()),
            )
            .attribute(
                "renew",
                Attribute::bool("When `true`, a request whose access has ended (expired, or revoked by a newer request) is planned for replacement, so the next apply asks again. When `false` (the default), an ended request stays in state as a record and plans show no change. Needs `duration`, not `end_time_utc`, on every port.")
                    .default_value(false),
            )
            .attribute("start_time_utc", recorded(Attribute::string("When the request was made.")))
            .attribute("requestor", recorded(Attribute::string("Who made the request, as Azure recorded it.")))
            .block("virtual_machine", NestedBlock::list(virtual_machine_block()).min_items(1))
            .block("timeouts", timeouts::block())
    }
}

#[async_trait::async_trait]
impl TypeDefinition for JitAccessRequest {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(0, Self::block())
    }

    async fn validate_config(&self, request: ValidateConfigRequest, diagnostics: &mut Diagnostics) {
        let Some(config) = model::read::<RequestModel>(
            &request.config,
            "jit_access_request configuration",
            diagnostics,
        ) else {
            return;
        };
        let renews = config.renew.known() == Some(&true);
        let vms = config.virtual_machine.as_deref().unwrap_or_default();
        for (vm_index, vm) in vms.iter().enumerate() {
            let ports = vm.port.as_deref().unwrap_or_default();
            let vm_path = Path::attr_root("virtual_machine").index(vm_index);
            let mut seen: Vec<i64> = Vec::new();
            for (port_index, port) in ports.iter().enumerate() {
                let path = vm_path.attr("port").index(port_index);
                if let Some(&number) = port.number.known() {
                    if seen.contains(&number) {
                        let error = RuleError::DuplicateRequestPort {
                            number: u16::try_from(number).unwrap_or_default(),
                        };
                        diagnostics.attribute_error(
                            path.attr("number"),
                            "Duplicate port",
                            format!("{error}: {}.", error.help().trim_end_matches('.')),
                        );
                    }
                    seen.push(number);
                }
                // Unknown values may turn out null or not; decide once they are known.
                if port.duration.is_unknown() || port.end_time_utc.is_unknown() {
                    continue;
                }
                match (port.duration.is_null(), port.end_time_utc.is_null()) {
                    (false, false) => diagnostics.attribute_error(
                        path.attr("end_time_utc"),
                        "Conflicting duration and end time",
                        "Set either `duration` or `end_time_utc` for a port, not both.",
                    ),
                    (true, true) => diagnostics.attribute_error(
                        path,
                        "Missing duration",
                        "Say how long to open the port: set `duration` (e.g. \"PT1H\") or `end_time_utc`.",
                    ),
                    (true, false) if renews => diagnostics.attribute_error(
                        path.attr("end_time_utc"),
                        "A fixed end time cannot be renewed",
                        "`renew = true` asks again once access has ended, which a fixed `end_time_utc` (by then past) cannot: use `duration` instead.",
                    ),
                    _ => {}
                }
            }
        }
    }
}

/// How long a port is asked for, if known: `None` while a value is unknown or invalid (the
/// attribute validators report invalid ones).
fn asked(port: &RequestPortModel) -> Option<Asked> {
    match (&port.duration, &port.end_time_utc) {
        (Attr::Known(duration), _) => IsoDuration::parse(duration).ok().map(Asked::For),
        (Attr::Null, Attr::Known(end)) => access::parse(end).map(Asked::Until),
        _ => None,
    }
}

/// Checks a planned request against its policy, if the policy exists; every problem goes on
/// the attribute that causes it. The policy comes from the scope's list (see [`Arm`]).
async fn check_against_policy(planned: &RequestModel, arm: &Arm, diagnostics: &mut Diagnostics) {
    let Some(Ok(policy_id)) = planned.policy_id.known().map(|id| PolicyId::parse(id)) else {
        return;
    };
    let deadline = Deadline::after(
        TimeoutsModel::budget(&planned.timeouts, Operation::Read),
        format!(
            "reading the JIT policy {:?} to check {TYPE_NAME}",
            policy_id.name
        ),
    );
    let policy = match arm.read_policy(&policy_id, &deadline).await {
        Ok(Some(policy)) => policy,
        // Not there yet (created by this apply): Azure checks the request when it is made.
        Ok(None) => return,
        // Not checked, not refused: Azure checks the request when it is made, and a plan
        // that cannot reach Azure (e.g. `-refresh=false` offline) still plans.
        Err(error) => {
            diagnostics.warning(
                "Request not checked against its JIT policy",
                format!("The policy could not be read to check this request at plan time: {error}. Azure checks it when the request is made."),
            );
            return;
        }
    };
    check_ports(planned, &policy, access::now(), diagnostics);
}

/// The plan-time check proper, on a policy already read.
fn check_ports(
    planned: &RequestModel,
    policy: &JitPolicy,
    now: time::OffsetDateTime,
    diagnostics: &mut Diagnostics,
) {
    let policy_name = policy.name.as_deref().unwrap_or("the policy");
    let vms = planned.virtual_machine.as_deref().unwrap_or_default();
    for (vm_index, vm) in vms.iter().enumerate() {
        let vm_path = Path::attr_root("virtual_machine").index(vm_index);
        let Some(vm_id) = vm.id.known() else { continue };
        let Some(held) = policy.virtual_machine(vm_id) else {
            diagnostics.attribute_error(
                vm_path.attr("id"),
                "Virtual machine not in the JIT policy",
                format!("{vm_id:?} is not protected by the JIT policy {policy_name:?}: add it to that policy (jit_policy or jit_policy_virtual_machine), or request access through the policy that protects it."),
            );
            continue;
        };
        let rules = access::rules_of(held);
        let configured = rules
            .iter()
            .map(|rule| rule.number.get().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        for (port_index, port) in vm.port.as_deref().unwrap_or_default().iter().enumerate() {
            let port_path = vm_path.attr("port").index(port_index);
            let Some(number) = port.number.known().and_then(|n| PortNumber::new(*n).ok()) else {
                continue;
            };
            let source = port
                .allowed_source_address_prefix
                .known()
                .and_then(|text| text.parse::<SourcePrefix>().ok());
            let duration_attribute = if port.duration.is_null() {
                "end_time_utc"
            } else {
                "duration"
            };
            for problem in access::check_port(&rules, number, source.as_ref(), asked(port), now) {
                let (attribute, summary, detail) = match problem {
                    PortProblem::EndInPast { end } => (
                        "end_time_utc",
                        "End time in the past",
                        format!(
                            "{} is not after now ({}): give a later `end_time_utc`, or a `duration`.",
                            access::format(end),
                            access::format(now)
                        ),
                    ),
                    PortProblem::Rule(error) => {
                        let (attribute, summary) = match error {
                            RuleError::PortNotInPolicy { .. } => {
                                ("number", "Port not in the JIT policy")
                            }
                            RuleError::SourceNotAllowed { .. } => (
                                "allowed_source_address_prefix",
                                "Source not allowed by the JIT policy",
                            ),
                            RuleError::RequestTooLong { .. } => (
                                duration_attribute,
                                "Request longer than the JIT policy allows",
                            ),
                            _ => ("number", "Request not allowed by the JIT policy"),
                        };
                        let context = match error {
                            RuleError::PortNotInPolicy { .. } => format!(
                                " (the policy {policy_name:?} configures {configured} for this VM)"
                            ),
                            _ => format!(" (policy {policy_name:?})"),
                        };
                        (
                            attribute,
                            summary,
                            format!("{error}{context}: {}.", error.help().trim_end_matches('.')),
                        )
                    }
                };
                diagnostics.attribute_error(port_path.attr(attribute), summary, detail);
            }
        }
    }
}

/// Whether every port's access has ended, as of the state: closed by Azure, or past its end.
fn has_ended(state: &RequestModel, now: time::OffsetDateTime) -> bool {
    let ports: Vec<&RequestPortModel> = state
        .virtual_machine
        .as_deref()
        .unwrap_or_default()
        .iter()
        .flat_map(|vm| vm.port.as_deref().unwrap_or_default())
        .collect();
    !ports.is_empty()
        && ports.iter().all(|port| {
            !access::is_open(port.status.known().map(String::as_str))
                || port
                    .end_time_utc
                    .known()
                    .and_then(|end| access::parse(end))
                    .is_some_and(|end| end <= now)
        })
}

/// Initiates the planned request; the state to store.
async fn initiate(
    arm: &Arm,
    planned: &RequestModel,
    deadline: &Deadline,
) -> Result<Option<RequestModel>, ArmError> {
    let Some(Ok(policy_id)) = planned.policy_id.known().map(|id| PolicyId::parse(id)) else {
        return Ok(None);
    };
    let now = access::now();
    let mut virtual_machines = Vec::new();
    for vm in planned.virtual_machine.as_deref().unwrap_or_default() {
        let mut ports = Vec::new();
        for port in vm.port.as_deref().unwrap_or_default() {
            let (Some(number), Some(asked)) = (port.number.known(), asked(port)) else {
                return Ok(None);
            };
            ports.push(JitInitiatePort {
                number: *number,
                end_time_utc: access::format(asked.end(now)),
                allowed_source_address_prefix: port.allowed_source_address_prefix.known().cloned(),
            });
        }
        let Some(id) = vm.id.known() else {
            return Ok(None);
        };
        virtual_machines.push(JitInitiateVirtualMachine {
            id: id.clone(),
            ports,
        });
    }
    let body = JitInitiateRequest {
        virtual_machines,
        justification: planned.justification.known().cloned(),
    };
    // The history changes: nothing later in this process may read the old list.
    arm.forget(&policy_id);
    let recorded = arm.client.initiate(&policy_id, &body, deadline).await?;
    Ok(Some(state_from_recorded(planned, &body, &recorded)))
}

/// The state after a create: the plan, with what Azure recorded filled in. Configured values
/// are kept as written (Terraform requires it); computed ones take Azure's answer, or what was
/// sent where Azure's answer leaves them out.
fn state_from_recorded(
    planned: &RequestModel,
    sent: &JitInitiateRequest,
    recorded: &JitRequest,
) -> RequestModel {
    let start = recorded
        .start_time_utc
        .clone()
        .unwrap_or_else(|| access::format(access::now()));
    let policy_id = planned.policy_id.known().cloned().unwrap_or_default();
    let mut state = planned.clone();
    state.id = Attr::Known(format!("{policy_id}|{start}"));
    state.start_time_utc = Attr::Known(start);
    state.requestor = Attr::from_option(recorded.requestor.clone());
    if let Attr::Known(vms) = &mut state.virtual_machine {
        for (vm, sent_vm) in vms.iter_mut().zip(&sent.virtual_machines) {
            if let Attr::Known(ports) = &mut vm.port {
                for (port, sent_port) in ports.iter_mut().zip(&sent_vm.ports) {
                    let held = access::request_port(recorded, &sent_vm.id, sent_port.number);
                    if !port.allowed_source_address_prefix.is_known() {
                        port.allowed_source_address_prefix =
                            Attr::from_option(held.and_then(access::recorded_source));
                    }
                    if !port.end_time_utc.is_known() {
                        port.end_time_utc = Attr::Known(
                            held.and_then(|held| held.end_time_utc.clone())
                                .unwrap_or_else(|| sent_port.end_time_utc.clone()),
                        );
                    }
                    port.status = Attr::Known(
                        held.and_then(|held| held.status.clone())
                            .unwrap_or_else(|| "Initiated".to_owned()),
                    );
                    port.status_reason =
                        Attr::from_option(held.and_then(|held| held.status_reason.clone()));
                    port.mapped_port = Attr::from_option(held.and_then(|held| held.mapped_port));
                }
            }
        }
    }
    state
}

/// The state after a refresh: each port's status as the policy's history holds it. A request
/// the history no longer holds (Azure keeps a bounded history) keeps its state, closed once its
/// end time has passed.
fn refreshed(
    prior: &RequestModel,
    policy: Option<&JitPolicy>,
    now: time::OffsetDateTime,
) -> RequestModel {
    let mut state = prior.clone();
    let start = prior.start_time_utc.known().cloned().unwrap_or_default();
    let Attr::Known(vms) = &mut state.virtual_machine else {
        return state;
    };
    for vm in vms {
        let Some(vm_id) = vm.id.known().cloned() else {
            continue;
        };
        let request = policy.and_then(|policy| access::find_request(policy, &start, &vm_id));
        let Attr::Known(ports) = &mut vm.port else {
            continue;
        };
        for port in ports {
            let Some(&number) = port.number.known() else {
                continue;
            };
            match request.and_then(|request| access::request_port(request, &vm_id, number)) {
                Some(held) => {
                    if let Some(status) = &held.status {
                        port.status = Attr::Known(status.clone());
                    }
                    port.status_reason = Attr::from_option(held.status_reason.clone());
                    if held.mapped_port.is_some() {
                        port.mapped_port = Attr::from_option(held.mapped_port);
                    }
                }
                None => {
                    let past = port
                        .end_time_utc
                        .known()
                        .and_then(|end| access::parse(end))
                        .is_some_and(|end| end <= now);
                    if past && access::is_open(port.status.known().map(String::as_str)) {
                        port.status = Attr::Known("Revoked".to_owned());
                        port.status_reason = Attr::Known("Expired".to_owned());
                    }
                }
            }
        }
    }
    state
}

/// The ports still open in a state, for messages.
fn open_ports(state: &RequestModel) -> Vec<String> {
    state
        .virtual_machine
        .as_deref()
        .unwrap_or_default()
        .iter()
        .flat_map(|vm| vm.port.as_deref().unwrap_or_default())
        .filter(|port| access::is_open(port.status.known().map(String::as_str)))
        .map(|port| {
            format!(
                "{} until {}",
                port.number.known().copied().unwrap_or_default(),
                port.end_time_utc
                    .known()
                    .map_or("its end time", String::as_str)
            )
        })
        .collect()
}

/// Why access ended, in words, for the warning the first refresh after the end gives.
fn end_reason(state: &RequestModel) -> String {
    let reasons: Vec<String> = state
        .virtual_machine
        .as_deref()
        .unwrap_or_default()
        .iter()
        .flat_map(|vm| vm.port.as_deref().unwrap_or_default())
        .filter_map(|port| port.status_reason.known().cloned())
        .collect();
    match reasons.first() {
        Some(reason) if reasons.iter().all(|other| other == reason) => reason.clone(),
        Some(_) => reasons.join(", "),
        None => "Expired".to_owned(),
    }
}

#[async_trait::async_trait]
impl Resource<Arm> for JitAccessRequest {
    async fn modify_plan(
        &self,
        request: ModifyPlanRequest<Arm>,
        response: &mut ModifyPlanResponse,
    ) {
        if response.planned.is_null() {
            return; // destroy
        }
        let Some(mut planned) = model::read::<RequestModel>(
            &response.planned,
            "jit_access_request plan",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let Some(arm) = &request.provider else { return };
        if request.prior.is_null() {
            check_against_policy(&planned, arm, &mut response.diagnostics).await;
            return;
        }
        let Some(prior) = model::decode::<RequestModel>(&request.prior).ok() else {
            return;
        };
        if planned.renew.known() == Some(&true) && has_ended(&prior, access::now()) {
            // A new request: Terraform plans it as a replacement, and plans the new one as a
            // create (which checks it against the policy again).
            planned.start_time_utc = Attr::Unknown;
            response
                .requires_replace
                .push(Path::attr_root("start_time_utc"));
            response.write_planned(&planned);
        }
    }

    async fn create(&self, request: CreateRequest<Arm>, response: &mut CreateResponse) {
        let Some(planned) = model::read::<RequestModel>(
            &request.planned,
            "jit_access_request plan",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let deadline = Deadline::after(
            TimeoutsModel::budget(&planned.timeouts, Operation::Create),
            format!("creating {TYPE_NAME}"),
        );
        let result = until_stopped(
            request.stop,
            initiate(&request.provider, &planned, &deadline),
        )
        .await;
        if let Some(state) = finish_apply(
            result,
            &format!("create {TYPE_NAME}"),
            &mut response.diagnostics,
        ) {
            response.write_state(&state);
        }
    }

    async fn read(&self, request: ReadRequest<Arm>, response: &mut ReadResponse) {
        let Some(prior) = model::read::<RequestModel>(
            &request.state,
            "jit_access_request state",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let Some(Ok(policy_id)) = prior.policy_id.known().map(|id| PolicyId::parse(id)) else {
            return;
        };
        let deadline = Deadline::after(
            TimeoutsModel::budget(&prior.timeouts, Operation::Read),
            format!("reading {TYPE_NAME}"),
        );
        let policy = match until_stopped(
            request.stop,
            request.provider.read_policy(&policy_id, &deadline),
        )
        .await
        {
            Ok(policy) => policy,
            Err(failure) => {
                failure.report(&format!("read {TYPE_NAME}"), &mut response.diagnostics);
                return;
            }
        };
        let state = refreshed(&prior, policy.as_ref(), access::now());
        if !open_ports(&prior).is_empty() && open_ports(&state).is_empty() {
            let renews = state.renew.known() == Some(&true);
            response.diagnostics.warning(
                "JIT access ended",
                format!(
                    "The access request {} has ended ({}). {}",
                    state.id.known().map_or("", String::as_str),
                    end_reason(&state),
                    if renews {
                        "With `renew = true`, this plan asks for it again."
                    } else {
                        "It stays in state as a record and later plans stay quiet; set `renew = true` to ask again on the next apply, or remove it from the configuration."
                    }
                ),
            );
        }
        response.write_state(&state);
    }

    /// Only `renew` and `timeouts` change in place (everything else replaces): the state is the
    /// prior one with those two taken from the plan.
    async fn update(&self, request: UpdateRequest<Arm>, response: &mut UpdateResponse) {
        let (Some(prior), Some(planned)) = (
            model::read::<RequestModel>(
                &request.prior,
                "jit_access_request state",
                &mut response.diagnostics,
            ),
            model::read::<RequestModel>(
                &request.planned,
                "jit_access_request plan",
                &mut response.diagnostics,
            ),
        ) else {
            return;
        };
        let mut state = prior;
        state.renew = planned.renew;
        state.timeouts = planned.timeouts;
        response.write_state(&state);
    }

    /// Nothing to call: the API cannot withdraw a request. Access ends at its end time, and a
    /// warning says when if it is still open.
    async fn delete(&self, request: DeleteRequest<Arm>, response: &mut DeleteResponse) {
        let Ok(prior) = model::decode::<RequestModel>(&request.prior) else {
            return;
        };
        let open = open_ports(&prior);
        if !open.is_empty() {
            response.diagnostics.warning(
                "JIT access stays open until it ends",
                format!(
                    "Azure has no operation to withdraw a JIT request, so removing it from state leaves access open: port {}. To end it sooner, request the same ports again with a short `duration` from a source no one uses (a newer request revokes the older one).",
                    open.join(", port ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::cty::Value;

    /// The diagnostics' summaries and paths for a request with one port whose duration and end
    /// time are as given.
    async fn check(duration: Value, end_time: Value) -> Vec<(String, String)> {
        let port = Value::object([
            ("number", Value::from(22)),
            ("allowed_source_address_prefix", Value::Null),
            ("duration", duration),
            ("end_time_utc", end_time),
            ("status", Value::Null),
            ("status_reason", Value::Null),
            ("mapped_port", Value::Null),
        ]);
        let vm = Value::object([
            (
                "id",
                Value::from(
                    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
                ),
            ),
            ("port", Value::List(vec![port])),
        ]);
        let config = Value::object([
            ("id", Value::Null),
            ("policy_id", Value::Unknown),
            ("justification", Value::Null),
            ("start_time_utc", Value::Null),
            ("requestor", Value::Null),
            ("renew", Value::Null),
            ("virtual_machine", Value::List(vec![vm])),
            ("timeouts", Value::Null),
        ]);
        // The test value has every attribute the schema declares.
        assert!(
            config
                .conforms_to(&JitAccessRequest::block().value_type())
                .is_ok()
        );
        let mut diagnostics = Diagnostics::new();
        JitAccessRequest
            .validate_config(ValidateConfigRequest { config }, &mut diagnostics)
            .await;
        diagnostics
            .iter()
            .map(|d| {
                (
                    d.summary.clone(),
                    d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn exactly_one_of_duration_and_end_time() {
        assert_eq!(check(Value::from("PT1H"), Value::Null).await, vec![]);
        assert_eq!(
            check(Value::Null, Value::from("2026-11-28T18:00:00Z")).await,
            vec![]
        );
        assert_eq!(
            check(Value::from("PT1H"), Value::from("2026-11-28T18:00:00Z")).await,
            vec![(
                "Conflicting duration and end time".to_owned(),
                ".virtual_machine[0].port[0].end_time_utc".to_owned()
            )]
        );
        assert_eq!(
            check(Value::Null, Value::Null).await,
            vec![(
                "Missing duration".to_owned(),
                ".virtual_machine[0].port[0]".to_owned()
            )]
        );
        // Not known yet: decided once it is.
        assert_eq!(check(Value::Unknown, Value::Null).await, vec![]);
    }
}
