//! Views over the model: the JIT port rules and NSG rules, whatever resource declared them.
//!
//! `jit_policy`, `jit_access_request` and `azapi_resource` bodies spell the same port rule in
//! different ways (HCL blocks in snake case, JSON objects in camel case). Rules read a
//! [`JitPort`] or an [`NsgRule`] and never care which resource it came from.

use crate::model::{Block, Body, Document, Node, Resource, Value};
use crate::rule::Reads;
use crate::source::Span;

/// What [`jit_vms`] reads: the JIT resources and the azapi JIT policy body.
pub const JIT_READS: &[Reads] = &[
    Reads {
        kind: "jit_policy",
        attributes: &[
            "name",
            "id",
            "number",
            "protocol",
            "allowed_source_address_prefix",
            "allowed_source_address_prefixes",
            "max_request_access_duration",
        ],
    },
    Reads {
        kind: "jit_policy_virtual_machine",
        attributes: &[
            "virtual_machine_id",
            "policy_name",
            "number",
            "protocol",
            "allowed_source_address_prefix",
            "allowed_source_address_prefixes",
            "max_request_access_duration",
        ],
    },
    Reads {
        kind: "jit_access_request",
        attributes: &[
            "policy_id",
            "id",
            "number",
            "allowed_source_address_prefix",
            "duration",
        ],
    },
    Reads {
        kind: "azapi_resource",
        attributes: &["type", "name", "parent_id", "body"],
    },
];

/// The attributes of one NSG security rule, as [`NsgRule`] reads them.
const NSG_RULE_ATTRIBUTES: &[&str] = &[
    "name",
    "direction",
    "access",
    "protocol",
    "source_address_prefix",
    "source_address_prefixes",
    "source_application_security_group_ids",
    "destination_port_range",
    "destination_port_ranges",
];

/// What [`nsg_rules`] reads: standalone rules and the NSGs' inline `security_rule`s, in both
/// the block and the attribute form.
pub const NSG_READS: &[Reads] = &[
    Reads {
        kind: "azurerm_network_security_rule",
        attributes: NSG_RULE_ATTRIBUTES,
    },
    Reads {
        kind: "azurerm_network_security_group",
        attributes: &[
            "security_rule",
            "name",
            "direction",
            "access",
            "protocol",
            "source_address_prefix",
            "source_address_prefixes",
            "source_application_security_group_ids",
            "destination_port_range",
            "destination_port_ranges",
        ],
    },
];

/// Which resource a JIT port rule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Our `jit_policy` resource.
    Policy,
    /// Our `jit_policy_virtual_machine` resource: one VM of a shared policy.
    PolicyVirtualMachine,
    /// Our `jit_access_request` resource.
    Request,
    /// An `azapi_resource` JIT policy body.
    Azapi,
}

impl Origin {
    /// True for our policy resources, whose unset values the provider fills with Azure's
    /// defaults (`*` sources, protocol `*`, the recommended ports).
    pub fn is_provider_policy(self) -> bool {
        matches!(self, Origin::Policy | Origin::PolicyVirtualMachine)
    }

    /// The attribute name of `field` in this origin's syntax: core names fields, each
    /// consumer spells them.
    pub fn name(self, field: jit_core::Field) -> String {
        use jit_core::Field;
        let base = match (self, field) {
            (Origin::Azapi, Field::Number) => "number",
            (Origin::Azapi, Field::Protocol) => "protocol",
            (Origin::Azapi, Field::AllowedSourceAddressPrefix) => "allowedSourceAddressPrefix",
            (Origin::Azapi, Field::AllowedSourceAddressPrefixes(_)) => {
                "allowedSourceAddressPrefixes"
            }
            (Origin::Azapi, Field::MaxRequestAccessDuration) => "maxRequestAccessDuration",
            (Origin::Azapi, Field::PolicyName) => "name",
            (Origin::Azapi, Field::VirtualMachineId) => "id",
            (Origin::Azapi, Field::EndTimeUtc) => "endTimeUtc",
            (Origin::Azapi, Field::Justification) => "justification",
            (Origin::Request, Field::MaxRequestAccessDuration) => "duration",
            (Origin::PolicyVirtualMachine, Field::PolicyName) => "policy_name",
            (Origin::PolicyVirtualMachine, Field::VirtualMachineId) => "virtual_machine_id",
            (_, Field::Number) => "number",
            (_, Field::Protocol) => "protocol",
            (_, Field::AllowedSourceAddressPrefix) => "allowed_source_address_prefix",
            (_, Field::AllowedSourceAddressPrefixes(_)) => "allowed_source_address_prefixes",
            (_, Field::MaxRequestAccessDuration) => "max_request_access_duration",
            (_, Field::PolicyName) => "name",
            (_, Field::VirtualMachineId) => "id",
            (_, Field::EndTimeUtc) => "end_time_utc",
            (_, Field::Justification) => "justification",
        };
        match field.list_index() {
            Some(index) => format!("{base}[{index}]"),
            None => base.to_owned(),
        }
    }
}

