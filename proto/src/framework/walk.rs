//! The one walk over schema-shaped values.
//!
//! Planning, validation and write-only nulling all visit every attribute of every nested block
//! instance of a value, with the matching configuration and prior-state values beside it. This
//! module does that once, for every nesting mode, and calls a [`Visitor`] at each attribute and
//! each nested block; each use is a small visitor (see `plan`, `validator` and `server`).
//!
//! Instances are matched by list index, map key or the single instance. Sets are matched by
//! position, which is only a best effort: cty sets have no order.

use super::path::Path;
use super::schema::{Attribute, Block, NestedBlock, Nesting};
use crate::cty::{PathStep, Value};

/// One attribute of one block instance.
pub struct AttributeSite<'a> {
    /// The attribute's schema.
    pub attribute: &'a Attribute,
    /// The attribute's path from the root.
    pub path: &'a Path,
    /// Its value in configuration (null when not set, or when there is no configuration).
    pub config: &'a Value,
    /// Its value in prior state; `None` when the enclosing instance did not exist before.
    pub prior: Option<&'a Value>,
}

/// One instance of a nested block, before its attributes are visited.
pub struct InstanceSite<'a> {
    /// The nested block's schema.
    pub nested: &'a NestedBlock,
    /// The instance's path from the root.
    pub path: &'a Path,
    /// The instance in prior state; `None` when it did not exist before.
    pub prior: Option<&'a Value>,
}

/// A nested block (all its instances), after its instances were visited.
pub struct BlockSite<'a> {
    /// The nested block's schema.
    pub nested: &'a NestedBlock,
    /// The block's path from the root.
    pub path: &'a Path,
    /// The block's value (list, set, map or object of instances) in prior state; `None` when
    /// the enclosing instance did not exist before.
    pub prior: Option<&'a Value>,
}

