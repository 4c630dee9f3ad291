//! [`SourcePrefix`]: who may connect through an opened JIT port.
//!
//! The spec says a prefix "should be an IP address or CIDR", but real policies also hold `*`
//! (every Microsoft example) and NSG service tags such as `Internet`. We accept all four
//! shapes and keep the breadth questions (is it open to the internet? how many addresses?) here,
//! so that the provider's plan-time check and the linter give the same answer.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use crate::error::RuleError;

/// An allowed source address prefix, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourcePrefix {
    /// `*`: any source.
    Any,
    /// A single address, such as `203.0.113.7`.
    Address(IpAddr),
    /// A CIDR block whose host bits are zero, such as `203.0.113.0/24`.
    Network(IpNet),
    /// An NSG service tag, such as `Internet`, `VirtualNetwork` or `AzureCloud.westeurope`.
    ///
    /// The tag is kept as written: Azure's list of tags grows, so we check only the shape.
    /// Note that the tag `Any` is a service tag, distinct from [`SourcePrefix::Any`] (`*`),
    /// though both mean every source.
    ServiceTag(String),
}

impl SourcePrefix {
    /// Whether every address on the internet may connect: `*`, the tags `Any` and
    /// `Internet`, `0.0.0.0/0` and `::/0`.
    pub fn is_open_to_internet(&self) -> bool {
        match self {
            SourcePrefix::Any => true,
            SourcePrefix::Address(_) => false,
            SourcePrefix::Network(network) => network.prefix_len() == 0,
            SourcePrefix::ServiceTag(tag) => is_open_tag(tag),
        }
    }

    /// Whether the prefix allows more sources than a CIDR block of the given minimum length.
    ///
    /// A single address is never broad. A service tag other than `Any` or `Internet` counts as
    /// narrow, because its size is Azure's business and cannot be judged here.
    pub fn is_broader_than(&self, min_prefix_len_v4: u8, min_prefix_len_v6: u8) -> bool {
        match self {
            SourcePrefix::Any | SourcePrefix::ServiceTag(_) => self.is_open_to_internet(),
            SourcePrefix::Address(_) => false,
            SourcePrefix::Network(IpNet::V4(network)) => network.prefix_len() < min_prefix_len_v4,
            SourcePrefix::Network(IpNet::V6(network)) => network.prefix_len() < min_prefix_len_v6,
        }
    }

    /// Whether `ip` is one of the allowed sources.
    ///
    /// `*`, `Any` and `Internet` contain every address; other service tags contain none that we
    /// can know of.
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        match self {
            SourcePrefix::Any => true,
            SourcePrefix::Address(address) => *address == ip,
            SourcePrefix::Network(network) => network.contains(&ip),
            SourcePrefix::ServiceTag(tag) => is_open_tag(tag),
        }
    }

    /// Whether `other` (the source of an access request) lies inside `self` (an allowed prefix).
    ///
    /// Any prefix covers itself. `*`, `Any` and `Internet` cover everything. A network covers
    /// the addresses and the narrower networks inside it. A single address covers the same
    /// address written as a `/32` (or `/128`). Service tags are compared by name, ignoring case.
    pub fn covers(&self, other: &SourcePrefix) -> bool {
        match (self, other) {
            (SourcePrefix::Any, _) => true,
            (SourcePrefix::ServiceTag(tag), _) if is_open_tag(tag) => true,
            (SourcePrefix::ServiceTag(tag), SourcePrefix::ServiceTag(other_tag)) => {
                tag.eq_ignore_ascii_case(other_tag)
            }
            (SourcePrefix::Network(network), SourcePrefix::Address(address)) => {
                network.contains(address)
            }
            (SourcePrefix::Network(network), SourcePrefix::Network(other_network)) => {
                network.contains(other_network)
            }
            (SourcePrefix::Address(address), SourcePrefix::Address(other_address)) => {
                address == other_address
            }
            (SourcePrefix::Address(address), SourcePrefix::Network(other_network)) => {
                other_network.prefix_len() == other_network.max_prefix_len()
                    && other_network.addr() == *address
            }
            _ => false,
        }
    }

    /// How many sources the prefix lets in, for messages: `"the whole internet"`,
    /// `"65536 addresses"`, `"1 address"` or `"service tag VirtualNetwork"`.
    pub fn describe_reach(&self) -> String {
        if self.is_open_to_internet() {
            return "the whole internet".to_owned();
        }
        match self {
            SourcePrefix::Address(_) => "1 address".to_owned(),
            SourcePrefix::Network(network) => {
                let host_bits = u32::from(network.max_prefix_len() - network.prefix_len());
                match host_bits {
                    0 => "1 address".to_owned(),
                    1..=63 => format!("{} addresses", 1u64 << host_bits),
                    _ => format!("2^{host_bits} addresses"),
                }
            }
            SourcePrefix::ServiceTag(tag) => format!("service tag {tag}"),
            SourcePrefix::Any => "the whole internet".to_owned(),
        }
    }
}

impl FromStr for SourcePrefix {
    type Err = RuleError;

