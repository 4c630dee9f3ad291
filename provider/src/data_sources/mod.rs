//! The data sources, one file each, with their docs and tests beside them; this module holds
//! the shape of a policy that `jit_policy` and `jit_policies` both return.

pub mod jit_access_requests;
pub mod jit_policies;
pub mod jit_policy;
pub mod jit_requester_role;
pub mod jit_virtual_machines;

use serde::{Deserialize, Serialize};

use jit_azure::models::JitPolicy;
use jit_core::PolicyId;
use tfplugin::cty::Type;

use crate::resources::ports::{EffectivePortModel, effective_port_type};

/// A policy VM as the data sources return it: the resource's `virtual_machine` with its
/// `effective_port`, named `port` here (a data source shows only what Azure holds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyVmView {
    /// The VM's resource id.
    pub id: String,
    /// The Azure Firewall's public IP, if any.
    pub public_ip_address: Option<String>,
    /// The protected ports.
    pub port: Vec<EffectivePortModel>,
}

/// A policy as the data sources return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyView {
    /// ARM id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group_name: String,
    /// Region.
    pub location: String,
    /// Provisioning state.
    pub provisioning_state: Option<String>,
    /// The VMs.
    pub virtual_machine: Vec<PolicyVmView>,
}

/// The type of [`PolicyVmView`] lists.
pub(crate) fn policy_vm_type() -> Type {
    Type::list(Type::object([
        ("id", Type::String),
        ("public_ip_address", Type::String),
        ("port", effective_port_type()),
    ]))
}

/// The type of [`PolicyView`] lists.
pub(crate) fn policy_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("resource_group_name", Type::String),
        ("location", Type::String),
        ("provisioning_state", Type::String),
        ("virtual_machine", policy_vm_type()),
    ])
}

impl PolicyView {
    /// The view of a policy Azure returned; `None` if its id is not a JIT policy id.
    pub fn of(policy: &JitPolicy) -> Option<PolicyView> {
        let id = PolicyId::parse(policy.id.as_deref()?).ok()?;
        Some(PolicyView {
            id: policy.id.clone().unwrap_or_default(),
            name: policy.name.clone().unwrap_or_else(|| id.name.clone()),
            resource_group_name: id.resource_group.clone(),
            location: policy.location.clone().unwrap_or(id.location),
            provisioning_state: policy.properties.provisioning_state.clone(),
            virtual_machine: policy
                .properties
                .virtual_machines
                .iter()
                .map(|vm| PolicyVmView {
                    id: vm.id.clone(),
                    public_ip_address: vm.public_ip_address.clone(),
                    port: vm
                        .ports
                        .iter()
                        .map(|port| EffectivePortModel {
                            number: port.number,
                            protocol: port.protocol.clone(),
                            allowed_source_address_prefixes: port.sources(),
                            max_request_access_duration: port.max_request_access_duration.clone(),
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}
