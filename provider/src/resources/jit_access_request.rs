//! `jit_access_request`: a request to open a JIT policy's ports for a while.
//!
//! Creating it initiates the request (`POST .../jitNetworkAccessPolicies/{name}/initiate`);
//! Azure keeps it in the policy's request history, which is the audit trail. A request cannot
//! be changed or withdrawn through the API, so every configured attribute forces a new request,
//! and destroying it only forgets it: access ends at `end_time_utc`, or when a newer request for
//! the same port revokes it.

use serde::Deserialize;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::plan_modifier::{requires_replace, use_state_for_unknown};
use tfplugin::framework::resource::*;
use tfplugin::framework::{
    Attribute, Block, Diagnostics, NestedBlock, Path, Resource, Schema, TypeDefinition,
    ValidateConfigRequest,
};

use super::lifecycle_not_available;
use crate::arm::Arm;
use crate::validators;

/// The `jit_access_request` resource type.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitAccessRequest;

/// The name of this resource type.
pub const TYPE_NAME: &str = "jit_access_request";

fn port_block() -> Block {
    Block::new("A port to open. It must be a port of the policy for that VM.")
        .attribute(
            "number",
            Attribute::number("The port number.").required().validate(validators::port_number()).plan(requires_replace()),
        )
        .attribute(
            "allowed_source_address_prefix",
            Attribute::string("The address (or CIDR block) to open the port to; it must be within the policy's allowed sources. When not set, Azure uses the address the request comes from.")
                .optional()
                .validate(validators::source_prefix())
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
                .plan(requires_replace()),
        )
        .attribute("status", Attribute::string("`Initiated` while access is open, `Revoked` once it ended.").computed())
        .attribute("status_reason", Attribute::string("Why the status is what it is: `UserRequested`, `Expired` or `NewerRequestInitiated`.").computed())
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
        Block::new("Requests just-in-time access to virtual machines protected by a `jit_policy`. Every request is kept by Azure in the policy's history for audit.")
            .attribute("id", Attribute::string("An id for this request: the policy id and the request's start time.").computed().plan(use_state_for_unknown()))
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
            .attribute("start_time_utc", Attribute::string("When the request was made.").computed().plan(use_state_for_unknown()))
            .attribute("requestor", Attribute::string("Who made the request, as Azure recorded it.").computed().plan(use_state_for_unknown()))
            .block("virtual_machine", NestedBlock::list(virtual_machine_block()).min_items(1))
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
        let Some(config) = model::read::<RequestTimesModel>(
            &request.config,
            "jit_access_request configuration",
            diagnostics,
        ) else {
            return;
        };
        let vms = config.virtual_machine.as_deref().unwrap_or_default();
        for (vm_index, vm) in vms.iter().enumerate() {
            let ports = vm.port.as_deref().unwrap_or_default();
            for (port_index, port) in ports.iter().enumerate() {
                let path = Path::attr_root("virtual_machine")
                    .index(vm_index)
                    .attr("port")
                    .index(port_index);
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
                    _ => {}
                }
            }
        }
    }
}

/// The part of the configuration the cross-attribute check reads: each port's way of saying
/// how long it opens. Attributes not named here are not read.
#[derive(Deserialize)]
struct RequestTimesModel {
    virtual_machine: Attr<Vec<VirtualMachineTimesModel>>,
}

/// One `virtual_machine` block of [`RequestTimesModel`].
#[derive(Deserialize)]
struct VirtualMachineTimesModel {
    port: Attr<Vec<PortTimesModel>>,
}

/// One `port` block of [`RequestTimesModel`].
#[derive(Deserialize)]
struct PortTimesModel {
    duration: Attr<String>,
    end_time_utc: Attr<String>,
}

#[async_trait::async_trait]
impl Resource<Arm> for JitAccessRequest {
    async fn create(&self, _request: CreateRequest<Arm>, response: &mut CreateResponse) {
        lifecycle_not_available(&mut response.diagnostics, TYPE_NAME, "Create");
    }

    async fn read(&self, _request: ReadRequest<Arm>, _response: &mut ReadResponse) {}

    async fn update(&self, _request: UpdateRequest<Arm>, response: &mut UpdateResponse) {
        // Every configured attribute forces replacement, so Terraform never plans an update.
        lifecycle_not_available(&mut response.diagnostics, TYPE_NAME, "Update");
    }

    /// Nothing to call: the API cannot withdraw a request. Access ends at its end time.
    async fn delete(&self, _request: DeleteRequest<Arm>, _response: &mut DeleteResponse) {}
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
            ("virtual_machine", Value::List(vec![vm])),
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
