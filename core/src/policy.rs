//! The domain model of a JIT policy entry: [`PortRule`], [`AllowedSource`] and the rules that
//! span more than one field ([`check_name_length`], [`duplicate_ports`]).
//!
//! These types hold only parsed, valid values; [`crate::validate`] turns raw input into them.

use std::collections::BTreeSet;

use crate::duration::{IsoDuration, MaxRequestAccessDuration};
use crate::error::RuleError;
use crate::limits::{DEFAULT_PROTOCOL, MAX_POLICY_AND_VM_NAME_LEN};
use crate::port::{ManagementPort, PortNumber, Protocol};
use crate::source_prefix::SourcePrefix;

/// Who may connect through a port: the spec's mutually exclusive `allowedSourceAddressPrefix`
/// and `allowedSourceAddressPrefixes`, as one type so that both cannot be set.
///
/// `Prefixes` should not be empty; [`crate::validate::check_port_rule`] rejects an empty list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedSource {
    /// `allowedSourceAddressPrefix`: one prefix.
    Prefix(SourcePrefix),
    /// `allowedSourceAddressPrefixes`: a list of prefixes.
    Prefixes(Vec<SourcePrefix>),
}

impl AllowedSource {
    /// Every allowed prefix, one for `Prefix`.
    pub fn prefixes(&self) -> &[SourcePrefix] {
        match self {
            AllowedSource::Prefix(prefix) => std::slice::from_ref(prefix),
            AllowedSource::Prefixes(prefixes) => prefixes,
        }
    }

    /// Whether a request from `request` is allowed: some allowed prefix covers it.
    pub fn covers(&self, request: &SourcePrefix) -> bool {
        self.prefixes().iter().any(|prefix| prefix.covers(request))
    }

    /// Whether any allowed prefix is open to the whole internet.
    pub fn is_open_to_internet(&self) -> bool {
        self.prefixes()
            .iter()
            .any(SourcePrefix::is_open_to_internet)
    }
}

impl Default for AllowedSource {
    /// `*`, Azure's default.
    fn default() -> Self {
        AllowedSource::Prefix(SourcePrefix::Any)
    }
}

/// One port of a VM in a JIT policy: the spec's `JitNetworkAccessPortRule`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRule {
    /// The port JIT opens on request.
    pub number: PortNumber,
    /// The protocol it opens.
    pub protocol: Protocol,
    /// Who may be let in.
    pub allowed_source: AllowedSource,
    /// The longest access a single request may ask for.
    pub max_request_access_duration: MaxRequestAccessDuration,
}

impl PortRule {
    /// A rule for `number` with Azure's defaults: protocol `*`, source `*`, PT3H.
    pub fn with_defaults(number: PortNumber) -> Self {
        PortRule {
            number,
            protocol: DEFAULT_PROTOCOL,
            allowed_source: AllowedSource::default(),
            max_request_access_duration: MaxRequestAccessDuration::DEFAULT,
        }
    }

    /// Checks an access request against this rule: the source must be allowed and the
    /// duration must not exceed the maximum. Returns every problem.
    pub fn check_request(&self, source: &SourcePrefix, duration: IsoDuration) -> Vec<RuleError> {
        let mut errors = Vec::new();
        if !self.allowed_source.covers(source) {
            errors.push(RuleError::SourceNotAllowed {
                prefix: source.to_string(),
                number: self.number.get(),
            });
        }
        if duration > self.max_request_access_duration.get() {
            errors.push(RuleError::RequestTooLong {
                requested: duration.to_string(),
                max: self.max_request_access_duration.to_string(),
                number: self.number.get(),
            });
        }
        errors
    }
}

/// The four ports Defender for Cloud recommends, with its defaults: 22, 3389, 5985 and 5986,
/// protocol `*`, source `*` and PT3H.
pub fn default_port_rules() -> Vec<PortRule> {
    ManagementPort::ALL
        .into_iter()
        .map(|port| PortRule::with_defaults(port.port_number()))
        .collect()
}

/// Checks Microsoft's documented limit: the policy name and the VM name together may hold at
/// most [`MAX_POLICY_AND_VM_NAME_LEN`] characters.
///
/// Lengths are counted in characters, not bytes.
pub fn check_name_length(policy_name: &str, vm_name: &str) -> Result<(), RuleError> {
    let len = policy_name.chars().count() + vm_name.chars().count();
    if len > MAX_POLICY_AND_VM_NAME_LEN {
        return Err(RuleError::NameTooLong {
            policy_name: policy_name.to_owned(),
            vm_name: vm_name.to_owned(),
            len,
        });
    }
    Ok(())
}

