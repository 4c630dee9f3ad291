//! The generic part of `PlanResourceChange`: from Terraform's proposed new state to a plan.
//!
//! Terraform proposes the new state as configuration merged with prior state for computed
//! attributes. The framework then, in this order (as Terraform's plugin framework does):
//! 1. plans defaults for attributes left null in configuration, and null for write-only ones;
//! 2. if anything changed (or the resource is being created), marks computed attributes that
//!    configuration leaves null as unknown, since the provider may recompute them;
//! 3. runs attribute plan modifiers (e.g. keep an id from state) and collects the paths whose
//!    change requires replacement.
//!
//! The resource's own `modify_plan` runs after this.

use super::path::Path;
use super::plan_modifier::PlanModifierRequest;
use super::schema::Block;
use super::walk::{AttributeSite, BlockSite, InstanceSite, Visitor, walk};
use crate::cty::Value;

/// What the generic planner produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The planned new state.
    pub planned: Value,
    /// Attributes whose change replaces the resource.
    pub requires_replace: Vec<Path>,
}

/// Plans a change of one resource instance. `prior` is null when creating; `proposed` is null
/// when destroying (then the plan is null too).
pub fn plan(block: &Block, prior: &Value, proposed: &Value, config: &Value) -> Plan {
    if proposed.is_null() {
        return Plan {
            planned: Value::Null,
            requires_replace: Vec::new(),
        };
    }
    let mut planned = proposed.clone();
    let prior = (!prior.is_null()).then_some(prior);

    walk(block, &mut planned, config, None, &mut Defaults);
    if prior.is_none_or(|prior| *prior != planned) {
        walk(block, &mut planned, config, prior, &mut ComputedUnknown);
    }
    let mut modifiers = Modifiers {
        resource_exists: prior.is_some(),
        requires_replace: Vec::new(),
    };
    walk(block, &mut planned, config, prior, &mut modifiers);
    Plan {
        planned,
        requires_replace: modifiers.requires_replace,
    }
}

/// Step 1: defaults for attributes configuration leaves null; null for write-only ones.
struct Defaults;

impl Visitor for Defaults {
    fn attribute(&mut self, site: &AttributeSite<'_>, value: &mut Value) {
        if site.attribute.write_only {
            *value = Value::Null;
        } else if let Some(default) = &site.attribute.default
            && site.config.is_null()
        {
            *value = default.clone();
        }
    }
}

/// Step 2, when anything changes: computed attributes that configuration leaves null (and
/// that have no default) may be recomputed, so they are known only after apply.
struct ComputedUnknown;

impl Visitor for ComputedUnknown {
    fn attribute(&mut self, site: &AttributeSite<'_>, value: &mut Value) {
        let attribute = site.attribute;
        if attribute.computed && attribute.default.is_none() && site.config.is_null() {
            *value = Value::Unknown;
        }
    }
}

/// Step 3: attribute plan modifiers, and the paths whose change replaces the resource.
struct Modifiers {
    resource_exists: bool,
    requires_replace: Vec<Path>,
}

fn forces_replacement(block: &Block) -> bool {
    block
        .attributes
        .iter()
        .any(|(_, attribute)| attribute.requires_replace())
}

impl Visitor for Modifiers {
    fn attribute(&mut self, site: &AttributeSite<'_>, value: &mut Value) {
        let request = PlanModifierRequest {
            config: site.config,
            prior: site.prior,
        };
        for modifier in &site.attribute.plan_modifiers {
            modifier.modify(&request, value);
        }
        // A new nested instance of an existing resource is a change of the block, which is
        // where replacement is decided; only compare attributes that existed before.
        if self.resource_exists
            && site.attribute.requires_replace()
            && let Some(prior) = site.prior
            && prior != value
        {
            self.requires_replace.push(site.path.clone());
        }
    }

    fn instance(&mut self, site: &InstanceSite<'_>, _value: &mut Value) {
        // A nested instance that did not exist: its block's replace rule applies.
        if self.resource_exists && site.prior.is_none() && forces_replacement(&site.nested.block) {
            self.requires_replace.push(site.path.clone());
        }
    }

