//! The JIT inventory of a scope, as the portal's three tabs show it: the VMs a policy protects
//! (configured), those it could protect (not configured), and those it cannot (unsupported,
//! with the reason), with each protected VM's recent activity.
//!
//! [`classify`] is the whole decision, pure, so that it is tested without a network;
//! [`inventory`] feeds it with as few calls as Resource Manager allows: one policy list, one VM
//! list (every page of each), and network reads only for the VMs no policy covers, since only
//! for those does it matter whether an NSG exists.

use std::collections::HashMap;

use jit_core::VmId;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::{ArmClient, Deadline};
use crate::compute::{NetworkReader, VirtualMachine};
use crate::error::ArmError;
use crate::models::{JitPolicy, JitRequest};

/// The window of "approved requests", as the portal's Configured tab counts them.
pub const RECENT_REQUESTS_WINDOW: time::Duration = time::Duration::days(7);

/// How far ahead of this machine's clock Azure's may be for a request to count as recent.
const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// Why a VM without an NSG is unsupported, in the portal's terms.
pub const NO_NSG_REASON: &str = "no network security group on its network interfaces or subnets";

/// Where a VM stands with JIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JitStatus {
    /// A JIT policy protects it.
    Configured,
    /// No policy protects it, but one could.
    NotConfigured,
    /// JIT cannot protect it (e.g. no NSG); see [`VmInventory::reason`].
    Unsupported,
}

impl JitStatus {
    /// `configured`, `not_configured` or `unsupported`, as the command line and data sources
    /// print it.
    pub fn as_str(self) -> &'static str {
        match self {
            JitStatus::Configured => "configured",
            JitStatus::NotConfigured => "not_configured",
            JitStatus::Unsupported => "unsupported",
        }
    }
}

impl std::fmt::Display for JitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One VM of the inventory; serialised with these field names (the command line's JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VmInventory {
    /// The VM's ARM id, as Compute answered it.
    pub vm_id: String,
    /// Its name.
    pub name: String,
    /// Its resource group.
    pub resource_group: String,
    /// Its region.
    pub location: String,
    /// Configured, not configured, or unsupported.
    pub status: JitStatus,
    /// Why it is unsupported; `None` otherwise.
    pub reason: Option<String>,
    /// The id of the policy that protects it, when configured.
    pub policy_id: Option<String>,
    /// The ports the policy protects, in the policy's order.
    pub ports: Vec<i64>,
    /// Requests for this VM that started in the last seven days (every request in the
    /// history was approved: a refused one is never recorded).
    pub approved_requests_last_7_days: u32,
    /// When the latest request for it started, as Azure wrote it.
    pub last_access_utc: Option<String>,
    /// Who made that request.
    pub last_user: Option<String>,
}

/// Classifies every VM of `vms`.
///
/// `nsgs_by_vm` maps a lower-cased VM id to the NSGs found on its network interfaces and
/// subnets. A VM no policy covers is unsupported when its entry is empty, and not configured
/// when it has NSGs or no entry at all (nothing was read about it, so nothing is claimed).
/// VM ids are compared as ARM compares them, ignoring case. The result is sorted by resource
/// group, then name.
pub fn classify(
    vms: &[VirtualMachine],
    nsgs_by_vm: &HashMap<String, Vec<String>>,
    policies: &[JitPolicy],
    now: OffsetDateTime,
) -> Vec<VmInventory> {
    let mut rows: Vec<VmInventory> = vms
        .iter()
        .map(|vm| classify_one(vm, nsgs_by_vm, policies, now))
        .collect();
    rows.sort_by_cached_key(|row| {
        (
            row.resource_group.to_ascii_lowercase(),
            row.name.to_ascii_lowercase(),
            row.vm_id.to_ascii_lowercase(),
        )
    });
    rows
}

