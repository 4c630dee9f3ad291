//! Ephemeral `jit_access_request`: access for the length of one Terraform run.
//!
//! Open initiates a request for one port of one VM and gives what a provisioner or another
//! provider needs to connect: the address (the Azure Firewall's public IP when the VM sits
//! behind one, else the VM's private IP) and the port (the firewall's mapped port when there is
//! one). Terraform renews it before it ends if the run lasts that long; each renewal is a new
//! request, which revokes the one before.
//!
//! **Close.** The API has no revoke; what ends a request early is a newer request for the same
//! port, which revokes it (`Revoked`, `NewerRequestInitiated`). So close makes one: from a
//! source no host connects from, inside the policy's allowed sources
//! (`jit_core::unreachable_source`), ending a minute later. Where the policy allows only single
//! addresses, the closing request has to come from one of them, and that address keeps access
//! for that last minute. Nothing of this resource reaches state or plan files.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use jit_azure::models::{JitInitiatePort, JitInitiateRequest, JitInitiateVirtualMachine};
use jit_azure::{ArmError, Deadline};
use jit_core::{AllowedSource, IsoDuration, PolicyId, PortNumber, RuleError, SourcePrefix};
use tfplugin::framework::ephemeral::*;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::{Attribute, Block, Diagnostics, Path, Schema, TypeDefinition};

use crate::access::{self, Asked, PortProblem};
use crate::arm::Arm;
use crate::validators;

/// The ephemeral `jit_access_request` type.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitAccessRequestEphemeral;

/// Its type name (the same as the managed resource's: Terraform keeps the kinds apart).
pub const TYPE_NAME: &str = "jit_access_request";

/// How long access lasts when `duration` is not set (or the port's maximum, if shorter).
const DEFAULT_DURATION: IsoDuration = IsoDuration::from_hours(1);

/// How long the closing request lasts: the shortest a request can sensibly ask for.
const CLOSING_REQUEST: Duration = Duration::from_secs(60);

/// The budget of each call.
const CALL_BUDGET: Duration = Duration::from_secs(5 * 60);

/// The configuration and the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EphemeralRequestModel {
    /// The policy.
    pub policy_id: Attr<String>,
    /// The VM.
    pub virtual_machine_id: Attr<String>,
    /// The port.
    pub port: Attr<i64>,
    /// How long.
    pub duration: Attr<String>,
    /// From where; the caller's address when not set.
    pub allowed_source_address_prefix: Attr<String>,
    /// Why.
    pub justification: Attr<String>,
    /// Where to connect.
    pub address: Attr<String>,
    /// Which port to connect to.
    pub connect_port: Attr<i64>,
    /// The firewall's mapped port, if any.
    pub mapped_port: Attr<i64>,
    /// The VM's private IP.
    pub private_ip_address: Attr<String>,
    /// The source Azure opened the port to.
    pub source: Attr<String>,
    /// Who asked.
    pub requestor: Attr<String>,
    /// When.
    pub start_time_utc: Attr<String>,
    /// Until when.
    pub end_time_utc: Attr<String>,
}

/// What renew and close need, kept by Terraform between the calls (never in state).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Opened {
    policy_id: String,
    vm_id: String,
    port: i64,
    source: Option<String>,
    duration_secs: u64,
    justification: Option<String>,
    /// The policy's allowed sources for the port, for the closing request.
    allowed: Vec<String>,
}

