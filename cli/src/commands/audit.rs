//! `jit audit`: the request history of every policy in scope, one row per request, VM and
//! port, as CSV for a reviewer's spreadsheet or as JSON.

use jit_azure::audit::{AuditEntry, AuditFilter, audit_entries};
use time::OffsetDateTime;

use super::Context;
use crate::args::{AuditArgs, AuditFormat};
use crate::error::CliError;
use crate::output::{csv_record, json};

/// The CSV columns, in the order a reviewer reads a request: when, who, why, what, how it
/// ended, and where it is recorded. The JSON objects have the same names.
pub const COLUMNS: [&str; 11] = [
    "start_time_utc",
    "end_time_utc",
    "requestor",
    "justification",
    "vm_id",
    "port",
    "sources",
    "status",
    "status_reason",
    "policy_id",
    "mapped_port",
];

pub async fn run(context: &Context, args: &AuditArgs) -> Result<String, CliError> {
    let now = OffsetDateTime::now_utc();
    let filter = AuditFilter {
        vm_id: args.vm.as_ref().map(ToString::to_string),
        requestor: args.requestor.clone(),
        since: args.since.map(|bound| bound.resolve(now)),
        until: args.until.map(|bound| bound.resolve(now)),
    };
    context.progress.say("Reading JIT policies");
    let policies = context
        .client
        .list_policies(
            &context.subscription_id,
            args.resource_group.as_deref(),
            args.location.as_deref(),
            &context.deadline,
        )
        .await?;
    let entries = audit_entries(&policies, &filter);
    Ok(match args.format {
        AuditFormat::Json => json(&entries),
        AuditFormat::Csv => csv(&entries),
    })
}

/// The header, then one record per entry; several sources are joined with `;`, and an absent
/// value is an empty field.
fn csv(entries: &[AuditEntry]) -> String {
    let header: Vec<String> = COLUMNS.iter().map(|column| (*column).to_owned()).collect();
    let mut text = csv_record(&header);
    for entry in entries {
        text.push_str(&csv_record(&[
            entry.start_time_utc.clone(),
            entry.end_time_utc.clone().unwrap_or_default(),
            entry.requestor.clone(),
            entry.justification.clone().unwrap_or_default(),
            entry.vm_id.clone(),
            entry.port.to_string(),
            entry.sources.join(";"),
            entry.status.clone().unwrap_or_default(),
            entry.status_reason.clone().unwrap_or_default(),
            entry.policy_id.clone(),
            entry
                .mapped_port
                .map(|port| port.to_string())
                .unwrap_or_default(),
        ]));
    }
    text
}
