//! The `port` block that `jit_policy` and `jit_policy_virtual_machine` share, its computed
//! `effective_port` twin, and the two directions between them and the API's port rules.
//!
//! **Stable plans.** Azure answers a port in its own spelling (`Tcp` for `TCP`, sources in
//! its order, `allowedSourceAddressPrefix` where `allowedSourceAddressPrefixes` was sent with
//! one element). [`reconcile`] compares what Azure holds with the prior state *as rules*
//! (number, protocol ignoring case, the set of sources, the duration's length); when they
//! agree the prior state is kept word for word, so applying twice changes nothing, and only
//! a real difference (drift) replaces it with Azure's values.

use serde::{Deserialize, Serialize};

use jit_azure::models::JitPortRule;
use jit_core::{Field, IsoDuration, RawPortRule, RuleError, check_port_rule, default_port_rules};
use tfplugin::cty::Type;
use tfplugin::framework::model::Attr;
use tfplugin::framework::validator::each_element;
use tfplugin::framework::{Attribute, Block, Diagnostics, Path};

use crate::validators;

/// A `port` block as configured (or planned: any value may still be unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortModel {
    /// Port number.
    pub number: Attr<i64>,
    /// `TCP`, `UDP` or `*`.
    pub protocol: Attr<String>,
    /// One allowed source.
    pub allowed_source_address_prefix: Attr<String>,
    /// Several allowed sources.
    pub allowed_source_address_prefixes: Attr<Vec<Attr<String>>>,
    /// Longest access a request may get.
    pub max_request_access_duration: Attr<String>,
}

/// A port as it will be protected, defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectivePortModel {
    /// Port number.
    pub number: i64,
    /// `TCP`, `UDP` or `*`.
    pub protocol: String,
    /// Every allowed source.
    pub allowed_source_address_prefixes: Vec<String>,
    /// Longest access a request may get.
    pub max_request_access_duration: String,
}

pub(crate) fn effective_port_type() -> Type {
    Type::list(Type::object([
        ("number", Type::Number),
        ("protocol", Type::String),
        ("allowed_source_address_prefixes", Type::list(Type::String)),
        ("max_request_access_duration", Type::String),
    ]))
}

pub(crate) fn port_block() -> Block {
    Block::new("A management port to protect. Without any `port` block, Azure's recommended ports are protected: 22, 3389, 5985 and 5986.")
        .attribute("number", Attribute::number("The port number, 0-65535.").required().validate(validators::port_number()))
        .attribute(
            "protocol",
            Attribute::string("`TCP`, `UDP` or `*` (both). Defaults to `*`.")
                .default_value(jit_core::limits::DEFAULT_PROTOCOL.as_str())
                .validate(validators::protocol()),
        )
        .attribute(
            "allowed_source_address_prefix",
            Attribute::string("The one source allowed to request access: `*`, an IP address, a CIDR block or a service tag. Conflicts with `allowed_source_address_prefixes`. When neither is set, Azure allows any source (`*`).")
                .optional()
                .validate(validators::source_prefix()),
        )
        .attribute(
            "allowed_source_address_prefixes",
            Attribute::string_list("The sources allowed to request access. Conflicts with `allowed_source_address_prefix`.")
                .optional()
                .validate(each_element(validators::source_prefix())),
        )
        .attribute(
            "max_request_access_duration",
            Attribute::string("The longest access a request may get, as an ISO 8601 duration between `PT5M` and `PT24H`. Defaults to `PT3H`.")
                .default_value("PT3H")
                .validate(validators::max_request_access_duration()),
        )
}

/// Reports each `port` block of one `virtual_machine` that repeats an earlier one (same number
/// and protocol, or `*` with TCP or UDP), at the repeating block's `number`: the rule is
/// `jit_core::duplicate_ports`. A port whose number or protocol is unknown is skipped; an unset
/// protocol is the default `*`.
pub(crate) fn report_duplicate_ports(
    vm_path: Path,
    ports: &[PortModel],
    diagnostics: &mut Diagnostics,
) {
    let keys = ports.iter().map(|port| {
        let number = jit_core::PortNumber::new(*port.number.known()?).ok()?;
        let protocol = match &port.protocol {
            Attr::Null => jit_core::limits::DEFAULT_PROTOCOL,
            Attr::Unknown => return None,
            Attr::Known(protocol) => protocol.parse().ok()?,
        };
        Some((number, protocol))
    });
    for duplicate in jit_core::duplicate_ports(keys) {
        let error = duplicate.error();
        diagnostics.attribute_error(
            vm_path
                .clone()
                .attr("port")
                .index(duplicate.index)
                .attr("number"),
            "Duplicate port",
            format!("{error}: {}.", error.help().trim_end_matches('.')),
        );
    }
}

