//! Schemas: the attributes and nested blocks of a provider, resource, data source or ephemeral
//! resource, declared once with validators, plan modifiers and defaults attached.
//!
//! ```
//! use tfplugin::framework::schema::{Attribute, Block, NestedBlock, Schema};
//! use tfplugin::framework::plan_modifier::requires_replace;
//!
//! let schema = Schema::new(0, Block::new("A thing.")
//!     .attribute("location", Attribute::string("Region.").required().plan(requires_replace()))
//!     .block("port", NestedBlock::list(Block::new("A port.")
//!         .attribute("number", Attribute::number("Port number.").required()))));
//! assert_eq!(schema.block.value_type().to_json().to_string(),
//!     r#"["object",{"location":"string","port":["list",["object",{"number":"number"}]]}]"#);
//! ```

use std::sync::Arc;

use super::plan_modifier::PlanModifier;
use super::validator::Validator;
use crate::cty::{Type, Value};

/// A versioned schema. The version drives `UpgradeResourceState`.
#[derive(Clone)]
pub struct Schema {
    /// Bumped whenever stored state needs upgrading.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

impl Schema {
    /// A schema at `version` with `block` at the top.
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }
}

/// A block: attributes and nested blocks.
#[derive(Clone, Default)]
pub struct Block {
    /// Attributes in declaration order.
    pub attributes: Vec<(String, Attribute)>,
    /// Nested block types in declaration order.
    pub blocks: Vec<(String, NestedBlock)>,
    /// Markdown description.
    pub description: String,
    /// Shown as deprecated by Terraform.
    pub deprecated: bool,
}

impl Block {
    /// An empty block with a Markdown description.
    pub fn new(description: impl Into<String>) -> Self {
        Block {
            description: description.into(),
            ..Block::default()
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, name: &str, attribute: Attribute) -> Self {
        self.attributes.push((name.to_owned(), attribute));
        self
    }

    /// Adds a nested block type.
    pub fn block(mut self, name: &str, block: NestedBlock) -> Self {
        self.blocks.push((name.to_owned(), block));
        self
    }

    /// The attribute called `name`.
    pub fn get_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a)
    }

    /// The nested block type called `name`.
    pub fn get_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }

    /// The cty type of one instance of this block: an object of its attributes and blocks.
    pub fn value_type(&self) -> Type {
        let attributes = self
            .attributes
            .iter()
            .map(|(name, attribute)| (name.clone(), attribute.ty.clone()));
        let blocks = self
            .blocks
            .iter()
            .map(|(name, nested)| (name.clone(), nested.value_type()));
        Type::object(attributes.chain(blocks))
    }
}

/// How many instances of a nested block there are and how they are addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one instance; null when absent.
    Single,
    /// Zero or more, ordered.
    List,
    /// Zero or more, unordered and unique.
    Set,
    /// Zero or more, keyed by a label.
    Map,
    /// Exactly one instance, never null.
    Group,
}

/// A nested block type.
#[derive(Clone)]
pub struct NestedBlock {
    /// The block's contents.
    pub block: Block,
    /// How instances nest.
    pub nesting: Nesting,
    /// Fewest instances (lists and sets); Terraform checks it.
    pub min_items: i64,
    /// Most instances (lists and sets); 0 means no limit.
    pub max_items: i64,
}

impl NestedBlock {
    /// A list of blocks.
    pub fn list(block: Block) -> Self {
        NestedBlock {
            block,
            nesting: Nesting::List,
            min_items: 0,
            max_items: 0,
        }
    }

    /// A set of blocks.
    pub fn set(block: Block) -> Self {
        NestedBlock {
            block,
            nesting: Nesting::Set,
            min_items: 0,
            max_items: 0,
        }
    }

    /// At most one block.
    pub fn single(block: Block) -> Self {
        NestedBlock {
            block,
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
        }
    }

    /// At least `min` instances.
    pub fn min_items(mut self, min: i64) -> Self {
        self.min_items = min;
        self
    }

    /// At most `max` instances.
    pub fn max_items(mut self, max: i64) -> Self {
        self.max_items = max;
        self
    }

    /// The cty type of this block's value.
    pub fn value_type(&self) -> Type {
        let object = self.block.value_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::list(object),
            Nesting::Set => Type::set(object),
            Nesting::Map => Type::map(object),
        }
    }
}

/// An attribute: its type, who sets it, and what checks and shapes its value.
#[derive(Clone)]
pub struct Attribute {
    /// The cty type.
    pub ty: Type,
    /// Markdown description.
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (alone: read-only; with `optional`: defaulted).
    pub computed: bool,
    /// Hidden in Terraform's output.
    pub sensitive: bool,
    /// Never stored in plan or state (Terraform 1.11+).
    pub write_only: bool,
    /// Shown as deprecated by Terraform.
    pub deprecated: bool,
    /// The value planned when configuration leaves the attribute null.
    pub default: Option<Value>,
    /// Checks on known values.
    pub validators: Vec<Arc<dyn Validator>>,
    /// Changes to the planned value.
    pub plan_modifiers: Vec<Arc<dyn PlanModifier>>,
}

