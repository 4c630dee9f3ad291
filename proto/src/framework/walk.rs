//! Walks a configuration value along its schema, running attribute validators.

use super::diagnostics::Diagnostics;
use super::path::Path;
use super::schema::{Block, Nesting};
use crate::cty::Value;

/// Runs every attribute's validators on every known, non-null value in `value`, recursing into
/// nested blocks, with each diagnostic at the attribute's path.
pub fn validate_attributes(
    block: &Block,
    value: &Value,
    path: &Path,
    diagnostics: &mut Diagnostics,
) {
    if !value.is_known() || value.is_null() {
        return;
    }
    for (name, attribute) in &block.attributes {
        let Some(attribute_value) = value.get_attr(name) else {
            continue;
        };
        if !attribute_value.is_known() || attribute_value.is_null() {
            continue;
        }
        let attribute_path = path.attr(name);
        for validator in &attribute.validators {
            validator.validate(attribute_value, &attribute_path, diagnostics);
        }
    }
    for (name, nested) in &block.blocks {
        let Some(nested_value) = value.get_attr(name) else {
            continue;
        };
        match nested.nesting {
            Nesting::Single | Nesting::Group => {
                validate_attributes(&nested.block, nested_value, &path.attr(name), diagnostics)
            }
            Nesting::List | Nesting::Set => {
                for (index, instance) in nested_value
                    .as_list()
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    validate_attributes(
                        &nested.block,
                        instance,
                        &path.attr(name).index(index),
                        diagnostics,
                    );
                }
            }
            Nesting::Map => {
                if let Some(instances) = nested_value.as_map() {
                    for (key, instance) in instances {
                        validate_attributes(
                            &nested.block,
                            instance,
                            &path.attr(name).key(key),
                            diagnostics,
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, NestedBlock};
    use crate::framework::validator::from_fn;

    #[test]
    fn validators_run_at_nested_paths_and_skip_unknowns() {
        let positive = from_fn("must be positive", |value| match value.as_i64() {
            Some(n) if n < 0 => Err(("Negative".into(), "use a positive number".into())),
            _ => Ok(()),
        });
        let block = Block::new("").block(
            "vm",
            NestedBlock::list(Block::new("").block(
                "port",
                NestedBlock::list(Block::new("").attribute(
                    "number",
                    Attribute::number("").required().validate(positive),
                )),
            )),
        );
        let port = |n: Value| Value::object([("number", n)]);
        let value = Value::object([(
            "vm",
            Value::List(vec![Value::object([(
                "port",
                Value::List(vec![
                    port(Value::from(1)),
                    port(Value::Unknown),
                    port(Value::from(-3)),
                ]),
            )])]),
        )]);
        let mut diagnostics = Diagnostics::new();
        validate_attributes(&block, &value, &Path::root(), &mut diagnostics);
        let paths: Vec<String> = diagnostics
            .iter()
            .map(|d| d.path.clone().unwrap().to_string())
            .collect();
        assert_eq!(paths, vec![".vm[0].port[2].number"]);
    }
}
