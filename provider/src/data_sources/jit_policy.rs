//! Data source `jit_policy`: one JIT policy, e.g. the `default` policy the Azure portal makes
//! for a resource group and region.
//!
//! It reads the list of the policy's resource group and region, which a `jit_policy` resource
//! of the same scope in the same run has read already (see [`Arm`]): no extra call then.

use serde::{Deserialize, Serialize};

use jit_azure::Deadline;
use jit_core::PolicyId;
use tfplugin::framework::data_source::*;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::{Attribute, Block, Path, Schema, TypeDefinition};

use super::{PolicyView, PolicyVmView, policy_vm_type};
use crate::arm::Arm;
use crate::resources::until_stopped;
use crate::timeouts::Operation;
use crate::validators;

/// The `jit_policy` data source.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitPolicyData;

/// Its type name.
pub const TYPE_NAME: &str = "jit_policy";

/// The configuration and the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyDataModel {
    /// Name; `default` when not set.
    pub name: Attr<String>,
    /// Resource group.
    pub resource_group_name: Attr<String>,
    /// Region.
    pub location: Attr<String>,
    /// ARM id.
    pub id: Attr<String>,
    /// Provisioning state.
    pub provisioning_state: Attr<String>,
    /// The VMs.
    pub virtual_machine: Attr<Vec<PolicyVmView>>,
}

#[async_trait::async_trait]
impl TypeDefinition for JitPolicyData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Reads one JIT policy: its VMs and their protected ports, as Azure holds them.")
                .attribute("name", Attribute::string("The policy name. Defaults to `default`, the name the Azure portal uses.").optional().validate(validators::policy_name()))
                .attribute("resource_group_name", Attribute::string("The policy's resource group.").required().validate(validators::resource_group_name()))
                .attribute("location", Attribute::string("The policy's region, e.g. `westeurope`.").required().validate(validators::location()))
                .attribute("id", Attribute::string("The policy's resource id.").computed())
                .attribute("provisioning_state", Attribute::string("The provisioning state Azure reports.").computed())
                .attribute("virtual_machine", Attribute::new(policy_vm_type(), "The protected VMs: `id`, `public_ip_address` (the Azure Firewall's, if any) and `port` (`number`, `protocol`, `allowed_source_address_prefixes`, `max_request_access_duration`).").computed()),
        )
    }
}

#[async_trait::async_trait]
impl DataSource<Arm> for JitPolicyData {
    async fn read(
        &self,
        request: DataSourceReadRequest<Arm>,
        response: &mut DataSourceReadResponse,
    ) {
        let Some(mut model) = model::read::<PolicyDataModel>(
            &request.config,
            "jit_policy data source configuration",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let (Some(group), Some(location)) =
            (model.resource_group_name.known(), model.location.known())
        else {
            return;
        };
        let name = model
            .name
            .known()
            .cloned()
            .unwrap_or_else(|| jit_core::limits::DEFAULT_POLICY_NAME.to_owned());
        let id = PolicyId {
            subscription_id: request.provider.settings.subscription_id.clone(),
            resource_group: group.clone(),
            location: location.clone(),
            name: name.clone(),
        };
        let deadline = Deadline::after(
            Operation::Read.default_budget(),
            format!("reading data source {TYPE_NAME} {name:?}"),
        );
        let policy = match until_stopped(request.stop, request.provider.read_policy(&id, &deadline))
            .await
        {
            Ok(Some(policy)) => policy,
            Ok(None) => {
                response.diagnostics.attribute_error(
                    Path::attr_root("name"),
                    "JIT policy not found",
                    format!("There is no JIT policy {name:?} in resource group {group:?}, region {location:?} (subscription {}): check the three, or create it with the jit_policy resource.", id.subscription_id),
                );
                return;
            }
            Err(failure) => {
                failure.report(
                    &format!("read data source {TYPE_NAME} {name:?}"),
                    &mut response.diagnostics,
                );
                return;
            }
        };
        let Some(view) = PolicyView::of(&policy) else {
            response.diagnostics.error(
                "Unexpected answer from Azure",
                "The policy Azure returned has no JIT policy id.",
            );
            return;
        };
        model.name = Attr::Known(name);
        model.id = Attr::Known(view.id.clone());
        model.provisioning_state = Attr::from_option(view.provisioning_state.clone());
        model.virtual_machine = Attr::Known(view.virtual_machine);
        response.write_state(&model);
    }
}