/// The inventory of a subscription, optionally narrowed to a resource group and/or a region
/// (a name such as `westeurope`, or its display name `West Europe`).
pub async fn inventory(
    client: &ArmClient,
    subscription_id: &str,
    resource_group: Option<&str>,
    location: Option<&str>,
    now: OffsetDateTime,
    deadline: &Deadline,
) -> Result<Vec<VmInventory>, ArmError> {
    // ARM names a region in the policy path by its name (`westeurope`), not by its display
    // name (`West Europe`), which Compute also answers.
    let region = location.map(jit_core::Location::normalize);
    let policies = client
        .list_policies(subscription_id, resource_group, region.as_deref(), deadline)
        .await?;
    let vms: Vec<VirtualMachine> = client
        .list_virtual_machines(subscription_id, resource_group, deadline)
        .await?
        .into_iter()
        .filter(|vm| location.is_none_or(|wanted| jit_core::same_location(&vm.location, wanted)))
        .collect();
    let mut reader = NetworkReader::new(client);
    let mut nsgs_by_vm = HashMap::new();
    for vm in &vms {
        if policy_entry(vm, &policies).is_none() {
            let nsgs = reader.network_security_groups_of(vm, deadline).await?;
            nsgs_by_vm.insert(vm.id.to_ascii_lowercase(), nsgs);
        }
    }
    Ok(classify(&vms, &nsgs_by_vm, &policies, now))
}

/// Whether two VM ids name the same VM: [`VmId::same_vm`] when both parse, else the ids
/// compared without case.
pub(crate) fn same_vm(a: &str, b: &str) -> bool {
    match (VmId::parse(a), VmId::parse(b)) {
        (Ok(a), Ok(b)) => a.same_vm(&b),
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// An RFC 3339 time, or `None` when it is absent or unreadable.
pub(crate) fn parse_time(text: Option<&str>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text?, &Rfc3339).ok()
}

/// The first policy that lists the VM, with the VM's entry in it.
fn policy_entry<'a>(
    vm: &VirtualMachine,
    policies: &'a [JitPolicy],
) -> Option<(&'a JitPolicy, &'a crate::models::JitVirtualMachine)> {
    policies.iter().find_map(|policy| {
        policy
            .properties
            .virtual_machines
            .iter()
            .find(|entry| same_vm(&entry.id, &vm.id))
            .map(|entry| (policy, entry))
    })
}

