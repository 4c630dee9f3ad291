//! Where to reach a VM: its primary private IP address, read from the VM and its primary
//! network interface (two GETs), for callers that open access and then connect.

use reqwest::Url;
use serde::Deserialize;

use crate::client::{ArmClient, Deadline};
use crate::error::ArmError;

/// The Compute api-version of the VM read.
pub const COMPUTE_API_VERSION: &str = "2024-07-01";

/// The Network api-version of the network interface read.
pub const NETWORK_API_VERSION: &str = "2024-05-01";

#[derive(Deserialize)]
struct Resource<P> {
    #[serde(default = "Option::default")]
    properties: Option<P>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VmProperties {
    #[serde(default)]
    network_profile: Option<NetworkProfile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetworkProfile {
    #[serde(default)]
    network_interfaces: Vec<Reference>,
}

#[derive(Deserialize)]
struct Reference {
    id: String,
    #[serde(default)]
    properties: Option<Primary>,
}

#[derive(Deserialize)]
struct Primary {
    #[serde(default)]
    primary: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NicProperties {
    #[serde(default)]
    ip_configurations: Vec<IpConfiguration>,
}

#[derive(Deserialize)]
struct IpConfiguration {
    #[serde(default)]
    properties: Option<IpConfigurationProperties>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IpConfigurationProperties {
    #[serde(default, rename = "privateIPAddress")]
    private_ip_address: Option<String>,
    #[serde(default)]
    primary: Option<bool>,
}

impl ArmClient {
    /// The URL of a resource id with another api-version than the JIT API's.
    pub fn resource_url(&self, id: &str, api_version: &str) -> Url {
        let segments: Vec<&str> = id
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        let mut url = self.url(&segments);
        url.query_pairs_mut()
            .clear()
            .append_pair("api-version", api_version);
        url
    }

    /// The VM's primary private IP address: `None` when the VM, its interface or an address
    /// is not there.
    pub async fn private_ip_address(
        &self,
        vm_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<String>, ArmError> {
        let vm: Option<Resource<VmProperties>> = self
            .get(self.resource_url(vm_id, COMPUTE_API_VERSION), deadline)
            .await?;
        let interfaces = vm
            .and_then(|vm| vm.properties)
            .and_then(|properties| properties.network_profile)
            .map(|profile| profile.network_interfaces)
            .unwrap_or_default();
        let Some(nic) = primary(&interfaces, |nic| {
            nic.properties.as_ref().and_then(|p| p.primary)
        }) else {
            return Ok(None);
        };
        let nic: Option<Resource<NicProperties>> = self
            .get(self.resource_url(&nic.id, NETWORK_API_VERSION), deadline)
            .await?;
        let configurations = nic
            .and_then(|nic| nic.properties)
            .map(|properties| properties.ip_configurations)
            .unwrap_or_default();
        Ok(primary(&configurations, |configuration| {
            configuration.properties.as_ref().and_then(|p| p.primary)
        })
        .and_then(|configuration| configuration.properties.as_ref())
        .and_then(|properties| properties.private_ip_address.clone()))
    }
}

/// The item marked primary, else the first (ARM marks one primary when there are several).
fn primary<T>(items: &[T], is_primary: impl Fn(&T) -> Option<bool>) -> Option<&T> {
    items
        .iter()
        .find(|item| is_primary(item) == Some(true))
        .or_else(|| items.first())
}
