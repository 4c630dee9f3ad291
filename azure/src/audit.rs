//! The audit trail: who opened which port of which VM, from where, when, why, and how it ended.
//!
//! The API keeps it in each policy's `properties.requests`, one entry per initiate call with
//! its VMs and ports. A reviewer reads it one port at a time, so [`audit_entries`] flattens it
//! into one [`AuditEntry`] per request, VM and port, filtered and in time order. It is pure:
//! the policies come from one list call (every page), made by the caller.

use serde::Serialize;
use time::OffsetDateTime;

use crate::inventory::{parse_time, same_vm};
use crate::models::JitPolicy;

/// One port of one VM of one request; serialised with these field names (the command line's
/// JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// The policy whose history holds the request.
    pub policy_id: String,
    /// The VM, as the request names it.
    pub vm_id: String,
    /// The port opened.
    pub port: i64,
    /// Who asked, as Azure recorded it.
    pub requestor: String,
    /// Why, as the requestor wrote it.
    pub justification: Option<String>,
    /// When access began (RFC 3339, as Azure wrote it).
    pub start_time_utc: String,
    /// When access ends or ended.
    pub end_time_utc: Option<String>,
    /// The sources let in (the caller's address when the request named none).
    pub sources: Vec<String>,
    /// `Initiated`, `Revoked`, or what else the service says.
    pub status: Option<String>,
    /// `UserRequested`, `Expired`, `NewerRequestInitiated`, ...
    pub status_reason: Option<String>,
    /// The Azure Firewall port that leads to this one, when a firewall is in front of the VM.
    pub mapped_port: Option<i64>,
}

/// Which entries to keep; every filter is optional and they all must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this VM (ids compared as ARM compares them, ignoring case).
    pub vm_id: Option<String>,
    /// Only requests by this requestor (ignoring case: Entra ID names are not case-sensitive).
    pub requestor: Option<String>,
    /// Only requests that started at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only requests that started at or before this time.
    pub until: Option<OffsetDateTime>,
}

impl AuditFilter {
    fn keeps_time(&self, start: Option<OffsetDateTime>) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        // A start time that cannot be read cannot be placed in a window.
        start.is_some_and(|start| {
            self.since.is_none_or(|since| start >= since)
                && self.until.is_none_or(|until| start <= until)
        })
    }
}

