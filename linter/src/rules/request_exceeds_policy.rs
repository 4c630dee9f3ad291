//! JIT008 `request-exceeds-policy`.

use jit_core::{IsoDuration, RuleError, SourcePrefix};

use crate::model::{Node, Resource};
use crate::rule::{Context, Reads, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::topology::{self, TOPOLOGY_READS};
use crate::view::{self, JIT_READS, JitPort, JitVm, NSG_READS, Origin};

declare_rule! {
    /// ## What it does
    /// Checks each `jit_access_request` against the policy it names (`policy_id =
    /// jit_policy.web.id`, or a `jit_policy_virtual_machine`'s `policy_id`) when that policy
    /// is in the module, with the checks Azure and the emulator make (`jit_core`'s):
    ///
    /// * a port the policy does not configure for that VM;
    /// * a `duration` longer than the port's `max_request_access_duration` (PT3H by default);
    /// * an `allowed_source_address_prefix` outside the port's allowed sources;
    /// * the same port requested twice for one VM.
    ///
    /// A value that is not known, or a policy that is not in the module, is not judged.
    ///
    /// ## Why is this bad?
    /// Azure refuses the request at apply time, after review and merge, and the operator who
    /// needed access does not get it. A source outside the policy usually means that the
    /// policy or the request names the wrong network.
    ///
    /// ## Example
    /// ```hcl
    /// resource "jit_access_request" "patching" {
    ///   policy_id = jit_policy.web.id
    ///   virtual_machine {
    ///     id = azurerm_linux_virtual_machine.web.id
    ///     port {
    ///       number   = 22
    ///       duration = "PT8H"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Request only ports the policy lists, for at most their maximum, from a source inside
    /// their allowed prefixes; or change the policy, if the request is what is needed.
    code = "JIT008",
    name = "request-exceeds-policy",
    severity = Error,
    summary = "An access request asks for more than its JIT policy allows";
    pub struct RequestExceedsPolicy;
}

impl Rule for RequestExceedsPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [Reads]] {
        &[JIT_READS, NSG_READS, TOPOLOGY_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for request in context.vms.iter().filter(|v| v.origin == Origin::Request) {
            check_duplicates(request, reporter);
            let Some(policy_id) = request.resource.body.attribute("policy_id") else {
                continue;
            };
            let resources: Vec<&Resource> = context.resources().collect();
            // By reference (`jit_policy.web.id`), or by a literal id (what a plan holds, since
            // the provider knows the id at plan time) naming the same policy.
            let (policy, entries): (String, Vec<&JitVm<'_>>) = match topology::target(policy_id) {
                Some(reference) => {
                    let entries = context
                        .vms
                        .iter()
                        .filter(|e| {
                            e.origin != Origin::Request && e.resource.reference() == reference
                        })
                        .collect();
                    (reference, entries)
                }
                None => {
                    let Some(wanted) = policy_id.as_str().and_then(topology::policy_id_identity)
                    else {
                        continue;
                    };
                    let entries: Vec<&JitVm<'_>> = context
                        .vms
                        .iter()
                        .filter(|e| e.origin != Origin::Request)
                        .filter(|e| {
                            topology::policy_identity(e.resource, &resources).as_ref()
                                == Some(&wanted)
                        })
                        .collect();
                    let name = entries
                        .first()
                        .map_or_else(String::new, |e| e.resource.reference());
                    (name, entries)
                }
            };
            if entries.is_empty() {
                continue;
            }
            let Some(entry) = matching_entry(request, &entries) else {
                continue;
            };
            let Some(configured) = topology::configured_ports(entry) else {
                continue;
            };
            for port in &request.ports {
                let Some(number) = port.port_number() else {
                    continue;
                };
                if !configured.contains(&number) {
                    let error = RuleError::PortNotInPolicy { number };
                    report(request, port, port.number, &error, &policy, reporter);
                    continue;
                }
                let Some(rule) = policy_rule(entry, number) else {
                    continue;
                };
                if let Some((node, source)) = known_source(port) {
                    let errors = rule.check_request(&source, IsoDuration::from_secs(0));
                    for error in errors
                        .iter()
                        .filter(|e| matches!(e, RuleError::SourceNotAllowed { .. }))
                    {
                        report(request, port, Some(node), error, &policy, reporter);
                    }
                }
                if let Some(node) = port.duration
                    && let Some(duration) = node.as_str().and_then(|t| IsoDuration::parse(t).ok())
                {
                    let any = rule
                        .allowed_source
                        .prefixes()
                        .first()
                        .cloned()
                        .unwrap_or(SourcePrefix::Any);
                    let errors = rule.check_request(&any, duration);
                    for error in errors
                        .iter()
                        .filter(|e| matches!(e, RuleError::RequestTooLong { .. }))
                    {
                        report(request, port, Some(node), error, &policy, reporter);
                    }
                }
            }
        }
    }
}

/// The policy entry for the request's VM: the one whose VM id is the same reference or the
/// same literal id; the only entry when the policy has one and the ids cannot be compared.
fn matching_entry<'a, 'b>(request: &JitVm<'_>, entries: &[&'b JitVm<'a>]) -> Option<&'b JitVm<'a>> {
    let request_id = request.id?;
    let same = |entry: &&&JitVm<'_>| match (entry.id, topology::target(request_id)) {
        (Some(id), Some(target)) => topology::target(id).as_deref() == Some(target.as_str()),
        (Some(id), None) => match (id.as_str(), request_id.as_str()) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        },
        _ => false,
    };
    match entries.iter().find(same) {
        Some(entry) => Some(entry),
        None if entries.len() == 1 => entries.first().copied(),
        None => None,
    }
}

/// The policy's rule for port `number`, parsed by `jit_core`, when every value is known.
fn policy_rule(entry: &JitVm<'_>, number: u16) -> Option<jit_core::PortRule> {
    if entry.ports.is_empty() {
        let port = jit_core::PortNumber::new(i64::from(number)).ok()?;
        return Some(jit_core::PortRule::with_defaults(port));
    }
    let port = entry
        .ports
        .iter()
        .find(|p| p.port_number() == Some(number))?;
    port.raw()?.parse().ok()
}

fn known_source<'a>(port: &JitPort<'a>) -> Option<(&'a Node, SourcePrefix)> {
    let node = port.prefix?;
    let (_, reading) = view::read_source(node)?;
    Some((node, reading.judged()?.clone()))
}

fn check_duplicates(request: &JitVm<'_>, reporter: &mut Reporter<'_>) {
    let mut seen = Vec::new();
    for port in &request.ports {
        let Some(number) = port.port_number() else {
            continue;
        };
        if seen.contains(&number) {
            let error = RuleError::DuplicateRequestPort { number };
            reporter.report(
                request.resource,
                Report {
                    span: port.number.map_or(port.span, |n| n.span),
                    message: format!("`number`: {error}; Azure refuses the request"),
                    help: error.help(),
                    label: "requested twice".to_owned(),
                    ports: vec![number],
                    rejected_by_azure: true,
                },
            );
        }
        seen.push(number);
    }
}

fn report(
    request: &JitVm<'_>,
    port: &JitPort<'_>,
    node: Option<&Node>,
    error: &RuleError,
    policy: &str,
    reporter: &mut Reporter<'_>,
) {
    reporter.report(
        request.resource,
        Report {
            span: node.map_or(port.span, |n| n.span),
            message: format!("{error} (`{policy}`); Azure refuses the request"),
            help: error.help(),
            label: "exceeds the policy".to_owned(),
            ports: port.ports(),
            rejected_by_azure: true,
        },
    );
}
