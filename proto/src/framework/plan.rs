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
use super::schema::{Block, Nesting};
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
    let prior_object = (!prior.is_null()).then_some(prior);

    apply_defaults(block, &mut planned, config);
    let changed = prior_object.is_none_or(|prior| *prior != planned);
    if changed {
        mark_computed_unknown(block, &mut planned, config, prior_object);
    }
    let mut requires_replace = Vec::new();
    run_modifiers(
        block,
        &mut planned,
        config,
        prior_object,
        &Path::root(),
        &mut requires_replace,
        prior_object.is_some(),
    );
    Plan {
        planned,
        requires_replace,
    }
}

/// Calls `visit` for every instance of every nested block of `block` found in `planned`,
/// with the matching configuration and prior instances (by list index, map key, or the
/// single instance; sets are matched by position, which is only a best effort).
fn for_each_nested(
    block: &Block,
    planned: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    mut visit: impl FnMut(&Block, &mut Value, &Value, Option<&Value>, PathStepKind),
) {
    for (name, nested) in &block.blocks {
        let config_value = config.get_attr(name).unwrap_or(&Value::Null);
        let prior_value = prior.and_then(|prior| prior.get_attr(name));
        let Some(planned_value) = planned.get_attr_mut(name) else {
            continue;
        };
        match (nested.nesting, planned_value) {
            (Nesting::Single | Nesting::Group, instance @ Value::Object(_)) => {
                visit(
                    &nested.block,
                    instance,
                    config_value,
                    prior_value.filter(|v| !v.is_null()),
                    PathStepKind::Attr(name),
                );
            }
            (Nesting::List | Nesting::Set, Value::List(instances) | Value::Set(instances)) => {
                for (index, instance) in instances.iter_mut().enumerate() {
                    let config_instance = config_value
                        .as_list()
                        .and_then(|list| list.get(index))
                        .unwrap_or(&Value::Null);
                    let prior_instance = prior_value
                        .and_then(|v| v.as_list())
                        .and_then(|list| list.get(index));
                    visit(
                        &nested.block,
                        instance,
                        config_instance,
                        prior_instance,
                        PathStepKind::Index(name, index),
                    );
                }
            }
            (Nesting::Map, Value::Map(instances)) => {
                for (key, instance) in instances.iter_mut() {
                    let config_instance = config_value.get_attr(key).unwrap_or(&Value::Null);
                    let prior_instance = prior_value.and_then(|v| v.get_attr(key));
                    visit(
                        &nested.block,
                        instance,
                        config_instance,
                        prior_instance,
                        PathStepKind::Key(name, key),
                    );
                }
            }
            _ => {}
        }
    }
}

enum PathStepKind<'a> {
    Attr(&'a str),
    Index(&'a str, usize),
    Key(&'a str, &'a str),
}

impl PathStepKind<'_> {
    fn extend(&self, path: &Path) -> Path {
        match self {
            PathStepKind::Attr(name) => path.attr(name),
            PathStepKind::Index(name, index) => path.attr(name).index(*index),
            PathStepKind::Key(name, key) => path.attr(name).key(key),
        }
    }
}

fn apply_defaults(block: &Block, planned: &mut Value, config: &Value) {
    for (name, attribute) in &block.attributes {
        let config_value = config.get_attr(name).unwrap_or(&Value::Null);
        let Some(planned_value) = planned.get_attr_mut(name) else {
            continue;
        };
        if attribute.write_only {
            *planned_value = Value::Null;
        } else if let Some(default) = &attribute.default
            && config_value.is_null()
        {
            *planned_value = default.clone();
        }
    }
    for_each_nested(
        block,
        planned,
        config,
        None,
        |block, instance, config, _, _| apply_defaults(block, instance, config),
    );
}

fn mark_computed_unknown(
    block: &Block,
    planned: &mut Value,
    config: &Value,
    prior: Option<&Value>,
) {
    for (name, attribute) in &block.attributes {
        let config_value = config.get_attr(name).unwrap_or(&Value::Null);
        let Some(planned_value) = planned.get_attr_mut(name) else {
            continue;
        };
        if attribute.computed && attribute.default.is_none() && config_value.is_null() {
            *planned_value = Value::Unknown;
        }
    }
    for_each_nested(
        block,
        planned,
        config,
        prior,
        |block, instance, config, prior, _| mark_computed_unknown(block, instance, config, prior),
    );
}

fn run_modifiers(
    block: &Block,
    planned: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    path: &Path,
    requires_replace: &mut Vec<Path>,
    resource_exists: bool,
) {
    for (name, attribute) in &block.attributes {
        let config_value = config.get_attr(name).unwrap_or(&Value::Null);
        let prior_value = prior.map(|prior| prior.get_attr(name).unwrap_or(&Value::Null));
        let Some(planned_value) = planned.get_attr_mut(name) else {
            continue;
        };
        let request = super::plan_modifier::PlanModifierRequest {
            config: config_value,
            prior: prior_value,
        };
        for modifier in &attribute.plan_modifiers {
            modifier.modify(&request, planned_value);
        }
        // A new nested instance of an existing resource is a change of the block, which is
        // where replacement is decided; only compare attributes that existed before.
        if resource_exists
            && attribute.requires_replace()
            && let Some(prior_value) = prior_value
            && prior_value != planned_value
        {
            requires_replace.push(path.attr(name));
        }
    }
    for_each_nested(
        block,
        planned,
        config,
        prior,
        |nested_block, instance, config, prior, step| {
            let instance_path = step.extend(path);
            if resource_exists && prior.is_none() {
                // A nested instance that did not exist: its block's replace rule applies.
                if nested_block
                    .attributes
                    .iter()
                    .any(|(_, a)| a.requires_replace())
                {
                    requires_replace.push(instance_path.clone());
                }
            }
            run_modifiers(
                nested_block,
                instance,
                config,
                prior,
                &instance_path,
                requires_replace,
                resource_exists,
            );
        },
    );
    // Instances removed from a block whose attributes force replacement also replace.
    if resource_exists && let Some(prior) = prior {
        for (name, nested) in &block.blocks {
            let forces = nested
                .block
                .attributes
                .iter()
                .any(|(_, a)| a.requires_replace());
            let prior_len = prior
                .get_attr(name)
                .and_then(|v| v.as_list())
                .map_or(0, <[Value]>::len);
            let planned_len = planned
                .get_attr(name)
                .and_then(|v| v.as_list())
                .map_or(0, <[Value]>::len);
            if forces && planned_len < prior_len {
                requires_replace.push(path.attr(name));
            }
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