    /// Parses `*`, an IP address, a CIDR block or a service tag.
    ///
    /// A CIDR block with host bits set (`10.0.0.1/8`) is rejected rather than truncated: the
    /// writer meant either the network or the host, and only they know which.
    fn from_str(text: &str) -> Result<Self, RuleError> {
        diagnose(text).map_err(|problem| RuleError::InvalidSourcePrefix {
            value: text.to_owned(),
            reason: problem.reason(),
        })
    }
}

impl fmt::Display for SourcePrefix {
    /// The canonical form: `*`, `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32` or the tag.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourcePrefix::Any => f.write_str("*"),
            SourcePrefix::Address(address) => write!(f, "{address}"),
            SourcePrefix::Network(network) => write!(f, "{network}"),
            SourcePrefix::ServiceTag(tag) => f.write_str(tag),
        }
    }
}

impl From<IpAddr> for SourcePrefix {
    fn from(address: IpAddr) -> Self {
        SourcePrefix::Address(address)
    }
}

/// The tags that mean every source. NSG tags are case-insensitive.
fn is_open_tag(tag: &str) -> bool {
    tag.eq_ignore_ascii_case("Any") || tag.eq_ignore_ascii_case("Internet")
}

/// What is wrong with a source prefix; one place for both the reason and the help.
enum Problem {
    Empty,
    Whitespace,
    NotAnAddress(String),
    LengthNotANumber(String),
    LengthTooLong { length: u32, max: u8 },
    HostBitsSet { network: IpNet, host: IpAddr },
    Unrecognised,
}

impl Problem {
    fn reason(&self) -> String {
        match self {
            Problem::Empty => "it is empty".to_owned(),
            Problem::Whitespace => "it has spaces in it".to_owned(),
            Problem::NotAnAddress(address) => format!("`{address}` is not an IP address"),
            Problem::LengthNotANumber(length) => {
                format!("prefix length `{length}` is not a number")
            }
            Problem::LengthTooLong { length, max } => {
                format!(
                    "prefix length {length} is more than {max}, the most its address family allows"
                )
            }
            Problem::HostBitsSet { network, .. } => {
                format!("host bits are set; the network address is {network}")
            }
            Problem::Unrecognised => {
                "it is not *, an IP address, a CIDR block or a service tag".to_owned()
            }
        }
    }

    fn help(&self, value: &str) -> String {
        match self {
            Problem::Whitespace => format!("remove the spaces: `{}`", value.trim()),
            Problem::LengthTooLong { max, .. } => {
                format!("use a prefix length between 0 and {max}")
            }
            Problem::HostBitsSet { network, host } => {
                let single = match host {
                    IpAddr::V4(_) => 32,
                    IpAddr::V6(_) => 128,
                };
                format!(
                    "use the network address `{network}`, or `{host}/{single}` for the single host"
                )
            }
            _ => "use *, an IP address (203.0.113.7), a CIDR block (203.0.113.0/24) or a \
                  service tag (VirtualNetwork)"
                .to_owned(),
        }
    }
}

/// The help sentence for a prefix that [`SourcePrefix::from_str`] rejected.
pub(crate) fn help_for(value: &str) -> String {
    match diagnose(value) {
        Err(problem) => problem.help(value),
        Ok(_) => Problem::Unrecognised.help(value),
    }
}

fn diagnose(text: &str) -> Result<SourcePrefix, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::Empty);
    }
    if text.chars().any(char::is_whitespace) {
        return Err(Problem::Whitespace);
    }
    if text == "*" {
        return Ok(SourcePrefix::Any);
    }
    if let Some((address_text, length_text)) = text.split_once('/') {
        let address: IpAddr = address_text
            .parse()
            .map_err(|_| Problem::NotAnAddress(address_text.to_owned()))?;
        if length_text.is_empty() || !length_text.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(Problem::LengthNotANumber(length_text.to_owned()));
        }
        let max = match address {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let length: u32 = length_text
            .parse()
            .map_err(|_| Problem::LengthNotANumber(length_text.to_owned()))?;
        let length_u8 = u8::try_from(length)
            .ok()
            .filter(|length| *length <= max)
            .ok_or(Problem::LengthTooLong { length, max })?;
        let network =
            IpNet::new(address, length_u8).map_err(|_| Problem::LengthTooLong { length, max })?;
        if network.trunc() != network {
            return Err(Problem::HostBitsSet {
                network: network.trunc(),
                host: address,
            });
        }
        return Ok(SourcePrefix::Network(network));
    }
    if let Ok(address) = text.parse::<IpAddr>() {
        return Ok(SourcePrefix::Address(address));
    }
    if is_tag_shaped(text) {
        return Ok(SourcePrefix::ServiceTag(text.to_owned()));
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) || text.contains(':') {
        return Err(Problem::NotAnAddress(text.to_owned()));
    }
    Err(Problem::Unrecognised)
}

/// Service tags are letters, digits, dots and hyphens, starting with a letter
/// (`AzureCloud.westeurope`, `Sql.EastUS`).
fn is_tag_shaped(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}