/// One VM entry of a JIT policy or request.
#[derive(Debug)]
pub struct JitVm<'a> {
    /// The resource that declares it.
    pub resource: &'a Resource,
    /// Which syntax it uses.
    pub origin: Origin,
    /// The `virtual_machine` block header or the VM object.
    pub span: Span,
    /// `id`.
    pub id: Option<&'a Node>,
    /// The policy name (`name`, default `default`), for the 56-character rule.
    pub policy_name: Option<&'a Node>,
    /// The port rules given.
    pub ports: Vec<JitPort<'a>>,
    /// `dynamic "port"` blocks, whose contents cannot be known.
    pub dynamic_ports: Vec<&'a Block>,
    /// The `ports` value when it is not a known list (azapi).
    pub unknown_ports: Option<&'a Node>,
}

/// One port rule.
#[derive(Debug)]
pub struct JitPort<'a> {
    /// Which syntax it uses.
    pub origin: Origin,
    /// The `port` block header or the port object.
    pub span: Span,
    /// `number`.
    pub number: Option<&'a Node>,
    /// `protocol`.
    pub protocol: Option<&'a Node>,
    /// `allowed_source_address_prefix`.
    pub prefix: Option<&'a Node>,
    /// `allowed_source_address_prefixes`.
    pub prefixes: Option<&'a Node>,
    /// `max_request_access_duration` (or the request's `duration`).
    pub duration: Option<&'a Node>,
}

impl<'a> JitPort<'a> {
    /// The rule as written, for `jit_core` to parse, or `None` when a value that is set is
    /// not known (a rule built without it would be a guess).
    pub fn raw(&self) -> Option<jit_core::RawPortRule<'a>> {
        let text = |node: Option<&'a Node>| match node {
            None => Some(None),
            Some(node) if matches!(node.value, Value::Null) => Some(None),
            Some(node) => node.as_str().map(Some),
        };
        let prefixes = match self.prefixes {
            None => None,
            Some(node) => Some(
                node.as_array()?
                    .iter()
                    .map(Node::as_str)
                    .collect::<Option<Vec<&str>>>()?,
            ),
        };
        Some(jit_core::RawPortRule {
            number: Some(i64::from(self.port_number()?)),
            protocol: text(self.protocol)?,
            allowed_source_address_prefix: text(self.prefix)?,
            allowed_source_address_prefixes: prefixes,
            max_request_access_duration: text(self.duration)?,
        })
    }
}

impl JitPort<'_> {
    /// The port number, when known and valid.
    pub fn port_number(&self) -> Option<u16> {
        let number = self.number?;
        let value = number
            .as_i64()
            .or_else(|| number.as_str()?.trim().parse().ok())?;
        u16::try_from(value).ok()
    }

    /// The ports for a finding's `ports` field.
    pub fn ports(&self) -> Vec<u16> {
        self.port_number().into_iter().collect()
    }

    /// "port 22" or "this port" for messages.
    pub fn describe(&self) -> String {
        self.port_number()
            .map_or_else(|| "this port".to_owned(), |n| format!("port {n}"))
    }
}

/// The azapi type of JIT policies, lowercased, without api-version.
const AZAPI_JIT_TYPE: &str = "microsoft.security/locations/jitnetworkaccesspolicies";