/// The ports as they will be protected; unknown while any port value is.
pub(crate) fn effective_ports(ports: &Attr<Vec<PortModel>>) -> Attr<Vec<EffectivePortModel>> {
    let ports = match ports {
        Attr::Unknown => return Attr::Unknown,
        Attr::Null => &[][..],
        Attr::Known(ports) => ports.as_slice(),
    };
    if ports.is_empty() {
        return Attr::Known(
            default_port_rules()
                .into_iter()
                .map(|rule| EffectivePortModel {
                    number: i64::from(rule.number.get()),
                    protocol: rule.protocol.as_str().to_owned(),
                    allowed_source_address_prefixes: rule
                        .allowed_source
                        .prefixes()
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    max_request_access_duration: rule.max_request_access_duration.to_string(),
                })
                .collect(),
        );
    }
    let effective: Option<Vec<EffectivePortModel>> = ports
        .iter()
        .map(|port| {
            let sources = match (
                &port.allowed_source_address_prefix,
                &port.allowed_source_address_prefixes,
            ) {
                (Attr::Known(prefix), _) => vec![prefix.clone()],
                (Attr::Null, Attr::Known(prefixes)) => prefixes
                    .iter()
                    .map(|prefix| prefix.known().cloned())
                    .collect::<Option<Vec<String>>>()?,
                (Attr::Null, Attr::Null) => {
                    vec![jit_core::limits::DEFAULT_SOURCE_PREFIX.to_owned()]
                }
                _ => return None,
            };
            Some(EffectivePortModel {
                number: *port.number.known()?,
                protocol: port.protocol.known()?.clone(),
                allowed_source_address_prefixes: sources,
                max_request_access_duration: port.max_request_access_duration.known()?.clone(),
            })
        })
        .collect();
    effective.map_or(Attr::Unknown, Attr::Known)
}

/// Checks the `port` blocks of one VM (at `vm_path`): repeated ports, and the rules that
/// span two attributes (prefix and prefixes both set, an empty list). Single values are the
/// attribute validators' job, so each problem shows once.
pub(crate) fn check_ports(vm_path: &Path, ports: &[PortModel], diagnostics: &mut Diagnostics) {
    report_duplicate_ports(vm_path.clone(), ports, diagnostics);
    for (port_index, port) in ports.iter().enumerate() {
        let port_path = vm_path.clone().attr("port").index(port_index);
        for finding in check_port_rule(&raw_port_rule(port)) {
            let summary = match finding.error {
                RuleError::BothPrefixAndPrefixes => "Conflicting source address prefixes",
                RuleError::EmptyPrefixes => "Empty source address prefixes",
                _ => continue,
            };
            let path = match finding.field {
                // An empty list has no element to point at: point at the list.
                Field::AllowedSourceAddressPrefixes(_)
                    if finding.error == RuleError::EmptyPrefixes =>
                {
                    port_path.attr("allowed_source_address_prefixes")
                }
                Field::AllowedSourceAddressPrefixes(index) => port_path
                    .attr("allowed_source_address_prefixes")
                    .index(index),
                other => port_path.attr(crate::fields::attribute_name(other)),
            };
            diagnostics.attribute_error(
                path,
                summary,
                format!(
                    "{}: {}.",
                    finding.message(),
                    finding.help().trim_end_matches('.')
                ),
            );
        }
    }
}

