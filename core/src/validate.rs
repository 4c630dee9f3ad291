//! Validation of raw input: every problem at once, each tied to the [`Field`] it concerns.
//!
//! The provider validates at plan time, the emulator validates request bodies and the linter
//! validates HCL; all three hold values that are not parsed yet, possibly not even known yet.
//! [`check_port_rule`] reports every finding instead of stopping at the first, so a user fixes
//! a configuration in one round.

use std::fmt;

use crate::duration::MaxRequestAccessDuration;
use crate::error::RuleError;
use crate::policy::{AllowedSource, PortRule};
use crate::port::{PortNumber, Protocol};
use crate::source_prefix::SourcePrefix;
use crate::vm_id::VmId;

pub use crate::policy::check_name_length;

/// The input field a finding concerns, with its Terraform and JSON names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// A port's `number`.
    Number,
    /// A port's `protocol`.
    Protocol,
    /// A port's single `allowedSourceAddressPrefix`.
    AllowedSourceAddressPrefix,
    /// One element, by index, of a port's `allowedSourceAddressPrefixes`.
    AllowedSourceAddressPrefixes(usize),
    /// A port's `maxRequestAccessDuration`.
    MaxRequestAccessDuration,
    /// The JIT policy's name.
    PolicyName,
    /// A virtual machine's resource id.
    VirtualMachineId,
    /// An access request port's `endTimeUtc`.
    EndTimeUtc,
    /// An access request's `justification`.
    Justification,
}

impl Field {
    /// The attribute name in the provider's schema and in HCL.
    pub const fn terraform_name(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Protocol => "protocol",
            Field::AllowedSourceAddressPrefix => "allowed_source_address_prefix",
            Field::AllowedSourceAddressPrefixes(_) => "allowed_source_address_prefixes",
            Field::MaxRequestAccessDuration => "max_request_access_duration",
            Field::PolicyName => "name",
            Field::VirtualMachineId => "virtual_machine_id",
            Field::EndTimeUtc => "end_time_utc",
            Field::Justification => "justification",
        }
    }

    /// The property name in the JIT API's JSON.
    pub const fn json_name(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Protocol => "protocol",
            Field::AllowedSourceAddressPrefix => "allowedSourceAddressPrefix",
            Field::AllowedSourceAddressPrefixes(_) => "allowedSourceAddressPrefixes",
            Field::MaxRequestAccessDuration => "maxRequestAccessDuration",
            Field::PolicyName => "name",
            Field::VirtualMachineId => "id",
            Field::EndTimeUtc => "endTimeUtc",
            Field::Justification => "justification",
        }
    }

    /// The list index for [`Field::AllowedSourceAddressPrefixes`], `None` for the others.
    pub const fn list_index(self) -> Option<usize> {
        match self {
            Field::AllowedSourceAddressPrefixes(index) => Some(index),
            _ => None,
        }
    }
}

impl fmt::Display for Field {
    /// The Terraform name, with the index for a list element: `allowed_source_address_prefixes[1]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.list_index() {
            Some(index) => write!(f, "{}[{index}]", self.terraform_name()),
            None => f.write_str(self.terraform_name()),
        }
    }
}

/// One problem with raw input: the field and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The field the problem is in.
    pub field: Field,
    /// The rule it breaks.
    pub error: RuleError,
}

impl Finding {
    /// A finding about `field`.
    pub fn new(field: Field, error: RuleError) -> Self {
        Finding { field, error }
    }

    /// What is wrong, naming the bad value: the error's message.
    pub fn message(&self) -> String {
        self.error.to_string()
    }

    /// How to fix it, in one sentence.
    pub fn help(&self) -> String {
        self.error.help()
    }
}

impl fmt::Display for Finding {
    /// `protocol: protocol `tcp` is not one of TCP, UDP or *`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.error)
    }
}

/// A port rule exactly as a user wrote it.
///
/// `None` means not set, or not known yet: the provider passes `None` for values that are
/// unknown at plan time, and [`check_port_rule`] does not check them.
#[derive(Debug, Clone, Default)]
pub struct RawPortRule<'a> {
    /// `number`, as an integer as Terraform and JSON carry it.
    pub number: Option<i64>,
    /// `protocol`.
    pub protocol: Option<&'a str>,
    /// `allowedSourceAddressPrefix`.
    pub allowed_source_address_prefix: Option<&'a str>,
    /// `allowedSourceAddressPrefixes`.
    pub allowed_source_address_prefixes: Option<Vec<&'a str>>,
    /// `maxRequestAccessDuration`.
    pub max_request_access_duration: Option<&'a str>,
}

