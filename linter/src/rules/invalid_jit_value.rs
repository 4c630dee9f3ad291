//! JIT004 `invalid-jit-value`.

use jit_core::{
    Field, PortNumber, Protocol, RawPortRule, RuleError, check_port_rule, check_virtual_machine,
};

use crate::model::{Document, Node, Value};
use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::source::Span;
use crate::view::{JitPort, JitVm, Origin};

declare_rule! {
    /// ## What it does
    /// Flags JIT values that Azure rejects or that cannot mean what was intended: a port outside
    /// 0-65535, a protocol other than `TCP`, `UDP` or `*` (the enum is case-sensitive), a source
    /// prefix that is not an address, a CIDR block or a service tag, a duration that is not
    /// ISO 8601, a single prefix and a list of prefixes both set, an empty list of prefixes, a
    /// malformed VM id, and a policy name plus VM name longer than 56 characters.
    ///
    /// It also flags a port listed twice for one virtual machine, in a `jit_policy` or an azapi
    /// JIT policy body: the same number with the same protocol, or with `*` and `TCP` or `UDP`,
    /// since `*` covers both. `TCP` and `UDP` of the same number are two different rules. The
    /// finding points at the repeating entry and gives the line of the first one. An unset
    /// `protocol` in a `jit_policy` is `*`, as the provider sets it; a number or protocol the
    /// linter cannot know, such as a variable without a default or a `dynamic "port"` block,
    /// never counts as a repeat.
    ///
    /// ## Why is this bad?
    /// These fail at `terraform apply` at best, after review and merge. At worst, as with a CIDR
    /// block with host bits set, the value is accepted but does not mean what the author meant.
    /// Azure refuses the whole policy when one port is listed twice, so no port of the policy is
    /// protected until the duplicate is removed.
    ///
    /// ## Example
    /// ```hcl
    /// port {
    ///   number                        = 22
    ///   protocol                      = "tcp"
    ///   allowed_source_address_prefix = "10.0.0.1/8"
    /// }
    /// ```
    ///
    /// Port 22 twice for one virtual machine: the second `port` block is reported, naming the
    /// line of the first.
    ///
    /// ```hcl
    /// virtual_machine {
    ///   id = azurerm_linux_virtual_machine.web.id
    ///   port {
    ///     number   = 22
    ///     protocol = "TCP"
    ///   }
    ///   port {
    ///     number   = 22
    ///     protocol = "TCP"
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Follow the help line of each finding: it names the fix for the usual mistakes, such as
    /// `TCP` in upper case or `10.0.0.0/8` for a network. For a port listed twice, remove one of
    /// the entries or merge their settings into one; to open both protocols, give the two
    /// entries `TCP` and `UDP`.
    code = "JIT004",
    name = "invalid-jit-value",
    severity = Error,
    summary = "A JIT value is invalid and would be rejected by Azure";
    pub struct InvalidJitValue;
}

impl Rule for InvalidJitValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [crate::rule::Reads]] {
        &[crate::view::JIT_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for vm in &context.vms {
            for port in &vm.ports {
                check_port(port, vm.resource, reporter);
            }
            if vm.origin == Origin::Request {
                continue;
            }
            check_duplicate_ports(vm, context.document_of(vm.resource), reporter);
            let policy_name = match vm.policy_name {
                Some(node) => node.as_str(),
                None => Some(jit_core::limits::DEFAULT_POLICY_NAME),
            };
            let vm_id = vm.id.and_then(Node::as_str);
            for finding in check_virtual_machine(policy_name, vm_id) {
                let span = match finding.field {
                    Field::PolicyName => vm.policy_name.or(vm.id).map_or(vm.span, |n| n.span),
                    _ => vm.id.map_or(vm.span, |n| n.span),
                };
                reporter.report(
                    vm.resource,
                    Report {
                        span,
                        message: finding.message(),
                        help: finding.help(),
                        label: "invalid".to_owned(),
                        ports: Vec::new(),
                        rejected_by_azure: true,
                    },
                );
            }
        }
    }
}

