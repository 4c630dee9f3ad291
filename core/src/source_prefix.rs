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

impl SourcePrefix {
    /// Reads a source as Azure or a reader takes it, however oddly it is written, so that the
    /// breadth questions can be asked of what it means rather than of its spelling.
    ///
    /// * A valid prefix means what it says ([`SourceReading::Exact`]). Service tags match in any
    ///   case, so `internet`, `INTERNET` and `any` are open to the internet like `Internet`.
    /// * A CIDR block with host bits set can only mean its network: `34.15.11.3/0` is
    ///   `0.0.0.0/0`, every IPv4 address, and `10.0.0.1/8` is `10.0.0.0/8`. A bare length of 0
    ///   (`/0`, `0/0`) can only mean every address, `*`. Spaces around a prefix do not change
    ///   what it means. These are [`SourceReading::Means`]: invalid as written, judged as meant.
    /// * The unspecified address `0.0.0.0` (or `::`) is [`SourceReading::Ambiguous`]. Read
    ///   literally it is one address that no packet ever comes from, so the rule would let no
    ///   one in; but it is commonly written to mean `0.0.0.0/0` (several scanners read it so),
    ///   and Azure documents neither reading. A review cannot tell which was meant, so it is
    ///   judged by the broader reading and reported as ambiguous.
    /// * Anything else is [`SourceReading::Invalid`].
    pub fn read(text: &str) -> SourceReading {
        let error = |problem: &Problem| RuleError::InvalidSourcePrefix {
            value: text.to_owned(),
            reason: problem.reason(),
        };
        match diagnose(text) {
            Ok(SourcePrefix::Address(address)) if address.is_unspecified() => {
                SourceReading::Ambiguous {
                    literal: SourcePrefix::Address(address),
                    intended: SourcePrefix::Network(every_address_of(address)),
                }
            }
            Ok(prefix) => SourceReading::Exact(prefix),
            Err(problem @ Problem::HostBitsSet { network, .. }) => SourceReading::Means {
                prefix: SourcePrefix::Network(network),
                oddity: Oddity::HostBitsSet,
                error: error(&problem),
            },
            Err(problem @ Problem::Whitespace) => {
                let trimmed = text.trim();
                if trimmed.chars().any(char::is_whitespace) {
                    return SourceReading::Invalid(error(&problem));
                }
                match SourcePrefix::read(trimmed) {
                    SourceReading::Exact(prefix) | SourceReading::Means { prefix, .. } => {
                        SourceReading::Means {
                            prefix,
                            oddity: Oddity::Spaces,
                            error: error(&problem),
                        }
                    }
                    ambiguous @ SourceReading::Ambiguous { .. } => ambiguous,
                    SourceReading::Invalid(_) => SourceReading::Invalid(error(&problem)),
                }
            }
            Err(problem) if is_bare_zero_length(text) => SourceReading::Means {
                prefix: SourcePrefix::Any,
                oddity: Oddity::NoAddress,
                error: error(&problem),
            },
            Err(problem) => SourceReading::Invalid(error(&problem)),
        }
    }
}

/// What [`SourcePrefix::read`] makes of a source as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceReading {
    /// A valid prefix that means what it says.
    Exact(SourcePrefix),
    /// Not valid as written, but it can mean only `prefix`.
    Means {
        /// What the text can only mean.
        prefix: SourcePrefix,
        /// How it is written oddly.
        oddity: Oddity,
        /// Why it is not valid as written.
        error: RuleError,
    },
    /// Valid, but read two ways.
    Ambiguous {
        /// What the text says, taken literally.
        literal: SourcePrefix,
        /// What it is commonly written to mean: the broader reading.
        intended: SourcePrefix,
    },
    /// Not a source prefix at all.
    Invalid(RuleError),
}

/// How a source that [`SourceReading::Means`] one prefix is written oddly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oddity {
    /// A CIDR block with host bits set, such as `34.15.11.3/0`: it can only mean its network.
    HostBitsSet,
    /// A prefix length of 0 without an address (`/0`, `0/0`): it can only mean every address.
    NoAddress,
    /// Spaces around a prefix, such as `" * "`: it can only mean the prefix.
    Spaces,
}

