//! JIT003 `management-port-exposed`.

use jit_core::ManagementPort;

use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::view::{self, NsgRule, Tri};

declare_rule! {
    /// ## What it does
    /// Flags an inbound Allow NSG rule (`azurerm_network_security_rule`, or a `security_rule`
    /// block of `azurerm_network_security_group`) whose destination ports cover 22, 3389, 5985
    /// or 5986, directly, through a range such as `"20-30"`, or through `*`, from `*`, `Any`,
    /// `Internet`, `0.0.0.0/0` or `::/0`.
    ///
    /// Values are read as their author meant them. A comma-separated list in one
    /// `destination_port_range` (`"21-24, 230"`) counts as the union of its parts; Azure rejects
    /// it, which `invalid-nsg-rule` reports. Sources are read as `broad-source-prefix` reads
    /// them: service tags in any case (`internet`, `INTERNET`, `any`), a CIDR block with host
    /// bits set and a `/0` length (`34.15.11.3/0`), and a bare `/0` are the whole internet;
    /// `0.0.0.0` is ambiguous (taken literally it lets no one in, but it is commonly written to
    /// mean `0.0.0.0/0`), and is reported as possibly the whole internet.
    ///
    /// A rule counts when its `protocol` carries ports: `Tcp`, `Udp`, `*` or `Any`, or no
    /// protocol at all (which `invalid-nsg-rule` reports). UDP counts on purpose, which is
    /// stricter than general scanners that check only TCP and `*`: RDP also listens on UDP 3389
    /// (its UDP transport), and a standing UDP rule for a management port is a hole that JIT
    /// cannot close.
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

    fn reads(&self) -> &'static [&'static [crate::rule::Reads]] {
        &[view::NSG_READS]
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
            for source in &rule.sources {
                let (node, text, reading) = (source.node, source.text, &source.reading);
                let Some(prefix) = reading.judged() else {
                    continue;
                };
                if !prefix.is_open_to_internet() || reporter.settings.is_trusted(prefix) {
                    continue;
                }
                let written = view::source_text(text, reading);
                let (reach, label) = if reading.is_ambiguous() {
                    (
                        "which may be the whole internet",
                        "may be open to the internet",
                    )
                } else {
                    ("the whole internet", "open to the internet")
                };
                let services = ports
                    .iter()
                    .filter_map(|p| ManagementPort::from_number(*p))
                    .map(|p| format!("{} ({})", p.service(), p.number()))
                    .collect::<Vec<_>>()
                    .join(", ");
                reporter.report(
                    rule.resource,
                    Report {
                        span: node.span,
                        message: format!(
                            "{} allows {services} from `{written}`, {reach}: a standing rule makes JIT pointless{}",
                            rule.describe(),
                            view::source_note(text, reading)
                        ),
                        help: "remove the rule and open the port on request with a `jit_policy`, or restrict the source to a bastion or VPN range"
                            .to_owned(),
                        label: label.to_owned(),
                        ports: ports.clone(),
                        rejected_by_azure: false,
                    },
                );
            }
        }
    }
}

/// The management ports that a rule's known destination ranges cover, in port order. A
/// comma-separated list counts as its parts: what its author meant to open.
pub(crate) fn management_ports(rule: &NsgRule<'_>) -> Vec<u16> {
    let mut ports: Vec<u16> = rule
        .ports
        .iter()
        .flat_map(|value| value.reading.management_ports())
        .map(ManagementPort::number)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}
