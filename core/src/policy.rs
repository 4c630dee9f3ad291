//! The domain model of a JIT policy entry: [`PortRule`], [`AllowedSource`] and the rules that
//! span more than one field ([`check_name_length`], [`duplicate_ports`]).
//!
//! These types hold only parsed, valid values; [`crate::validate`] turns raw input into them.

use std::collections::BTreeMap;

use crate::duration::{IsoDuration, MaxRequestAccessDuration};
use crate::error::RuleError;
use crate::limits::{DEFAULT_PROTOCOL, MAX_POLICY_AND_VM_NAME_LEN};
use crate::port::{ManagementPort, PortNumber, Protocol};
use crate::source_prefix::SourcePrefix;

/// Who may connect through a port: the spec's mutually exclusive `allowedSourceAddressPrefix`
/// and `allowedSourceAddressPrefixes`, as one type so that both cannot be set.
///
/// `Prefixes` should not be empty; [`crate::validate::check_port_rule`] rejects an empty list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedSource {
    /// `allowedSourceAddressPrefix`: one prefix.
    Prefix(SourcePrefix),
    /// `allowedSourceAddressPrefixes`: a list of prefixes.
    Prefixes(Vec<SourcePrefix>),
}

impl AllowedSource {
    /// Every allowed prefix, one for `Prefix`.
    pub fn prefixes(&self) -> &[SourcePrefix] {
        match self {
            AllowedSource::Prefix(prefix) => std::slice::from_ref(prefix),
            AllowedSource::Prefixes(prefixes) => prefixes,
        }
    }

    /// Whether a request from `request` is allowed: some allowed prefix covers it.
    pub fn covers(&self, request: &SourcePrefix) -> bool {
        self.prefixes().iter().any(|prefix| prefix.covers(request))
    }

    /// Whether any allowed prefix is open to the whole internet.
    pub fn is_open_to_internet(&self) -> bool {
        self.prefixes()
            .iter()
            .any(SourcePrefix::is_open_to_internet)
    }
}

impl Default for AllowedSource {
    /// `*`, Azure's default.
    fn default() -> Self {
        AllowedSource::Prefix(SourcePrefix::Any)
    }
}

/// One port of a VM in a JIT policy: the spec's `JitNetworkAccessPortRule`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRule {
    /// The port JIT opens on request.
    pub number: PortNumber,
    /// The protocol it opens.
    pub protocol: Protocol,
    /// Who may be let in.
    pub allowed_source: AllowedSource,
    /// The longest access a single request may ask for.
    pub max_request_access_duration: MaxRequestAccessDuration,
}

impl PortRule {
    /// A rule for `number` with Azure's defaults: protocol `*`, source `*`, PT3H.
    pub fn with_defaults(number: PortNumber) -> Self {
        PortRule {
            number,
            protocol: DEFAULT_PROTOCOL,
            allowed_source: AllowedSource::default(),
            max_request_access_duration: MaxRequestAccessDuration::DEFAULT,
        }
    }

    /// Checks an access request against this rule: the source must be allowed and the
    /// duration must not exceed the maximum. Returns every problem.
    pub fn check_request(&self, source: &SourcePrefix, duration: IsoDuration) -> Vec<RuleError> {
        check_access(
            std::slice::from_ref(self),
            self.number,
            Some(source),
            Some(duration),
        )
    }
}

/// Checks one port of an access request against the port rules of its VM in the policy: the
/// port must be one of them ([`RuleError::PortNotInPolicy`]), and, where they are known, the
/// source must be allowed and the duration within the port's maximum. `None` means not known
/// (no source given, so Azure takes the caller's address; or a time not known yet), which is
/// not checked. The provider at plan time, the command line before calling and the emulator on
/// initiate all check requests with this one function.
pub fn check_access(
    rules: &[PortRule],
    number: PortNumber,
    source: Option<&SourcePrefix>,
    duration: Option<IsoDuration>,
) -> Vec<RuleError> {
    let Some(rule) = rules.iter().find(|rule| rule.number == number) else {
        return vec![RuleError::PortNotInPolicy {
            number: number.get(),
        }];
    };
    let mut errors = Vec::new();
    if let Some(source) = source
        && !rule.allowed_source.covers(source)
    {
        errors.push(RuleError::SourceNotAllowed {
            prefix: source.to_string(),
            number: number.get(),
        });
    }
    if let Some(duration) = duration
        && duration > rule.max_request_access_duration.get()
    {
        errors.push(RuleError::RequestTooLong {
            requested: duration.to_string(),
            max: rule.max_request_access_duration.to_string(),
            number: number.get(),
        });
    }
    errors
}

