//! `jit status`: the inventory of the subscription (or of a resource group or region), as the
//! portal's Configured, Not configured and Unsupported tabs show it.

use jit_azure::inventory::{JitStatus, inventory};
use time::OffsetDateTime;

use super::Context;
use crate::args::{StatusArgs, StatusFormat};
use crate::error::CliError;
use crate::output::{json, local_and_utc, table};

pub async fn run(context: &Context, args: &StatusArgs) -> Result<String, CliError> {
    context
        .progress
        .say("Reading JIT policies and virtual machines");
    let rows = inventory(
        &context.client,
        &context.subscription_id,
        args.resource_group.as_deref(),
        args.location.as_deref(),
        OffsetDateTime::now_utc(),
        &context.deadline,
    )
    .await?;
    Ok(match args.format {
        StatusFormat::Json => json(&rows),
        StatusFormat::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    vec![
                        row.name.clone(),
                        row.resource_group.clone(),
                        row.location.clone(),
                        row.status.as_str().to_owned(),
                        row.ports
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(","),
                        if row.status == JitStatus::Configured {
                            row.approved_requests_last_7_days.to_string()
                        } else {
                            String::new()
                        },
                        row.last_access_utc
                            .as_deref()
                            .map(|at| local_and_utc(at, time::UtcOffset::UTC))
                            .unwrap_or_default(),
                        row.last_user.clone().unwrap_or_default(),
                        row.reason.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            table(
                &[
                    "Name",
                    "ResourceGroup",
                    "Location",
                    "Status",
                    "Ports",
                    "Requests7d",
                    "LastAccess",
                    "LastUser",
                    "Reason",
                ],
                &cells,
            )
        }
    })
}
