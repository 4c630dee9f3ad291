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
