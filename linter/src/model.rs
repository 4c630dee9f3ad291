//! The small internal model that rules read: resources, blocks and attribute values with spans.
//!
//! Both loaders (HCL and JSON) produce this model, so no rule knows which syntax a file used.
//! A value is either known (a literal, possibly after evaluating `jsonencode` or a variable
//! default) or [`Unknown`] with the reason; rules never guess at unknown values.

use crate::source::{SourceFile, Span};

/// One parsed file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file, kept for positions and snippets.
    pub file: SourceFile,
    /// `resource` blocks, in source order.
    pub resources: Vec<Resource>,
    /// `variable` blocks with their defaults (when given), used to resolve `var.x`.
    pub variables: Vec<(String, Option<Node>)>,
    /// Every block's extent (header line to closing line), for block-wide suppressions.
    pub block_extents: Vec<BlockExtent>,
}

/// Where a block starts and ends, and whether it is a resource or module block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockExtent {
    /// The block, from its identifier to its closing brace.
    pub span: Span,
}

/// One `resource "type" "name"` block.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The resource type, e.g. `jit_policy`.
    pub kind: String,
    /// The resource name.
    pub name: String,
    /// The header (`resource "type" "name"`), where resource-wide findings point.
    pub header: Span,
    /// The whole block.
    pub span: Span,
    /// The attributes and nested blocks.
    pub body: Body,
}

impl Resource {
    /// `type.name`, the address Terraform uses.
    pub fn address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }

    /// The instance keys of a resource with `count` or `for_each`, when statically known.
    ///
    /// Returns `None` for a single-instance resource or when the keys are not known (then the
    /// findings name the resource without a key rather than guessing).
    pub fn instance_keys(&self) -> Option<Vec<String>> {
        /// A literal `count` this large is almost certainly a mistake; do not multiply findings.
        const MAX_INSTANCES: i64 = 64;
        if let Some(count) = self.body.attribute("count") {
            let n = count.as_i64()?;
            if !(0..=MAX_INSTANCES).contains(&n) {
                return None;
            }
            return Some((0..n).map(|i| format!("[{i}]")).collect());
        }
        let for_each = self.body.attribute("for_each")?;
        match &for_each.value {
            Value::Object(entries) => Some(
                entries
                    .iter()
                    .map(|(key, _)| format!("[{}]", quote(key)))
                    .collect(),
            ),
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(|s| format!("[{}]", quote(s))))
                .collect(),
            _ => None,
        }
    }
}

fn quote(key: &str) -> String {
    serde_json::Value::String(key.to_owned()).to_string()
}

/// A block body: attributes and nested blocks.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// Attributes, in source order.
    pub attributes: Vec<Attribute>,
    /// Nested blocks, in source order.
    pub blocks: Vec<Block>,
}

impl Body {
    /// The value of attribute `name`, if set.
    pub fn attribute(&self, name: &str) -> Option<&Node> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| &a.value)
    }

    /// Nested blocks called `ident`.
    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }

    /// `dynamic "ident"` blocks, whose contents cannot be known statically.
    pub fn dynamic_blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks
            .iter()
            .filter(move |b| b.ident == "dynamic" && b.labels.first().is_some_and(|l| l == ident))
    }
}

/// One `name = value` attribute.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// The attribute name.
    pub name: String,
    /// The value and its span.
    pub value: Node,
}

/// One nested block.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block type, e.g. `port`.
    pub ident: String,
    /// Labels, e.g. `["port"]` for `dynamic "port"`.
    pub labels: Vec<String>,
    /// The header (identifier and labels).
    pub header: Span,
    /// The whole block.
    pub span: Span,
    /// The contents.
    pub body: Body,
}

/// A value with the span of the expression it came from.
#[derive(Debug, Clone)]
pub struct Node {
    /// What is known of the value.
    pub value: Value,
    /// The expression in the source.
    pub span: Span,
}

/// A statically evaluated value.
#[derive(Debug, Clone)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(Number),
    /// A string.
    String(String),
    /// A tuple or list.
    Array(Vec<Node>),
    /// An object, with keys in source order.
    Object(Vec<(String, Node)>),
    /// A value that cannot be known before plan.
    Unknown(Unknown),
}