impl SourceReading {
    /// The prefix whose breadth is judged: the prefix itself, what an invalid text can only
    /// mean, or the broader reading of an ambiguous one; `None` for an invalid text.
    pub fn judged(&self) -> Option<&SourcePrefix> {
        match self {
            SourceReading::Exact(prefix) | SourceReading::Means { prefix, .. } => Some(prefix),
            SourceReading::Ambiguous { intended, .. } => Some(intended),
            SourceReading::Invalid(_) => None,
        }
    }

    /// Whether the text was read two ways.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, SourceReading::Ambiguous { .. })
    }

    /// How the text was read when it does not simply mean what it says, as the end of a
    /// sentence that starts with the text, e.g. `` `34.15.11.3/0` is `` "a CIDR block with host
    /// bits set, so it can only mean its network `0.0.0.0/0`".
    pub fn note(&self) -> Option<String> {
        match self {
            SourceReading::Exact(_) | SourceReading::Invalid(_) => None,
            SourceReading::Means { prefix, oddity, .. } => Some(match oddity {
                Oddity::HostBitsSet => format!(
                    "a CIDR block with host bits set, so it can only mean its network `{prefix}`"
                ),
                Oddity::NoAddress => format!(
                    "a prefix length of 0 without an address, so it can only mean every address \
                     (`{prefix}`)"
                ),
                Oddity::Spaces => format!("written with spaces, so it can only mean `{prefix}`"),
            }),
            SourceReading::Ambiguous { intended, .. } => Some(format!(
                "ambiguous: taken literally it is the unspecified address, which no packet comes \
                 from, but it is commonly written to mean `{intended}`, {}",
                intended.describe_reach()
            )),
        }
    }
}

/// `/0` or `0/0`: a prefix length of zero with no real address, which can mean only everything.
fn is_bare_zero_length(text: &str) -> bool {
    text.split_once('/').is_some_and(|(address, length)| {
        matches!(address, "" | "0") && !length.is_empty() && length.bytes().all(|b| b == b'0')
    })
}

