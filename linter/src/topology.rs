//! Relations between the resources of one module, for the cross-resource rules: which virtual
//! machine a JIT entry covers, which network interfaces, subnets and NSGs a VM sits behind, and
//! which NSG a standalone security rule belongs to.
//!
//! Resources refer to each other by reference (`azurerm_linux_virtual_machine.web.id`), which
//! evaluation keeps as the reason of an unknown value; a link is the `type.name` of that
//! reference, whatever instance key it has. A literal ARM id links by VM name. A link that
//! cannot be read (a variable, a data source) is never guessed: rules that need it stay
//! silent, and [`Topology::unlinked`] says that some JIT entry could cover any VM.

use jit_core::VmId;

use crate::model::{Node, Resource, Unknown, Value};
use crate::rule::Reads;
use crate::view::{self, JitVm, NsgRule, Origin};

/// What [`Topology::build`] reads, beyond [`view::JIT_READS`] and [`view::NSG_READS`].
pub const TOPOLOGY_READS: &[Reads] = &[
    Reads {
        kind: "azurerm_linux_virtual_machine",
        attributes: &["name", "resource_group_name", "network_interface_ids"],
    },
    Reads {
        kind: "azurerm_windows_virtual_machine",
        attributes: &["name", "resource_group_name", "network_interface_ids"],
    },
    Reads {
        kind: "azurerm_virtual_machine",
        attributes: &[
            "name",
            "resource_group_name",
            "network_interface_ids",
            "os_type",
        ],
    },
    Reads {
        kind: "azurerm_network_interface",
        attributes: &["subnet_id"],
    },
    Reads {
        kind: "azurerm_network_interface_security_group_association",
        attributes: &["network_interface_id", "network_security_group_id"],
    },
    Reads {
        kind: "azurerm_subnet_network_security_group_association",
        attributes: &["subnet_id", "network_security_group_id"],
    },
    Reads {
        kind: "azurerm_network_security_rule",
        attributes: &["network_security_group_name"],
    },
    Reads {
        kind: "jit_policy",
        attributes: &["resource_group_name", "location"],
    },
    Reads {
        kind: "jit_policy_virtual_machine",
        attributes: &["location"],
    },
];

/// A VM's operating system, which decides its management ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Managed over SSH.
    Linux,
    /// Managed over RDP and WinRM.
    Windows,
    /// Not known (an `azurerm_virtual_machine` without an OS profile).
    Unknown,
}

impl Os {
    /// The management ports a JIT policy for a VM with this OS must cover: SSH for Linux; RDP
    /// and WinRM over HTTP and HTTPS for Windows.
    pub fn management_ports(self) -> &'static [u16] {
        match self {
            Os::Linux => &[22],
            Os::Windows => &[3389, 5985, 5986],
            Os::Unknown => &[],
        }
    }

    /// "Linux" or "Windows", for messages.
    pub fn name(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::Windows => "Windows",
            Os::Unknown => "unknown OS",
        }
    }
}

/// One virtual machine and what surrounds it.
#[derive(Debug)]
pub struct Vm<'a> {
    /// The VM resource (one instance).
    pub resource: &'a Resource,
    /// Its OS.
    pub os: Os,
    /// Indexes into [`crate::rule::Context::vms`] of the JIT entries that cover it.
    pub entries: Vec<usize>,
    /// The NSGs on its network interfaces and their subnets.
    pub nsgs: Vec<&'a Resource>,
}

impl Vm<'_> {
    /// The VM's name for messages: its `name`, or its address.
    pub fn describe(&self) -> String {
        match self.resource.body.attribute("name").and_then(Node::as_str) {
            Some(name) => format!("`{name}` ({})", self.resource.address()),
            None => format!("`{}`", self.resource.address()),
        }
    }
}

/// The relations of one module.
#[derive(Debug, Default)]
pub struct Topology<'a> {
    /// Every VM.
    pub vms: Vec<Vm<'a>>,
    /// Whether some JIT entry names a VM that could not be identified (a variable, a data
    /// source): then any VM may be covered, and "not covered" cannot be said.
    pub unlinked: bool,
}

