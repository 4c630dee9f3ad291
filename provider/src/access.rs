//! What the access-request resource and its ephemeral twin share: times as Azure writes them,
//! what counts as open, and the check of a request against its policy before any call.

use jit_azure::models::{JitPolicy, JitRequest, JitRequestPort};
use jit_core::{IsoDuration, PortNumber, PortRule, RuleError, SourcePrefix, check_access};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, to the second: Azure's times are compared and sent in whole seconds.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// A time as the API takes it: RFC 3339 in UTC, `2026-12-03T18:00:00Z`.
pub fn format(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Parses an RFC 3339 time (Azure writes up to seven fractional digits).
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Whether two spellings name the same instant, to the second (Azure may answer a time with
/// more fractional digits than it was sent).
pub fn same_instant(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => (a - b).whole_seconds() == 0,
        _ => a == b,
    }
}

/// Whether a port's status means access is (about to be) open: `Initiated`, or the
/// `Initiating` the live service answers first.
pub fn is_open(status: Option<&str>) -> bool {
    status.is_some_and(|status| {
        status.eq_ignore_ascii_case("Initiated") || status.eq_ignore_ascii_case("Initiating")
    })
}

/// The request in a policy's history that started at `start_time_utc` and covers `vm_id`: the
/// one that started at exactly that instant, else (should Azure answer with fewer fractional
/// digits than it records) the first one within the same second.
pub fn find_request<'a>(
    policy: &'a JitPolicy,
    start_time_utc: &str,
    vm_id: &str,
) -> Option<&'a JitRequest> {
    let vm = jit_core::VmId::parse(vm_id).ok();
    let covers_vm = |request: &&JitRequest| {
        request
            .virtual_machines
            .iter()
            .any(|held| match (&vm, jit_core::VmId::parse(&held.id)) {
                (Some(vm), Ok(held)) => vm.same_vm(&held),
                _ => held.id.eq_ignore_ascii_case(vm_id),
            })
    };
    let started = |request: &JitRequest| request.start_time_utc.as_deref().map(parse);
    let asked = parse(start_time_utc);
    let requests = &policy.properties.requests;
    requests
        .iter()
        .filter(covers_vm)
        .find(|request| asked.is_some() && started(request) == Some(asked))
        .or_else(|| {
            requests.iter().filter(covers_vm).find(|request| {
                request
                    .start_time_utc
                    .as_deref()
                    .is_some_and(|start| same_instant(start, start_time_utc))
            })
        })
}

/// A request's port for `vm_id` and `number`.
pub fn request_port<'a>(
    request: &'a JitRequest,
    vm_id: &str,
    number: i64,
) -> Option<&'a JitRequestPort> {
    let vm = jit_core::VmId::parse(vm_id).ok();
    request
        .virtual_machines
        .iter()
        .filter(|held| match (&vm, jit_core::VmId::parse(&held.id)) {
            (Some(vm), Ok(held)) => vm.same_vm(&held),
            _ => held.id.eq_ignore_ascii_case(vm_id),
        })
        .flat_map(|held| held.ports.iter())
        .find(|port| port.number == number)
}

/// The source Azure recorded for a port: its one prefix, or its list joined.
pub fn recorded_source(port: &JitRequestPort) -> Option<String> {
    port.allowed_source_address_prefix.clone().or_else(|| {
        port.allowed_source_address_prefixes
            .as_ref()
            .map(|prefixes| prefixes.join(","))
    })
}

/// How long a port is asked for: its `duration`, or the time from `now` to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// A duration (`duration`).
    For(IsoDuration),
    /// An end time (`end_time_utc`).
    Until(OffsetDateTime),
}

impl Asked {
    /// When access ends if asked at `now`.
    pub fn end(self, now: OffsetDateTime) -> OffsetDateTime {
        match self {
            Asked::For(duration) => {
                now + time::Duration::seconds(i64::try_from(duration.as_secs()).unwrap_or(0))
            }
            Asked::Until(end) => end,
        }
    }

    /// The length of access if asked at `now`, whole seconds rounded down (as Azure measures it).
    pub fn length(self, now: OffsetDateTime) -> IsoDuration {
        match self {
            Asked::For(duration) => duration,
            Asked::Until(end) => {
                IsoDuration::from_secs(u64::try_from((end - now).whole_seconds()).unwrap_or(0))
            }
        }
    }
}

/// What is wrong with one asked port, checked against the policy's rules of its VM, as
/// `jit_core::check_access` decides; plus an end time that is already past.
pub fn check_port(
    rules: &[PortRule],
    number: PortNumber,
    source: Option<&SourcePrefix>,
    asked: Option<Asked>,
    now: OffsetDateTime,
) -> Vec<PortProblem> {
    let mut problems = Vec::new();
    if let Some(Asked::Until(end)) = asked
        && end <= now
    {
        problems.push(PortProblem::EndInPast { end });
    }
    let length = match asked {
        Some(Asked::Until(end)) if end <= now => None,
        other => other.map(|asked| asked.length(now)),
    };
    problems.extend(
        check_access(rules, number, source, length)
            .into_iter()
            .map(PortProblem::Rule),
    );
    problems
}

/// A problem of one asked port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortProblem {
    /// A rule of the policy is broken.
    Rule(RuleError),
    /// The end time has passed already.
    EndInPast {
        /// The end time asked for.
        end: OffsetDateTime,
    },
}

/// The port rules of a policy VM that parse (a rule written by another client that does not
/// is left out: Azure, not the plan, will judge requests for it).
pub fn rules_of(vm: &jit_azure::models::JitVirtualMachine) -> Vec<PortRule> {
    vm.ports
        .iter()
        .filter_map(|port| port.to_rule().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_and_compare_to_the_second() {
        let at = parse("2026-12-03T18:00:00Z").expect("a time");
        assert_eq!(format(at), "2026-12-03T18:00:00Z");
        assert!(same_instant(
            "2026-12-03T18:00:00Z",
            "2026-12-03T18:00:00.0000000Z"
        ));
        assert!(!same_instant(
            "2026-12-03T18:00:00Z",
            "2026-12-03T18:00:01Z"
        ));
    }

    #[test]
    fn an_end_in_the_past_is_reported_once_not_as_a_length() {
        let now = parse("2026-12-03T18:00:00Z").expect("a time");
        let rules = [PortRule::with_defaults(
            PortNumber::new(22).expect("a port"),
        )];
        let port = PortNumber::new(22).expect("a port");
        let past = parse("2026-12-03T17:00:00Z").expect("a time");
        assert_eq!(
            check_port(&rules, port, None, Some(Asked::Until(past)), now),
            vec![PortProblem::EndInPast { end: past }]
        );
        let later = parse("2026-12-03T22:00:00Z").expect("a time");
        assert!(matches!(
            check_port(&rules, port, None, Some(Asked::Until(later)), now).as_slice(),
            [PortProblem::Rule(RuleError::RequestTooLong { .. })]
        ));
        assert_eq!(
            check_port(
                &rules,
                port,
                None,
                Some(Asked::For(IsoDuration::from_hours(1))),
                now
            ),
            vec![]
        );
    }

    #[test]
    fn open_statuses() {
        assert!(is_open(Some("Initiated")));
        assert!(is_open(Some("Initiating")));
        assert!(!is_open(Some("Revoked")));
        assert!(!is_open(None));
    }
}
