//! The small internal model that rules read: resources, blocks and attribute values with spans.
//!
//! Both loaders (HCL and JSON) produce this model, so no rule knows which syntax a file used.
//! A value is known, [`Unknown`] with the reason, or (between loading and [`crate::eval`]) a
//! deferred expression; rules see only the first two, and never guess at unknown values.

use crate::source::{SourceFile, Span};

/// One parsed file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file, kept for positions and snippets.
    pub file: SourceFile,
    /// `resource` blocks, in source order.
    pub resources: Vec<Resource>,
    /// `variable` blocks with their defaults (when given), used to resolve `var.x`.
    pub variables: Vec<Variable>,
    /// `locals` entries, evaluated in dependency order.
    pub locals: Vec<Local>,
    /// `module` blocks, followed when their source is a local directory.
    pub modules: Vec<ModuleCall>,
    /// `output` blocks' values, which a calling module reads as `module.<name>.<output>`.
    pub outputs: Vec<Local>,
    /// Every block's extent (header line to closing line), for block-wide suppressions.
    pub block_extents: Vec<BlockExtent>,
    /// Whether the file was reached through a `module` block rather than linted on its own:
    /// its unused suppressions are then not reported, since they may serve its own run.
    pub from_module_call: bool,
}

impl Document {
    /// An empty document for `file`: what a file without blocks, or a tfvars file, is.
    pub fn empty(file: SourceFile) -> Document {
        Document {
            file,
            resources: Vec::new(),
            variables: Vec::new(),
            locals: Vec::new(),
            modules: Vec::new(),
            outputs: Vec::new(),
            block_extents: Vec::new(),
            from_module_call: false,
        }
    }
}

/// One `variable "name"` block.
#[derive(Debug, Clone)]
pub struct Variable {
    /// The variable name.
    pub name: String,
    /// `default`, when given.
    pub default: Option<Node>,
    /// The block header, where findings about the variable point.
    pub header: Span,
}

/// One entry of a `locals` block.
#[derive(Debug, Clone)]
pub struct Local {
    /// The local name.
    pub name: String,
    /// The value, unevaluated.
    pub value: Node,
    /// The name, where findings about the local point.
    pub span: Span,
}

/// One `module "name"` block.
#[derive(Debug, Clone)]
pub struct ModuleCall {
    /// The module name.
    pub name: String,
    /// The block header.
    pub header: Span,
    /// Every attribute: `source`, `count`, `for_each` and the module's inputs.
    pub body: Body,
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
    /// The index of the module's document that declares it (set when the module is assembled).
    pub file: usize,
    /// The module path before the address, `module.web.` (empty in the root module).
    pub module: String,
    /// The instance key, `[0]` or `["prod"]`, once `count` or `for_each` is expanded.
    pub instance: Option<String>,
}

impl Resource {
    /// A resource as loaded: in the root module, not yet expanded.
    pub fn new(kind: String, name: String, header: Span, span: Span, body: Body) -> Resource {
        Resource {
            kind,
            name,
            header,
            span,
            body,
            file: 0,
            module: String::new(),
            instance: None,
        }
    }

    /// The address Terraform uses: `module.web.jit_policy.main["prod"]`.
    pub fn address(&self) -> String {
        format!(
            "{}{}.{}{}",
            self.module,
            self.kind,
            self.name,
            self.instance.as_deref().unwrap_or_default()
        )
    }

    /// `type.name`, the address other resources use to refer to it within its module.
    pub fn reference(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }
}

/// A key as Terraform writes it in an address: `"prod"`.
pub fn quote(key: &str) -> String {
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

    /// Turns attribute `name`, when it is a known list of objects, into blocks called `name`,
    /// one per object (each object's span is its header and extent).
    ///
    /// Terraform accepts `security_rule = [{ ... }]` (attributes-as-blocks) as well as
    /// `security_rule { ... }`; rules read blocks only, so both forms must end up as blocks.
    /// An item that is not a known object stays in the attribute, for the unknown-value note.
    pub fn attribute_as_blocks(&mut self, name: &str) {
        let Some(position) = self.attributes.iter().position(|a| a.name == name) else {
            return;
        };
        let Value::Array(items) = &self.attributes[position].value.value else {
            return;
        };
        if !items.iter().all(|item| item.as_object().is_some()) {
            return;
        }
        let attribute = self.attributes.remove(position);
        let Value::Array(items) = attribute.value.value else {
            return;
        };
        for item in items {
            let Value::Object(entries) = item.value else {
                continue;
            };
            let body = Body {
                attributes: entries
                    .into_iter()
                    .map(|(name, value)| Attribute { name, value })
                    .collect(),
                blocks: Vec::new(),
            };
            self.blocks.push(Block {
                ident: name.to_owned(),
                labels: Vec::new(),
                header: item.span,
                span: item.span,
                body,
            });
        }
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
    /// An expression not evaluated yet: the loader leaves these for [`crate::eval`], which
    /// replaces every one with a known value or an [`Unknown`] before any rule runs.
    Deferred(Box<hcl::Expression>),
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
    /// A local that depends on itself, through the locals named (first to last).
    Cycle(Vec<String>),
}

/// One part of a string template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text.
    Literal(String),
    /// An interpolation, described by its source text (e.g. `var.location`).
    Interpolation(Unknown),
    /// An interpolation not evaluated yet (see [`Value::Deferred`]).
    Deferred(Box<hcl::Expression>),
}

impl Unknown {
    /// A short description for messages, e.g. "`var.cidr` has no default".
    pub fn describe(&self) -> String {
        match self {
            Unknown::Variable(name) => format!(
                "`var.{name}` has no statically known value (no default, `-var` or tfvars value)"
            ),
            Unknown::Reference(text) => format!("it refers to `{text}`"),
            Unknown::Template(parts) => {
                let first = parts.iter().find_map(|p| match p {
                    TemplatePart::Interpolation(u) => Some(u.describe()),
                    TemplatePart::Literal(_) | TemplatePart::Deferred(_) => None,
                });
                first.map_or_else(
                    || "it is a template".to_owned(),
                    |d| format!("its template: {d}"),
                )
            }
            Unknown::Expression(kind) => format!("it is {kind}"),
            Unknown::Cycle(names) => {
                let chain: Vec<String> = names.iter().map(|n| format!("`local.{n}`")).collect();
                format!("it depends on itself: {}", chain.join(" → "))
            }
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
            Value::Unknown(_) | Value::Deferred(_) => "an unknown value".to_owned(),
        }
    }
}
