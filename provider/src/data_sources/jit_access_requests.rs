//! Data source `jit_access_requests`: the audit trail, one entry per port of each request in
//! the histories of the policies in scope (every page of the list), filterable by VM,
//! requestor and time window.

use serde::{Deserialize, Serialize};

use jit_azure::Deadline;
use jit_azure::audit::{AuditEntry, AuditFilter, audit_entries};
use jit_core::IsoDuration;
use tfplugin::cty::Type;
use tfplugin::framework::data_source::*;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::{Attribute, Block, Diagnostics, Path, Schema, TypeDefinition};

use crate::access;
use crate::arm::Arm;
use crate::resources::until_stopped;
use crate::timeouts::Operation;
use crate::validators;

/// The `jit_access_requests` data source.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitAccessRequestsData;

/// Its type name.
pub const TYPE_NAME: &str = "jit_access_requests";

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestEntry {
    /// The policy.
    pub policy_id: String,
    /// The VM.
    pub virtual_machine_id: String,
    /// The port.
    pub port: i64,
    /// Who.
    pub requestor: String,
    /// Why.
    pub justification: Option<String>,
    /// When it started.
    pub start_time_utc: String,
    /// When it ends or ended.
    pub end_time_utc: Option<String>,
    /// The sources it opened.
    pub sources: Vec<String>,
    /// `Initiated` or `Revoked`.
    pub status: Option<String>,
    /// Why.
    pub status_reason: Option<String>,
    /// The firewall's mapped port.
    pub mapped_port: Option<i64>,
}

impl From<AuditEntry> for RequestEntry {
    fn from(entry: AuditEntry) -> Self {
        RequestEntry {
            policy_id: entry.policy_id,
            virtual_machine_id: entry.vm_id,
            port: entry.port,
            requestor: entry.requestor,
            justification: entry.justification,
            start_time_utc: entry.start_time_utc,
            end_time_utc: entry.end_time_utc,
            sources: entry.sources,
            status: entry.status,
            status_reason: entry.status_reason,
            mapped_port: entry.mapped_port,
        }
    }
}

/// The configuration and the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestsDataModel {
    /// Resource group filter.
    pub resource_group_name: Attr<String>,
    /// Region filter.
    pub location: Attr<String>,
    /// VM filter.
    pub virtual_machine_id: Attr<String>,
    /// Requestor filter.
    pub requestor: Attr<String>,
    /// Start of the window.
    pub since: Attr<String>,
    /// End of the window.
    pub until: Attr<String>,
    /// The entries.
    pub requests: Attr<Vec<RequestEntry>>,
}

fn entry_type() -> Type {
    Type::object([
        ("policy_id", Type::String),
        ("virtual_machine_id", Type::String),
        ("port", Type::Number),
        ("requestor", Type::String),
        ("justification", Type::String),
        ("start_time_utc", Type::String),
        ("end_time_utc", Type::String),
        ("sources", Type::list(Type::String)),
        ("status", Type::String),
        ("status_reason", Type::String),
        ("mapped_port", Type::Number),
    ])
}

#[async_trait::async_trait]
impl TypeDefinition for JitAccessRequestsData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("The JIT audit trail: every port of every request kept in the histories of the policies in scope, with who asked, why, from where, when, and how it ended.")
                .attribute("resource_group_name", Attribute::string("Only the policies of this resource group.").optional().validate(validators::resource_group_name()))
                .attribute("location", Attribute::string("Only the policies of this region.").optional().validate(validators::location()))
                .attribute("virtual_machine_id", Attribute::string("Only requests for this VM.").optional().validate(validators::vm_id()))
                .attribute("requestor", Attribute::string("Only requests by this requestor (as Azure records it, e.g. a user principal name), ignoring case.").optional())
                .attribute("since", Attribute::string("Only requests that started at or after this time: an RFC 3339 time, or an ISO 8601 duration back from now (`PT24H`, `P7D`).").optional())
                .attribute("until", Attribute::string("Only requests that started before this time (RFC 3339).").optional().validate(validators::rfc3339()))
                .attribute("requests", Attribute::new(Type::list(entry_type()), "One entry per port of each request, oldest first: `policy_id`, `virtual_machine_id`, `port`, `requestor`, `justification`, `start_time_utc`, `end_time_utc`, `sources`, `status`, `status_reason` and `mapped_port`.").computed()),
        )
    }
}

/// `since` as a time: an RFC 3339 time, or a duration back from `now`.
fn since(text: &str, now: time::OffsetDateTime) -> Option<time::OffsetDateTime> {
    if text.starts_with('P') {
        let duration = IsoDuration::parse(text).ok()?;
        Some(now - time::Duration::seconds(i64::try_from(duration.as_secs()).ok()?))
    } else {
        access::parse(text)
    }
}

fn filter(model: &RequestsDataModel, diagnostics: &mut Diagnostics) -> Option<AuditFilter> {
    let since = match model.since.known() {
        Some(text) => match since(text, access::now()) {
            Some(at) => Some(at),
            None => {
                diagnostics.attribute_error(
                    Path::attr_root("since"),
                    "Invalid time",
                    format!("{text:?} is neither an RFC 3339 time (2026-12-01T00:00:00Z) nor an ISO 8601 duration back from now (PT24H, P7D)."),
                );
                return None;
            }
        },
        None => None,
    };
    Some(AuditFilter {
        vm_id: model.virtual_machine_id.known().cloned(),
        requestor: model.requestor.known().cloned(),
        since,
        until: model.until.known().and_then(|text| access::parse(text)),
    })
}

#[async_trait::async_trait]
impl DataSource<Arm> for JitAccessRequestsData {
    async fn read(
        &self,
        request: DataSourceReadRequest<Arm>,
        response: &mut DataSourceReadResponse,
    ) {
        let Some(mut model) = model::read::<RequestsDataModel>(
            &request.config,
            "jit_access_requests data source configuration",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let Some(filter) = filter(&model, &mut response.diagnostics) else {
            return;
        };
        let deadline = Deadline::after(
            Operation::Read.default_budget(),
            format!("listing data source {TYPE_NAME}"),
        );
        let work = request.provider.client.list_policies(
            &request.provider.settings.subscription_id,
            model.resource_group_name.known().map(String::as_str),
            model.location.known().map(String::as_str),
            &deadline,
        );
        match until_stopped(request.stop, work).await {
            Ok(policies) => {
                model.requests = Attr::Known(
                    audit_entries(&policies, &filter)
                        .into_iter()
                        .map(RequestEntry::from)
                        .collect(),
                );
                response.write_state(&model);
            }
            Err(failure) => failure.report(
                &format!("read data source {TYPE_NAME}"),
                &mut response.diagnostics,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_time_or_a_duration_back_from_now() {
        let now = access::parse("2026-12-03T18:00:00Z").expect("a time");
        assert_eq!(since("PT24H", now), access::parse("2026-12-02T18:00:00Z"));
        assert_eq!(since("P7D", now), access::parse("2026-11-26T18:00:00Z"));
        assert_eq!(
            since("2026-12-01T00:00:00Z", now),
            access::parse("2026-12-01T00:00:00Z")
        );
        assert_eq!(since("yesterday", now), None);
    }
}