/// A source inside `allowed` that no host connects from, for a request whose only purpose is to
/// end another one early (the API has no revoke; a newer request for a port revokes the open
/// one): `192.0.2.0`, the network address of TEST-NET-1 (RFC 5737, never routed), when any
/// source is allowed; else the network address of an allowed IPv4 block of at least four
/// addresses, which no host may have. `None` when every allowed source is a single address, a
/// small block, an IPv6 block (whose zero address is the subnet routers' anycast address) or a
/// service tag that is not open to all.
pub fn unreachable_source(allowed: &AllowedSource) -> Option<SourcePrefix> {
    allowed.prefixes().iter().find_map(|prefix| match prefix {
        prefix if prefix.is_open_to_internet() => Some(SourcePrefix::Address(
            std::net::Ipv4Addr::new(192, 0, 2, 0).into(),
        )),
        SourcePrefix::Network(ipnet::IpNet::V4(network)) if network.prefix_len() <= 30 => {
            Some(SourcePrefix::Address(network.network().into()))
        }
        _ => None,
    })
}

/// The four ports Defender for Cloud recommends, with its defaults: 22, 3389, 5985 and 5986,
/// protocol `*`, source `*` and PT3H.
pub fn default_port_rules() -> Vec<PortRule> {
    ManagementPort::ALL
        .into_iter()
        .map(|port| PortRule::with_defaults(port.port_number()))
        .collect()
}

/// Checks Microsoft's documented limit: the policy name and the VM name together may hold at
/// most [`MAX_POLICY_AND_VM_NAME_LEN`] characters.
///
/// Lengths are counted in characters, not bytes.
pub fn check_name_length(policy_name: &str, vm_name: &str) -> Result<(), RuleError> {
    let len = policy_name.chars().count() + vm_name.chars().count();
    if len > MAX_POLICY_AND_VM_NAME_LEN {
        return Err(RuleError::NameTooLong {
            policy_name: policy_name.to_owned(),
            vm_name: vm_name.to_owned(),
            len,
        });
    }
    Ok(())
}

/// A port entry of one VM that opens traffic an earlier entry of the same VM already opens,
/// as found by [`duplicate_ports`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicatePort {
    /// The position of the repeating entry among the VM's ports, counted from 0 over every entry
    /// given, known or not, so that it is the index in the caller's list.
    pub index: usize,
    /// The position of the earlier entry it collides with: the first one that overlaps.
    pub first_index: usize,
    /// The port number both entries have.
    pub number: PortNumber,
    /// The protocol of the repeating entry.
    pub protocol: Protocol,
    /// The protocol of the earlier entry.
    pub first_protocol: Protocol,
}

impl DuplicatePort {
    /// The rule it breaks, with message and help: [`RuleError::DuplicatePort`].
    pub fn error(&self) -> RuleError {
        RuleError::DuplicatePort {
            number: self.number.get(),
            protocol: self.protocol,
            first_protocol: self.first_protocol,
        }
    }
}