/// Whether an `azapi_resource` looks like a JIT policy, even a misspelt one.
pub fn azapi_jit_type(resource: &Resource) -> Option<&Node> {
    if resource.kind != "azapi_resource" {
        return None;
    }
    let node = resource.body.attribute("type")?;
    let text = node.as_str()?.to_ascii_lowercase();
    let looks_like_jit = text.starts_with("microsoft.security/")
        && (text.contains("jit") || text.contains("justintime") || text.contains("just-in-time"));
    looks_like_jit.then_some(node)
}

/// Whether the azapi type is exactly the JIT policy type (any api-version).
pub fn is_exact_azapi_jit_type(type_node: &Node) -> bool {
    type_node
        .as_str()
        .and_then(|t| t.split_once('@'))
        .is_some_and(|(name, _)| name.eq_ignore_ascii_case(AZAPI_JIT_TYPE))
}

/// Every JIT VM entry in the module's documents.
pub fn jit_vms(documents: &[Document]) -> Vec<JitVm<'_>> {
    documents
        .iter()
        .flat_map(|d| d.resources.iter())
        .flat_map(jit_vms_of)
        .collect()
}

/// The JIT VM entries of one resource (none for resources that are not JIT).
pub fn jit_vms_of(resource: &Resource) -> Vec<JitVm<'_>> {
    let mut vms = Vec::new();
    match resource.kind.as_str() {
        "jit_policy" => hcl_vms(resource, Origin::Policy, &mut vms),
        "jit_access_request" => hcl_vms(resource, Origin::Request, &mut vms),
        "jit_policy_virtual_machine" => vms.push(policy_virtual_machine(resource)),
        "azapi_resource" if azapi_jit_type(resource).is_some() => azapi_vms(resource, &mut vms),
        _ => {}
    }
    vms
}

fn hcl_vms<'a>(resource: &'a Resource, origin: Origin, vms: &mut Vec<JitVm<'a>>) {
    let policy_name = match origin {
        Origin::Policy => resource.body.attribute("name"),
        _ => None,
    };
    for block in resource.body.blocks("virtual_machine") {
        let ports = block
            .body
            .blocks("port")
            .map(|port| hcl_port(port, origin))
            .collect();
        vms.push(JitVm {
            resource,
            origin,
            span: block.header,
            id: block.body.attribute("id"),
            policy_name,
            ports,
            dynamic_ports: block.body.dynamic_blocks("port").collect(),
            unknown_ports: None,
        });
    }
}

/// A `jit_policy_virtual_machine` is one VM entry whose body is the resource's own.
fn policy_virtual_machine(resource: &Resource) -> JitVm<'_> {
    let origin = Origin::PolicyVirtualMachine;
    JitVm {
        resource,
        origin,
        span: resource.header,
        id: resource.body.attribute("virtual_machine_id"),
        policy_name: resource.body.attribute("policy_name"),
        ports: resource
            .body
            .blocks("port")
            .map(|port| hcl_port(port, origin))
            .collect(),
        dynamic_ports: resource.body.dynamic_blocks("port").collect(),
        unknown_ports: None,
    }
}

fn hcl_port(block: &Block, origin: Origin) -> JitPort<'_> {
    let body: &Body = &block.body;
    let duration_name = match origin {
        Origin::Request => "duration",
        _ => "max_request_access_duration",
    };
    JitPort {
        origin,
        span: block.header,
        number: body.attribute("number"),
        protocol: body.attribute("protocol"),
        prefix: body.attribute("allowed_source_address_prefix"),
        prefixes: body.attribute("allowed_source_address_prefixes"),
        duration: body.attribute(duration_name),
    }
}

fn azapi_vms<'a>(resource: &'a Resource, vms: &mut Vec<JitVm<'a>>) {
    let Some(body) = resource.body.attribute("body") else {
        return;
    };
    let Some(list) = body
        .get("properties")
        .and_then(|p| p.get("virtualMachines"))
    else {
        return;
    };
    let Some(items) = list.as_array() else { return };
    for vm in items {
        let ports_node = vm.get("ports");
        let ports = ports_node
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .filter(|port| port.as_object().is_some())
            .map(|port| JitPort {
                origin: Origin::Azapi,
                span: port.span,
                number: port.get("number"),
                protocol: port.get("protocol"),
                prefix: port.get("allowedSourceAddressPrefix"),
                prefixes: port.get("allowedSourceAddressPrefixes"),
                duration: port.get("maxRequestAccessDuration"),
            })
            .collect();
        vms.push(JitVm {
            resource,
            origin: Origin::Azapi,
            span: vm.span,
            id: vm.get("id"),
            policy_name: resource.body.attribute("name"),
            ports,
            dynamic_ports: Vec::new(),
            unknown_ports: ports_node.filter(|n| matches!(n.value, Value::Unknown(_))),
        });
    }
}

