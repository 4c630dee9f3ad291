//! JIT011 `standing-rule-defeats-jit`.

use crate::rule::{Context, Reads, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::topology::{self, TOPOLOGY_READS};
use crate::view::{self, JIT_READS, NSG_READS, Tri};

declare_rule! {
    /// ## What it does
    /// Flags an inbound Allow rule in the NSG of a JIT-protected VM (its network interface's
    /// or its subnet's) that admits, from anywhere (`*`, `Internet`, `0.0.0.0/0`, `::/0`,
    /// and the odd spellings `management-port-exposed` also reads), a port that the VM's JIT
    /// policy protects, whether or not it is a management port.
    ///
    /// The rule may be inline in the NSG or a standalone `azurerm_network_security_rule`
    /// whose `network_security_group_name` refers to it. Where this rule and
    /// `management-port-exposed` flag the same source, this one stands.
    ///
    /// ## Why is this bad?
    /// JIT closes the port with a Deny rule and opens it for one request at a time. A
    /// standing Allow rule for the same port lets everyone in all the time, so the policy only
    /// looks like protection: the audit trail of requests is there, the control is not.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_network_security_rule" "app_admin" {
    ///   network_security_group_name = azurerm_network_security_group.web.name
    ///   direction                   = "Inbound"
    ///   access                      = "Allow"
    ///   protocol                    = "Tcp"
    ///   source_address_prefix       = "*"
    ///   destination_port_range      = "8443"
    /// }
    /// ```
    /// (with a `jit_policy` that protects port 8443 on the VM behind that NSG)
    ///
    /// ## How to fix
    /// Delete the rule and request access through JIT, or restrict its source to the
    /// addresses that need standing access.
    code = "JIT011",
    name = "standing-rule-defeats-jit",
    severity = Error,
    summary = "A standing NSG rule opens a JIT-protected port to everyone";
    pub struct StandingRuleDefeatsJit;
}

impl Rule for StandingRuleDefeatsJit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [Reads]] {
        &[JIT_READS, NSG_READS, TOPOLOGY_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for vm in context
            .topology
            .vms
            .iter()
            .filter(|vm| !vm.entries.is_empty())
        {
            let mut protected = Vec::new();
            for entry in vm.entries.iter().filter_map(|&i| context.vms.get(i)) {
                protected.extend(topology::configured_ports(entry).unwrap_or_else(|| {
                    entry.ports.iter().filter_map(|p| p.port_number()).collect()
                }));
            }
            for rule in &context.nsg_rules {
                if rule.admits_inbound() != Tri::Yes
                    || !vm
                        .nsgs
                        .iter()
                        .any(|nsg| topology::rule_belongs_to(rule, nsg))
                {
                    continue;
                }
                let mut ports: Vec<u16> = protected
                    .iter()
                    .copied()
                    .filter(|&p| {
                        rule.ports
                            .iter()
                            .any(|v| v.reading.ranges.iter().any(|r| r.contains(p)))
                    })
                    .collect();
                ports.sort_unstable();
                ports.dedup();
                if ports.is_empty() {
                    continue;
                }
                for source in &rule.sources {
                    let Some(prefix) = source.reading.judged() else {
                        continue;
                    };
                    if !prefix.is_open_to_internet() || reporter.settings.is_trusted(prefix) {
                        continue;
                    }
                    let list = ports
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(", ");
                    reporter.report(
                        rule.resource,
                        Report {
                            span: source.node.span,
                            message: format!(
                                "{} allows port {list} from `{}` to VM {}, whose JIT policy protects {}: a standing rule defeats JIT{}",
                                rule.describe(),
                                view::source_text(source.text, &source.reading),
                                vm.describe(),
                                if ports.len() == 1 { "it" } else { "them" },
                                view::source_note(source.text, &source.reading)
                            ),
                            help: "delete the rule and request access through JIT, or restrict the source to the addresses that need standing access"
                                .to_owned(),
                            label: "defeats JIT".to_owned(),
                            ports: ports.clone(),
                            rejected_by_azure: false,
                        },
                    );
                }
            }
        }
    }
}
