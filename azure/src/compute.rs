//! The Compute and Network reads JIT needs: the virtual machines of a scope, and the network
//! security groups that filter each one.
//!
//! JIT protects a VM by writing rules into an NSG, on the VM's network interfaces or on their
//! subnets; a VM with neither cannot be protected (the portal lists it as unsupported). These
//! reads answer that question with as few calls as Resource Manager allows: one list call per
//! page of VMs, one GET per network interface, and one GET per virtual network however many of
//! its subnets the VMs use ([`NetworkReader`] remembers what it read).

use std::collections::HashMap;

use serde::Deserialize;

use crate::client::{ArmClient, Deadline};
use crate::error::ArmError;

/// The Compute API version used for virtual machines, as current Azure tooling sends it.
pub const COMPUTE_API_VERSION: &str = "2024-07-01";

/// The Network API version used for network interfaces and virtual networks.
pub const NETWORK_API_VERSION: &str = "2024-05-01";

/// A virtual machine as an inventory needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualMachine {
    /// The ARM id, in the casing Azure answered.
    pub id: String,
    /// The VM's name.
    pub name: String,
    /// Its region (`westeurope`).
    pub location: String,
    /// Its resource group, from the id.
    pub resource_group: String,
    /// `Linux` or `Windows`, from `properties.storageProfile.osDisk.osType`, when Azure says.
    pub os_type: Option<String>,
    /// The ids of its network interfaces, primary first as Azure lists them.
    pub network_interface_ids: Vec<String>,
}

impl VirtualMachine {
    /// Reads a VM from its ARM JSON; `None` when it has no id (nothing could refer to it).
    fn from_wire(wire: VmWire) -> Option<Self> {
        let id = wire.id.filter(|id| !id.is_empty())?;
        let resource_group = segment_after(&id, "resourceGroups").unwrap_or_default();
        let name = wire
            .name
            .or_else(|| id.rsplit('/').next().map(str::to_owned))
            .unwrap_or_default();
        let properties = wire.properties.unwrap_or_default();
        Some(VirtualMachine {
            name,
            location: wire.location.unwrap_or_default(),
            resource_group,
            os_type: properties
                .storage_profile
                .and_then(|profile| profile.os_disk)
                .and_then(|disk| disk.os_type),
            network_interface_ids: properties
                .network_profile
                .map(|profile| {
                    profile
                        .network_interfaces
                        .into_iter()
                        .filter_map(|reference| reference.id)
                        .collect()
                })
                .unwrap_or_default(),
            id,
        })
    }
}

impl ArmClient {
    /// Every virtual machine of a subscription, or of one resource group in it, every page.
    pub async fn list_virtual_machines(
        &self,
        subscription_id: &str,
        resource_group: Option<&str>,
        deadline: &Deadline,
    ) -> Result<Vec<VirtualMachine>, ArmError> {
        let mut segments = vec!["subscriptions", subscription_id];
        if let Some(group) = resource_group {
            segments.extend(["resourceGroups", group]);
        }
        segments.extend(["providers", "Microsoft.Compute", "virtualMachines"]);
        let url = self.url_with_version(&segments, COMPUTE_API_VERSION);
        let wires: Vec<VmWire> = self.list(url, deadline).await?;
        Ok(wires
            .into_iter()
            .filter_map(VirtualMachine::from_wire)
            .collect())
    }

    /// The ids of the NSGs that filter the VM's traffic: those on its network interfaces and
    /// those on their subnets, each once. Empty when there are none, which makes the VM
    /// unsupported for JIT. A network interface or virtual network that no longer exists
    /// counts as having none.
    pub async fn network_security_groups_of(
        &self,
        vm: &VirtualMachine,
        deadline: &Deadline,
    ) -> Result<Vec<String>, ArmError> {
        NetworkReader::new(self)
            .network_security_groups_of(vm, deadline)
            .await
    }
}

