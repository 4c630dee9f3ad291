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
