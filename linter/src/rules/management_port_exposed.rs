//! JIT003 `management-port-exposed`.

use jit_core::{ManagementPort, PortRange, SourcePrefix};

use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::view::{self, NsgRule, Tri};

declare_rule! {
    /// ## What it does
    /// Flags an inbound Allow NSG rule (`azurerm_network_security_rule`, or a `security_rule`
    /// block of `azurerm_network_security_group`) whose destination ports cover 22, 3389, 5985
    /// or 5986, directly, through a range such as `"20-30"`, or through `*`, from `*`, `Any`,
    /// `Internet`, `0.0.0.0/0` or `::/0`.
    ///
    /// ## Why is this bad?
    /// A standing rule that lets the internet reach a management port makes JIT pointless: JIT
    /// adds temporary Allow rules in front of a Deny, and this rule allows the traffic anyway.
    /// General scanners catch the SSH and RDP cases; this rule also knows WinRM and ranges.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_network_security_rule" "ssh" {
    ///   direction                  = "Inbound"
    ///   access                     = "Allow"
    ///   protocol                   = "Tcp"
    ///   source_address_prefix      = "*"
    ///   destination_port_range     = "20-30"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Delete the rule and let a `jit_policy` open the port on request, or restrict the source
    /// to a bastion or VPN range.
    code = "JIT003",
    name = "management-port-exposed",
    severity = Error,
    summary = "An inbound NSG rule opens a management port to the internet";
    pub struct ManagementPortExposed;
}

impl Rule for ManagementPortExposed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for rule in &context.nsg_rules {
            if rule.admits_inbound() != Tri::Yes {
                continue;
            }
            let ports = management_ports(rule);
            if ports.is_empty() {
                continue;
            }
            let (sources, _) = rule.source_nodes();
            for node in sources {
                let Some(prefix) = node.as_str().and_then(|s| s.parse::<SourcePrefix>().ok())
                else {
                    continue;
                };
                if !prefix.is_open_to_internet() || reporter.settings.is_trusted(&prefix) {
                    continue;
                }
                let services = ports
                    .iter()
                    .filter_map(|p| ManagementPort::from_number(*p))
                    .map(|p| format!("{} ({})", p.service(), p.number()))
                    .collect::<Vec<_>>()
                    .join(", ");
                reporter.report(
                    Some(rule.resource),
                    Report {
                        span: node.span,
                        message: format!(
                            "{} allows {services} from `{prefix}`, the whole internet: a standing rule makes JIT pointless",
                            rule.describe()
                        ),
                        help: "remove the rule and open the port on request with a `jit_policy`, or restrict the source to a bastion or VPN range"
                            .to_owned(),
                        label: "open to the internet".to_owned(),
                        ports: ports.clone(),
                        rejected_by_azure: false,
                    },
                );
            }
        }
    }
}

/// The management ports that a rule's known destination ranges cover, in port order.
pub(crate) fn management_ports(rule: &NsgRule<'_>) -> Vec<u16> {
    let (ranges, _) = rule.port_range_nodes();
    let mut ports: Vec<u16> = ranges
        .into_iter()
        .filter_map(view::port_range_text)
        .filter_map(|text| PortRange::parse(text.trim()).ok())
        .flat_map(|range| range.management_ports())
        .map(ManagementPort::number)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}