/// What a walk does at each place; every method does nothing by default.
pub trait Visitor {
    /// At an attribute; `value` is its value in the walked object, and may be changed.
    fn attribute(&mut self, _site: &AttributeSite<'_>, _value: &mut Value) {}

    /// Before the attributes of a nested block instance.
    fn instance(&mut self, _site: &InstanceSite<'_>, _value: &mut Value) {}

    /// After all instances of a nested block; `value` is the block's value.
    fn block(&mut self, _site: &BlockSite<'_>, _value: &mut Value) {}
}

/// Walks `value`, an object of `block`'s type, with `config` and `prior` (`None` when the
/// object did not exist) beside it. Null and unknown objects have nothing to visit.
pub fn walk(
    block: &Block,
    value: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    visitor: &mut impl Visitor,
) {
    let mut path = Path::root();
    walk_block(block, value, config, prior, &mut path, visitor);
}

fn walk_block(
    block: &Block,
    value: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    path: &mut Path,
    visitor: &mut impl Visitor,
) {
    if !matches!(value, Value::Object(_)) {
        return;
    }
    for (name, attribute) in &block.attributes {
        let Some(attribute_value) = value.get_attr_mut(name) else {
            continue;
        };
        path.0.push(PathStep::Attr(name.clone()));
        let site = AttributeSite {
            attribute,
            path,
            config: config.get_attr(name).unwrap_or(&Value::Null),
            prior: prior.map(|prior| prior.get_attr(name).unwrap_or(&Value::Null)),
        };
        visitor.attribute(&site, attribute_value);
        path.0.pop();
    }
    for (name, nested) in &block.blocks {
        let Some(block_value) = value.get_attr_mut(name) else {
            continue;
        };
        let config_value = config.get_attr(name).unwrap_or(&Value::Null);
        let prior_value = prior.map(|prior| prior.get_attr(name).unwrap_or(&Value::Null));
        path.0.push(PathStep::Attr(name.clone()));
        walk_instances(
            nested,
            block_value,
            config_value,
            prior_value,
            path,
            visitor,
        );
        let site = BlockSite {
            nested,
            path,
            prior: prior_value,
        };
        visitor.block(&site, block_value);
        path.0.pop();
    }
}

fn walk_instances(
    nested: &NestedBlock,
    value: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    path: &mut Path,
    visitor: &mut impl Visitor,
) {
    match (nested.nesting, value) {
        (Nesting::Single | Nesting::Group, instance @ Value::Object(_)) => {
            let prior = prior.filter(|prior| !prior.is_null());
            walk_instance(nested, instance, config, prior, path, visitor);
        }
        (Nesting::List | Nesting::Set, Value::List(instances) | Value::Set(instances)) => {
            for (index, instance) in instances.iter_mut().enumerate() {
                let config = config
                    .as_list()
                    .and_then(|list| list.get(index))
                    .unwrap_or(&Value::Null);
                let prior = prior
                    .and_then(Value::as_list)
                    .and_then(|list| list.get(index));
                path.0.push(PathStep::Index(index as u64));
                walk_instance(nested, instance, config, prior, path, visitor);
                path.0.pop();
            }
        }
        (Nesting::Map, Value::Map(instances)) => {
            for (key, instance) in instances.iter_mut() {
                let config = config.get_attr(key).unwrap_or(&Value::Null);
                let prior = prior.and_then(|prior| prior.get_attr(key));
                path.0.push(PathStep::Key(key.clone()));
                walk_instance(nested, instance, config, prior, path, visitor);
                path.0.pop();
            }
        }
        _ => {}
    }
}

fn walk_instance(
    nested: &NestedBlock,
    instance: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    path: &mut Path,
    visitor: &mut impl Visitor,
) {
    let site = InstanceSite {
        nested,
        path,
        prior,
    };
    visitor.instance(&site, instance);
    walk_block(&nested.block, instance, config, prior, path, visitor);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every place visited, with what it was given.
    #[derive(Default)]
    struct Recorder(Vec<String>);

    fn show(value: Option<&Value>) -> String {
        match value {
            None => "-".into(),
            Some(Value::Null) => "null".into(),
            Some(Value::Unknown) => "?".into(),
            Some(value) => value.as_str().map_or_else(|| "…".into(), str::to_owned),
        }
    }

    impl Visitor for Recorder {
        fn attribute(&mut self, site: &AttributeSite<'_>, value: &mut Value) {
            self.0.push(format!(
                "attr {} = {} config {} prior {}",
                site.path,
                show(Some(value)),
                show(Some(site.config)),
                show(site.prior)
            ));
            // Visitors may change what they visit.
            if site.attribute.computed {
                *value = Value::from("set");
            }
        }

        fn instance(&mut self, site: &InstanceSite<'_>, _value: &mut Value) {
            let prior = if site.prior.is_some() { "old" } else { "new" };
            self.0.push(format!("instance {} {prior}", site.path));
        }

        fn block(&mut self, site: &BlockSite<'_>, _value: &mut Value) {
            self.0.push(format!("block {}", site.path));
        }
    }

    fn leaf() -> Block {
        Block::new("")
            .attribute("name", Attribute::string("").optional())
            .attribute("out", Attribute::string("").computed())
    }

    fn item(name: &str) -> Value {
        Value::object([("name", Value::from(name)), ("out", Value::Null)])
    }

    fn schema(nesting: Nesting) -> Block {
        let nested = NestedBlock {
            block: leaf(),
            nesting,
            min_items: 0,
            max_items: 0,
        };
        Block::new("")
            .attribute("id", Attribute::string("").computed())
            .block("child", nested)
    }

    /// (nesting, the walked value's block, the config's block, the prior's block)
    fn cases() -> Vec<(Nesting, Value, Value, Value)> {
        let list = |names: &[&str]| Value::List(names.iter().map(|n| item(n)).collect());
        let set = |names: &[&str]| Value::Set(names.iter().map(|n| item(n)).collect());
        let map =
            |names: &[&str]| Value::Map(names.iter().map(|n| (n.to_string(), item(n))).collect());
        vec![
            (Nesting::Single, item("a"), item("a"), item("p")),
            (Nesting::Group, item("a"), item("a"), Value::Null),
            (
                Nesting::List,
                list(&["a", "b"]),
                list(&["a", "b"]),
                list(&["p"]),
            ),
            (
                Nesting::Set,
                set(&["a", "b"]),
                set(&["a", "b"]),
                set(&["p"]),
            ),
            (
                Nesting::Map,
                map(&["a", "b"]),
                map(&["a", "b"]),
                map(&["a"]),
            ),
        ]
    }

    fn object(id: Value, child: Value) -> Value {
        Value::object([("id", id), ("child", child)])
    }

    #[test]
    fn every_nesting_mode_visits_paths_with_config_and_prior() {
        let expected: [&[&str]; 5] = [
            &[
                "attr .id = null config null prior old",
                "instance .child old",
                "attr .child.name = a config a prior p",
                "attr .child.out = null config null prior null",
                "block .child",
            ],
            &[
                "attr .id = null config null prior old",
                "instance .child new",
                "attr .child.name = a config a prior -",
                "attr .child.out = null config null prior -",
                "block .child",
            ],
            &[
                "attr .id = null config null prior old",
                "instance .child[0] old",
                "attr .child[0].name = a config a prior p",
                "attr .child[0].out = null config null prior null",
                "instance .child[1] new",
                "attr .child[1].name = b config b prior -",
                "attr .child[1].out = null config null prior -",
                "block .child",
            ],
            &[
                "attr .id = null config null prior old",
                "instance .child[0] old",
                "attr .child[0].name = a config a prior p",
                "attr .child[0].out = null config null prior null",
                "instance .child[1] new",
                "attr .child[1].name = b config b prior -",
                "attr .child[1].out = null config null prior -",
                "block .child",
            ],
            &[
                "attr .id = null config null prior old",
                "instance .child[\"a\"] old",
                "attr .child[\"a\"].name = a config a prior a",
                "attr .child[\"a\"].out = null config null prior null",
                "instance .child[\"b\"] new",
                "attr .child[\"b\"].name = b config b prior -",
                "attr .child[\"b\"].out = null config null prior -",
                "block .child",
            ],
        ];
        for ((nesting, value, config, prior), expected) in cases().into_iter().zip(expected) {
            let block = schema(nesting);
            let mut value = object(Value::Null, value);
            let config = object(Value::Null, config);
            let prior = object(Value::from("old"), prior);
            let mut recorder = Recorder::default();
            walk(&block, &mut value, &config, Some(&prior), &mut recorder);
            assert_eq!(recorder.0, expected, "{nesting:?}");
            // The visitor's changes landed in the walked value, at every depth.
            assert_eq!(
                value.get_attr("id"),
                Some(&Value::from("set")),
                "{nesting:?}"
            );
        }
    }

    #[test]
    fn without_prior_nothing_has_a_prior() {
        for (nesting, value, config, _) in cases() {
            let mut value = object(Value::Null, value);
            let mut recorder = Recorder::default();
            walk(
                &schema(nesting),
                &mut value,
                &object(Value::Null, config),
                None,
                &mut recorder,
            );
            assert!(
                recorder
                    .0
                    .iter()
                    .all(|line| line.ends_with("prior -") || !line.starts_with("attr")),
                "{nesting:?}: {:?}",
                recorder.0
            );
        }
    }

    #[test]
    fn null_and_unknown_objects_and_blocks_have_nothing_to_visit() {
        for nesting in [Nesting::Single, Nesting::List, Nesting::Set, Nesting::Map] {
            let block = schema(nesting);
            for mut value in [Value::Null, Value::Unknown] {
                let mut recorder = Recorder::default();
                walk(&block, &mut value, &Value::Null, None, &mut recorder);
                assert!(recorder.0.is_empty());
            }
            let mut value = object(Value::Null, Value::Unknown);
            let mut recorder = Recorder::default();
            walk(&block, &mut value, &Value::Null, None, &mut recorder);
            assert_eq!(
                recorder.0,
                vec!["attr .id = null config null prior -", "block .child"],
                "{nesting:?}"
            );
        }
    }
}
