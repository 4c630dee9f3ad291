/*!
The JIT domain: Azure Defender for Cloud just-in-time VM access rules, written once.

The provider checks plans with it, the emulator validates requests with it and `jitlint` lints
HCL with it, so all three agree on what a valid port, source prefix, duration or name is. It
knows nothing of Terraform, HTTP, HCL or JSON, not even their attribute names, does no IO and
never panics on bad input: bad input is a [`RuleError`] with a message and a help sentence, or a
list of [`Finding`]s that name the [`Field`]; each consumer maps a field to its own attribute.

# Brief overview

* [`limits`] holds every number and fixed name of the API, in one place.
* [`PortNumber`], [`Protocol`], [`ManagementPort`] and [`PortRange`] are the port vocabulary;
  [`PortRange::read`] reads an NSG port field as its author meant it, a comma-separated list
  included.
* [`SourcePrefix`] is who may connect: `*`, an address, a CIDR block or a service tag, with the
  breadth questions the linter asks ([`SourcePrefix::is_open_to_internet`],
  [`SourcePrefix::is_broader_than`], [`SourcePrefix::covers`]); [`SourcePrefix::read`] says
  what an oddly written source means (`34.15.11.3/0`, `/0`, `internet`), or that it is
  ambiguous (`0.0.0.0`), as a [`SourceReading`].
* [`IsoDuration`] reads and prints ISO 8601 durations as Azure does, and
  [`MaxRequestAccessDuration`] holds one within PT5M..=PT24H.
* [`ResourceGroupName`], [`Location`] and [`PolicyName`] are the names in a policy's id, each
  checked by one rule ([`same_location`] compares regions as ARM does).
* [`VmId`] is a virtual machine's ARM resource id, with help for the usual mistakes (its
  resource group follows [`ResourceGroupName`]'s rule); [`PolicyId`] is a JIT policy's.
* [`PortRule`] and [`AllowedSource`] are the parsed model; [`default_port_rules`] gives Azure's
  recommended rules.
* [`duplicate_ports`] finds the port entries of one VM that repeat an earlier one (same number
  and protocol, or `*` with TCP or UDP), on possibly unknown input, as [`DuplicatePort`]s.
* [`validate`] checks raw, possibly unknown input and reports every [`Finding`]:
  [`check_port_rule`], [`RawPortRule::parse`], [`check_name_length`].

Types carry the preconditions: parse once at the edge, then pass the types around.

# Example

```
use jit_core::{
    check_port_rule, duplicate_ports, Field, Location, MaxRequestAccessDuration, PortNumber,
    Protocol, RawPortRule, SourcePrefix,
};

let raw = RawPortRule {
    number: Some(22),
    protocol: Some("tcp"),
    allowed_source_address_prefix: Some("0.0.0.0/0"),
    max_request_access_duration: Some("PT4H"),
    ..RawPortRule::default()
};
let findings = check_port_rule(&raw);
assert_eq!(findings.len(), 1);
assert_eq!(findings[0].field, Field::Protocol);
assert_eq!(findings[0].message(), "protocol `tcp` is not one of TCP, UDP or *");

let prefix: SourcePrefix = "0.0.0.0/0".parse()?;
assert!(prefix.is_open_to_internet());
assert_eq!(prefix.describe_reach(), "the whole internet");

let duration = MaxRequestAccessDuration::parse("P1D")?;
assert_eq!(duration.to_string(), "PT24H");

// Port 22 twice on one VM; the second entry's protocol is not known yet, so it is skipped.
let ports = [
    Some((PortNumber::from_u16(22), Protocol::Tcp)),
    None,
    Some((PortNumber::from_u16(22), Protocol::Udp)),
    Some((PortNumber::from_u16(22), Protocol::Any)),
];
let duplicates = duplicate_ports(ports);
assert_eq!((duplicates[0].index, duplicates[0].first_index), (3, 0));
assert_eq!(
    duplicates[0].error().to_string(),
    "port 22 with protocol * overlaps the earlier rule for port 22 with protocol TCP"
);

let error = Location::parse("West Europe").expect_err("a display name, not a region name");
assert!(error.help().starts_with("write `westeurope`"));
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/

#![deny(missing_docs)]

pub mod duration;
pub mod error;
pub mod limits;
pub mod names;
pub mod policy;
pub mod policy_id;
pub mod port;
pub mod source_prefix;
pub mod validate;
pub mod vm_id;

pub use duration::{IsoDuration, MaxRequestAccessDuration};
pub use error::RuleError;
pub use names::{Location, PolicyName, ResourceGroupName, same_location};
pub use policy::{
    AllowedSource, DuplicatePort, PortRule, check_access, check_name_length, default_port_rules,
    duplicate_ports, unreachable_source,
};
pub use policy_id::PolicyId;
pub use port::{ManagementPort, PortNumber, PortRange, PortRangeReading, Protocol};
pub use source_prefix::{Oddity, SourcePrefix, SourceReading};
pub use validate::{Field, Finding, RawPortRule, check_port_rule, check_virtual_machine};
pub use vm_id::{VmId, is_guid};