/// A number as written, with its integer value when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// The text of the number.
    pub raw: String,
    /// The value when it is an integer that fits `i64`.
    pub integer: Option<i64>,
}

/// Why a value is not statically known.
#[derive(Debug, Clone, PartialEq)]
pub enum Unknown {
    /// `var.name` whose default is not known (yet: the loader leaves these for the resolver).
    Variable(String),
    /// A reference to another object, e.g. `azurerm_resource_group.rg.id` or `local.x`.
    Reference(String),
    /// A string template with interpolations; the literal parts are kept for prefix checks.
    Template(Vec<TemplatePart>),
    /// Any other expression (function call, conditional, for expression, operator).
    Expression(String),
}

/// One part of a string template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text.
    Literal(String),
    /// An interpolation, described by its source text (e.g. `var.location`).
    Interpolation(Unknown),
}

impl Unknown {
    /// A short description for messages, e.g. "`var.cidr` has no default".
    pub fn describe(&self) -> String {
        match self {
            Unknown::Variable(name) => format!("`var.{name}` has no statically known default"),
            Unknown::Reference(text) => format!("it refers to `{text}`"),
            Unknown::Template(parts) => {
                let first = parts.iter().find_map(|p| match p {
                    TemplatePart::Interpolation(u) => Some(u.describe()),
                    TemplatePart::Literal(_) => None,
                });
                first.map_or_else(
                    || "it is a template".to_owned(),
                    |d| format!("its template: {d}"),
                )
            }
            Unknown::Expression(kind) => format!("it is {kind}"),
        }
    }
}

impl Node {
    /// A known string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A known integer.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(n) => n.integer,
            _ => None,
        }
    }

    /// Why the value is unknown, if it is.
    pub fn unknown(&self) -> Option<&Unknown> {
        match &self.value {
            Value::Unknown(u) => Some(u),
            _ => None,
        }
    }

    /// The entries of a known object.
    pub fn as_object(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            Value::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a known array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The value of key `name` in a known object.
    pub fn get(&self, name: &str) -> Option<&Node> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// A short rendering of a known scalar for messages.
    pub fn display(&self) -> String {
        match &self.value {
            Value::Null => "null".to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.raw.clone(),
            Value::String(s) => format!("\"{s}\""),
            Value::Array(_) => "a list".to_owned(),
            Value::Object(_) => "an object".to_owned(),
            Value::Unknown(_) => "an unknown value".to_owned(),
        }
    }

    /// Replaces `var.x` references that `lookup` can resolve, recursively.
    ///
    /// Templates whose every part becomes known are folded into plain strings.
    pub fn resolve(&mut self, lookup: &dyn Fn(&str) -> Option<Value>) {
        match &mut self.value {
            Value::Array(items) => items.iter_mut().for_each(|i| i.resolve(lookup)),
            Value::Object(entries) => entries.iter_mut().for_each(|(_, v)| v.resolve(lookup)),
            Value::Unknown(Unknown::Variable(name)) => {
                if let Some(value) = lookup(name) {
                    self.value = value;
                }
            }
            Value::Unknown(Unknown::Template(parts)) => {
                let mut folded = String::new();
                let mut all_known = true;
                for part in parts.iter_mut() {
                    match part {
                        TemplatePart::Literal(text) => folded.push_str(text),
                        TemplatePart::Interpolation(Unknown::Variable(name)) => {
                            match lookup(name) {
                                Some(Value::String(s)) => {
                                    folded.push_str(&s);
                                    *part = TemplatePart::Literal(s);
                                }
                                Some(Value::Number(n)) => {
                                    folded.push_str(&n.raw);
                                    *part = TemplatePart::Literal(n.raw);
                                }
                                _ => all_known = false,
                            }
                        }
                        TemplatePart::Interpolation(_) => all_known = false,
                    }
                }
                if all_known {
                    self.value = Value::String(folded);
                }
            }
            _ => {}
        }
    }
}

impl Body {
    /// Resolves variables in every attribute and nested block.
    pub fn resolve(&mut self, lookup: &dyn Fn(&str) -> Option<Value>) {
        for attribute in &mut self.attributes {
            attribute.value.resolve(lookup);
        }
        for block in &mut self.blocks {
            block.body.resolve(lookup);
        }
    }
}