/// `0.0.0.0/0` or `::/0`: every address of `address`'s family.
fn every_address_of(address: IpAddr) -> IpNet {
    match address {
        IpAddr::V4(_) => IpNet::V4(ipnet::Ipv4Net::default()),
        IpAddr::V6(_) => IpNet::V6(ipnet::Ipv6Net::default()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use ipnet::Ipv4Net;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    fn prefix(text: &str) -> SourcePrefix {
        text.parse().unwrap()
    }

    /// `Ok(canonical display)` or `Err((message, help))`.
    fn check_parse(text: &str, expected: Result<&str, (&str, &str)>) {
        let actual = text
            .parse::<SourcePrefix>()
            .map(|prefix| prefix.to_string())
            .map_err(|error| (error.to_string(), error.help()));
        let expected = expected
            .map(str::to_owned)
            .map_err(|(message, help)| (message.to_owned(), help.to_owned()));
        assert_eq!(actual, expected, "prefix {text:?}");
    }

    const GENERIC_HELP: &str = "use *, an IP address (203.0.113.7), a CIDR block \
                                (203.0.113.0/24) or a service tag (VirtualNetwork)";

    #[test]
    fn parses_each_shape() {
        check_parse("*", Ok("*"));
        check_parse("192.168.0.3", Ok("192.168.0.3"));
        check_parse("192.168.0.0/16", Ok("192.168.0.0/16"));
        check_parse("0.0.0.0/0", Ok("0.0.0.0/0"));
        check_parse("::/0", Ok("::/0"));
        check_parse("2001:db8::/32", Ok("2001:db8::/32"));
        check_parse("2001:0db8:0000::1", Ok("2001:db8::1"));
        check_parse("fe80::1", Ok("fe80::1"));
        check_parse("10.0.0.1/32", Ok("10.0.0.1/32"));
        check_parse("Internet", Ok("Internet"));
        check_parse("Any", Ok("Any"));
        check_parse("VirtualNetwork", Ok("VirtualNetwork"));
        check_parse("AzureCloud.westeurope", Ok("AzureCloud.westeurope"));
        check_parse("Sql.EastUS-2", Ok("Sql.EastUS-2"));
    }

    #[test]
    fn parse_kinds() {
        assert_eq!(prefix("*"), SourcePrefix::Any);
        assert_eq!(prefix("Any"), SourcePrefix::ServiceTag("Any".to_owned()));
        assert!(matches!(prefix("10.0.0.1"), SourcePrefix::Address(_)));
        assert!(matches!(prefix("10.0.0.0/8"), SourcePrefix::Network(_)));
    }

    #[test]
    fn rejects_with_reason_and_help() {
        check_parse(
            "10.0.0.0/33",
            Err((
                "source prefix `10.0.0.0/33` is invalid: prefix length 33 is more than 32, the \
                 most its address family allows",
                "use a prefix length between 0 and 32",
            )),
        );
        check_parse(
            "::/129",
            Err((
                "source prefix `::/129` is invalid: prefix length 129 is more than 128, the most \
                 its address family allows",
                "use a prefix length between 0 and 128",
            )),
        );
        check_parse(
            "10.0.0.0/999999999999",
            Err((
                "source prefix `10.0.0.0/999999999999` is invalid: prefix length `999999999999` \
                 is not a number",
                GENERIC_HELP,
            )),
        );
        check_parse(
            "10.0.0.1/8",
            Err((
                "source prefix `10.0.0.1/8` is invalid: host bits are set; the network address \
                 is 10.0.0.0/8",
                "use the network address `10.0.0.0/8`, or `10.0.0.1/32` for the single host",
            )),
        );
        check_parse(
            "2001:db8::1/32",
            Err((
                "source prefix `2001:db8::1/32` is invalid: host bits are set; the network \
                 address is 2001:db8::/32",
                "use the network address `2001:db8::/32`, or `2001:db8::1/128` for the single host",
            )),
        );
        check_parse(
            "300.1.2.3",
            Err((
                "source prefix `300.1.2.3` is invalid: `300.1.2.3` is not an IP address",
                GENERIC_HELP,
            )),
        );
        check_parse(
            "300.1.2.0/24",
            Err((
                "source prefix `300.1.2.0/24` is invalid: `300.1.2.0` is not an IP address",
                GENERIC_HELP,
            )),
        );
        check_parse(
            "10.0.0.0/",
            Err((
                "source prefix `10.0.0.0/` is invalid: prefix length `` is not a number",
                GENERIC_HELP,
            )),
        );
        check_parse(
            "10.0.0.0/+8",
            Err((
                "source prefix `10.0.0.0/+8` is invalid: prefix length `+8` is not a number",
                GENERIC_HELP,
            )),
        );
        check_parse(
            "",
            Err(("source prefix `` is invalid: it is empty", GENERIC_HELP)),
        );
        check_parse(
            " 10.0.0.1",
            Err((
                "source prefix ` 10.0.0.1` is invalid: it has spaces in it",
                "remove the spaces: `10.0.0.1`",
            )),
        );
        check_parse(
            "my_tag",
            Err((
                "source prefix `my_tag` is invalid: it is not *, an IP address, a CIDR block or \
                 a service tag",
                GENERIC_HELP,
            )),
        );
        check_parse(
            "10.0.0.1-10.0.0.9",
            Err((
                "source prefix `10.0.0.1-10.0.0.9` is invalid: `10.0.0.1-10.0.0.9` is not an IP \
                 address",
                GENERIC_HELP,
            )),
        );
        check_parse(
            "**",
            Err((
                "source prefix `**` is invalid: it is not *, an IP address, a CIDR block or a \
                 service tag",
                GENERIC_HELP,
            )),
        );
    }

    /// `(open to internet, broader than /24 and /64, reach)`.
    fn check_breadth(text: &str, expected: (bool, bool, &str)) {
        let prefix = prefix(text);
        let actual = (
            prefix.is_open_to_internet(),
            prefix.is_broader_than(24, 64),
            prefix.describe_reach(),
        );
        assert_eq!(
            actual,
            (expected.0, expected.1, expected.2.to_owned()),
            "prefix {text:?}"
        );
    }

    #[test]
    fn breadth() {
        check_breadth("*", (true, true, "the whole internet"));
        check_breadth("Any", (true, true, "the whole internet"));
        check_breadth("Internet", (true, true, "the whole internet"));
        check_breadth("internet", (true, true, "the whole internet"));
        check_breadth("0.0.0.0/0", (true, true, "the whole internet"));
        check_breadth("::/0", (true, true, "the whole internet"));
        check_breadth("10.0.0.0/16", (false, true, "65536 addresses"));
        check_breadth("10.0.0.0/23", (false, true, "512 addresses"));
        check_breadth("10.0.0.0/24", (false, false, "256 addresses"));
        check_breadth("10.0.0.7/32", (false, false, "1 address"));
        check_breadth("10.0.0.7", (false, false, "1 address"));
        check_breadth("2001:db8::/32", (false, true, "2^96 addresses"));
        check_breadth("2001:db8::/64", (false, false, "2^64 addresses"));
        check_breadth("2001:db8::/120", (false, false, "256 addresses"));
        check_breadth("2001:db8::1", (false, false, "1 address"));
        check_breadth(
            "VirtualNetwork",
            (false, false, "service tag VirtualNetwork"),
        );
    }

    /// `(kind, judged prefix, open to the internet, note)` of a reading.
    fn check_read(text: &str, expected: (&str, Option<&str>, bool, Option<&str>)) {
        let reading = SourcePrefix::read(text);
        let kind = match &reading {
            SourceReading::Exact(_) => "exact",
            SourceReading::Means { .. } => "means",
            SourceReading::Ambiguous { .. } => "ambiguous",
            SourceReading::Invalid(_) => "invalid",
        };
        let judged = reading.judged();
        let actual = (
            kind,
            judged.map(ToString::to_string),
            judged.is_some_and(SourcePrefix::is_open_to_internet),
            reading.note(),
        );
        let expected = (
            expected.0,
            expected.1.map(str::to_owned),
            expected.2,
            expected.3.map(str::to_owned),
        );
        assert_eq!(actual, expected, "read {text:?}");
        assert_eq!(reading.is_ambiguous(), kind == "ambiguous");
    }

    #[test]
    fn reads_sources_as_meant() {
        check_read("*", ("exact", Some("*"), true, None));
        check_read("203.0.113.7", ("exact", Some("203.0.113.7"), false, None));
        check_read("10.0.0.0/16", ("exact", Some("10.0.0.0/16"), false, None));
        for tag in ["internet", "INTERNET", "Internet", "any", "ANY"] {
            check_read(tag, ("exact", Some(tag), true, None));
        }
        check_read(
            "virtualnetwork",
            ("exact", Some("virtualnetwork"), false, None),
        );
        let host_bits = |network: &str| {
            format!("a CIDR block with host bits set, so it can only mean its network `{network}`")
        };
        check_read(
            "34.15.11.3/0",
            (
                "means",
                Some("0.0.0.0/0"),
                true,
                Some(&host_bits("0.0.0.0/0")),
            ),
        );
        check_read(
            "10.0.0.1/8",
            (
                "means",
                Some("10.0.0.0/8"),
                false,
                Some(&host_bits("10.0.0.0/8")),
            ),
        );
        check_read(
            "2001:db8::1/0",
            ("means", Some("::/0"), true, Some(&host_bits("::/0"))),
        );
        let no_address =
            "a prefix length of 0 without an address, so it can only mean every address (`*`)";
        check_read("/0", ("means", Some("*"), true, Some(no_address)));
        check_read("0/0", ("means", Some("*"), true, Some(no_address)));
        check_read(
            " 0.0.0.0/0 ",
            (
                "means",
                Some("0.0.0.0/0"),
                true,
                Some("written with spaces, so it can only mean `0.0.0.0/0`"),
            ),
        );
        check_read(
            "0.0.0.0",
            (
                "ambiguous",
                Some("0.0.0.0/0"),
                true,
                Some(
                    "ambiguous: taken literally it is the unspecified address, which no packet \
                     comes from, but it is commonly written to mean `0.0.0.0/0`, the whole \
                     internet",
                ),
            ),
        );
        check_read(
            "::",
            (
                "ambiguous",
                Some("::/0"),
                true,
                Some(
                    "ambiguous: taken literally it is the unspecified address, which no packet \
                     comes from, but it is commonly written to mean `::/0`, the whole internet",
                ),
            ),
        );
        // Written with an explicit length, the unspecified address is just one address.
        check_read("0.0.0.0/32", ("exact", Some("0.0.0.0/32"), false, None));
        check_read("/8", ("invalid", None, false, None));
        check_read("my_tag", ("invalid", None, false, None));
        check_read("1.2.3.4 5.6.7.8", ("invalid", None, false, None));
        check_read("", ("invalid", None, false, None));
        // The reading keeps the error a validator reports.
        assert!(matches!(
            SourcePrefix::read("34.15.11.3/0"),
            SourceReading::Means { error, .. } if error == "34.15.11.3/0".parse::<SourcePrefix>().unwrap_err()
        ));
    }

    /// Whether `allowed` covers `request`.
    fn check_covers(allowed: &str, request: &str, expected: bool) {
        assert_eq!(
            prefix(allowed).covers(&prefix(request)),
            expected,
            "{allowed} covers {request}"
        );
    }

    #[test]
    fn covers() {
        check_covers("*", "203.0.113.7", true);
        check_covers("*", "::/0", true);
        check_covers("*", "VirtualNetwork", true);
        check_covers("Internet", "*", true);
        check_covers("10.0.0.0/8", "10.1.2.3", true);
        check_covers("10.0.0.0/8", "10.1.0.0/16", true);
        check_covers("10.0.0.0/8", "10.0.0.0/8", true);
        check_covers("10.0.0.0/16", "10.0.0.0/8", false);
        check_covers("10.0.0.0/8", "11.0.0.1", false);
        check_covers("10.0.0.0/8", "*", false);
        check_covers("0.0.0.0/0", "::1", false);
        check_covers("0.0.0.0/0", "1.2.3.4", true);
        check_covers("10.0.0.1", "10.0.0.1", true);
        check_covers("10.0.0.1", "10.0.0.1/32", true);
        check_covers("10.0.0.1/32", "10.0.0.1", true);
        check_covers("10.0.0.1", "10.0.0.2", false);
        check_covers("10.0.0.0", "10.0.0.0/31", false);
        check_covers("VirtualNetwork", "virtualnetwork", true);
        check_covers("VirtualNetwork", "10.0.0.1", false);
        check_covers("VirtualNetwork", "*", false);
    }

    #[test]
    fn contains_ip() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert!(prefix("*").contains_ip(ip("::1")));
        assert!(prefix("Internet").contains_ip(ip("1.2.3.4")));
        assert!(prefix("10.0.0.0/8").contains_ip(ip("10.255.255.255")));
        assert!(!prefix("10.0.0.0/8").contains_ip(ip("11.0.0.0")));
        assert!(prefix("10.0.0.1").contains_ip(ip("10.0.0.1")));
        assert!(!prefix("AzureLoadBalancer").contains_ip(ip("168.63.129.16")));
    }

    fn any_prefix() -> impl Strategy<Value = SourcePrefix> {
        prop_oneof![
            Just(SourcePrefix::Any),
            any::<Ipv4Addr>().prop_map(|ip| SourcePrefix::Address(IpAddr::V4(ip))),
            (any::<Ipv4Addr>(), 0u8..=32).prop_map(|(ip, len)| SourcePrefix::Network(IpNet::V4(
                Ipv4Net::new(ip, len).expect("length is at most 32").trunc()
            ))),
            prop_oneof![Just("Internet"), Just("Any"), Just("VirtualNetwork")]
                .prop_map(|tag| SourcePrefix::ServiceTag(tag.to_owned())),
        ]
    }

    proptest! {
        #[test]
        fn ipv4_networks_round_trip(ip in any::<Ipv4Addr>(), len in 0u8..=32) {
            let network = Ipv4Net::new(ip, len).expect("length is at most 32").trunc();
            let parsed: SourcePrefix = network.to_string().parse().expect("a network parses");
            prop_assert_eq!(&parsed, &SourcePrefix::Network(IpNet::V4(network)));
            prop_assert_eq!(parsed.to_string(), network.to_string());
        }

        #[test]
        fn ipv4_addresses_round_trip(ip in any::<Ipv4Addr>()) {
            let parsed: SourcePrefix = ip.to_string().parse().expect("an address parses");
            prop_assert_eq!(parsed, SourcePrefix::Address(IpAddr::V4(ip)));
        }

        #[test]
        fn covers_agrees_with_contains_ip(allowed in any_prefix(), ip in any::<Ipv4Addr>()) {
            let ip = IpAddr::V4(ip);
            prop_assert_eq!(allowed.covers(&SourcePrefix::Address(ip)), allowed.contains_ip(ip));
        }

        #[test]
        fn every_prefix_covers_itself(allowed in any_prefix()) {
            prop_assert!(allowed.covers(&allowed));
        }

        #[test]
        fn parse_never_panics(text in ".{0,40}") {
            let _ = text.parse::<SourcePrefix>();
            let _ = SourcePrefix::read(&text);
        }

        #[test]
        fn a_valid_prefix_reads_as_itself(allowed in any_prefix()) {
            let text = allowed.to_string();
            let reading = SourcePrefix::read(&text);
            if !reading.is_ambiguous() {
                prop_assert_eq!(reading, SourceReading::Exact(allowed));
            }
        }
    }
}