impl<'a> Topology<'a> {
    /// Links the module's resources.
    pub fn build(resources: &[&'a Resource], entries: &[JitVm<'a>]) -> Topology<'a> {
        let mut topology = Topology::default();
        for resource in resources {
            let os = match resource.kind.as_str() {
                "azurerm_linux_virtual_machine" => Os::Linux,
                "azurerm_windows_virtual_machine" => Os::Windows,
                "azurerm_virtual_machine" => legacy_os(resource),
                _ => continue,
            };
            topology.vms.push(Vm {
                resource,
                os,
                entries: Vec::new(),
                nsgs: nsgs_of(resource, resources),
            });
        }
        for (index, entry) in entries.iter().enumerate() {
            if entry.origin == Origin::Request {
                continue;
            }
            let mut linked = false;
            for vm in &mut topology.vms {
                match covers(entry.id, vm.resource) {
                    Some(true) => {
                        vm.entries.push(index);
                        linked = true;
                    }
                    Some(false) => {}
                    None => topology.unlinked = true,
                }
            }
            if !linked
                && entry.id.and_then(target).is_none()
                && entry.id.and_then(Node::as_str).is_none()
            {
                topology.unlinked = true;
            }
        }
        topology
    }
}

/// The OS of an `azurerm_virtual_machine`: its OS profile block, or its OS disk's `os_type`.
fn legacy_os(resource: &Resource) -> Os {
    if resource
        .body
        .blocks("os_profile_windows_config")
        .next()
        .is_some()
    {
        return Os::Windows;
    }
    if resource
        .body
        .blocks("os_profile_linux_config")
        .next()
        .is_some()
    {
        return Os::Linux;
    }
    let os_type = resource
        .body
        .blocks("storage_os_disk")
        .find_map(|disk| disk.body.attribute("os_type")?.as_str().map(str::to_owned));
    match os_type.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("windows") => Os::Windows,
        Some("linux") => Os::Linux,
        _ => Os::Unknown,
    }
}

/// Whether JIT entry `id` names `vm`: `None` when that cannot be told.
fn covers(id: Option<&Node>, vm: &Resource) -> Option<bool> {
    let id = id?;
    if let Some(reference) = target(id) {
        return Some(reference == vm.reference());
    }
    let text = id.as_str()?;
    let parsed = VmId::parse(text).ok()?;
    let name = vm.body.attribute("name")?.as_str()?;
    Some(parsed.name.eq_ignore_ascii_case(name))
}

/// The `type.name` a reference names: `azurerm_network_interface.web` for
/// `azurerm_network_interface.web[0].id`; `None` for a known value or a variable.
pub fn target(node: &Node) -> Option<String> {
    let text = match &node.value {
        Value::Unknown(Unknown::Reference(text)) => text,
        _ => return None,
    };
    let mut parts = text.split('.');
    let kind = parts.next()?;
    if matches!(
        kind,
        "var" | "local" | "data" | "module" | "each" | "count" | "path" | "self"
    ) {
        return None;
    }
    let name = parts.next()?;
    let name = name.split('[').next().unwrap_or(name);
    Some(format!("{kind}.{name}"))
}

/// The references in an attribute that is one reference or a list of them.
fn targets(node: Option<&Node>) -> Vec<String> {
    node.into_iter()
        .flat_map(view::items)
        .filter_map(target)
        .collect()
}

/// The NSGs on `vm`'s network interfaces, directly or through their subnets.
fn nsgs_of<'a>(vm: &Resource, resources: &[&'a Resource]) -> Vec<&'a Resource> {
    let nics = targets(vm.body.attribute("network_interface_ids"));
    let mut subnets = Vec::new();
    for nic in resources.iter().filter(|r| nics.contains(&r.reference())) {
        for configuration in nic.body.blocks("ip_configuration") {
            subnets.extend(targets(configuration.body.attribute("subnet_id")));
        }
    }
    let mut nsg_references = Vec::new();
    for association in resources {
        let (link, links) = match association.kind.as_str() {
            "azurerm_network_interface_security_group_association" => {
                ("network_interface_id", &nics)
            }
            "azurerm_subnet_network_security_group_association" => ("subnet_id", &subnets),
            _ => continue,
        };
        let linked = targets(association.body.attribute(link))
            .iter()
            .any(|t| links.contains(t));
        if linked {
            nsg_references.extend(targets(
                association.body.attribute("network_security_group_id"),
            ));
        }
    }
    resources
        .iter()
        .filter(|r| r.kind == "azurerm_network_security_group")
        .filter(|r| nsg_references.contains(&r.reference()))
        .copied()
        .collect()
}