/// Every port entry of ONE virtual machine that repeats an earlier entry, in entry order.
///
/// Two entries collide when they have the same number and their protocols overlap
/// ([`Protocol::overlaps`]): the same protocol twice, or `*` (any) with TCP, UDP or `*`. TCP and
/// UDP of the same number are two different rules and do not collide. Each repeating entry is
/// reported once, against the first earlier entry it collides with; a third `22/*` is reported
/// against the first, not the second.
///
/// `None` is an entry whose number or protocol is not known (yet), or not valid: it is skipped
/// but keeps its place, so [`DuplicatePort::index`] is still the caller's index. The provider
/// passes `None` for values unknown at plan time; a missing protocol is Azure's default `*`
/// ([`crate::limits::DEFAULT_PROTOCOL`]), which the caller fills in.
///
/// Ports of different VMs never collide: call this once per VM.
pub fn duplicate_ports(
    ports: impl IntoIterator<Item = Option<(PortNumber, Protocol)>>,
) -> Vec<DuplicatePort> {
    let mut seen: BTreeMap<PortNumber, Vec<(usize, Protocol)>> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (index, port) in ports.into_iter().enumerate() {
        let Some((number, protocol)) = port else {
            continue;
        };
        let earlier = seen.entry(number).or_default();
        if let Some(&(first_index, first_protocol)) = earlier
            .iter()
            .find(|(_, first_protocol)| first_protocol.overlaps(protocol))
        {
            duplicates.push(DuplicatePort {
                index,
                first_index,
                number,
                protocol,
                first_protocol,
            });
        }
        earlier.push((index, protocol));
    }
    duplicates
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(text: &str) -> SourcePrefix {
        text.parse().unwrap()
    }

    #[test]
    fn unreachable_sources_reach_no_host() {
        let of = |prefixes: &[&str]| {
            unreachable_source(&AllowedSource::Prefixes(
                prefixes.iter().map(|p| prefix(p)).collect(),
            ))
            .map(|source| source.to_string())
        };
        assert_eq!(of(&["*"]).as_deref(), Some("192.0.2.0"));
        assert_eq!(of(&["Internet"]).as_deref(), Some("192.0.2.0"));
        assert_eq!(
            of(&["203.0.113.7", "10.1.0.0/16"]).as_deref(),
            Some("10.1.0.0")
        );
        assert_eq!(of(&["203.0.113.7"]), None);
        assert_eq!(of(&["203.0.113.6/31"]), None);
        assert_eq!(of(&["2001:db8::/64"]), None);
        assert_eq!(of(&["VirtualNetwork"]), None);
        // What it picks is inside what it was picked from.
        let allowed = AllowedSource::Prefix(prefix("10.1.0.0/16"));
        assert!(allowed.covers(&unreachable_source(&allowed).unwrap()));
    }

    #[test]
    fn check_access_checks_only_what_is_known() {
        let mut ssh = PortRule::with_defaults(PortNumber::new(22).unwrap());
        ssh.allowed_source = AllowedSource::Prefix(prefix("10.0.0.0/8"));
        let rules = [ssh];
        let port = |n| PortNumber::new(n).unwrap();
        assert_eq!(
            check_access(&rules, port(3389), Some(&prefix("10.1.2.3")), None),
            vec![RuleError::PortNotInPolicy { number: 3389 }]
        );
        assert_eq!(check_access(&rules, port(22), None, None), vec![]);
        assert_eq!(
            check_access(
                &rules,
                port(22),
                Some(&prefix("192.0.2.1")),
                Some(IsoDuration::from_hours(4))
            ),
            vec![
                RuleError::SourceNotAllowed {
                    prefix: "192.0.2.1".to_owned(),
                    number: 22
                },
                RuleError::RequestTooLong {
                    requested: "PT4H".to_owned(),
                    max: "PT3H".to_owned(),
                    number: 22
                }
            ]
        );
        assert_eq!(
            check_access(
                &rules,
                port(22),
                Some(&prefix("10.1.0.0/16")),
                Some(IsoDuration::from_hours(3))
            ),
            vec![]
        );
    }

    fn check_name(policy_name: &str, vm_name: &str, expected: Result<(), &str>) {
        let actual = check_name_length(policy_name, vm_name).map_err(|error| error.to_string());
        assert_eq!(
            actual,
            expected.map_err(str::to_owned),
            "{policy_name:?} + {vm_name:?}"
        );
    }

    #[test]
    fn name_length() {
        check_name("default", &"v".repeat(49), Ok(()));
        check_name(&"p".repeat(28), &"v".repeat(28), Ok(()));
        check_name("", &"v".repeat(56), Ok(()));
        check_name("é", &"v".repeat(55), Ok(()));
        check_name(
            "default",
            &"v".repeat(50),
            Err(&format!(
                "policy name `default` and VM name `{}` are 57 characters together, more than 56",
                "v".repeat(50)
            )),
        );
    }

    #[test]
    fn name_length_help() {
        let error = check_name_length("default", &"v".repeat(50)).unwrap_err();
        assert_eq!(
            error.help(),
            "shorten the policy name to at most 6 characters (or shorten the VM name)"
        );
        let error = check_name_length("p", &"v".repeat(60)).unwrap_err();
        assert_eq!(
            error.help(),
            "the VM name alone has 60 characters; JIT cannot protect a VM whose name leaves no \
             room for a policy name within 56"
        );
    }

    #[test]
    fn default_rules_are_azures() {
        let rules = default_port_rules();
        let summary: Vec<String> = rules
            .iter()
            .map(|rule| {
                format!(
                    "{} {} {:?} {}",
                    rule.number,
                    rule.protocol,
                    rule.allowed_source
                        .prefixes()
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                    rule.max_request_access_duration
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                r#"22 * ["*"] PT3H"#,
                r#"3389 * ["*"] PT3H"#,
                r#"5985 * ["*"] PT3H"#,
                r#"5986 * ["*"] PT3H"#,
            ]
        );
    }

    #[test]
    fn allowed_source_covers_any_of_its_prefixes() {
        let single = AllowedSource::Prefix(prefix("10.0.0.0/8"));
        assert_eq!(single.prefixes(), [prefix("10.0.0.0/8")]);
        assert!(single.covers(&prefix("10.1.1.1")));
        assert!(!single.covers(&prefix("192.168.0.1")));
        let list = AllowedSource::Prefixes(vec![prefix("10.0.0.0/8"), prefix("192.168.0.0/16")]);
        assert!(list.covers(&prefix("192.168.3.0/24")));
        assert!(!list.covers(&prefix("172.16.0.1")));
        assert!(!list.is_open_to_internet());
        assert!(!AllowedSource::Prefixes(Vec::new()).covers(&prefix("10.0.0.1")));
        assert!(AllowedSource::default().is_open_to_internet());
    }

    #[test]
    fn requests_are_checked_against_the_rule() {
        let rule = PortRule {
            allowed_source: AllowedSource::Prefix(prefix("10.0.0.0/8")),
            ..PortRule::with_defaults(PortNumber::from_u16(22))
        };
        let check = |source: &str, hours: u64| -> Vec<String> {
            rule.check_request(&prefix(source), IsoDuration::from_hours(hours))
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert!(check("10.0.0.1", 3).is_empty());
        assert_eq!(
            check("11.0.0.1", 4),
            [
                "source `11.0.0.1` is not within the allowed sources of port 22",
                "requested access of PT4H is longer than the maximum PT3H of port 22",
            ]
        );
    }

    /// A port as the table below writes it: `22/TCP`, `22/*`, or `?` for an unknown one.
    fn port(text: &str) -> Option<(PortNumber, Protocol)> {
        let (number, protocol) = text.split_once('/')?;
        Some((
            number.parse().expect("a port number"),
            protocol.parse().expect("a protocol"),
        ))
    }

    /// `(index, first_index, message)` for each duplicate.
    fn duplicates_of(ports: &[&str]) -> Vec<(usize, usize, String)> {
        duplicate_ports(ports.iter().map(|text| port(text)))
            .iter()
            .map(|duplicate| {
                (
                    duplicate.index,
                    duplicate.first_index,
                    duplicate.error().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn duplicate_ports_table() {
        let same = |number: u16, protocol: &str| {
            format!("port {number} with protocol {protocol} is listed more than once")
        };
        let overlap = |protocol: &str, first: &str| {
            format!(
                "port 22 with protocol {protocol} overlaps the earlier rule for port 22 with \
                 protocol {first}"
            )
        };
        // (ports as "number/protocol", expected (index, first_index, message))
        type Case<'a> = (&'a [&'a str], Vec<(usize, usize, String)>);
        let table: Vec<Case<'_>> = vec![
            (&[], vec![]),
            (&["22/TCP"], vec![]),
            (&["22/TCP", "3389/TCP", "5985/*", "5986/*"], vec![]),
            (&["22/TCP", "22/UDP"], vec![]),
            (&["22/TCP", "22/TCP"], vec![(1, 0, same(22, "TCP"))]),
            (&["22/UDP", "22/UDP"], vec![(1, 0, same(22, "UDP"))]),
            (&["22/*", "22/*"], vec![(1, 0, same(22, "*"))]),
            (&["22/TCP", "22/*"], vec![(1, 0, overlap("*", "TCP"))]),
            (&["22/*", "22/UDP"], vec![(1, 0, overlap("UDP", "*"))]),
            (
                &["22/TCP", "80/TCP", "22/TCP"],
                vec![(2, 0, same(22, "TCP"))],
            ),
            // Each repeating entry once, against the first entry it collides with.
            (
                &["22/*", "22/*", "22/*"],
                vec![(1, 0, same(22, "*")), (2, 0, same(22, "*"))],
            ),
            (
                &["22/TCP", "22/UDP", "22/*"],
                vec![(2, 0, overlap("*", "TCP"))],
            ),
            (
                &["22/TCP", "22/*", "22/UDP"],
                vec![(1, 0, overlap("*", "TCP")), (2, 1, overlap("UDP", "*"))],
            ),
            // Unknown entries are skipped but keep their place.
            (
                &["?", "22/TCP", "?", "22/TCP"],
                vec![(3, 1, same(22, "TCP"))],
            ),
            (&["22/TCP", "?", "?"], vec![]),
            (
                &["3389/UDP", "22/TCP", "3389/UDP", "22/TCP"],
                vec![(2, 0, same(3389, "UDP")), (3, 1, same(22, "TCP"))],
            ),
        ];
        for (ports, expected) in table {
            assert_eq!(duplicates_of(ports), expected, "{ports:?}");
        }
    }

    #[test]
    fn duplicate_port_help_says_how_to_fix() {
        let help = |ports: &[&str]| {
            duplicate_ports(ports.iter().map(|text| port(text)))
                .iter()
                .map(|duplicate| duplicate.error().help())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            help(&["22/TCP", "22/TCP"]),
            ["list each port and protocol once: merge the two rules into one"]
        );
        assert_eq!(
            help(&["22/UDP", "22/*"]),
            [
                "a rule with protocol * covers both TCP and UDP: keep one rule for port 22, or \
                 give the two rules TCP and UDP"
            ]
        );
    }

    #[test]
    fn default_rules_have_no_duplicates() {
        let rules = default_port_rules();
        assert!(
            duplicate_ports(rules.iter().map(|rule| Some((rule.number, rule.protocol)))).is_empty()
        );
    }
}