/// Every request port of `policies` that `filter` keeps, sorted by start time, then policy
/// id, VM id and port (entries whose start time cannot be read come first).
pub fn audit_entries(policies: &[JitPolicy], filter: &AuditFilter) -> Vec<AuditEntry> {
    let mut entries: Vec<(Option<OffsetDateTime>, AuditEntry)> = Vec::new();
    for policy in policies {
        let policy_id = policy.id.clone().unwrap_or_default();
        for request in &policy.properties.requests {
            let start = parse_time(request.start_time_utc.as_deref());
            if !filter.keeps_time(start) {
                continue;
            }
            let requestor = request.requestor.clone().unwrap_or_default();
            if filter
                .requestor
                .as_deref()
                .is_some_and(|wanted| !wanted.eq_ignore_ascii_case(&requestor))
            {
                continue;
            }
            for vm in &request.virtual_machines {
                if filter
                    .vm_id
                    .as_deref()
                    .is_some_and(|wanted| !same_vm(wanted, &vm.id))
                {
                    continue;
                }
                for port in &vm.ports {
                    let sources = match (
                        &port.allowed_source_address_prefix,
                        &port.allowed_source_address_prefixes,
                    ) {
                        (Some(prefix), _) => vec![prefix.clone()],
                        (None, Some(prefixes)) => prefixes.clone(),
                        (None, None) => Vec::new(),
                    };
                    entries.push((
                        start,
                        AuditEntry {
                            policy_id: policy_id.clone(),
                            vm_id: vm.id.clone(),
                            port: port.number,
                            requestor: requestor.clone(),
                            justification: request.justification.clone(),
                            start_time_utc: request.start_time_utc.clone().unwrap_or_default(),
                            end_time_utc: port.end_time_utc.clone(),
                            sources,
                            status: port.status.clone(),
                            status_reason: port.status_reason.clone(),
                            mapped_port: port.mapped_port,
                        },
                    ));
                }
            }
        }
    }
    entries.sort_by(|(a_start, a), (b_start, b)| {
        a_start
            .cmp(b_start)
            .then_with(|| a.policy_id.cmp(&b.policy_id))
            .then_with(|| a.vm_id.cmp(&b.vm_id))
            .then_with(|| a.port.cmp(&b.port))
    });
    entries.into_iter().map(|(_, entry)| entry).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const VM_A: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/a";
    const VM_B: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/b";

    fn policies() -> Vec<JitPolicy> {
        let policy = |name: &str, requests: serde_json::Value| -> JitPolicy {
            serde_json::from_value(json!({
                "id": format!("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/{name}"),
                "properties": {"virtualMachines": [], "requests": requests}
            }))
            .unwrap()
        };
        vec![
            policy(
                "p2",
                json!([{
                    "startTimeUtc": "2030-01-02T10:00:00Z", "requestor": "Alice@contoso.com", "justification": "INC-7",
                    "virtualMachines": [{"id": VM_B, "ports": [
                        {"number": 3389, "allowedSourceAddressPrefixes": ["10.0.0.0/8", "192.168.0.0/16"], "endTimeUtc": "2030-01-02T11:00:00Z", "status": "Revoked", "statusReason": "Expired", "mappedPort": 50001},
                        {"number": 22, "allowedSourceAddressPrefix": "203.0.113.7", "endTimeUtc": "2030-01-02T11:00:00Z", "status": "Revoked", "statusReason": "Expired"}
                    ]}]
                }]),
            ),
            policy(
                "p1",
                json!([
                    {"startTimeUtc": "2030-01-03T10:00:00.5+01:00", "requestor": "bob@contoso.com",
                     "virtualMachines": [{"id": VM_A.to_ascii_uppercase(), "ports": [{"number": 22, "endTimeUtc": "2030-01-03T10:30:00Z", "status": "Initiated", "statusReason": "UserRequested"}]}]},
                    {"startTimeUtc": "2030-01-01T09:00:00Z", "requestor": "alice@contoso.com",
                     "virtualMachines": [{"id": VM_A, "ports": [{"number": 22, "allowedSourceAddressPrefix": "*", "endTimeUtc": "2030-01-01T10:00:00Z", "status": "Revoked", "statusReason": "NewerRequestInitiated"}]},
                                         {"id": VM_B, "ports": [{"number": 22, "allowedSourceAddressPrefix": "*", "endTimeUtc": "2030-01-01T10:00:00Z", "status": "Revoked", "statusReason": "NewerRequestInitiated"}]}]}
                ]),
            ),
        ]
    }

    fn summary(entries: &[AuditEntry]) -> Vec<(String, String, i64)> {
        entries
            .iter()
            .map(|e| {
                (
                    e.start_time_utc[..10].to_owned(),
                    e.vm_id.rsplit('/').next().unwrap().to_owned(),
                    e.port,
                )
            })
            .collect()
    }

    #[test]
    fn one_row_per_request_vm_and_port_in_time_order() {
        let entries = audit_entries(&policies(), &AuditFilter::default());
        assert_eq!(
            summary(&entries),
            [
                ("2030-01-01".into(), "a".into(), 22),
                ("2030-01-01".into(), "b".into(), 22),
                ("2030-01-02".into(), "b".into(), 22),
                ("2030-01-02".into(), "b".into(), 3389),
                ("2030-01-03".into(), "A".into(), 22),
            ]
        );
        let rdp = &entries[3];
        assert_eq!(rdp.sources, ["10.0.0.0/8", "192.168.0.0/16"]);
        assert_eq!(rdp.mapped_port, Some(50001));
        assert_eq!(rdp.justification.as_deref(), Some("INC-7"));
        assert_eq!(rdp.status_reason.as_deref(), Some("Expired"));
        assert!(rdp.policy_id.ends_with("/p2"));
        assert!(entries[4].sources.is_empty(), "no source recorded");
    }

    #[test]
    fn filters_by_vm_requestor_and_window() {
        let by_vm = audit_entries(
            &policies(),
            &AuditFilter {
                vm_id: Some(VM_A.to_owned()),
                ..AuditFilter::default()
            },
        );
        assert_eq!(by_vm.len(), 2, "both casings of the VM's id");
        let by_requestor = audit_entries(
            &policies(),
            &AuditFilter {
                requestor: Some("alice@contoso.com".to_owned()),
                ..AuditFilter::default()
            },
        );
        assert_eq!(by_requestor.len(), 4);
        let window = audit_entries(
            &policies(),
            &AuditFilter {
                since: Some(datetime!(2030-01-02 10:00 UTC)),
                until: Some(datetime!(2030-01-03 09:00:00.5 UTC)),
                ..AuditFilter::default()
            },
        );
        assert_eq!(
            summary(&window),
            [
                ("2030-01-02".into(), "b".into(), 22),
                ("2030-01-02".into(), "b".into(), 3389),
                ("2030-01-03".into(), "A".into(), 22),
            ],
            "both ends included, offsets honoured"
        );
    }
}
