//! Validation of raw input: every problem at once, each tied to the [`Field`] it concerns.
//!
//! The provider validates at plan time, the emulator validates request bodies and the linter
//! validates HCL; all three hold values that are not parsed yet, possibly not even known yet.
//! [`check_port_rule`] reports every finding instead of stopping at the first, so a user fixes
//! a configuration in one round.

use crate::duration::MaxRequestAccessDuration;
use crate::error::RuleError;
use crate::policy::{AllowedSource, PortRule};
use crate::port::{PortNumber, Protocol};
use crate::source_prefix::SourcePrefix;
use crate::vm_id::VmId;

pub use crate::policy::check_name_length;

/// The input field a finding concerns.
///
/// Core names no attribute: each consumer maps a field to its own place (the provider to an
/// attribute path, the emulator to a JSON property, the linter to an HCL attribute or a JSON
/// key and its span), because each names the same field differently.
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
    /// The list index for [`Field::AllowedSourceAddressPrefixes`], `None` for the others.
    pub const fn list_index(self) -> Option<usize> {
        match self {
            Field::AllowedSourceAddressPrefixes(index) => Some(index),
            _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding as `Field: message`; core has no attribute names, so the test uses the variant.
    fn describe(finding: &Finding) -> String {
        format!("{:?}: {}", finding.field, finding.message())
    }

    /// The findings as `field: message` lines.
    fn check(raw: RawPortRule<'_>, expected: &[&str]) {
        let actual: Vec<String> = check_port_rule(&raw).iter().map(describe).collect();
        assert_eq!(actual, expected, "{raw:?}");
    }

    fn rule(number: i64) -> RawPortRule<'static> {
        RawPortRule {
            number: Some(number),
            ..RawPortRule::default()
        }
    }

    #[test]
    fn valid_rules_have_no_findings() {
        check(RawPortRule::default(), &[]);
        check(rule(22), &[]);
        check(
            RawPortRule {
                protocol: Some("TCP"),
                allowed_source_address_prefix: Some("203.0.113.0/24"),
                max_request_access_duration: Some("PT1H"),
                ..rule(3389)
            },
            &[],
        );
        check(
            RawPortRule {
                allowed_source_address_prefixes: Some(vec!["10.0.0.1", "VirtualNetwork"]),
                ..rule(22)
            },
            &[],
        );
    }

    #[test]
    fn each_field_is_checked() {
        check(rule(70000), &["Number: port 70000 is outside 0-65535"]);
        check(
            RawPortRule {
                protocol: Some("tcp"),
                ..rule(22)
            },
            &["Protocol: protocol `tcp` is not one of TCP, UDP or *"],
        );
        check(
            RawPortRule {
                allowed_source_address_prefix: Some("10.0.0.0/33"),
                ..rule(22)
            },
            &[
                "AllowedSourceAddressPrefix: source prefix `10.0.0.0/33` is invalid: prefix \
               length 33 is more than 32, the most its address family allows",
            ],
        );
        check(
            RawPortRule {
                max_request_access_duration: Some("PT4M59S"),
                ..rule(22)
            },
            &["MaxRequestAccessDuration: duration PT4M59S is shorter than the minimum PT5M"],
        );
    }

    #[test]
    fn reports_every_problem() {
        check(
            RawPortRule {
                number: Some(-1),
                protocol: Some("ICMP"),
                allowed_source_address_prefix: Some("*"),
                allowed_source_address_prefixes: Some(vec!["10.0.0.0/8", "300.1.2.3", "x_y"]),
                max_request_access_duration: Some("P1M"),
            },
            &[
                "Number: port -1 is outside 0-65535",
                "Protocol: protocol `ICMP` is not one of TCP, UDP or *",
                "AllowedSourceAddressPrefix: a single source prefix and a list of source \
                 prefixes are both set",
                "AllowedSourceAddressPrefixes(1): source prefix `300.1.2.3` is invalid: \
                 `300.1.2.3` is not an IP address",
                "AllowedSourceAddressPrefixes(2): source prefix `x_y` is invalid: it is not *, \
                 an IP address, a CIDR block or a service tag",
                "MaxRequestAccessDuration: duration `P1M` is invalid: months have no fixed \
                 length (minutes go after `T`, as in PT30M)",
            ],
        );
    }

    #[test]
    fn empty_prefix_list() {
        check(
            RawPortRule {
                allowed_source_address_prefixes: Some(Vec::new()),
                ..rule(22)
            },
            &["AllowedSourceAddressPrefixes(0): the list of source prefixes is empty"],
        );
    }

    /// `Ok(debug of the parsed rule's parts)` or `Err(findings)`.
    fn check_parse(raw: RawPortRule<'_>, expected: Result<&str, &[&str]>) {
        let actual = raw
            .parse()
            .map(|rule| {
                let prefixes: Vec<String> = rule
                    .allowed_source
                    .prefixes()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let shape = match rule.allowed_source {
                    AllowedSource::Prefix(_) => "prefix",
                    AllowedSource::Prefixes(_) => "prefixes",
                };
                format!(
                    "{} {} {shape} {prefixes:?} {}",
                    rule.number, rule.protocol, rule.max_request_access_duration
                )
            })
            .map_err(|findings| findings.iter().map(describe).collect::<Vec<_>>());
        let expected = expected
            .map(str::to_owned)
            .map_err(|lines| lines.iter().map(|line| (*line).to_owned()).collect());
        assert_eq!(actual, expected, "{raw:?}");
    }

    #[test]
    fn parse_fills_azures_defaults() {
        check_parse(rule(22), Ok(r#"22 * prefix ["*"] PT3H"#));
        check_parse(
            RawPortRule {
                protocol: Some("UDP"),
                allowed_source_address_prefix: Some("10.0.0.1"),
                max_request_access_duration: Some("P1D"),
                ..rule(3389)
            },
            Ok(r#"3389 UDP prefix ["10.0.0.1"] PT24H"#),
        );
        check_parse(
            RawPortRule {
                allowed_source_address_prefixes: Some(vec!["10.0.0.0/8", "Internet"]),
                ..rule(5986)
            },
            Ok(r#"5986 * prefixes ["10.0.0.0/8", "Internet"] PT3H"#),
        );
    }

    #[test]
    fn parse_requires_a_number() {
        check_parse(
            RawPortRule::default(),
            Err(&["Number: port number is missing"]),
        );
        check_parse(
            RawPortRule {
                protocol: Some("tcp"),
                ..RawPortRule::default()
            },
            Err(&[
                "Number: port number is missing",
                "Protocol: protocol `tcp` is not one of TCP, UDP or *",
            ]),
        );
        check_parse(
            RawPortRule {
                max_request_access_duration: Some("PT24H1S"),
                ..rule(22)
            },
            Err(&["MaxRequestAccessDuration: duration PT24H1S is longer than the maximum PT24H"]),
        );
    }

    #[test]
    fn only_prefix_list_elements_have_an_index() {
        assert_eq!(Field::AllowedSourceAddressPrefixes(2).list_index(), Some(2));
        for field in [
            Field::Number,
            Field::Protocol,
            Field::AllowedSourceAddressPrefix,
            Field::MaxRequestAccessDuration,
            Field::PolicyName,
            Field::VirtualMachineId,
            Field::EndTimeUtc,
            Field::Justification,
        ] {
            assert_eq!(field.list_index(), None, "{field:?}");
        }
    }

    #[test]
    fn finding_message_and_help() {
        let findings = check_port_rule(&RawPortRule {
            allowed_source_address_prefix: Some("10.0.0.1/8"),
            ..rule(22)
        });
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message(),
            "source prefix `10.0.0.1/8` is invalid: host bits are set; the network address is \
             10.0.0.0/8"
        );
        assert_eq!(
            findings[0].help(),
            "use the network address `10.0.0.0/8`, or `10.0.0.1/32` for the single host"
        );
    }

    fn check_vm(policy_name: Option<&str>, vm_id: Option<&str>, expected: &[&str]) {
        let actual: Vec<String> = check_virtual_machine(policy_name, vm_id)
            .iter()
            .map(describe)
            .collect();
        assert_eq!(actual, expected, "{policy_name:?} {vm_id:?}");
    }

    #[test]
    fn virtual_machines() {
        let prefix = "/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/rg/\
                      providers/Microsoft.Compute/virtualMachines/";
        let vm_49 = format!("{prefix}{}", "v".repeat(49));
        let vm_50 = format!("{prefix}{}", "v".repeat(50));
        check_vm(Some("default"), Some(&vm_49), &[]);
        check_vm(None, Some(&vm_50), &[]);
        check_vm(Some("default"), None, &[]);
        check_vm(
            Some("default"),
            Some(&vm_50),
            &[&format!(
                "PolicyName: policy name `default` and VM name `{}` are 57 characters together, more \
                 than 56",
                "v".repeat(50)
            )],
        );
        check_vm(
            Some("default"),
            Some("vm1"),
            &["VirtualMachineId: VM id `vm1` is invalid: it must start with `/subscriptions/`"],
        );
    }
}