/// One NSG security rule, standalone or inline.
#[derive(Debug)]
pub struct NsgRule<'a> {
    /// The resource that declares it.
    pub resource: &'a Resource,
    /// The resource header or the `security_rule` block header.
    pub span: Span,
    /// The body that holds the rule's attributes: the resource's or the block's.
    pub body: &'a Body,
    /// The rule's `name`, for messages.
    pub name: Option<&'a Node>,
    /// `direction` (`Inbound`/`Outbound`).
    pub direction: Option<&'a Node>,
    /// `access` (`Allow`/`Deny`).
    pub access: Option<&'a Node>,
    /// `protocol` (`Tcp`, `Udp`, `Icmp`, `*`, ...).
    pub protocol: Option<&'a Node>,
    /// `source_address_prefix`.
    pub source_prefix: Option<&'a Node>,
    /// `source_address_prefixes`.
    pub source_prefixes: Option<&'a Node>,
    /// `destination_port_range`.
    pub port_range: Option<&'a Node>,
    /// `destination_port_ranges`.
    pub port_ranges: Option<&'a Node>,
    /// Each known destination port value, read through `jit_core` once (see
    /// [`NsgRule::port_values`]).
    pub ports: Vec<PortValue<'a>>,
    /// Each known source value, read through `jit_core` once.
    pub sources: Vec<SourceValue<'a>>,
}

/// One known source value of an NSG rule and how `jit_core` reads it.
#[derive(Debug)]
pub struct SourceValue<'a> {
    /// The value.
    pub node: &'a Node,
    /// Its text.
    pub text: &'a str,
    /// What Azure or a reader takes it for.
    pub reading: jit_core::SourceReading,
}

/// Every NSG rule in the module's documents.
pub fn nsg_rules(documents: &[Document]) -> Vec<NsgRule<'_>> {
    let mut rules = Vec::new();
    for resource in documents.iter().flat_map(|d| d.resources.iter()) {
        match resource.kind.as_str() {
            "azurerm_network_security_rule" => {
                rules.push(nsg_rule(resource, resource.header, &resource.body));
            }
            "azurerm_network_security_group" => {
                for block in resource.body.blocks("security_rule") {
                    rules.push(nsg_rule(resource, block.header, &block.body));
                }
            }
            _ => {}
        }
    }
    rules
}

fn nsg_rule<'a>(resource: &'a Resource, span: Span, body: &'a Body) -> NsgRule<'a> {
    let mut rule = NsgRule {
        resource,
        span,
        body,
        name: body.attribute("name"),
        direction: body.attribute("direction"),
        access: body.attribute("access"),
        protocol: body.attribute("protocol"),
        source_prefix: body.attribute("source_address_prefix"),
        source_prefixes: body.attribute("source_address_prefixes"),
        port_range: body.attribute("destination_port_range"),
        port_ranges: body.attribute("destination_port_ranges"),
        ports: Vec::new(),
        sources: Vec::new(),
    };
    rule.ports = rule.port_values();
    rule.sources = rule
        .source_nodes()
        .0
        .into_iter()
        .filter_map(|node| {
            let (text, reading) = read_source(node)?;
            Some(SourceValue {
                node,
                text,
                reading,
            })
        })
        .collect();
    rule
}

/// One known destination port value of an NSG rule and how it reads.
#[derive(Debug)]
pub struct PortValue<'a> {
    /// The value.
    pub node: &'a Node,
    /// Its text (`22` for the number 22).
    pub text: String,
    /// What it names.
    pub reading: jit_core::PortRangeReading,
    /// Its index in `destination_port_ranges`, or `None` for `destination_port_range`.
    pub index: Option<usize>,
}

/// A known source value read as Azure or a reader takes it (see
/// [`jit_core::SourcePrefix::read`]), with its text; `None` when the value is not a known string.
pub fn read_source(node: &Node) -> Option<(&str, jit_core::SourceReading)> {
    let text = node.as_str()?;
    Some((text, jit_core::SourcePrefix::read(text)))
}