fn check_port(port: &JitPort<'_>, resource: &crate::model::Resource, reporter: &mut Reporter<'_>) {
    // azapi bodies often quote port numbers; the value is still checked here, and the quoting
    // is azapi-jit-pitfall's finding.
    let mut findings = Vec::new();
    let number = match port.number {
        Some(node) => match (node.as_i64(), node.as_str()) {
            (Some(n), _) => Some(n),
            (None, Some(text)) => match text.trim().parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    let error = RuleError::PortNotANumber {
                        value: text.to_owned(),
                    };
                    findings.push(jit_core::Finding::new(Field::Number, error));
                    None
                }
            },
            _ => None,
        },
        None => None,
    };
    let prefixes: Option<Vec<&str>> = port.prefixes.and_then(|node| {
        let items = node.as_array()?;
        items.iter().map(Node::as_str).collect()
    });
    let raw = RawPortRule {
        number,
        protocol: port.protocol.and_then(Node::as_str),
        allowed_source_address_prefix: port.prefix.and_then(Node::as_str),
        allowed_source_address_prefixes: prefixes,
        max_request_access_duration: port.duration.and_then(Node::as_str),
    };
    findings.extend(check_port_rule(&raw));
    for finding in findings {
        // Out-of-bounds durations are excessive-max-request-time's finding.
        if matches!(
            finding.error,
            RuleError::DurationTooShort { .. } | RuleError::DurationTooLong { .. }
        ) {
            continue;
        }
        let span = field_span(port, finding.field);
        reporter.report(
            resource,
            Report {
                span,
                message: format!(
                    "`{}`: {}",
                    port.origin.name(finding.field),
                    finding.message()
                ),
                help: finding.help(),
                label: "invalid".to_owned(),
                ports: port.ports(),
                rejected_by_azure: true,
            },
        );
    }
}

/// Reports each port of one VM that repeats an earlier one, as [`jit_core::duplicate_ports`]
/// finds them, at the repeating entry's `number` and naming the first entry's line: Azure refuses
/// the whole policy, and the first entry is where the author has to look to merge the two.
fn check_duplicate_ports(vm: &JitVm<'_>, document: Option<&Document>, reporter: &mut Reporter<'_>) {
    let keys = vm.ports.iter().map(duplicate_key);
    for duplicate in jit_core::duplicate_ports(keys) {
        // The indexes are positions in `vm.ports`, so both are present.
        let (Some(port), Some(first)) = (
            vm.ports.get(duplicate.index),
            vm.ports.get(duplicate.first_index),
        ) else {
            continue;
        };
        let error = duplicate.error();
        let first_line = document.map_or(0, |document| {
            document
                .file
                .region(field_span(first, Field::Number))
                .start
                .line
        });
        reporter.report(
            vm.resource,
            Report {
                span: field_span(port, Field::Number),
                message: format!(
                    "`{}`: {error} in this virtual machine (first at line {first_line}); Azure \
                     refuses the policy",
                    port.origin.name(Field::Number)
                ),
                help: error.help(),
                label: "duplicate".to_owned(),
                ports: port.ports(),
                rejected_by_azure: true,
            },
        );
    }
}

/// The port and protocol that [`jit_core::duplicate_ports`] compares, or `None` when either is
/// not known or not valid, so that a value the linter cannot see never makes a false duplicate
/// (invalid values are reported on their own).
///
/// An unset or null `protocol` of a `jit_policy` port is `*`, because the provider sends its
/// default; an azapi body has no default, Azure requires the field, so such a port is skipped.
fn duplicate_key(port: &JitPort<'_>) -> Option<(PortNumber, Protocol)> {
    let number = PortNumber::from_u16(port.port_number()?);
    let unset = port
        .protocol
        .is_none_or(|node| matches!(node.value, Value::Null));
    let protocol = match (unset, port.origin) {
        (true, Origin::Policy | Origin::PolicyVirtualMachine) => jit_core::limits::DEFAULT_PROTOCOL,
        (true, _) => return None,
        (false, _) => port.protocol?.as_str()?.parse().ok()?,
    };
    Some((number, protocol))
}

fn field_span(port: &JitPort<'_>, field: Field) -> Span {
    let node = match field {
        Field::Number => port.number,
        Field::Protocol => port.protocol,
        Field::AllowedSourceAddressPrefix => port.prefix,
        Field::AllowedSourceAddressPrefixes(index) => port
            .prefixes
            .and_then(|n| n.as_array().and_then(|items| items.get(index)).or(Some(n))),
        Field::MaxRequestAccessDuration => port.duration,
        _ => None,
    };
    node.map_or(port.span, |n| n.span)
}
