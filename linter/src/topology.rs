//! Relations between the resources of one module, for the cross-resource rules: which virtual
//! machine a JIT entry covers, which network interfaces, subnets and NSGs a VM sits behind, and
//! which NSG a standalone security rule belongs to.
//!
//! Resources refer to each other by reference (`azurerm_linux_virtual_machine.web.id`), which
//! evaluation keeps as the reason of an unknown value; a link is the `type.name` of that
//! reference, whatever instance key it has. A literal ARM id links by VM name. A link that
//! cannot be read (a variable, a data source) is never guessed: rules that need it stay
//! silent, and [`Topology::unlinked`] says that some JIT entry could cover any VM.

use std::collections::HashMap;

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
    /// Links the module's resources. Every lookup goes through maps built once, so that a
    /// module of thousands of resources costs linear time.
    pub fn build(resources: &[&'a Resource], entries: &[JitVm<'a>]) -> Topology<'a> {
        let mut topology = Topology::default();
        let index = Index::new(resources);
        let mut by_reference: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut unnamed_vms = false;
        for resource in resources {
            let os = match resource.kind.as_str() {
                "azurerm_linux_virtual_machine" => Os::Linux,
                "azurerm_windows_virtual_machine" => Os::Windows,
                "azurerm_virtual_machine" => legacy_os(resource),
                _ => continue,
            };
            let vm = topology.vms.len();
            by_reference
                .entry(resource.reference())
                .or_default()
                .push(vm);
            match resource.body.attribute("name").and_then(Node::as_str) {
                Some(name) => by_name
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(vm),
                None => unnamed_vms = true,
            }
            topology.vms.push(Vm {
                resource,
                os,
                entries: Vec::new(),
                nsgs: index.nsgs_of(resource),
            });
        }
        for (entry_index, entry) in entries.iter().enumerate() {
            if entry.origin == Origin::Request {
                continue;
            }
            let Some(id) = entry.id else {
                topology.unlinked = true;
                continue;
            };
            let covered = if let Some(reference) = target(id) {
                by_reference.get(&reference)
            } else if let Some(vm) = id.as_str().and_then(|t| VmId::parse(t).ok()) {
                if unnamed_vms {
                    topology.unlinked = true;
                }
                by_name.get(&vm.name.to_ascii_lowercase())
            } else {
                topology.unlinked = true;
                None
            };
            for &vm in covered.into_iter().flatten() {
                if let Some(vm) = topology.vms.get_mut(vm) {
                    vm.entries.push(entry_index);
                }
            }
        }
        topology
    }
}

/// The module's network resources, indexed by reference.
struct Index<'a> {
    /// `type.name` to the resources (instances) with that reference.
    by_reference: HashMap<String, Vec<&'a Resource>>,
    /// A network interface's reference to the NSG references associated with it.
    nic_nsgs: HashMap<String, Vec<String>>,
    /// A subnet's reference to the NSG references associated with it.
    subnet_nsgs: HashMap<String, Vec<String>>,
}

impl<'a> Index<'a> {
    fn new(resources: &[&'a Resource]) -> Index<'a> {
        let mut index = Index {
            by_reference: HashMap::new(),
            nic_nsgs: HashMap::new(),
            subnet_nsgs: HashMap::new(),
        };
        for resource in resources {
            let (link, map) = match resource.kind.as_str() {
                "azurerm_network_interface" | "azurerm_network_security_group" => {
                    index
                        .by_reference
                        .entry(resource.reference())
                        .or_default()
                        .push(resource);
                    continue;
                }
                "azurerm_network_interface_security_group_association" => {
                    ("network_interface_id", &mut index.nic_nsgs)
                }
                "azurerm_subnet_network_security_group_association" => {
                    ("subnet_id", &mut index.subnet_nsgs)
                }
                _ => continue,
            };
            let nsgs = targets(resource.body.attribute("network_security_group_id"));
            for linked in targets(resource.body.attribute(link)) {
                map.entry(linked).or_default().extend(nsgs.iter().cloned());
            }
        }
        index
    }

    /// The NSGs on `vm`'s network interfaces, directly or through their subnets.
    fn nsgs_of(&self, vm: &Resource) -> Vec<&'a Resource> {
        let mut nsg_references: Vec<&String> = Vec::new();
        for nic in targets(vm.body.attribute("network_interface_ids")) {
            nsg_references.extend(self.nic_nsgs.get(&nic).into_iter().flatten());
            for resource in self.by_reference.get(&nic).into_iter().flatten() {
                for configuration in resource.body.blocks("ip_configuration") {
                    for subnet in targets(configuration.body.attribute("subnet_id")) {
                        nsg_references.extend(self.subnet_nsgs.get(&subnet).into_iter().flatten());
                    }
                }
            }
        }
        let mut nsgs: Vec<&'a Resource> = Vec::new();
        for reference in nsg_references {
            for nsg in self.by_reference.get(reference).into_iter().flatten() {
                if nsg.kind == "azurerm_network_security_group"
                    && !nsgs.iter().any(|known| std::ptr::eq(*known, *nsg))
                {
                    nsgs.push(nsg);
                }
            }
        }
        nsgs
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
