//! Ports: [`PortNumber`], [`Protocol`], [`ManagementPort`] and NSG-style [`PortRange`].

use std::fmt;
use std::str::FromStr;

use crate::error::RuleError;
use crate::limits::{PORT_NUMBER_MAX, PORT_NUMBER_MIN};

/// A port number in 0..=65535, the spec's `PortNumber` schema.
///
/// Built from an `i64` because that is how Terraform numbers and JSON integers arrive; the
/// conversion is the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortNumber(u16);

impl PortNumber {
    /// Checks that `value` is in 0..=65535.
    pub fn new(value: i64) -> Result<Self, RuleError> {
        u16::try_from(value)
            .map(PortNumber)
            .map_err(|_| RuleError::PortOutOfRange { value })
    }

    /// Every `u16` is a valid port, so this cannot fail.
    pub const fn from_u16(value: u16) -> Self {
        PortNumber(value)
    }

    /// The port as a `u16`.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The well-known management service on this port, if any.
    pub fn management_port(self) -> Option<ManagementPort> {
        ManagementPort::from_number(self.0)
    }
}

impl TryFrom<i64> for PortNumber {
    type Error = RuleError;

    fn try_from(value: i64) -> Result<Self, RuleError> {
        PortNumber::new(value)
    }
}

impl From<u16> for PortNumber {
    fn from(value: u16) -> Self {
        PortNumber(value)
    }
}

impl From<PortNumber> for u16 {
    fn from(port: PortNumber) -> u16 {
        port.0
    }
}

impl FromStr for PortNumber {
    type Err = RuleError;

    /// Parses a decimal port such as `"22"`; a number out of range is
    /// [`RuleError::PortOutOfRange`], anything else [`RuleError::PortNotANumber`].
    fn from_str(text: &str) -> Result<Self, RuleError> {
        match text.parse::<i64>() {
            Ok(value) => PortNumber::new(value),
            Err(_) => Err(RuleError::PortNotANumber {
                value: text.to_owned(),
            }),
        }
    }
}

impl fmt::Display for PortNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The protocol of a port rule: the spec's enum `TCP` | `UDP` | `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `TCP`.
    Tcp,
    /// `UDP`.
    Udp,
    /// `*`: TCP and UDP (the spec's x-ms-enum name is `All`).
    Any,
}

impl Protocol {
    /// Every protocol, in the spec's order.
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Any];

    /// The wire spelling: `"TCP"`, `"UDP"` or `"*"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Any => "*",
        }
    }

    /// Whether a rule with this protocol opens traffic of `other` (`*` includes both).
    pub fn includes(self, other: Protocol) -> bool {
        self == Protocol::Any || self == other
    }

    /// Whether rules with these two protocols open some of the same traffic: the same protocol,
    /// or `*` with anything. TCP and UDP do not overlap.
    pub fn overlaps(self, other: Protocol) -> bool {
        self.includes(other) || other.includes(self)
    }
}

impl FromStr for Protocol {
    type Err = RuleError;

    /// Accepts exactly `TCP`, `UDP` and `*`.
    ///
    /// The match is case-sensitive because the spec's enum is; a value such as `"tcp"` is
    /// rejected with help that gives the right spelling, instead of being silently fixed,
    /// so that what Terraform stores is what Azure returns.
    fn from_str(text: &str) -> Result<Self, RuleError> {
        Protocol::ALL
            .into_iter()
            .find(|protocol| protocol.as_str() == text)
            .ok_or_else(|| RuleError::InvalidProtocol {
                value: text.to_owned(),
            })
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The help sentence for a protocol that [`Protocol::from_str`] rejected.
pub(crate) fn protocol_help(value: &str) -> String {
    let upper = value.trim().to_ascii_uppercase();
    match upper.as_str() {
        "TCP" | "UDP" => {
            format!("write `{upper}` in upper case: Azure's protocol enum is case-sensitive")
        }
        "*" => "remove the spaces: write `*`".to_owned(),
        "ANY" | "ALL" | "BOTH" | "TCP/UDP" => "write `*` for any protocol".to_owned(),
        "ICMP" => "JIT opens only TCP and UDP ports; use TCP, UDP or * (any)".to_owned(),
        _ => "use TCP, UDP or * (any protocol)".to_owned(),
    }
}

/// The management ports Defender for Cloud recommends protecting with JIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ManagementPort {
    /// SSH, port 22.
    Ssh,
    /// RDP, port 3389.
    Rdp,
    /// WinRM over HTTP, port 5985.
    WinRmHttp,
    /// WinRM over HTTPS, port 5986.
    WinRmHttps,
}

impl ManagementPort {
    /// The four recommended ports, in port order.
    pub const ALL: [ManagementPort; 4] = [
        ManagementPort::Ssh,
        ManagementPort::Rdp,
        ManagementPort::WinRmHttp,
        ManagementPort::WinRmHttps,
    ];

