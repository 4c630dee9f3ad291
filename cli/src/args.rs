//! The command line, as clap reads it. Every value is parsed here, at the edge, into the type
//! that carries its rule (`VmId`, `IsoDuration`, `SourcePrefix`, `PolicyId`), so that a
//! malformed value is a usage error (exit code 2) that names its flag before anything is
//! sent to Azure.

use clap::{Args, Parser, Subcommand, ValueEnum};
use jit_core::{IsoDuration, PolicyId, RuleError, SourcePrefix, VmId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Just-in-time VM access from a terminal: request access, list the JIT inventory, export
/// the audit trail.
///
/// Settings come from the same ARM_* variables as the Terraform provider: ARM_SUBSCRIPTION_ID,
/// and ARM_TENANT_ID, ARM_CLIENT_ID with ARM_CLIENT_SECRET (or a certificate, OIDC, a managed
/// identity, or `az login`); ARM_ENVIRONMENT, ARM_RESOURCE_MANAGER_ENDPOINT and
/// ARM_AUTHORITY_HOST choose the cloud or an emulator.
#[derive(Debug, Parser)]
#[command(name = "jit", version, propagate_version = true)]
pub struct Cli {
    /// The subscription to work in, instead of ARM_SUBSCRIPTION_ID.
    #[arg(long, global = true, value_name = "ID", value_parser = parse_subscription)]
    pub subscription: Option<String>,

    /// How long the command may take in all, retries of throttled calls included (ISO 8601).
    #[arg(long, global = true, value_name = "DURATION", default_value = "PT5M", value_parser = parse_timeout)]
    pub timeout: IsoDuration,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open access to a VM's ports now, for a while, from your address or a given source.
    Request(RequestArgs),
    /// List the VMs in scope: configured, not configured, or unsupported (with the reason).
    Status(StatusArgs),
    /// Export the JIT request history: one row per request, VM and port.
    Audit(AuditArgs),
}

/// `jit request`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The VM's ARM id: /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}.
    #[arg(value_name = "VM_ID", value_parser = parse_vm_id)]
    pub vm: VmId,

    /// A port to open; repeat the flag for several. Each must be in the VM's JIT policy.
    #[arg(long = "port", value_name = "PORT", required = true, value_parser = parse_port)]
    pub ports: Vec<u16>,

    /// How long access lasts (ISO 8601, e.g. PT1H, PT30M); at most the port's maximum.
    #[arg(long, value_name = "DURATION", value_parser = parse_request_duration)]
    pub duration: IsoDuration,

    /// Who may connect: an address or CIDR inside the port's allowed sources. Without it,
    /// Azure opens the port for the address your request comes from.
    #[arg(long, value_name = "PREFIX", value_parser = parse_source)]
    pub source: Option<Source>,

    /// Why, for the audit trail.
    #[arg(long, value_name = "TEXT")]
    pub justification: Option<String>,

    /// The JIT policy's ARM id, when the VM is in several (found by listing otherwise).
    #[arg(long, value_name = "POLICY_ID", value_parser = parse_policy_id)]
    pub policy: Option<PolicyId>,
}

/// A `--source` as written and as parsed.
#[derive(Debug, Clone)]
pub struct Source {
    /// What the user wrote, sent to Azure as written.
    pub text: String,
    /// What it means, for the checks.
    pub prefix: SourcePrefix,
}

/// `jit status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this resource group.
    #[arg(long, short = 'g', value_name = "RG", value_parser = parse_resource_group)]
    pub resource_group: Option<String>,

    /// Only this region, e.g. westeurope.
    #[arg(long, short = 'l', value_name = "LOC", value_parser = parse_location)]
    pub location: Option<String>,

    /// The output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
}

/// How `jit status` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON array of objects.
    Json,
}

/// `jit audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only requests that started since then: a duration back from now (PT24H, P7D) or an
    /// RFC 3339 time (2026-12-01T00:00:00Z).
    #[arg(long, value_name = "PT24H|RFC3339", value_parser = parse_time_bound)]
    pub since: Option<TimeBound>,

    /// Only requests that started until then: an RFC 3339 time, or a duration back from now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time_bound)]
    pub until: Option<TimeBound>,

    /// Only this VM (its ARM id).
    #[arg(long = "vm", value_name = "VM_ID", value_parser = parse_vm_id)]
    pub vm: Option<VmId>,

    /// Only requests by this requestor (as Azure records it, e.g. a user principal name).
    #[arg(long, value_name = "NAME")]
    pub requestor: Option<String>,

    /// Only policies of this resource group.
    #[arg(long, short = 'g', value_name = "RG", value_parser = parse_resource_group)]
    pub resource_group: Option<String>,

    /// Only policies of this region.
    #[arg(long, short = 'l', value_name = "LOC", value_parser = parse_location)]
    pub location: Option<String>,

    /// The output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Csv)]
    pub format: AuditFormat,
}