/// A configured port as `jit_core` checks it; unknown values are `None`, checked at apply.
pub(crate) fn raw_port_rule(port: &PortModel) -> RawPortRule<'_> {
    RawPortRule {
        number: port.number.known().copied(),
        protocol: port.protocol.as_deref(),
        allowed_source_address_prefix: port.allowed_source_address_prefix.as_deref(),
        // An unknown list, or one with unknown elements, is checked at apply time.
        allowed_source_address_prefixes: port
            .allowed_source_address_prefixes
            .known()
            .and_then(|prefixes| prefixes.iter().map(|prefix| prefix.as_deref()).collect()),
        max_request_access_duration: port.max_request_access_duration.as_deref(),
    }
}

/// The port rules to send for the configured ports: Azure's recommended ports when none is
/// configured; each source list as configured (one prefix as `allowedSourceAddressPrefix`,
/// a list as `allowedSourceAddressPrefixes`, none as `*`). `None` while a value is unknown.
pub(crate) fn to_arm(ports: &Attr<Vec<PortModel>>) -> Option<Vec<JitPortRule>> {
    let configured = match ports {
        Attr::Unknown => return None,
        Attr::Null => &[][..],
        Attr::Known(ports) => ports.as_slice(),
    };
    if configured.is_empty() {
        return Some(
            effective_ports(ports)
                .into_known()?
                .into_iter()
                .map(|port| JitPortRule {
                    number: port.number,
                    protocol: port.protocol,
                    allowed_source_address_prefix: port
                        .allowed_source_address_prefixes
                        .into_iter()
                        .next(),
                    allowed_source_address_prefixes: None,
                    max_request_access_duration: port.max_request_access_duration,
                })
                .collect(),
        );
    }
    configured
        .iter()
        .map(|port| {
            let (prefix, prefixes) = match (
                &port.allowed_source_address_prefix,
                &port.allowed_source_address_prefixes,
            ) {
                (Attr::Known(prefix), _) => (Some(prefix.clone()), None),
                (Attr::Null, Attr::Known(prefixes)) => (
                    None,
                    Some(
                        prefixes
                            .iter()
                            .map(|prefix| prefix.known().cloned())
                            .collect::<Option<Vec<_>>>()?,
                    ),
                ),
                (Attr::Null, Attr::Null) => (
                    Some(jit_core::limits::DEFAULT_SOURCE_PREFIX.to_owned()),
                    None,
                ),
                _ => return None,
            };
            Some(JitPortRule {
                number: *port.number.known()?,
                protocol: port.protocol.known()?.clone(),
                allowed_source_address_prefix: prefix,
                allowed_source_address_prefixes: prefixes,
                max_request_access_duration: port.max_request_access_duration.known()?.clone(),
            })
        })
        .collect()
}

/// A port rule as a comparable value: what it means, not how it is spelled.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RuleMeaning {
    number: i64,
    protocol: String,
    sources: Vec<String>,
    duration: Result<u64, String>,
}

impl RuleMeaning {
    fn new(number: i64, protocol: &str, sources: &[String], duration: &str) -> Self {
        let mut sources: Vec<String> = sources.iter().map(|s| s.to_ascii_lowercase()).collect();
        sources.sort();
        sources.dedup();
        RuleMeaning {
            number,
            protocol: protocol.to_ascii_uppercase(),
            sources,
            duration: IsoDuration::parse(duration)
                .map(IsoDuration::as_secs)
                .map_err(|_| duration.to_ascii_uppercase()),
        }
    }
}

fn meanings(rules: &[EffectivePortModel]) -> Vec<RuleMeaning> {
    let mut meanings: Vec<RuleMeaning> = rules
        .iter()
        .map(|rule| {
            RuleMeaning::new(
                rule.number,
                &rule.protocol,
                &rule.allowed_source_address_prefixes,
                &rule.max_request_access_duration,
            )
        })
        .collect();
    meanings.sort();
    meanings
}

/// Azure's spelling of a protocol as the schema's (`Tcp` is `TCP`); anything else as sent.
fn canonical_protocol(protocol: &str) -> String {
    jit_core::Protocol::ALL
        .into_iter()
        .find(|known| known.as_str().eq_ignore_ascii_case(protocol))
        .map_or_else(|| protocol.to_owned(), |known| known.as_str().to_owned())
}