impl Attribute {
    /// An attribute of type `ty`; say who sets it with [`required`](Self::required),
    /// [`optional`](Self::optional) or [`computed`](Self::computed).
    pub fn new(ty: Type, description: impl Into<String>) -> Self {
        Attribute {
            ty,
            description: description.into(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            default: None,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
        }
    }

    /// A string attribute.
    pub fn string(description: impl Into<String>) -> Self {
        Self::new(Type::String, description)
    }

    /// A number attribute.
    pub fn number(description: impl Into<String>) -> Self {
        Self::new(Type::Number, description)
    }

    /// A bool attribute.
    pub fn bool(description: impl Into<String>) -> Self {
        Self::new(Type::Bool, description)
    }

    /// A list-of-strings attribute.
    pub fn string_list(description: impl Into<String>) -> Self {
        Self::new(Type::list(Type::String), description)
    }

    /// A map-of-strings attribute (tags, triggers).
    pub fn string_map(description: impl Into<String>) -> Self {
        Self::new(Type::map(Type::String), description)
    }

    /// Must be set in configuration.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// May be set in configuration.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Set by the provider.
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Hidden in plans and output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Accepted in configuration, never stored in plan or state.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// Planned as `value` when configuration leaves it null.
    ///
    /// Also makes the attribute optional and computed: Terraform only accepts a planned value
    /// that differs from configuration (null) for a computed attribute.
    pub fn default_value(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self.optional = true;
        self.computed = true;
        self
    }

    /// Adds a validator.
    pub fn validate(mut self, validator: Arc<dyn Validator>) -> Self {
        self.validators.push(validator);
        self
    }

    /// Adds a plan modifier.
    pub fn plan(mut self, modifier: Arc<dyn PlanModifier>) -> Self {
        self.plan_modifiers.push(modifier);
        self
    }

    /// True if any plan modifier replaces the resource when the value changes.
    pub fn requires_replace(&self) -> bool {
        self.plan_modifiers
            .iter()
            .any(|modifier| modifier.requires_replace())
    }
}

/// Checks the rules Terraform enforces on schemas, so that a mistake shows in a unit test
/// rather than as "provider produced an invalid schema" at run time.
pub fn check_block(block: &Block, path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let valid_name = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    for (name, attribute) in &block.attributes {
        let at = format!("{path}.{name}");
        if !valid_name(name) {
            problems.push(format!(
                "{at}: names must be lowercase letters, digits and underscores"
            ));
        }
        if !(attribute.required || attribute.optional || attribute.computed) {
            problems.push(format!("{at}: must be required, optional or computed"));
        }
        if attribute.required && (attribute.optional || attribute.computed) {
            problems.push(format!(
                "{at}: required cannot be combined with optional or computed"
            ));
        }
        if attribute.default.is_some() && !attribute.computed {
            problems.push(format!("{at}: a default needs computed"));
        }
        if attribute.write_only && attribute.computed {
            problems.push(format!("{at}: write-only attributes cannot be computed"));
        }
    }
    for (name, nested) in &block.blocks {
        let at = format!("{path}.{name}");
        if !valid_name(name) {
            problems.push(format!(
                "{at}: names must be lowercase letters, digits and underscores"
            ));
        }
        if block.get_attribute(name).is_some() {
            problems.push(format!("{at}: a block and an attribute share the name"));
        }
        problems.extend(check_block(&nested.block, &at));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_makes_optional_computed() {
        let attribute = Attribute::string("d").default_value("default");
        assert!(attribute.optional && attribute.computed && !attribute.required);
        assert_eq!(attribute.default, Some(Value::from("default")));
    }

    #[test]
    fn schema_checks_catch_terraform_rules() {
        let block = Block::new("")
            .attribute("ok", Attribute::string("").required())
            .attribute("Bad", Attribute::string("").optional())
            .attribute("nobody", Attribute::string(""))
            .attribute("both", Attribute::string("").required().computed())
            .block(
                "port",
                NestedBlock::list(Block::new("").attribute("n", Attribute::number(""))),
            );
        let problems = check_block(&block, "");
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems.iter().any(|p| p.starts_with(".port.n:")));
    }

    #[test]
    fn nesting_modes_give_collection_types() {
        let inner = Block::new("").attribute("a", Attribute::string("").optional());
        assert_eq!(
            NestedBlock::single(inner.clone()).value_type(),
            inner.value_type()
        );
        assert_eq!(
            NestedBlock::set(inner.clone()).value_type(),
            Type::set(inner.value_type())
        );
        assert_eq!(
            NestedBlock::list(inner.clone()).value_type(),
            Type::list(inner.value_type())
        );
    }
}
