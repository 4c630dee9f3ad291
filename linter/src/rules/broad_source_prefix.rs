//! JIT001 `broad-source-prefix`.

use jit_core::{SourceReading, default_port_rules};

use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::view::{self, Tri};

declare_rule! {
    /// ## What it does
    /// Flags a JIT port whose allowed source is `*`, `Any`, `Internet`, `0.0.0.0/0` or `::/0`, or
    /// a CIDR block wider than the configured limit (by default /24 for IPv4 and /64 for IPv6).
    /// It also flags a `jit_policy` or `jit_policy_virtual_machine` port with no source at all,
    /// and a virtual machine with no `port` blocks: Azure then applies its defaults, which open
    /// 22, 3389, 5985 and 5986 to `*`.
    /// On NSG rules it flags an inbound Allow rule for a management port whose source is wider
    /// than the limit but not the whole internet (that case is `management-port-exposed`).
    ///
    /// A source is judged as Azure or a reader takes it, however it is written. Service tags
    /// match in any case: `internet`, `INTERNET` and `any` are the whole internet. A CIDR block
    /// with host bits set is its network: `34.15.11.3/0` is `0.0.0.0/0` and `10.0.0.1/8` is
    /// `10.0.0.0/8` (`invalid-jit-value` also reports a JIT port's as invalid). A bare `/0` is
    /// every address, and spaces around a prefix change nothing.
    ///
    /// `0.0.0.0` (and `::`) is reported as ambiguous, never passed. Taken literally it is the
    /// unspecified address, one address that no packet comes from, so it would let no one in;
    /// but it is commonly written to mean `0.0.0.0/0`, several scanners read it so, and Azure
    /// documents neither reading. jitlint cannot tell which was meant, so it judges the broader
    /// reading and says that the value is ambiguous. Write the real addresses instead.
    ///
    /// On NSG rules this rule is deliberately stricter than general scanners, which flag only
    /// internet sources: a standing inbound Allow rule for a management port from a private
    /// range wider than the limit, such as `10.1.0.0/16`, is flagged. Every host of that range
    /// (65536 addresses, any compromised VM among them) reaches the port at any time, which is
    /// what JIT exists to prevent. A bastion or VPN range that must stay open belongs in
    /// `trusted-source-prefixes`.
    ///
    /// ## Why is this bad?
    /// JIT exists to narrow who can reach a management port. An open prefix lets anyone on the
    /// internet be given access for as long as each request lasts, and the policy still looks
    /// protected in a review.
    ///
    /// ## Example
    /// ```hcl
    /// port {
    ///   number                        = 22
    ///   allowed_source_address_prefix = "*"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// port {
    ///   number                          = 22
    ///   allowed_source_address_prefixes = ["203.0.113.0/24"]
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Allow only the addresses your operators connect from (an office range, a VPN or bastion
    /// subnet). If a wide range is intended, list it under `trusted-source-prefixes` in
    /// `.jitlint.toml`, or raise `limits.min-prefix-length-v4`.
    code = "JIT001",
    name = "broad-source-prefix",
    severity = Error,
    summary = "A JIT port or management NSG rule allows a source that is too broad";
    pub struct BroadSourcePrefix;
}

impl Rule for BroadSourcePrefix {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [crate::rule::Reads]] {
        &[view::JIT_READS, view::NSG_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for vm in &context.vms {
            let resource = vm.resource;
            if vm.origin.is_provider_policy() && vm.ports.is_empty() && vm.dynamic_ports.is_empty()
            {
                let ports: Vec<u16> = default_port_rules()
                    .iter()
                    .map(|r| r.number.get())
                    .collect();
                let list = ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                reporter.report(
                    resource,
                    Report {
                        span: vm.span,
                        message: format!(
                            "this virtual machine has no `port` blocks, so Azure's defaults open ports {list} to source `*` (the whole internet)"
                        ),
                        help: "add `port` blocks for the ports you need, each with `allowed_source_address_prefixes`"
                            .to_owned(),
                        label: "Azure defaults: source `*`".to_owned(),
                        ports,
                        rejected_by_azure: false,
                    },
                );
            }
            for port in &vm.ports {
                if vm.origin.is_provider_policy()
                    && port.prefix.is_none()
                    && port.prefixes.is_none()
                {
                    reporter.report(
                        resource,
                        Report {
                            span: port.span,
                            message: format!(
                                "{} has no allowed source, so Azure's default `*` lets the whole internet request it",
                                port.describe()
                            ),
                            help: "set `allowed_source_address_prefixes` to the addresses your operators use"
                                .to_owned(),
                            label: "default source `*`".to_owned(),
                            ports: port.ports(),
                            rejected_by_azure: false,
                        },
                    );
                }
                let sources = port
                    .prefix
                    .into_iter()
                    .chain(port.prefixes.into_iter().flat_map(view::items));
                for node in sources {
                    let Some((text, ref reading)) = view::read_source(node) else {
                        continue;
                    };
                    let Some(prefix) = reading.judged() else {
                        continue;
                    };
                    if reporter.settings.is_trusted(prefix) {
                        continue;
                    }
                    let (v4, v6) = (
                        reporter.settings.min_prefix_length_v4,
                        reporter.settings.min_prefix_length_v6,
                    );
                    if prefix.is_broader_than(v4, v6) {
                        let written = view::source_text(text, reading);
                        let (lets, label) = if reading.is_ambiguous() {
                            ("may let", "may reach")
                        } else {
                            ("lets", "reaches")
                        };
                        reporter.report(
                            resource,
                            Report {
                                span: node.span,
                                message: format!(
                                    "source `{written}` {lets} {} request {}{}",
                                    prefix.describe_reach(),
                                    port.describe(),
                                    view::source_note(text, reading)
                                ),
                                help: help(text, reading, v4, v6),
                                label: format!("{label} {}", prefix.describe_reach()),
                                ports: port.ports(),
                                rejected_by_azure: false,
                            },
                        );
                    }
                }
            }
        }
        for rule in &context.nsg_rules {
            if rule.admits_inbound() != Tri::Yes {
                continue;
            }
            let ports = crate::rules::management_port_exposed::management_ports(rule);
            if ports.is_empty() {
                continue;
            }
            for source in &rule.sources {
                let (node, text, reading) = (source.node, source.text, &source.reading);
                let Some(prefix) = reading.judged() else {
                    continue;
                };
                let (v4, v6) = (
                    reporter.settings.min_prefix_length_v4,
                    reporter.settings.min_prefix_length_v6,
                );
                // The whole internet is also management-port-exposed's finding; which one
                // stands is decided in `overlap`, not here.
                if reporter.settings.is_trusted(prefix) || !prefix.is_broader_than(v4, v6) {
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
                        span: node.span,
                        message: format!(
                            "{} allows management port {list} from `{}` ({}){}",
                            rule.describe(),
                            view::source_text(text, reading),
                            prefix.describe_reach(),
                            view::source_note(text, reading)
                        ),
                        help: help(text, reading, v4, v6),
                        label: format!("reaches {}", prefix.describe_reach()),
                        ports: ports.clone(),
                        rejected_by_azure: false,
                    },
                );
            }
        }
    }
}

fn help(text: &str, reading: &SourceReading, v4: u8, v6: u8) -> String {
    match reading.judged() {
        _ if reading.is_ambiguous() => format!(
            "write the addresses your operators connect from: `{text}` is no real host, and if every address was meant it is far too broad"
        ),
        Some(prefix) if prefix.is_open_to_internet() => {
            "allow only the addresses your operators connect from, such as an office or VPN range"
                .to_owned()
        }
        _ => format!(
            "narrow it to /{v4} (IPv4) or /{v6} (IPv6) or longer, or add it to `trusted-source-prefixes` in .jitlint.toml"
        ),
    }
}