/// The `port` blocks and `effective_port` list to store for ports Azure holds: the prior
/// ones unchanged when they mean the same rules, else Azure's (drift, or an import).
pub(crate) fn reconcile(
    prior: &Attr<Vec<PortModel>>,
    arm: &[JitPortRule],
) -> (Attr<Vec<PortModel>>, Attr<Vec<EffectivePortModel>>) {
    let held: Vec<EffectivePortModel> = arm
        .iter()
        .map(|rule| EffectivePortModel {
            number: rule.number,
            protocol: canonical_protocol(&rule.protocol),
            allowed_source_address_prefixes: rule.sources(),
            max_request_access_duration: rule.max_request_access_duration.clone(),
        })
        .collect();
    if !prior.is_unknown()
        && let Attr::Known(expected) = effective_ports(prior)
        && meanings(&expected) == meanings(&held)
    {
        return (prior.clone(), Attr::Known(expected));
    }
    let ports = arm
        .iter()
        .map(|rule| PortModel {
            number: Attr::Known(rule.number),
            protocol: Attr::Known(canonical_protocol(&rule.protocol)),
            allowed_source_address_prefix: rule
                .allowed_source_address_prefix
                .clone()
                .map_or(Attr::Null, Attr::Known),
            allowed_source_address_prefixes: match (
                &rule.allowed_source_address_prefix,
                &rule.allowed_source_address_prefixes,
            ) {
                (None, Some(prefixes)) => {
                    Attr::Known(prefixes.iter().cloned().map(Attr::Known).collect())
                }
                _ => Attr::Null,
            },
            max_request_access_duration: Attr::Known(rule.max_request_access_duration.clone()),
        })
        .collect();
    (Attr::Known(ports), Attr::Known(held))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(number: i64, protocol: &str, prefixes: &[&str], duration: &str) -> PortModel {
        PortModel {
            number: Attr::Known(number),
            protocol: Attr::Known(protocol.into()),
            allowed_source_address_prefix: Attr::Null,
            allowed_source_address_prefixes: Attr::Known(
                prefixes
                    .iter()
                    .map(|p| Attr::Known((*p).to_owned()))
                    .collect(),
            ),
            max_request_access_duration: Attr::Known(duration.into()),
        }
    }

    #[test]
    fn no_ports_means_azure_defaults() {
        let ports = effective_ports(&Attr::Null).into_known().unwrap();
        let numbers: Vec<i64> = ports.iter().map(|port| port.number).collect();
        assert_eq!(numbers, vec![22, 3389, 5985, 5986]);
        assert!(
            ports
                .iter()
                .all(|port| port.protocol == "*" && port.max_request_access_duration == "PT3H")
        );
        assert!(
            ports
                .iter()
                .all(|port| port.allowed_source_address_prefixes == vec!["*".to_owned()])
        );
        let sent = to_arm(&Attr::Null).unwrap();
        assert_eq!(sent.len(), 4);
        assert_eq!(sent[0].allowed_source_address_prefix.as_deref(), Some("*"));
    }

    #[test]
    fn effective_ports_fill_sources() {
        let port = port(22, "TCP", &["10.0.0.0/8"], "PT1H");
        let ports = effective_ports(&Attr::Known(vec![port.clone()]))
            .into_known()
            .unwrap();
        assert_eq!(
            ports[0].allowed_source_address_prefixes,
            vec!["10.0.0.0/8".to_owned()]
        );
        // An unknown value, even one source of several, leaves the effective ports unknown.
        let unknown_number = PortModel {
            number: Attr::Unknown,
            ..port.clone()
        };
        assert_eq!(
            effective_ports(&Attr::Known(vec![unknown_number])),
            Attr::Unknown
        );
        let unknown_source = PortModel {
            allowed_source_address_prefixes: Attr::Known(vec![Attr::Unknown]),
            ..port
        };
        assert_eq!(
            effective_ports(&Attr::Known(vec![unknown_source])),
            Attr::Unknown
        );
        assert_eq!(effective_ports(&Attr::Unknown), Attr::Unknown);
    }

    #[test]
    fn azure_spelling_of_the_same_rules_keeps_the_prior_state() {
        let prior = Attr::Known(vec![
            port(22, "TCP", &["10.0.0.0/8", "192.168.0.0/16"], "PT3H"),
            port(3389, "*", &["203.0.113.0/24"], "PT1H"),
        ]);
        let arm = vec![
            JitPortRule {
                number: 3389,
                protocol: "*".into(),
                allowed_source_address_prefix: Some("203.0.113.0/24".into()),
                allowed_source_address_prefixes: None,
                max_request_access_duration: "PT60M".into(),
            },
            JitPortRule {
                number: 22,
                protocol: "Tcp".into(),
                allowed_source_address_prefix: None,
                allowed_source_address_prefixes: Some(vec![
                    "192.168.0.0/16".into(),
                    "10.0.0.0/8".into(),
                ]),
                max_request_access_duration: "PT3H".into(),
            },
        ];
        let (ports, effective) = reconcile(&prior, &arm);
        assert_eq!(ports, prior);
        assert_eq!(effective, effective_ports(&prior));
        // Defaults configured by omission stay omitted.
        let (ports, _) = reconcile(&Attr::Known(vec![]), &to_arm(&Attr::Null).unwrap());
        assert_eq!(ports, Attr::Known(vec![]));
    }

    #[test]
    fn a_real_difference_is_drift_in_azure_terms() {
        let prior = Attr::Known(vec![port(22, "TCP", &["10.0.0.0/8"], "PT3H")]);
        let arm = vec![JitPortRule {
            number: 22,
            protocol: "Tcp".into(),
            allowed_source_address_prefix: Some("*".into()),
            allowed_source_address_prefixes: None,
            max_request_access_duration: "PT3H".into(),
        }];
        let (ports, effective) = reconcile(&prior, &arm);
        let ports = ports.into_known().unwrap();
        assert_eq!(ports[0].protocol, Attr::Known("TCP".into()));
        assert_eq!(
            ports[0].allowed_source_address_prefix,
            Attr::Known("*".into())
        );
        assert_eq!(ports[0].allowed_source_address_prefixes, Attr::Null);
        assert_eq!(
            effective.into_known().unwrap()[0].allowed_source_address_prefixes,
            vec!["*".to_owned()]
        );
    }

    /// `(path, detail)` of each duplicate-port diagnostic for one VM with these ports, each
    /// given as (number, protocol); `Attr::Null` is an unset protocol.
    fn duplicates(ports: Vec<(Attr<i64>, Attr<String>)>) -> Vec<(String, String)> {
        let ports: Vec<PortModel> = ports
            .into_iter()
            .map(|(number, protocol)| PortModel {
                number,
                protocol,
                allowed_source_address_prefix: Attr::Null,
                allowed_source_address_prefixes: Attr::Null,
                max_request_access_duration: Attr::Null,
            })
            .collect();
        let mut diagnostics = Diagnostics::new();
        report_duplicate_ports(
            Path::attr_root("virtual_machine").index(1),
            &ports,
            &mut diagnostics,
        );
        diagnostics
            .iter()
            .map(|d| {
                assert_eq!(d.summary, "Duplicate port");
                (
                    d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                    d.detail.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn duplicate_ports_are_reported_at_the_repeating_number() {
        let port =
            |number: i64, protocol: &str| (Attr::Known(number), Attr::Known(protocol.to_owned()));
        assert_eq!(duplicates(vec![port(22, "TCP"), port(22, "UDP")]), vec![]);
        let found = duplicates(vec![port(22, "TCP"), port(3389, "TCP"), port(22, "TCP")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, ".virtual_machine[1].port[2].number");
        assert_eq!(
            found[0].1,
            "port 22 with protocol TCP is listed more than once: list each port and protocol \
             once: merge the two rules into one."
        );
        // An unset protocol is the default `*`, which overlaps TCP.
        let found = duplicates(vec![port(22, "TCP"), (Attr::Known(22), Attr::Null)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.starts_with("port 22 with protocol * overlaps"),
            "{found:?}"
        );
        // Unknown numbers and protocols are skipped.
        assert_eq!(
            duplicates(vec![
                port(22, "TCP"),
                (Attr::Unknown, Attr::Known("TCP".to_owned())),
                (Attr::Known(22), Attr::Unknown),
            ]),
            vec![]
        );
    }
}