/// The port numbers listed more than once among one VM's rules, each once, in port order.
pub fn duplicate_ports(rules: &[PortRule]) -> Vec<PortNumber> {
    let mut seen = BTreeSet::new();
    let mut duplicates = BTreeSet::new();
    for rule in rules {
        if !seen.insert(rule.number) {
            duplicates.insert(rule.number);
        }
    }
    duplicates.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(text: &str) -> SourcePrefix {
        text.parse().unwrap()
    }

    fn check_name(policy_name: &str, vm_name: &str, expected: Result<(), &str>) {
        let actual = check_name_length(policy_name, vm_name).map_err(|error| error.to_string());
        assert_eq!(
            actual,
            expected.map_err(str::to_owned),
            "{policy_name:?} + {vm_name:?}"
        );
    }

    #[test]
    fn name_length() {
        check_name("default", &"v".repeat(49), Ok(()));
        check_name(&"p".repeat(28), &"v".repeat(28), Ok(()));
        check_name("", &"v".repeat(56), Ok(()));
        check_name("é", &"v".repeat(55), Ok(()));
        check_name(
            "default",
            &"v".repeat(50),
            Err(&format!(
                "policy name `default` and VM name `{}` are 57 characters together, more than 56",
                "v".repeat(50)
            )),
        );
    }

    #[test]
    fn name_length_help() {
        let error = check_name_length("default", &"v".repeat(50)).unwrap_err();
        assert_eq!(
            error.help(),
            "shorten the policy name to at most 6 characters (or shorten the VM name)"
        );
        let error = check_name_length("p", &"v".repeat(60)).unwrap_err();
        assert_eq!(
            error.help(),
            "the VM name alone has 60 characters; JIT cannot protect a VM whose name leaves no \
             room for a policy name within 56"
        );
    }

    #[test]
    fn default_rules_are_azures() {
        let rules = default_port_rules();
        let summary: Vec<String> = rules
            .iter()
            .map(|rule| {
                format!(
                    "{} {} {:?} {}",
                    rule.number,
                    rule.protocol,
                    rule.allowed_source
                        .prefixes()
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                    rule.max_request_access_duration
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                r#"22 * ["*"] PT3H"#,
                r#"3389 * ["*"] PT3H"#,
                r#"5985 * ["*"] PT3H"#,
                r#"5986 * ["*"] PT3H"#,
            ]
        );
    }

    #[test]
    fn allowed_source_covers_any_of_its_prefixes() {
        let single = AllowedSource::Prefix(prefix("10.0.0.0/8"));
        assert_eq!(single.prefixes(), [prefix("10.0.0.0/8")]);
        assert!(single.covers(&prefix("10.1.1.1")));
        assert!(!single.covers(&prefix("192.168.0.1")));
        let list = AllowedSource::Prefixes(vec![prefix("10.0.0.0/8"), prefix("192.168.0.0/16")]);
        assert!(list.covers(&prefix("192.168.3.0/24")));
        assert!(!list.covers(&prefix("172.16.0.1")));
        assert!(!list.is_open_to_internet());
        assert!(!AllowedSource::Prefixes(Vec::new()).covers(&prefix("10.0.0.1")));
        assert!(AllowedSource::default().is_open_to_internet());
    }

    #[test]
    fn requests_are_checked_against_the_rule() {
        let rule = PortRule {
            allowed_source: AllowedSource::Prefix(prefix("10.0.0.0/8")),
            ..PortRule::with_defaults(PortNumber::from_u16(22))
        };
        let check = |source: &str, hours: u64| -> Vec<String> {
            rule.check_request(&prefix(source), IsoDuration::from_hours(hours))
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert!(check("10.0.0.1", 3).is_empty());
        assert_eq!(
            check("11.0.0.1", 4),
            [
                "source `11.0.0.1` is not within the allowed sources of port 22",
                "requested access of PT4H is longer than the maximum PT3H of port 22",
            ]
        );
    }

    #[test]
    fn duplicates() {
        let rules: Vec<PortRule> = [22, 3389, 22, 80, 3389, 22]
            .into_iter()
            .map(|number| PortRule::with_defaults(PortNumber::from_u16(number)))
            .collect();
        assert_eq!(
            duplicate_ports(&rules),
            [PortNumber::from_u16(22), PortNumber::from_u16(3389)]
        );
        assert!(duplicate_ports(&default_port_rules()).is_empty());
    }
}