impl JitAccessRequestEphemeral {
    fn block() -> Block {
        Block::new("Opens just-in-time access to one port of one VM for the length of a Terraform run, e.g. for a provisioner: renewed while the run lasts, ended when it finishes. Nothing of it is stored in state or plan files; the request is kept in the policy's audit history like any other.")
            .attribute("policy_id", Attribute::string("The id of the JIT policy that protects the VM.").required().validate(validators::policy_id()))
            .attribute("virtual_machine_id", Attribute::string("The VM's resource id.").required().validate(validators::vm_id()))
            .attribute("port", Attribute::number("The port to open; one the policy configures for the VM.").required().validate(validators::port_number()))
            .attribute("duration", Attribute::string("How long each request lasts, as an ISO 8601 duration; Terraform renews it before it ends while the run goes on. Defaults to `PT1H`, or the port's maximum if shorter.").optional().validate(validators::access_duration()))
            .attribute("allowed_source_address_prefix", Attribute::string("The address (or CIDR block) to open the port to, within the policy's allowed sources. Defaults to the caller's address as Azure sees it.").optional().validate(validators::source_prefix()))
            .attribute("justification", Attribute::string("Why access is needed; kept in the audit history.").optional())
            .attribute("address", Attribute::string("Where to connect: the Azure Firewall's public IP when the VM sits behind one, else the VM's private IP.").computed())
            .attribute("connect_port", Attribute::number("The port to connect to: the firewall's mapped port when there is one, else `port`.").computed())
            .attribute("mapped_port", Attribute::number("The Azure Firewall's port mapped to `port`, if any.").computed())
            .attribute("private_ip_address", Attribute::string("The VM's primary private IP address, if it could be read.").computed())
            .attribute("source", Attribute::string("The source the port was opened to, as Azure recorded it.").computed())
            .attribute("requestor", Attribute::string("Who made the request, as Azure recorded it.").computed())
            .attribute("start_time_utc", Attribute::string("When the request was made.").computed())
            .attribute("end_time_utc", Attribute::string("When the current request ends, unless renewed or closed first.").computed())
    }
}

#[async_trait::async_trait]
impl TypeDefinition for JitAccessRequestEphemeral {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(0, Self::block())
    }
}

/// When to renew a request that ends at `end` and lasts `length`: a tenth of its length before
/// its end, at least a minute before.
fn renew_at(end: time::OffsetDateTime, length: Duration) -> SystemTime {
    let margin = (length / 10).max(Duration::from_secs(60)).min(length / 2);
    let end = SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(end.unix_timestamp()).unwrap_or(0));
    end.checked_sub(margin).unwrap_or(end)
}

/// One initiate of `opened`'s port, from `source`, for `length`; the recorded port's end
/// time, source, mapped port, requestor and start time.
async fn ask(
    arm: &Arm,
    opened: &Opened,
    source: Option<String>,
    length: Duration,
    deadline: &Deadline,
) -> Result<Recorded, ArmError> {
    let policy_id = PolicyId::parse(&opened.policy_id).map_err(|error| ArmError::Decode {
        url: opened.policy_id.clone(),
        reason: error.to_string(),
    })?;
    let end = access::now() + length;
    let body = JitInitiateRequest {
        virtual_machines: vec![JitInitiateVirtualMachine {
            id: opened.vm_id.clone(),
            ports: vec![JitInitiatePort {
                number: opened.port,
                end_time_utc: access::format(end),
                allowed_source_address_prefix: source,
            }],
        }],
        justification: opened.justification.clone(),
    };
    arm.forget(&policy_id);
    let request = arm.client.initiate(&policy_id, &body, deadline).await?;
    let port = access::request_port(&request, &opened.vm_id, opened.port);
    Ok(Recorded {
        end: port
            .and_then(|port| port.end_time_utc.as_deref())
            .and_then(access::parse)
            .unwrap_or(end),
        source: port.and_then(access::recorded_source),
        mapped_port: port.and_then(|port| port.mapped_port),
        requestor: request.requestor.clone(),
        start: request.start_time_utc.clone(),
    })
}

/// What Azure recorded of one initiate.
struct Recorded {
    end: time::OffsetDateTime,
    source: Option<String>,
    mapped_port: Option<i64>,
    requestor: Option<String>,
    start: Option<String>,
}

fn private_data(opened: &Opened) -> Option<Vec<u8>> {
    serde_json::to_vec(opened).ok()
}