impl ArmClient {
    /// The VM's primary private IP address (on its first network interface, as Azure lists
    /// them primary first), for callers that open access and then connect: `None` when the VM,
    /// its interface or an address is not there.
    pub async fn private_ip_address(
        &self,
        vm_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<String>, ArmError> {
        let url = self.url_of_id(vm_id, COMPUTE_API_VERSION);
        let Some(vm) = self
            .get::<VmWire>(url, deadline)
            .await?
            .and_then(VirtualMachine::from_wire)
        else {
            return Ok(None);
        };
        let Some(nic_id) = vm.network_interface_ids.first() else {
            return Ok(None);
        };
        let url = self.url_of_id(nic_id, NETWORK_API_VERSION);
        let Some(nic) = self.get::<NicWire>(url, deadline).await? else {
            return Ok(None);
        };
        let configurations: Vec<IpConfigurationProperties> = nic
            .properties
            .unwrap_or_default()
            .ip_configurations
            .into_iter()
            .filter_map(|configuration| configuration.properties)
            .collect();
        let primary = configurations
            .iter()
            .find(|configuration| configuration.primary == Some(true))
            .or_else(|| configurations.first());
        Ok(primary.and_then(|configuration| configuration.private_ip_address.clone()))
    }
}

/// Reads network interfaces and virtual networks once each, for as many VMs as asked about:
/// VMs of one subnet share one virtual network read.
#[derive(Debug)]
pub(crate) struct NetworkReader<'a> {
    client: &'a ArmClient,
    virtual_networks: HashMap<String, Option<VnetWire>>,
}

impl<'a> NetworkReader<'a> {
    /// A reader with nothing read yet.
    pub(crate) fn new(client: &'a ArmClient) -> Self {
        NetworkReader {
            client,
            virtual_networks: HashMap::new(),
        }
    }

    /// See [`ArmClient::network_security_groups_of`].
    pub(crate) async fn network_security_groups_of(
        &mut self,
        vm: &VirtualMachine,
        deadline: &Deadline,
    ) -> Result<Vec<String>, ArmError> {
        let mut found: Vec<String> = Vec::new();
        let mut add = |id: String| {
            if !found.iter().any(|known| known.eq_ignore_ascii_case(&id)) {
                found.push(id);
            }
        };
        for nic_id in &vm.network_interface_ids {
            let url = self.client.url_of_id(nic_id, NETWORK_API_VERSION);
            let Some(nic) = self.client.get::<NicWire>(url, deadline).await? else {
                continue;
            };
            let properties = nic.properties.unwrap_or_default();
            if let Some(id) = properties.network_security_group.and_then(|nsg| nsg.id) {
                add(id);
            }
            for subnet_id in properties
                .ip_configurations
                .into_iter()
                .filter_map(|config| config.properties?.subnet?.id)
            {
                if let Some(id) = self.subnet_nsg(&subnet_id, deadline).await? {
                    add(id);
                }
            }
        }
        Ok(found)
    }