/// How `jit audit` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// A header line and one quoted row per entry.
    Csv,
    /// One JSON array of objects.
    Json,
}

/// One end of a time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// That long before now.
    Ago(IsoDuration),
    /// That instant.
    At(OffsetDateTime),
}

impl TimeBound {
    /// The instant, counting back from `now`.
    pub fn resolve(self, now: OffsetDateTime) -> OffsetDateTime {
        match self {
            TimeBound::At(at) => at,
            TimeBound::Ago(duration) => {
                let seconds = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
                now.checked_sub(time::Duration::seconds(seconds))
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            }
        }
    }
}

/// A rule's message and how to fix it, for clap to print after the flag's name.
fn explain(error: RuleError) -> String {
    format!("{error}; {}", error.help())
}

fn parse_vm_id(text: &str) -> Result<VmId, String> {
    VmId::parse(text).map_err(explain)
}

fn parse_policy_id(text: &str) -> Result<PolicyId, String> {
    PolicyId::parse(text).map_err(explain)
}

fn parse_port(text: &str) -> Result<u16, String> {
    let number: i64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a port number; give a number such as 22"))?;
    jit_core::PortNumber::new(number)
        .map(|port| port.get())
        .map_err(explain)
}

fn parse_request_duration(text: &str) -> Result<IsoDuration, String> {
    let duration = IsoDuration::parse(text).map_err(explain)?;
    if duration.as_secs() == 0 {
        return Err("a request must last longer than PT0S; give e.g. PT1H".to_owned());
    }
    Ok(duration)
}

fn parse_timeout(text: &str) -> Result<IsoDuration, String> {
    parse_request_duration(text)
}

fn parse_source(text: &str) -> Result<Source, String> {
    let prefix = text.parse::<SourcePrefix>().map_err(explain)?;
    Ok(Source {
        text: text.to_owned(),
        prefix,
    })
}

fn parse_subscription(text: &str) -> Result<String, String> {
    if jit_core::is_guid(text) {
        Ok(text.to_owned())
    } else {
        Err(
            "not a subscription id; use the subscription's GUID (`az account show --query id`)"
                .to_owned(),
        )
    }
}

fn parse_resource_group(text: &str) -> Result<String, String> {
    jit_core::ResourceGroupName::parse(text)
        .map(|name| name.as_str().to_owned())
        .map_err(explain)
}

fn parse_location(text: &str) -> Result<String, String> {
    jit_core::Location::parse(text)
        .map(|location| location.as_str().to_owned())
        .map_err(explain)
}

fn parse_time_bound(text: &str) -> Result<TimeBound, String> {
    if text.starts_with('P') {
        return IsoDuration::parse(text)
            .map(TimeBound::Ago)
            .map_err(explain);
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .map(TimeBound::At)
        .map_err(|_| {
            format!(
                "`{text}` is neither an ISO 8601 duration (PT24H, P7D) nor an RFC 3339 time \
                 (2026-12-01T00:00:00Z)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use time::macros::datetime;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn time_bounds_are_durations_or_instants() {
        let now = datetime!(2030-01-02 00:00 UTC);
        assert_eq!(
            parse_time_bound("PT24H").unwrap().resolve(now),
            datetime!(2030-01-01 00:00 UTC)
        );
        assert_eq!(
            parse_time_bound("2030-01-01T12:00:00+01:00")
                .unwrap()
                .resolve(now),
            datetime!(2030-01-01 11:00 UTC)
        );
        assert!(
            parse_time_bound("yesterday")
                .unwrap_err()
                .contains("RFC 3339")
        );
        assert!(
            parse_time_bound("P1Y").is_err(),
            "years have no fixed length"
        );
    }

    #[test]
    fn values_are_checked_with_the_rules() {
        assert_eq!(parse_port("22"), Ok(22));
        assert!(parse_port("ssh").unwrap_err().contains("not a port number"));
        assert!(parse_port("70000").is_err());
        assert!(parse_request_duration("PT0S").is_err());
        assert!(parse_request_duration("1h").is_err());
        assert!(parse_source("10.0.0.0/8").is_ok());
        assert!(parse_source("10.0.0.0/99").is_err());
        assert!(parse_subscription("sub").is_err());
        assert!(parse_location("West Europe").is_err());
    }
}
