//! Data source `jit_virtual_machines`: every VM in scope, as the portal's three tabs show them:
//! configured (a policy protects it), not configured, or unsupported with the reason (such as
//! no NSG for JIT to write into); with the approved requests of the last seven days, the last
//! access and the last user.

use serde::{Deserialize, Serialize};

use jit_azure::Deadline;
use jit_azure::inventory::{VmInventory, inventory};
use tfplugin::cty::Type;
use tfplugin::framework::data_source::*;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::{Attribute, Block, Schema, TypeDefinition};

use crate::arm::Arm;
use crate::resources::until_stopped;
use crate::timeouts::Operation;
use crate::validators;

/// The `jit_virtual_machines` data source.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitVirtualMachinesData;

/// Its type name.
pub const TYPE_NAME: &str = "jit_virtual_machines";

/// One VM of the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VmEntry {
    /// The VM's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its resource group.
    pub resource_group_name: String,
    /// Its region.
    pub location: String,
    /// `configured`, `not_configured` or `unsupported`.
    pub status: String,
    /// Why it is unsupported.
    pub reason: Option<String>,
    /// The policy that protects it.
    pub policy_id: Option<String>,
    /// Its protected ports.
    pub ports: Vec<i64>,
    /// Requests of the last seven days.
    pub approved_requests_last_7_days: i64,
    /// The last request's start.
    pub last_access_utc: Option<String>,
    /// The last requestor.
    pub last_user: Option<String>,
}

impl From<VmInventory> for VmEntry {
    fn from(vm: VmInventory) -> Self {
        VmEntry {
            id: vm.vm_id,
            name: vm.name,
            resource_group_name: vm.resource_group,
            location: vm.location,
            status: vm.status.as_str().to_owned(),
            reason: vm.reason,
            policy_id: vm.policy_id,
            ports: vm.ports,
            approved_requests_last_7_days: i64::from(vm.approved_requests_last_7_days),
            last_access_utc: vm.last_access_utc,
            last_user: vm.last_user,
        }
    }
}

/// The configuration and the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualMachinesDataModel {
    /// Resource group filter.
    pub resource_group_name: Attr<String>,
    /// Region filter.
    pub location: Attr<String>,
    /// The VMs.
    pub virtual_machines: Attr<Vec<VmEntry>>,
}

fn entry_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("resource_group_name", Type::String),
        ("location", Type::String),
        ("status", Type::String),
        ("reason", Type::String),
        ("policy_id", Type::String),
        ("ports", Type::list(Type::Number)),
        ("approved_requests_last_7_days", Type::Number),
        ("last_access_utc", Type::String),
        ("last_user", Type::String),
    ])
}

#[async_trait::async_trait]
impl TypeDefinition for JitVirtualMachinesData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Every virtual machine in scope, and whether JIT protects it: `configured` (a policy covers it), `not_configured`, or `unsupported` with the reason (such as no network security group for JIT to write its rules into).")
                .attribute("resource_group_name", Attribute::string("Only the VMs (and policies) of this resource group.").optional().validate(validators::resource_group_name()))
                .attribute("location", Attribute::string("Only the VMs of this region.").optional().validate(validators::location()))
                .attribute("virtual_machines", Attribute::new(Type::list(entry_type()), "The VMs, sorted by id: `id`, `name`, `resource_group_name`, `location`, `status`, `reason`, `policy_id`, `ports` (the protected ones), `approved_requests_last_7_days`, `last_access_utc` and `last_user`.").computed()),
        )
    }
}

#[async_trait::async_trait]
impl DataSource<Arm> for JitVirtualMachinesData {
    async fn read(
        &self,
        request: DataSourceReadRequest<Arm>,
        response: &mut DataSourceReadResponse,
    ) {
        let Some(mut model) = model::read::<VirtualMachinesDataModel>(
            &request.config,
            "jit_virtual_machines data source configuration",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let deadline = Deadline::after(
            Operation::Read.default_budget(),
            format!("listing data source {TYPE_NAME}"),
        );
        let arm = &request.provider;
        let work = inventory(
            &arm.client,
            &arm.settings.subscription_id,
            model.resource_group_name.known().map(String::as_str),
            model.location.known().map(String::as_str),
            time::OffsetDateTime::now_utc(),
            &deadline,
        );
        match until_stopped(request.stop, work).await {
            Ok(vms) => {
                model.virtual_machines = Attr::Known(vms.into_iter().map(VmEntry::from).collect());
                response.write_state(&model);
            }
            Err(failure) => failure.report(
                &format!("read data source {TYPE_NAME}"),
                &mut response.diagnostics,
            ),
        }
    }
}