impl RawPortRule<'_> {
    /// Parses into a [`PortRule`], filling what is not set with Azure's defaults (protocol `*`,
    /// source `*`, PT3H), or returns every finding.
    ///
    /// Unlike [`check_port_rule`], a missing `number` is a finding
    /// ([`RuleError::MissingPortNumber`]): a rule without a port cannot be built.
    pub fn parse(&self) -> Result<PortRule, Vec<Finding>> {
        let mut findings = check_port_rule(self);
        if self.number.is_none() {
            findings.insert(0, Finding::new(Field::Number, RuleError::MissingPortNumber));
        }
        if !findings.is_empty() {
            return Err(findings);
        }
        // Every value below was checked by `check_port_rule`; a failure here is a bug, reported
        // as a finding rather than a panic.
        let as_findings = |field: Field| move |error: RuleError| vec![Finding::new(field, error)];
        let number =
            PortNumber::new(self.number.unwrap_or_default()).map_err(as_findings(Field::Number))?;
        let mut rule = PortRule::with_defaults(number);
        if let Some(protocol) = self.protocol {
            rule.protocol = protocol
                .parse::<Protocol>()
                .map_err(as_findings(Field::Protocol))?;
        }
        if let Some(prefix) = self.allowed_source_address_prefix {
            rule.allowed_source = AllowedSource::Prefix(
                prefix
                    .parse()
                    .map_err(as_findings(Field::AllowedSourceAddressPrefix))?,
            );
        } else if let Some(prefixes) = &self.allowed_source_address_prefixes {
            let parsed = prefixes
                .iter()
                .enumerate()
                .map(|(index, prefix)| {
                    prefix
                        .parse::<SourcePrefix>()
                        .map_err(as_findings(Field::AllowedSourceAddressPrefixes(index)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            rule.allowed_source = AllowedSource::Prefixes(parsed);
        }
        if let Some(duration) = self.max_request_access_duration {
            rule.max_request_access_duration = MaxRequestAccessDuration::parse(duration)
                .map_err(as_findings(Field::MaxRequestAccessDuration))?;
        }
        Ok(rule)
    }
}

/// Every problem with a raw port rule, in field order; values that are `None` are not checked.
///
/// When both the single prefix and the list are set, [`RuleError::BothPrefixAndPrefixes`] is
/// reported on [`Field::AllowedSourceAddressPrefix`]: the single attribute has no index, so the
/// finding points at something that exists, and removing it is the usual fix. Each value is
/// still checked on its own. An empty list is [`RuleError::EmptyPrefixes`] on
/// `Field::AllowedSourceAddressPrefixes(0)`, the first element that should be there.
pub fn check_port_rule(raw: &RawPortRule<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(number) = raw.number
        && let Err(error) = PortNumber::new(number)
    {
        findings.push(Finding::new(Field::Number, error));
    }
    if let Some(protocol) = raw.protocol
        && let Err(error) = protocol.parse::<Protocol>()
    {
        findings.push(Finding::new(Field::Protocol, error));
    }
    if raw.allowed_source_address_prefix.is_some() && raw.allowed_source_address_prefixes.is_some()
    {
        findings.push(Finding::new(
            Field::AllowedSourceAddressPrefix,
            RuleError::BothPrefixAndPrefixes,
        ));
    }
    if let Some(prefix) = raw.allowed_source_address_prefix
        && let Err(error) = prefix.parse::<SourcePrefix>()
    {
        findings.push(Finding::new(Field::AllowedSourceAddressPrefix, error));
    }
    if let Some(prefixes) = &raw.allowed_source_address_prefixes {
        if prefixes.is_empty() {
            findings.push(Finding::new(
                Field::AllowedSourceAddressPrefixes(0),
                RuleError::EmptyPrefixes,
            ));
        }
        for (index, prefix) in prefixes.iter().enumerate() {
            if let Err(error) = prefix.parse::<SourcePrefix>() {
                findings.push(Finding::new(
                    Field::AllowedSourceAddressPrefixes(index),
                    error,
                ));
            }
        }
    }
    if let Some(duration) = raw.max_request_access_duration
        && let Err(error) = MaxRequestAccessDuration::parse(duration)
    {
        findings.push(Finding::new(Field::MaxRequestAccessDuration, error));
    }
    findings
}

/// Every problem with a VM entry of a policy: its id, and the length of the policy name plus
/// the VM name. `None` values are not checked.
///
/// A name that is too long is reported on [`Field::PolicyName`], the name the user chose and
/// can usually change.
pub fn check_virtual_machine(policy_name: Option<&str>, vm_id: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let parsed = match vm_id.map(VmId::parse) {
        Some(Ok(vm_id)) => Some(vm_id),
        Some(Err(error)) => {
            findings.push(Finding::new(Field::VirtualMachineId, error));
            None
        }
        None => None,
    };
    if let (Some(policy_name), Some(vm_id)) = (policy_name, parsed)
        && let Err(error) = check_name_length(policy_name, &vm_id.name)
    {
        findings.push(Finding::new(Field::PolicyName, error));
    }
    findings
}