fn opened_from(private: Option<&[u8]>, diagnostics: &mut Diagnostics) -> Option<Opened> {
    match private.map(serde_json::from_slice::<Opened>) {
        Some(Ok(opened)) => Some(opened),
        _ => {
            diagnostics.error(
                "Lost track of the JIT access request",
                "Terraform handed back no record of the open request; this is a bug in the provider, please report it. The request ends at its end time.",
            );
            None
        }
    }
}

#[async_trait::async_trait]
impl EphemeralResource<Arm> for JitAccessRequestEphemeral {
    async fn open(&self, request: OpenRequest<Arm>, response: &mut OpenResponse) {
        let Some(mut config) = model::read::<EphemeralRequestModel>(
            &request.config,
            "ephemeral jit_access_request configuration",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let arm = &request.provider;
        let (Some(policy_text), Some(vm_id), Some(&number)) = (
            config.policy_id.known(),
            config.virtual_machine_id.known(),
            config.port.known(),
        ) else {
            return;
        };
        let Ok(policy_id) = PolicyId::parse(policy_text) else {
            return;
        };
        let Ok(port_number) = PortNumber::new(number) else {
            return;
        };
        let deadline = Deadline::after(CALL_BUDGET, format!("opening ephemeral {TYPE_NAME}"));
        let policy = match arm.read_policy(&policy_id, &deadline).await {
            Ok(Some(policy)) => policy,
            Ok(None) => {
                response.diagnostics.attribute_error(
                    Path::attr_root("policy_id"),
                    "JIT policy not found",
                    format!("There is no JIT policy {policy_text:?}: create it first (jit_policy), or give the id of the policy that protects the VM."),
                );
                return;
            }
            Err(error) => {
                error_report(error, "open", &mut response.diagnostics);
                return;
            }
        };
        let Some(held) = policy.virtual_machine(vm_id) else {
            response.diagnostics.attribute_error(
                Path::attr_root("virtual_machine_id"),
                "Virtual machine not in the JIT policy",
                format!(
                    "{vm_id:?} is not protected by the JIT policy {:?}.",
                    policy_id.name
                ),
            );
            return;
        };
        let rules = access::rules_of(held);
        let max = rules
            .iter()
            .find(|rule| rule.number == port_number)
            .map(|rule| rule.max_request_access_duration.get());
        let length = match config.duration.known() {
            Some(text) => match IsoDuration::parse(text) {
                Ok(duration) => duration,
                Err(_) => return,
            },
            None => max.map_or(DEFAULT_DURATION, |max| max.min(DEFAULT_DURATION)),
        };
        let source = config
            .allowed_source_address_prefix
            .known()
            .and_then(|text| text.parse::<SourcePrefix>().ok());
        let now = access::now();
        let problems = access::check_port(
            &rules,
            port_number,
            source.as_ref(),
            Some(Asked::For(length)),
            now,
        );
        for problem in &problems {
            let attribute = match problem {
                PortProblem::Rule(RuleError::SourceNotAllowed { .. }) => {
                    "allowed_source_address_prefix"
                }
                PortProblem::Rule(RuleError::RequestTooLong { .. }) => "duration",
                _ => "port",
            };
            let detail = match problem {
                PortProblem::Rule(error) => format!(
                    "{error} (policy {:?}): {}.",
                    policy_id.name,
                    error.help().trim_end_matches('.')
                ),
                PortProblem::EndInPast { end } => format!("{} is past.", access::format(*end)),
            };
            response.diagnostics.attribute_error(
                Path::attr_root(attribute),
                "JIT access request not allowed",
                detail,
            );
        }
        if !problems.is_empty() {
            return;
        }
        let allowed = rules
            .iter()
            .find(|rule| rule.number == port_number)
            .map(|rule| {
                rule.allowed_source
                    .prefixes()
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let opened = Opened {
            policy_id: policy_text.clone(),
            vm_id: vm_id.clone(),
            port: number,
            source: config.allowed_source_address_prefix.known().cloned(),
            duration_secs: length.as_secs(),
            justification: config.justification.known().cloned(),
            allowed,
        };
        let length = Duration::from_secs(length.as_secs());
        let recorded = match ask(arm, &opened, opened.source.clone(), length, &deadline).await {
            Ok(recorded) => recorded,
            Err(error) => {
                error_report(error, "open", &mut response.diagnostics);
                return;
            }
        };
        let private_ip = match arm.client.private_ip_address(vm_id, &deadline).await {
            Ok(ip) => ip,
            Err(error) => {
                tracing::debug!(%error, "could not read the VM's private IP");
                None
            }
        };
        config.address = Attr::from_option(
            held.public_ip_address
                .clone()
                .or_else(|| private_ip.clone()),
        );
        config.connect_port = Attr::Known(recorded.mapped_port.unwrap_or(number));
        config.mapped_port = Attr::from_option(recorded.mapped_port);
        config.private_ip_address = Attr::from_option(private_ip);
        config.source = Attr::from_option(recorded.source);
        config.requestor = Attr::from_option(recorded.requestor);
        config.start_time_utc = Attr::from_option(recorded.start);
        config.end_time_utc = Attr::Known(access::format(recorded.end));
        if response.write_result(&config) {
            response.renew_at = Some(renew_at(recorded.end, length));
            response.private = private_data(&opened);
        }
    }

    async fn renew(&self, request: LifecycleRequest<Arm>, response: &mut LifecycleResponse) {
        let Some(opened) = opened_from(request.private.as_deref(), &mut response.diagnostics)
        else {
            return;
        };
        let length = Duration::from_secs(opened.duration_secs);
        let deadline = Deadline::after(CALL_BUDGET, format!("renewing ephemeral {TYPE_NAME}"));
        match ask(
            &request.provider,
            &opened,
            opened.source.clone(),
            length,
            &deadline,
        )
        .await
        {
            Ok(recorded) => {
                response.renew_at = Some(renew_at(recorded.end, length));
                response.private = private_data(&opened);
            }
            Err(error) => error_report(error, "renew", &mut response.diagnostics),
        }
    }

    async fn close(&self, request: LifecycleRequest<Arm>, response: &mut LifecycleResponse) {
        let Some(opened) = opened_from(request.private.as_deref(), &mut response.diagnostics)
        else {
            return;
        };
        let allowed: Vec<SourcePrefix> = opened
            .allowed
            .iter()
            .filter_map(|text| text.parse().ok())
            .collect();
        let source = jit_core::unreachable_source(&AllowedSource::Prefixes(allowed))
            .map(|source| source.to_string())
            .or_else(|| opened.source.clone());
        let deadline = Deadline::after(CALL_BUDGET, format!("closing ephemeral {TYPE_NAME}"));
        if let Err(error) = ask(
            &request.provider,
            &opened,
            source,
            CLOSING_REQUEST,
            &deadline,
        )
        .await
        {
            response.diagnostics.warning(
                "Could not end JIT access early",
                format!(
                    "{error}. Access to port {} ends at the request's end time instead.",
                    opened.port
                ),
            );
        }
    }
}

fn error_report(error: ArmError, verb: &str, diagnostics: &mut Diagnostics) {
    crate::resources::Failure::Arm(error)
        .report(&format!("{verb} ephemeral {TYPE_NAME}"), diagnostics);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renews_a_tenth_before_the_end_and_at_least_a_minute() {
        let end = access::parse("2026-12-03T19:00:00Z").expect("a time");
        let at = |length| {
            renew_at(end, length)
                .duration_since(SystemTime::UNIX_EPOCH)
                .expect("after the epoch")
                .as_secs()
        };
        let end_secs = u64::try_from(end.unix_timestamp()).expect("after the epoch");
        assert_eq!(end_secs - at(Duration::from_secs(3600)), 360);
        assert_eq!(end_secs - at(Duration::from_secs(300)), 60);
        // Never later than halfway.
        assert_eq!(end_secs - at(Duration::from_secs(60)), 30);
    }
}