    /// The port number: 22, 3389, 5985 or 5986.
    pub const fn number(self) -> u16 {
        match self {
            ManagementPort::Ssh => 22,
            ManagementPort::Rdp => 3389,
            ManagementPort::WinRmHttp => 5985,
            ManagementPort::WinRmHttps => 5986,
        }
    }

    /// The port number as a [`PortNumber`].
    pub const fn port_number(self) -> PortNumber {
        PortNumber::from_u16(self.number())
    }

    /// The management port with this number, if it is one of the four.
    pub fn from_number(number: u16) -> Option<Self> {
        ManagementPort::ALL
            .into_iter()
            .find(|port| port.number() == number)
    }

    /// A short service name for messages: `"SSH"`, `"RDP"`, `"WinRM (HTTP)"` or `"WinRM (HTTPS)"`.
    pub const fn service(self) -> &'static str {
        match self {
            ManagementPort::Ssh => "SSH",
            ManagementPort::Rdp => "RDP",
            ManagementPort::WinRmHttp => "WinRM (HTTP)",
            ManagementPort::WinRmHttps => "WinRM (HTTPS)",
        }
    }
}

impl fmt::Display for ManagementPort {
    /// `"SSH (22)"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.service(), self.number())
    }
}

/// An NSG-style destination port range: `"22"`, `"20-30"` or `"*"`.
///
/// JIT rules name single ports, but the NSG rules around them use ranges; the linter needs
/// ranges to tell which management ports an NSG rule already opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// The first port in the range.
    pub start: u16,
    /// The last port in the range, inclusive.
    pub end: u16,
}

impl PortRange {
    /// Every port: what `"*"` means.
    pub const ANY: PortRange = PortRange {
        start: PORT_NUMBER_MIN,
        end: PORT_NUMBER_MAX,
    };

    /// The range holding only `port`.
    pub const fn single(port: u16) -> Self {
        PortRange {
            start: port,
            end: port,
        }
    }

    /// Parses `"22"`, `"20-30"` or `"*"`; the lower port must come first.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        let invalid = || RuleError::InvalidPortRange {
            value: text.to_owned(),
        };
        if text == "*" {
            return Ok(PortRange::ANY);
        }
        let (start, end) = match text.split_once('-') {
            Some((start, end)) => (
                parse_decimal_port(start).ok_or_else(invalid)?,
                parse_decimal_port(end).ok_or_else(invalid)?,
            ),
            None => {
                let port = parse_decimal_port(text).ok_or_else(invalid)?;
                (port, port)
            }
        };
        if start > end {
            return Err(invalid());
        }
        Ok(PortRange { start, end })
    }

    /// Reads the text of an NSG destination port field as its author meant it, spaces around
    /// it ignored.
    ///
    /// One range reads as itself. A comma-separated list (`"22,24"`, `"3387, 3389 , 3391 "`,
    /// `"21-24, 230"`) is not valid in a field that takes one range, so the reading carries
    /// [`RuleError::PortRangeList`]; its `ranges` are still every part that is a range, each
    /// trimmed, because those are the ports the author meant to open and what a review must
    /// judge. Empty parts (`"22,"`) are skipped. Any other text is
    /// [`RuleError::InvalidPortRange`] with no range.
    pub fn read(text: &str) -> PortRangeReading {
        let trimmed = text.trim();
        if !trimmed.contains(',') {
            return match PortRange::parse(trimmed) {
                Ok(range) => PortRangeReading {
                    ranges: vec![range],
                    error: None,
                },
                Err(error) => PortRangeReading {
                    ranges: Vec::new(),
                    error: Some(error),
                },
            };
        }
        let parts: Vec<String> = trimmed
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect();
        let ranges = parts
            .iter()
            .filter_map(|part| PortRange::parse(part).ok())
            .collect();
        PortRangeReading {
            ranges,
            error: Some(RuleError::PortRangeList {
                value: text.to_owned(),
                parts,
            }),
        }
    }

    /// Whether `port` lies in the range, both ends included.
    pub fn contains(&self, port: u16) -> bool {
        self.start <= port && port <= self.end
    }

    /// The recommended management ports that lie in the range, in port order.
    pub fn management_ports(&self) -> Vec<ManagementPort> {
        ManagementPort::ALL
            .into_iter()
            .filter(|port| self.contains(port.number()))
            .collect()
    }
}

