//! [`RuleError`]: every way a JIT value can break a rule.
//!
//! Messages follow one style so that the provider, the emulator and the linter can show them
//! as they are: a lowercase start, no final dot, and the bad value named in the message.
//! [`RuleError::help`] adds one sentence that says how to fix the problem.

use crate::duration::MaxRequestAccessDuration;
use crate::limits::{MAX_POLICY_AND_VM_NAME_LEN, PORT_NUMBER_MAX, PORT_NUMBER_MIN};
use crate::port::Protocol;

/// A JIT value that breaks one of Azure's rules.
///
/// Each variant carries the offending value so that the message can name it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// A port number outside 0..=65535.
    #[error("port {value} is outside {}-{}", PORT_NUMBER_MIN, PORT_NUMBER_MAX)]
    PortOutOfRange {
        /// The number as written.
        value: i64,
    },
    /// A port written as text that is not a whole number, such as `"ssh"`.
    #[error("port `{value}` is not a whole number")]
    PortNotANumber {
        /// The text as written.
        value: String,
    },
    /// A protocol other than `TCP`, `UDP` or `*` (Azure's enum is case-sensitive).
    #[error("protocol `{value}` is not one of TCP, UDP or *")]
    InvalidProtocol {
        /// The protocol as written.
        value: String,
    },
    /// A source prefix that is not `*`, an IP address, a CIDR block or a service tag.
    #[error("source prefix `{value}` is invalid: {reason}")]
    InvalidSourcePrefix {
        /// The prefix as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Both `allowedSourceAddressPrefix` and `allowedSourceAddressPrefixes` are set; the spec
    /// says they are mutually exclusive.
    #[error("a single source prefix and a list of source prefixes are both set")]
    BothPrefixAndPrefixes,
    /// `allowedSourceAddressPrefixes` is an empty list, which would allow no one.
    #[error("the list of source prefixes is empty")]
    EmptyPrefixes,
    /// A duration that is not an ISO 8601 duration Azure can read.
    #[error("duration `{value}` is invalid: {reason}")]
    InvalidDuration {
        /// The duration as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A maximum request access duration below PT5M.
    #[error(
        "duration {value} is shorter than the minimum {}",
        MaxRequestAccessDuration::MIN
    )]
    DurationTooShort {
        /// The duration as written.
        value: String,
    },
    /// A maximum request access duration above PT24H.
    #[error(
        "duration {value} is longer than the maximum {}",
        MaxRequestAccessDuration::MAX
    )]
    DurationTooLong {
        /// The duration as written.
        value: String,
    },
    /// The policy name and the VM name together are longer than 56 characters.
    #[error(
        "policy name `{policy_name}` and VM name `{vm_name}` are {len} characters together, \
         more than {}",
        MAX_POLICY_AND_VM_NAME_LEN
    )]
    NameTooLong {
        /// The JIT policy name.
        policy_name: String,
        /// The virtual machine name (the last segment of its id).
        vm_name: String,
        /// The two lengths added, in characters.
        len: usize,
    },
    /// A string that is not the ARM resource id of a virtual machine.
    #[error("VM id `{value}` is invalid: {reason}")]
    InvalidVmId {
        /// The id as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A string that is not the ARM resource id of a JIT policy.
    #[error("JIT policy id `{value}` is invalid: {reason}")]
    InvalidPolicyId {
        /// The id as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A resource group name that ARM refuses (see [`crate::ResourceGroupName`]).
    #[error("resource group name `{value}` is invalid: {reason}")]
    InvalidResourceGroupName {
        /// The name as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A location that is not a region's programmatic name (see [`crate::Location`]).
    #[error("location `{value}` is invalid: {reason}")]
    InvalidLocation {
        /// The location as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A policy name that cannot be the last segment of a policy id (see [`crate::PolicyName`]).
    #[error("policy name `{value}` is invalid: {reason}")]
    InvalidPolicyName {
        /// The name as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An NSG-style port range that is not `22`, `20-30` or `*`.
    #[error("port range `{value}` is invalid")]
    InvalidPortRange {
        /// The range as written.
        value: String,
    },
    /// Several NSG-style port ranges separated by commas (`"22,24"`) in a field that takes one
    /// range (see [`crate::PortRange::read`]).
    #[error(
        "port range `{value}` is a comma-separated list ({}), but the field takes one range",
        parts.join(", ")
    )]
    PortRangeList {
        /// The text as written.
        value: String,
        /// The parts, each trimmed, empty ones left out.
        parts: Vec<String>,
    },
    /// A port rule without a port number; the spec requires `number`.
    #[error("port number is missing")]
    MissingPortNumber,
    /// A port rule of a VM that opens traffic an earlier rule of the same VM already opens:
    /// the same number and protocol, or `*` and TCP or UDP of the same number (see
    /// [`crate::duplicate_ports`]).
    #[error("{}", duplicate_port_message(*.number, *.protocol, *.first_protocol))]
    DuplicatePort {
        /// The repeated port number.
        number: u16,
        /// The protocol of the repeating rule.
        protocol: Protocol,
        /// The protocol of the earlier rule it collides with.
        first_protocol: Protocol,
    },
    /// An access request asks for the same port of a VM twice.
    #[error("port {number} is requested more than once")]
    DuplicateRequestPort {
        /// The repeated port number.
        number: u16,
    },
    /// An access request names a port that the VM's policy does not list.
    #[error("port {number} is not in the JIT policy for this VM")]
    PortNotInPolicy {
        /// The requested port number.
        number: u16,
    },
    /// An access request asks for a source prefix that the port rule does not allow.
    #[error("source `{prefix}` is not within the allowed sources of port {number}")]
    SourceNotAllowed {
        /// The requested source prefix, in canonical form.
        prefix: String,
        /// The requested port number.
        number: u16,
    },
    /// An access request lasts longer than the port rule's maximum request access duration.
    #[error("requested access of {requested} is longer than the maximum {max} of port {number}")]
    RequestTooLong {
        /// The requested duration, in canonical ISO 8601 form.
        requested: String,
        /// The port rule's maximum, in canonical ISO 8601 form.
        max: String,
        /// The requested port number.
        number: u16,
    },
}

impl RuleError {
    /// One sentence that says how to fix the problem, without a final dot.
    ///
    /// Where a common mistake is recognisable from the value (a lowercase protocol, a CIDR with
    /// host bits set, a doubled `/subscriptions/` in a VM id), the help names the fix for it.
    pub fn help(&self) -> String {
        match self {
            RuleError::PortOutOfRange { .. } => {
                format!("use a port number between {PORT_NUMBER_MIN} and {PORT_NUMBER_MAX}")
            }
            RuleError::PortNotANumber { .. } => {
                "write the port as a number, such as 22 for SSH or 3389 for RDP".to_owned()
            }
            RuleError::InvalidProtocol { value } => crate::port::protocol_help(value),
            RuleError::InvalidSourcePrefix { value, .. } => crate::source_prefix::help_for(value),
            RuleError::BothPrefixAndPrefixes => {
                "set either the single source prefix or the list of source prefixes, not both: \
                 Azure treats them as mutually exclusive"
                    .to_owned()
            }
            RuleError::EmptyPrefixes => {
                "list at least one source prefix, or leave the list out to allow any source (*)"
                    .to_owned()
            }
            RuleError::InvalidDuration { value, .. } => crate::duration::help_for(value),
            RuleError::DurationTooShort { .. } => format!(
                "use a duration of at least {} (5 minutes)",
                MaxRequestAccessDuration::MIN
            ),
            RuleError::DurationTooLong { .. } => format!(
                "use a duration of at most {} (1 day); Azure accepts nothing longer",
                MaxRequestAccessDuration::MAX
            ),
            RuleError::NameTooLong { vm_name, .. } => {
                let vm_len = vm_name.chars().count();
                if vm_len < MAX_POLICY_AND_VM_NAME_LEN {
                    format!(
                        "shorten the policy name to at most {} characters (or shorten the VM name)",
                        MAX_POLICY_AND_VM_NAME_LEN - vm_len
                    )
                } else {
                    format!(
                        "the VM name alone has {vm_len} characters; JIT cannot protect a VM whose \
                         name leaves no room for a policy name within {MAX_POLICY_AND_VM_NAME_LEN}"
                    )
                }
            }
            RuleError::InvalidVmId { value, .. } => crate::vm_id::help_for(value),
            RuleError::InvalidPolicyId { .. } => format!(
                "use a policy id such as `{}`, e.g. the `id` of a `jit_policy`",
                crate::policy_id::SHAPE
            ),
            RuleError::InvalidResourceGroupName { value, .. } => {
                crate::names::resource_group_help(value)
            }
            RuleError::InvalidLocation { value, .. } => crate::names::location_help(value),
            RuleError::InvalidPolicyName { value, .. } => crate::names::policy_name_help(value),
            RuleError::InvalidPortRange { .. } => {
                "write a single port (22), a range with the lower port first (20-30), or * for \
                 every port"
                    .to_owned()
            }
            RuleError::PortRangeList { parts, .. } => {
                let items: Vec<String> = parts.iter().map(|part| format!("\"{part}\"")).collect();
                format!(
                    "give each range on its own, as the items of the field that takes a list: {}",
                    items.join(", ")
                )
            }
            RuleError::MissingPortNumber => "set the port number, such as 22 for SSH".to_owned(),
            RuleError::DuplicatePort {
                number,
                protocol,
                first_protocol,
            } => {
                if protocol == first_protocol {
                    "list each port and protocol once: merge the two rules into one".to_owned()
                } else {
                    format!(
                        "a rule with protocol * covers both TCP and UDP: keep one rule for port \
                         {number}, or give the two rules TCP and UDP"
                    )
                }
            }
            RuleError::DuplicateRequestPort { .. } => {
                "request each port once, with the end time you need".to_owned()
            }
            RuleError::PortNotInPolicy { .. } => {
                "request only ports listed in the VM's JIT policy, or add the port to the policy"
                    .to_owned()
            }
            RuleError::SourceNotAllowed { .. } => {
                "request a source inside the port's allowed source prefixes".to_owned()
            }
            RuleError::RequestTooLong { max, .. } => {
                format!(
                    "request access for at most {max}, the port's maximum request access duration"
                )
            }
        }
    }
}

/// The message of [`RuleError::DuplicatePort`]: the same rule twice, or two rules that overlap.
fn duplicate_port_message(number: u16, protocol: Protocol, first_protocol: Protocol) -> String {
    if protocol == first_protocol {
        format!("port {number} with protocol {protocol} is listed more than once")
    } else {
        format!(
            "port {number} with protocol {protocol} overlaps the earlier rule for port {number} \
             with protocol {first_protocol}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One error of every variant.
    fn every_variant() -> Vec<RuleError> {
        vec![
            RuleError::PortOutOfRange { value: 70000 },
            RuleError::PortNotANumber {
                value: "ssh".to_owned(),
            },
            RuleError::InvalidProtocol {
                value: "tcp".to_owned(),
            },
            RuleError::InvalidSourcePrefix {
                value: "10.0.0.0/33".to_owned(),
                reason: "prefix length 33 is more than 32".to_owned(),
            },
            RuleError::BothPrefixAndPrefixes,
            RuleError::EmptyPrefixes,
            RuleError::InvalidDuration {
                value: "3H".to_owned(),
                reason: "it must start with `P`".to_owned(),
            },
            RuleError::DurationTooShort {
                value: "PT1M".to_owned(),
            },
            RuleError::DurationTooLong {
                value: "P2D".to_owned(),
            },
            RuleError::NameTooLong {
                policy_name: "default".to_owned(),
                vm_name: "v".repeat(50),
                len: 57,
            },
            RuleError::InvalidVmId {
                value: "vm1".to_owned(),
                reason: "it must start with `/subscriptions/`".to_owned(),
            },
            RuleError::InvalidPolicyId {
                value: "default".to_owned(),
                reason: "it is not a JIT policy id".to_owned(),
            },
            RuleError::InvalidResourceGroupName {
                value: "rg.".to_owned(),
                reason: "it ends with `.`".to_owned(),
            },
            RuleError::InvalidLocation {
                value: "West Europe".to_owned(),
                reason: "it has spaces and upper-case letters".to_owned(),
            },
            RuleError::InvalidPolicyName {
                value: "a/b".to_owned(),
                reason: "it has `/`, which cannot appear in a resource name".to_owned(),
            },
            RuleError::InvalidPortRange {
                value: "30-20".to_owned(),
            },
            RuleError::PortRangeList {
                value: "22,24".to_owned(),
                parts: vec!["22".to_owned(), "24".to_owned()],
            },
            RuleError::MissingPortNumber,
            RuleError::DuplicatePort {
                number: 22,
                protocol: Protocol::Tcp,
                first_protocol: Protocol::Tcp,
            },
            RuleError::DuplicatePort {
                number: 22,
                protocol: Protocol::Any,
                first_protocol: Protocol::Udp,
            },
            RuleError::DuplicateRequestPort { number: 22 },
            RuleError::PortNotInPolicy { number: 8080 },
            RuleError::SourceNotAllowed {
                prefix: "1.2.3.4".to_owned(),
                number: 22,
            },
            RuleError::RequestTooLong {
                requested: "PT4H".to_owned(),
                max: "PT3H".to_owned(),
                number: 22,
            },
        ]
    }

    #[test]
    fn messages_and_help_follow_the_style() {
        for error in every_variant() {
            for text in [error.to_string(), error.help()] {
                assert!(!text.is_empty(), "{error:?}");
                assert!(!text.ends_with('.'), "ends with a dot: {text:?}");
                let first = text.chars().next().expect("not empty");
                assert!(
                    !first.is_uppercase() || text.starts_with("VM ") || text.starts_with("JIT "),
                    "starts in upper case: {text:?}"
                );
            }
        }
    }

    #[test]
    fn messages_name_the_bad_value() {
        let messages: Vec<String> = every_variant().iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "port 70000 is outside 0-65535",
                "port `ssh` is not a whole number",
                "protocol `tcp` is not one of TCP, UDP or *",
                "source prefix `10.0.0.0/33` is invalid: prefix length 33 is more than 32",
                "a single source prefix and a list of source prefixes are both set",
                "the list of source prefixes is empty",
                "duration `3H` is invalid: it must start with `P`",
                "duration PT1M is shorter than the minimum PT5M",
                "duration P2D is longer than the maximum PT24H",
                &format!(
                    "policy name `default` and VM name `{}` are 57 characters together, more \
                     than 56",
                    "v".repeat(50)
                ),
                "VM id `vm1` is invalid: it must start with `/subscriptions/`",
                "JIT policy id `default` is invalid: it is not a JIT policy id",
                "resource group name `rg.` is invalid: it ends with `.`",
                "location `West Europe` is invalid: it has spaces and upper-case letters",
                "policy name `a/b` is invalid: it has `/`, which cannot appear in a resource name",
                "port range `30-20` is invalid",
                "port range `22,24` is a comma-separated list (22, 24), but the field takes \
                 one range",
                "port number is missing",
                "port 22 with protocol TCP is listed more than once",
                "port 22 with protocol * overlaps the earlier rule for port 22 with protocol UDP",
                "port 22 is requested more than once",
                "port 8080 is not in the JIT policy for this VM",
                "source `1.2.3.4` is not within the allowed sources of port 22",
                "requested access of PT4H is longer than the maximum PT3H of port 22",
            ]
        );
    }
}