/// Whether NSG rule `rule` belongs to `nsg`: inline in it, or a standalone rule whose
/// `network_security_group_name` refers to it or is its literal name.
pub fn rule_belongs_to(rule: &NsgRule<'_>, nsg: &Resource) -> bool {
    if std::ptr::eq(rule.resource, nsg) {
        return true;
    }
    if rule.resource.kind != "azurerm_network_security_rule" {
        return false;
    }
    let Some(link) = rule.resource.body.attribute("network_security_group_name") else {
        return false;
    };
    if let Some(reference) = target(link) {
        return reference == nsg.reference();
    }
    match (
        link.as_str(),
        nsg.body.attribute("name").and_then(Node::as_str),
    ) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// The port numbers a JIT entry configures, or `None` when some are not known. A policy
/// entry without `port` blocks gets Azure's defaults from the provider.
pub fn configured_ports(entry: &JitVm<'_>) -> Option<Vec<u16>> {
    if !entry.dynamic_ports.is_empty() || entry.unknown_ports.is_some() {
        return None;
    }
    if entry.ports.is_empty() && entry.origin.is_provider_policy() {
        return Some(
            jit_core::ManagementPort::ALL
                .iter()
                .map(|p| p.number())
                .collect(),
        );
    }
    entry.ports.iter().map(|p| p.port_number()).collect()
}

/// A JIT policy's identity: resource group and policy name (lowercase), and location
/// (normalized), which together are its ARM id within a subscription.
pub type PolicyIdentity = (String, String, String);

/// The identity of the policy a `jit_policy` or `jit_policy_virtual_machine` manages, when
/// every part is known. A `jit_policy_virtual_machine`'s resource group is its VM's: from a
/// literal VM id, or from the `resource_group_name` of the VM resource it refers to.
pub fn policy_identity(resource: &Resource, resources: &[&Resource]) -> Option<PolicyIdentity> {
    let (group, name) = match resource.kind.as_str() {
        "jit_policy" => (
            resource
                .body
                .attribute("resource_group_name")?
                .as_str()?
                .to_owned(),
            resource.body.attribute("name"),
        ),
        "jit_policy_virtual_machine" => (
            vm_resource_group(resource, resources)?,
            resource.body.attribute("policy_name"),
        ),
        _ => return None,
    };
    let name = match name {
        None => jit_core::limits::DEFAULT_POLICY_NAME.to_owned(),
        Some(node) => node.as_str()?.to_owned(),
    };
    let location = jit_core::Location::normalize(resource.body.attribute("location")?.as_str()?);
    Some((
        group.to_ascii_lowercase(),
        name.to_ascii_lowercase(),
        location,
    ))
}

/// The identity a literal policy id names.
pub fn policy_id_identity(text: &str) -> Option<PolicyIdentity> {
    let id = jit_core::PolicyId::parse(text).ok()?;
    Some((
        id.resource_group.to_ascii_lowercase(),
        id.name.to_ascii_lowercase(),
        jit_core::Location::normalize(&id.location),
    ))
}

fn vm_resource_group(resource: &Resource, resources: &[&Resource]) -> Option<String> {
    let id = resource.body.attribute("virtual_machine_id")?;
    if let Some(text) = id.as_str() {
        return VmId::parse(text).ok().map(|vm| vm.resource_group);
    }
    let reference = target(id)?;
    resources
        .iter()
        .find(|r| r.reference() == reference)
        .and_then(|vm| {
            vm.body
                .attribute("resource_group_name")?
                .as_str()
                .map(str::to_owned)
        })
}