/// What [`PortRange::read`] makes of an NSG port field's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRangeReading {
    /// The ranges the text names, in order: the range itself, or each valid part of a list.
    pub ranges: Vec<PortRange>,
    /// Why a field that takes one range refuses the text, if it does.
    pub error: Option<RuleError>,
}

impl PortRangeReading {
    /// The recommended management ports that any of the ranges cover, in port order, once each.
    pub fn management_ports(&self) -> Vec<ManagementPort> {
        ManagementPort::ALL
            .into_iter()
            .filter(|port| {
                self.ranges
                    .iter()
                    .any(|range| range.contains(port.number()))
            })
            .collect()
    }
}

impl FromStr for PortRange {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Self, RuleError> {
        PortRange::parse(text)
    }
}

impl fmt::Display for PortRange {
    /// `"*"` for every port, `"22"` for one, `"20-30"` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == PortRange::ANY {
            f.write_str("*")
        } else if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// Digits only: `u16::from_str` would also take `"+22"`, which NSG ranges do not allow.
fn parse_decimal_port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `Ok(port)` or `Err(message)` for a port given as an integer.
    fn check_number(value: i64, expected: Result<u16, &str>) {
        let actual = PortNumber::new(value)
            .map(PortNumber::get)
            .map_err(|error| error.to_string());
        assert_eq!(actual, expected.map_err(str::to_owned), "port {value}");
    }

    #[test]
    fn port_number_bounds() {
        check_number(-1, Err("port -1 is outside 0-65535"));
        check_number(0, Ok(0));
        check_number(22, Ok(22));
        check_number(65535, Ok(65535));
        check_number(65536, Err("port 65536 is outside 0-65535"));
        check_number(70000, Err("port 70000 is outside 0-65535"));
        check_number(
            i64::MIN,
            Err("port -9223372036854775808 is outside 0-65535"),
        );
    }

    #[test]
    fn port_number_help() {
        let error = PortNumber::new(70000).unwrap_err();
        assert_eq!(error.help(), "use a port number between 0 and 65535");
    }

    fn check_port_text(text: &str, expected: Result<u16, &str>) {
        let actual = text
            .parse::<PortNumber>()
            .map(PortNumber::get)
            .map_err(|error| error.to_string());
        assert_eq!(actual, expected.map_err(str::to_owned), "port {text:?}");
    }

    #[test]
    fn port_number_from_str() {
        check_port_text("22", Ok(22));
        check_port_text("0", Ok(0));
        check_port_text("65536", Err("port 65536 is outside 0-65535"));
        check_port_text("-1", Err("port -1 is outside 0-65535"));
        check_port_text("ssh", Err("port `ssh` is not a whole number"));
        check_port_text("", Err("port `` is not a whole number"));
        check_port_text("22.0", Err("port `22.0` is not a whole number"));
        check_port_text(" 22", Err("port ` 22` is not a whole number"));
    }

    #[test]
    fn port_number_conversions() {
        assert_eq!(PortNumber::try_from(3389i64).map(u16::from), Ok(3389));
        assert_eq!(PortNumber::from(22u16).to_string(), "22");
        assert_eq!(
            PortNumber::from_u16(5986).management_port(),
            Some(ManagementPort::WinRmHttps)
        );
        assert_eq!(PortNumber::from_u16(80).management_port(), None);
    }

    /// `Ok(protocol)` or `Err((message, help))`.
    fn check_protocol(text: &str, expected: Result<Protocol, (&str, &str)>) {
        let actual = text
            .parse::<Protocol>()
            .map_err(|error| (error.to_string(), error.help()));
        let expected = expected.map_err(|(message, help)| (message.to_owned(), help.to_owned()));
        assert_eq!(actual, expected, "protocol {text:?}");
    }

    #[test]
    fn protocols() {
        check_protocol("TCP", Ok(Protocol::Tcp));
        check_protocol("UDP", Ok(Protocol::Udp));
        check_protocol("*", Ok(Protocol::Any));
        check_protocol(
            "tcp",
            Err((
                "protocol `tcp` is not one of TCP, UDP or *",
                "write `TCP` in upper case: Azure's protocol enum is case-sensitive",
            )),
        );
        check_protocol(
            "Udp",
            Err((
                "protocol `Udp` is not one of TCP, UDP or *",
                "write `UDP` in upper case: Azure's protocol enum is case-sensitive",
            )),
        );
        check_protocol(
            "ICMP",
            Err((
                "protocol `ICMP` is not one of TCP, UDP or *",
                "JIT opens only TCP and UDP ports; use TCP, UDP or * (any)",
            )),
        );
        check_protocol(
            "All",
            Err((
                "protocol `All` is not one of TCP, UDP or *",
                "write `*` for any protocol",
            )),
        );
        check_protocol(
            " * ",
            Err((
                "protocol ` * ` is not one of TCP, UDP or *",
                "remove the spaces: write `*`",
            )),
        );
        check_protocol(
            "",
            Err((
                "protocol `` is not one of TCP, UDP or *",
                "use TCP, UDP or * (any protocol)",
            )),
        );
    }

    #[test]
    fn protocol_display_round_trips() {
        for protocol in Protocol::ALL {
            assert_eq!(protocol.to_string().parse::<Protocol>(), Ok(protocol));
        }
        assert_eq!(Protocol::Any.as_str(), "*");
        assert!(Protocol::Any.includes(Protocol::Udp));
        assert!(!Protocol::Tcp.includes(Protocol::Udp));
    }

    #[test]
    fn protocol_overlaps() {
        use Protocol::{Any, Tcp, Udp};
        let table = [
            (Tcp, Tcp, true),
            (Udp, Udp, true),
            (Any, Any, true),
            (Tcp, Udp, false),
            (Udp, Tcp, false),
            (Any, Tcp, true),
            (Tcp, Any, true),
            (Any, Udp, true),
            (Udp, Any, true),
        ];
        for (a, b, expected) in table {
            assert_eq!(a.overlaps(b), expected, "{a} and {b}");
        }
    }

    #[test]
    fn management_ports() {
        let table: Vec<(u16, &str, String)> = ManagementPort::ALL
            .into_iter()
            .map(|port| (port.number(), port.service(), port.to_string()))
            .collect();
        assert_eq!(
            table,
            [
                (22, "SSH", "SSH (22)".to_owned()),
                (3389, "RDP", "RDP (3389)".to_owned()),
                (5985, "WinRM (HTTP)", "WinRM (HTTP) (5985)".to_owned()),
                (5986, "WinRM (HTTPS)", "WinRM (HTTPS) (5986)".to_owned()),
            ]
        );
        for port in ManagementPort::ALL {
            assert_eq!(ManagementPort::from_number(port.number()), Some(port));
        }
        assert_eq!(ManagementPort::from_number(80), None);
    }

    /// `Ok((start, end, management ports, display))` or `Err(())` for an invalid range.
    fn check_range(text: &str, expected: Option<(u16, u16, &[u16], &str)>) {
        let actual = PortRange::parse(text).ok().map(|range| {
            let ports: Vec<u16> = range
                .management_ports()
                .into_iter()
                .map(ManagementPort::number)
                .collect();
            (range.start, range.end, ports, range.to_string())
        });
        let expected = expected
            .map(|(start, end, ports, display)| (start, end, ports.to_vec(), display.to_owned()));
        assert_eq!(actual, expected, "range {text:?}");
        if actual.is_none() {
            assert_eq!(
                PortRange::parse(text).unwrap_err().to_string(),
                format!("port range `{text}` is invalid")
            );
        }
    }

    #[test]
    fn port_ranges() {
        check_range("22", Some((22, 22, &[22], "22")));
        check_range("80", Some((80, 80, &[], "80")));
        check_range("20-30", Some((20, 30, &[22], "20-30")));
        check_range(
            "3000-6000",
            Some((3000, 6000, &[3389, 5985, 5986], "3000-6000")),
        );
        check_range("*", Some((0, 65535, &[22, 3389, 5985, 5986], "*")));
        check_range("0-65535", Some((0, 65535, &[22, 3389, 5985, 5986], "*")));
        check_range("5985-5985", Some((5985, 5985, &[5985], "5985")));
        check_range("30-20", None);
        check_range("", None);
        check_range("-", None);
        check_range("22-", None);
        check_range("-22", None);
        check_range("+22", None);
        check_range("a-b", None);
        check_range("70000", None);
        check_range("1-2-3", None);
        check_range(" 22", None);
    }

    /// `(ranges as displayed, management ports, error message)`.
    fn check_read(text: &str, expected: (&[&str], &[u16], Option<&str>)) {
        let reading = PortRange::read(text);
        let ranges: Vec<String> = reading.ranges.iter().map(ToString::to_string).collect();
        let ports: Vec<u16> = reading
            .management_ports()
            .into_iter()
            .map(ManagementPort::number)
            .collect();
        let error = reading.error.as_ref().map(ToString::to_string);
        assert_eq!(
            (ranges, ports, error),
            (
                expected
                    .0
                    .iter()
                    .map(|r| (*r).to_owned())
                    .collect::<Vec<_>>(),
                expected.1.to_vec(),
                expected.2.map(str::to_owned)
            ),
            "read {text:?}"
        );
    }

    #[test]
    fn reading_port_fields() {
        check_read("22", (&["22"], &[22], None));
        check_read(" 3389 ", (&["3389"], &[3389], None));
        check_read("*", (&["*"], &[22, 3389, 5985, 5986], None));
        check_read("30-20", (&[], &[], Some("port range `30-20` is invalid")));
        check_read(
            "22,24",
            (
                &["22", "24"],
                &[22],
                Some(
                    "port range `22,24` is a comma-separated list (22, 24), but the field takes one range",
                ),
            ),
        );
        check_read(
            "3387, 3389 , 3391 ",
            (
                &["3387", "3389", "3391"],
                &[3389],
                Some(
                    "port range `3387, 3389 , 3391 ` is a comma-separated list (3387, 3389, 3391), but the field takes one range",
                ),
            ),
        );
        check_read(
            "21-24, 230",
            (
                &["21-24", "230"],
                &[22],
                Some(
                    "port range `21-24, 230` is a comma-separated list (21-24, 230), but the field takes one range",
                ),
            ),
        );
        // Parts that are not ranges are left out of the reading, but the list is still named.
        check_read(
            "ssh, 5985-5986,",
            (
                &["5985-5986"],
                &[5985, 5986],
                Some(
                    "port range `ssh, 5985-5986,` is a comma-separated list (ssh, 5985-5986), but the field takes one range",
                ),
            ),
        );
        let error = PortRange::read("21-24, 230").error.unwrap();
        assert_eq!(
            error.help(),
            "give each range on its own, as the items of the field that takes a list: \"21-24\", \"230\""
        );
    }

    #[test]
    fn port_range_contains_both_ends() {
        let range = PortRange::parse("20-30").unwrap();
        assert!(range.contains(20) && range.contains(30));
        assert!(!range.contains(19) && !range.contains(31));
        assert!(PortRange::single(22).contains(22));
    }

    proptest! {
        #[test]
        fn any_u16_port_is_accepted(port in any::<u16>()) {
            prop_assert_eq!(PortNumber::new(i64::from(port)).map(PortNumber::get), Ok(port));
            prop_assert_eq!(port.to_string().parse::<PortNumber>().map(PortNumber::get), Ok(port));
        }

        #[test]
        fn any_i64_outside_u16_is_rejected(value in prop_oneof![i64::MIN..0, 65536i64..]) {
            prop_assert_eq!(PortNumber::new(value), Err(RuleError::PortOutOfRange { value }));
        }

        #[test]
        fn port_range_display_round_trips(a in any::<u16>(), b in any::<u16>()) {
            let range = PortRange { start: a.min(b), end: a.max(b) };
            prop_assert_eq!(PortRange::parse(&range.to_string()), Ok(range));
        }
    }
}