    fn block(&mut self, site: &BlockSite<'_>, value: &mut Value) {
        // Instances removed from a block whose attributes force replacement also replace.
        let Some(prior) = site.prior else { return };
        let count = |value: &Value| value.as_list().map_or(0, <[Value]>::len);
        if self.resource_exists
            && forces_replacement(&site.nested.block)
            && count(value) < count(prior)
        {
            self.requires_replace.push(site.path.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan_modifier::{requires_replace, use_state_for_unknown};
    use crate::framework::schema::{Attribute, NestedBlock};

    fn block() -> Block {
        Block::new("")
            .attribute(
                "id",
                Attribute::string("")
                    .computed()
                    .plan(use_state_for_unknown()),
            )
            .attribute("status", Attribute::string("").computed())
            .attribute(
                "name",
                Attribute::string("")
                    .default_value("default")
                    .plan(requires_replace()),
            )
            .attribute("note", Attribute::string("").optional())
            .attribute("secret", Attribute::string("").optional().write_only())
            .block(
                "port",
                NestedBlock::list(
                    Block::new("")
                        .attribute(
                            "number",
                            Attribute::number("").required().plan(requires_replace()),
                        )
                        .attribute("protocol", Attribute::string("").default_value("*"))
                        .attribute("state", Attribute::string("").computed()),
                ),
            )
    }

    fn port(number: i64, protocol: Value, state: Value) -> Value {
        Value::object([
            ("number", Value::from(number)),
            ("protocol", protocol),
            ("state", state),
        ])
    }

    fn object(id: Value, status: Value, name: Value, note: Value, ports: Vec<Value>) -> Value {
        Value::object([
            ("id", id),
            ("status", status),
            ("name", name),
            ("note", note),
            ("secret", Value::Null),
            ("port", Value::List(ports)),
        ])
    }

    #[test]
    fn create_fills_defaults_and_unknowns() {
        let config = object(
            Value::Null,
            Value::Null,
            Value::Null,
            Value::from("n"),
            vec![port(22, Value::Null, Value::Null)],
        );
        let mut proposed = config.clone();
        *proposed.get_attr_mut("secret").unwrap() = Value::from("s3cret");
        let plan = plan(&block(), &Value::Null, &proposed, &config);
        let expected = object(
            Value::Unknown,
            Value::Unknown,
            Value::from("default"),
            Value::from("n"),
            vec![port(22, Value::from("*"), Value::Unknown)],
        );
        assert_eq!(plan.planned, expected);
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn no_change_keeps_state() {
        let prior = object(
            Value::from("id1"),
            Value::from("ok"),
            Value::from("default"),
            Value::Null,
            vec![port(22, Value::from("*"), Value::from("on"))],
        );
        let config = object(
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            vec![port(22, Value::Null, Value::Null)],
        );
        // Terraform proposes prior values for computed attributes that configuration leaves null.
        let proposed = prior.clone();
        let plan = plan(&block(), &prior, &proposed, &config);
        assert_eq!(plan.planned, prior);
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn update_marks_computed_unknown_but_keeps_id() {
        let prior = object(
            Value::from("id1"),
            Value::from("ok"),
            Value::from("default"),
            Value::Null,
            vec![port(22, Value::from("*"), Value::from("on"))],
        );
        let config = object(
            Value::Null,
            Value::Null,
            Value::Null,
            Value::from("changed"),
            vec![port(22, Value::Null, Value::Null)],
        );
        let mut proposed = prior.clone();
        *proposed.get_attr_mut("note").unwrap() = Value::from("changed");
        let plan = plan(&block(), &prior, &proposed, &config);
        assert_eq!(plan.planned.get_attr("id"), Some(&Value::from("id1")));
        assert_eq!(plan.planned.get_attr("status"), Some(&Value::Unknown));
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn replacement_paths() {
        let prior = object(
            Value::from("id1"),
            Value::from("ok"),
            Value::from("default"),
            Value::Null,
            vec![port(22, Value::from("*"), Value::from("on"))],
        );
        let config = object(
            Value::Null,
            Value::Null,
            Value::from("other"),
            Value::Null,
            vec![port(3389, Value::Null, Value::Null)],
        );
        let mut proposed = prior.clone();
        *proposed.get_attr_mut("name").unwrap() = Value::from("other");
        *proposed.get_attr_mut("port").unwrap() =
            Value::List(vec![port(3389, Value::Null, Value::from("on"))]);
        let plan = plan(&block(), &prior, &proposed, &config);
        let paths: Vec<String> = plan
            .requires_replace
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(paths, vec![".name", ".port[0].number"]);
    }

    #[test]
    fn destroy_plans_null() {
        let prior = object(
            Value::from("id1"),
            Value::Null,
            Value::from("default"),
            Value::Null,
            vec![],
        );
        assert_eq!(
            plan(&block(), &prior, &Value::Null, &Value::Null).planned,
            Value::Null
        );
    }
}