fn classify_one(
    vm: &VirtualMachine,
    nsgs_by_vm: &HashMap<String, Vec<String>>,
    policies: &[JitPolicy],
    now: OffsetDateTime,
) -> VmInventory {
    let entry = policy_entry(vm, policies);
    let (status, reason) = match (entry, nsgs_by_vm.get(&vm.id.to_ascii_lowercase())) {
        (Some(_), _) => (JitStatus::Configured, None),
        (None, Some(nsgs)) if nsgs.is_empty() => {
            (JitStatus::Unsupported, Some(NO_NSG_REASON.to_owned()))
        }
        (None, _) => (JitStatus::NotConfigured, None),
    };
    // A VM's requests are in the history of whichever policy held it when they were made.
    let requests: Vec<(&JitRequest, Option<OffsetDateTime>)> = policies
        .iter()
        .flat_map(|policy| policy.properties.requests.iter())
        .filter(|request| {
            request
                .virtual_machines
                .iter()
                .any(|requested| same_vm(&requested.id, &vm.id))
        })
        .map(|request| (request, parse_time(request.start_time_utc.as_deref())))
        .collect();
    let recent = requests
        .iter()
        // A request Azure stamped a moment ahead of this clock (skew) is recent too; one
        // years ahead is not.
        .filter(|(_, start)| {
            start.is_some_and(|start| {
                start <= now + CLOCK_SKEW && now - start <= RECENT_REQUESTS_WINDOW
            })
        })
        .count();
    let latest = requests
        .iter()
        .filter_map(|(request, start)| start.map(|start| (start, *request)))
        .max_by_key(|(start, _)| *start)
        .map(|(_, request)| request);
    VmInventory {
        vm_id: vm.id.clone(),
        name: vm.name.clone(),
        resource_group: vm.resource_group.clone(),
        location: vm.location.clone(),
        status,
        reason,
        policy_id: entry.and_then(|(policy, _)| policy.id.clone()),
        ports: entry
            .map(|(_, entry)| entry.ports.iter().map(|port| port.number).collect())
            .unwrap_or_default(),
        approved_requests_last_7_days: u32::try_from(recent).unwrap_or(u32::MAX),
        last_access_utc: latest.and_then(|request| request.start_time_utc.clone()),
        last_user: latest.and_then(|request| request.requestor.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    fn vm(group: &str, name: &str) -> VirtualMachine {
        VirtualMachine {
            id: format!(
                "/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}"
            ),
            name: name.into(),
            location: "westeurope".into(),
            resource_group: group.into(),
            os_type: Some("Linux".into()),
            network_interface_ids: Vec::new(),
        }
    }

    fn policy(vm_id: &str, requests: serde_json::Value) -> JitPolicy {
        serde_json::from_value(json!({
            "id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"),
            "properties": {
                "virtualMachines": [{"id": vm_id, "ports": [
                    {"number": 22, "protocol": "*", "maxRequestAccessDuration": "PT3H"},
                    {"number": 3389, "protocol": "*", "maxRequestAccessDuration": "PT3H"}
                ]}],
                "requests": requests
            }
        }))
        .unwrap()
    }

    fn request(vm_id: &str, start: &str, who: &str) -> serde_json::Value {
        json!({"virtualMachines": [{"id": vm_id, "ports": [{"number": 22, "endTimeUtc": start, "status": "Revoked", "statusReason": "Expired"}]}],
               "startTimeUtc": start, "requestor": who})
    }

    const NOW: OffsetDateTime = datetime!(2030-01-10 12:00 UTC);

    #[test]
    fn configured_not_configured_and_unsupported() {
        let web = vm("rg", "web");
        let bare = vm("rg", "bare");
        let open = vm("rg", "open");
        let unread = vm("other", "unread");
        // Azure may answer the policy's VM id in another case than Compute's.
        let policies = [policy(
            &web.id.to_ascii_uppercase(),
            json!([
                request(&web.id, "2030-01-01T00:00:00Z", "old@contoso.com"),
                request(&web.id, "2030-01-09T08:00:00Z", "barbara@contoso.com"),
                request(&web.id, "2030-01-10T09:30:00Z", "alice@contoso.com"),
                request(&open.id, "2030-01-10T10:00:00Z", "someone@contoso.com"),
            ]),
        )];
        let nsgs = HashMap::from([
            (bare.id.to_ascii_lowercase(), Vec::new()),
            (open.id.to_ascii_lowercase(), vec!["/nsg".to_owned()]),
        ]);
        let rows = classify(&[web.clone(), bare, open, unread], &nsgs, &policies, NOW);
        let names: Vec<&str> = rows.iter().map(|row| row.name.as_str()).collect();
        assert_eq!(
            names,
            ["unread", "bare", "open", "web"],
            "by group, then name"
        );
        let by_name = |name: &str| rows.iter().find(|row| row.name == name).unwrap();

        let web_row = by_name("web");
        assert_eq!(web_row.status, JitStatus::Configured);
        assert_eq!(web_row.ports, [22, 3389]);
        assert_eq!(web_row.policy_id, policies[0].id);
        assert_eq!(
            web_row.approved_requests_last_7_days, 2,
            "not the one of 2030-01-01"
        );
        assert_eq!(
            web_row.last_access_utc.as_deref(),
            Some("2030-01-10T09:30:00Z")
        );
        assert_eq!(web_row.last_user.as_deref(), Some("alice@contoso.com"));
        assert_eq!(web_row.reason, None);

        let bare_row = by_name("bare");
        assert_eq!(bare_row.status, JitStatus::Unsupported);
        assert_eq!(bare_row.reason.as_deref(), Some(NO_NSG_REASON));
        assert!(bare_row.ports.is_empty() && bare_row.policy_id.is_none());

        let open_row = by_name("open");
        assert_eq!(open_row.status, JitStatus::NotConfigured);
        assert_eq!(
            open_row.approved_requests_last_7_days, 1,
            "history outlives the policy entry"
        );
        assert_eq!(by_name("unread").status, JitStatus::NotConfigured);
    }

    #[test]
    fn status_names() {
        for status in [
            JitStatus::Configured,
            JitStatus::NotConfigured,
            JitStatus::Unsupported,
        ] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(JitStatus::Configured.as_str(), "configured");
        assert_eq!(JitStatus::NotConfigured.to_string(), "not_configured");
        assert_eq!(JitStatus::Unsupported.as_str(), "unsupported");
    }

    #[test]
    fn unreadable_and_future_start_times_are_not_recent() {
        let web = vm("rg", "web");
        let policies = [policy(
            &web.id,
            json!([
                request(&web.id, "yesterday", "a@contoso.com"),
                request(&web.id, "2030-02-01T00:00:00Z", "b@contoso.com"),
            ]),
        )];
        let rows = classify(std::slice::from_ref(&web), &HashMap::new(), &policies, NOW);
        assert_eq!(rows[0].approved_requests_last_7_days, 0);
        assert_eq!(rows[0].last_user.as_deref(), Some("b@contoso.com"));
    }
}