    /// The NSG of a subnet, read through its virtual network (one GET per network).
    async fn subnet_nsg(
        &mut self,
        subnet_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<String>, ArmError> {
        let Some((vnet_id, subnet_name)) = split_subnet_id(subnet_id) else {
            return Ok(None);
        };
        let key = vnet_id.to_ascii_lowercase();
        if !self.virtual_networks.contains_key(&key) {
            let url = self.client.url_of_id(vnet_id, NETWORK_API_VERSION);
            let vnet = self.client.get::<VnetWire>(url, deadline).await?;
            self.virtual_networks.insert(key.clone(), vnet);
        }
        Ok(self
            .virtual_networks
            .get(&key)
            .and_then(Option::as_ref)
            .and_then(|vnet| vnet.properties.as_ref())
            .and_then(|properties| {
                properties.subnets.iter().find(|subnet| {
                    subnet
                        .name
                        .as_deref()
                        .is_some_and(|name| name.eq_ignore_ascii_case(subnet_name))
                })
            })
            .and_then(|subnet| {
                subnet
                    .properties
                    .as_ref()?
                    .network_security_group
                    .as_ref()?
                    .id
                    .clone()
            }))
    }
}

/// `(virtual network id, subnet name)` of a subnet id, whatever the casing of `subnets`.
fn split_subnet_id(subnet_id: &str) -> Option<(&str, &str)> {
    let at = subnet_id.to_ascii_lowercase().find("/subnets/")?;
    let name = &subnet_id[at + "/subnets/".len()..];
    (!name.is_empty() && !name.contains('/')).then_some((&subnet_id[..at], name))
}

/// The segment after `key` (compared without case) in an ARM id.
fn segment_after(id: &str, key: &str) -> Option<String> {
    let mut segments = id.split('/');
    segments.find(|segment| segment.eq_ignore_ascii_case(key))?;
    segments.next().filter(|s| !s.is_empty()).map(str::to_owned)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VmWire {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    properties: Option<VmProperties>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VmProperties {
    #[serde(default)]
    storage_profile: Option<StorageProfile>,
    #[serde(default)]
    network_profile: Option<NetworkProfile>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StorageProfile {
    #[serde(default)]
    os_disk: Option<OsDisk>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OsDisk {
    #[serde(default)]
    os_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetworkProfile {
    #[serde(default)]
    network_interfaces: Vec<Reference>,
}

/// `{"id": ...}`, how ARM refers to another resource.
#[derive(Debug, Deserialize)]
struct Reference {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NicWire {
    #[serde(default)]
    properties: Option<NicProperties>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NicProperties {
    #[serde(default)]
    network_security_group: Option<Reference>,
    #[serde(default)]
    ip_configurations: Vec<IpConfiguration>,
}

#[derive(Debug, Deserialize)]
struct IpConfiguration {
    #[serde(default)]
    properties: Option<IpConfigurationProperties>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IpConfigurationProperties {
    #[serde(default)]
    subnet: Option<Reference>,
    #[serde(default, rename = "privateIPAddress")]
    private_ip_address: Option<String>,
    #[serde(default)]
    primary: Option<bool>,
}

/// A virtual network, kept by [`NetworkReader`] for its subnets' NSGs.
#[derive(Debug, Deserialize)]
struct VnetWire {
    #[serde(default)]
    properties: Option<VnetProperties>,
}

#[derive(Debug, Deserialize)]
struct VnetProperties {
    #[serde(default)]
    subnets: Vec<Subnet>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subnet {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    properties: Option<SubnetProperties>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubnetProperties {
    #[serde(default)]
    network_security_group: Option<Reference>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vm_is_read_from_what_compute_answers() {
        let wire: VmWire = serde_json::from_value(serde_json::json!({
            "id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG-WEB/providers/Microsoft.Compute/virtualMachines/web1",
            "name": "web1",
            "location": "westeurope",
            "somethingNew": true,
            "properties": {
                "storageProfile": {"osDisk": {"osType": "Windows", "name": "disk"}},
                "networkProfile": {"networkInterfaces": [
                    {"id": "/subscriptions/x/resourceGroups/RG-WEB/providers/Microsoft.Network/networkInterfaces/nic1", "properties": {"primary": true}},
                    {"id": "/subscriptions/x/resourceGroups/RG-WEB/providers/Microsoft.Network/networkInterfaces/nic2"}
                ]}
            }
        }))
        .unwrap();
        let vm = VirtualMachine::from_wire(wire).unwrap();
        assert_eq!(vm.name, "web1");
        assert_eq!(vm.resource_group, "RG-WEB");
        assert_eq!(vm.os_type.as_deref(), Some("Windows"));
        assert_eq!(vm.network_interface_ids.len(), 2);
        assert!(vm.network_interface_ids[0].ends_with("/nic1"));
    }

    #[test]
    fn a_vm_without_properties_or_id() {
        let bare: VmWire = serde_json::from_value(serde_json::json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v"
        }))
        .unwrap();
        let vm = VirtualMachine::from_wire(bare).unwrap();
        assert_eq!((vm.name.as_str(), vm.resource_group.as_str()), ("v", "rg"));
        assert_eq!(vm.os_type, None);
        assert!(vm.network_interface_ids.is_empty());
        let nameless: VmWire = serde_json::from_value(serde_json::json!({"name": "x"})).unwrap();
        assert_eq!(VirtualMachine::from_wire(nameless), None);
    }

    #[test]
    fn subnet_ids_split_into_network_and_name() {
        assert_eq!(
            split_subnet_id(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/net/SUBNETS/default"
            ),
            Some((
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/net",
                "default"
            ))
        );
        assert_eq!(
            split_subnet_id("/subscriptions/s/virtualNetworks/net/subnets/"),
            None
        );
        assert_eq!(
            split_subnet_id("/subscriptions/s/virtualNetworks/net"),
            None
        );
    }
}