/// How a source is written, for messages: the canonical form when it means what it says, the
/// text as written otherwise.
pub fn source_text(text: &str, reading: &jit_core::SourceReading) -> String {
    match reading {
        jit_core::SourceReading::Exact(prefix) => prefix.to_string(),
        _ => text.to_owned(),
    }
}

/// `` ; `0.0.0.0` is ambiguous: ...`` to end a message about an oddly written source, or nothing.
pub fn source_note(text: &str, reading: &jit_core::SourceReading) -> String {
    reading
        .note()
        .map_or_else(String::new, |note| format!("; `{text}` is {note}"))
}

/// What is statically known about whether an NSG rule can let traffic in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    /// Known to be so.
    Yes,
    /// Known not to be so.
    No,
    /// Depends on a value that is not known.
    Unknown,
}

impl<'a> NsgRule<'a> {
    /// Whether the rule is an inbound Allow rule for a protocol that has ports.
    pub fn admits_inbound(&self) -> Tri {
        let is = |node: Option<&Node>, expected: &[&str]| match node {
            None => Tri::No,
            Some(node) => match node.as_str() {
                Some(text) => {
                    if expected.iter().any(|e| text.eq_ignore_ascii_case(e)) {
                        Tri::Yes
                    } else {
                        Tri::No
                    }
                }
                None => Tri::Unknown,
            },
        };
        let protocol = match self.protocol {
            None => Tri::Yes,
            Some(_) => is(self.protocol, &["Tcp", "Udp", "*", "Any"]),
        };
        let all = [
            is(self.direction, &["Inbound"]),
            is(self.access, &["Allow"]),
            protocol,
        ];
        if all.contains(&Tri::No) {
            Tri::No
        } else if all.contains(&Tri::Unknown) {
            Tri::Unknown
        } else {
            Tri::Yes
        }
    }

    /// The known destination port range values, with their nodes; unknown ones are returned
    /// separately.
    pub fn port_range_nodes(&self) -> (Vec<&'a Node>, Vec<&'a Node>) {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for node in self
            .port_range
            .into_iter()
            .chain(self.port_ranges.into_iter().flat_map(items))
        {
            if node.as_str().is_some() || node.as_i64().is_some() {
                known.push(node);
            } else {
                unknown.push(node);
            }
        }
        (known, unknown)
    }

    /// Each known destination port value, read as its author meant it (a comma-separated list
    /// as its parts; see [`jit_core::PortRange::read`]).
    fn port_values(&self) -> Vec<PortValue<'a>> {
        let single = self.port_range.into_iter().map(|node| (node, None));
        let listed = self
            .port_ranges
            .into_iter()
            .flat_map(|list| match list.as_array() {
                Some(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n, Some(i)))
                    .collect(),
                None => vec![(list, None)],
            });
        single
            .chain(listed)
            .filter_map(|(node, index)| {
                let text = port_range_text(node)?;
                Some(PortValue {
                    node,
                    reading: jit_core::PortRange::read(&text),
                    text,
                    index,
                })
            })
            .collect()
    }

    /// The source prefix values, known and unknown, as for ports.
    pub fn source_nodes(&self) -> (Vec<&'a Node>, Vec<&'a Node>) {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        let sources = self
            .source_prefix
            .into_iter()
            .chain(self.source_prefixes.into_iter().flat_map(items));
        for node in sources {
            if node.as_str().is_some() {
                known.push(node);
            } else {
                unknown.push(node);
            }
        }
        (known, unknown)
    }

    /// "rule `SSH`" or "this rule" for messages.
    pub fn describe(&self) -> String {
        self.name
            .and_then(Node::as_str)
            .map_or_else(|| "this rule".to_owned(), |n| format!("rule `{n}`"))
    }
}

/// A list's items, or the node itself when it is not a known list (so that an unknown list is
/// still seen, as one unknown value).
pub fn items(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![node],
    }
}

/// The text of a known port range node (`"22"`, `22`, `"20-30"`, `"*"`).
pub fn port_range_text(node: &Node) -> Option<String> {
    node.as_str()
        .map(str::to_owned)
        .or_else(|| node.as_i64().map(|n| n.to_string()))
}
