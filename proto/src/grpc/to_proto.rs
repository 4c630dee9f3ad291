//! Framework types to protocol (prost) types.

use crate::framework::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::framework::path::{Path, PathStep};
use crate::framework::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::generated::tfplugin6 as pb;

pub fn schema(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block(&schema.block, schema.version)),
    }
}

fn block(block: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: block
            .attributes
            .iter()
            .map(|(name, a)| attribute(name, a))
            .collect(),
        block_types: block
            .blocks
            .iter()
            .map(|(name, b)| nested_block(name, b))
            .collect(),
        description: block.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: block.deprecated,
    }
}

fn attribute(name: &str, attribute: &Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: name.to_owned(),
        r#type: attribute.ty.to_json_bytes(),
        nested_type: None,
        description: attribute.description.clone(),
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: attribute.deprecated,
        write_only: attribute.write_only,
    }
}

fn nested_block(name: &str, nested: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode;
    let nesting = match nested.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
        Nesting::Group => NestingMode::Group,
    };
    pb::schema::NestedBlock {
        type_name: name.to_owned(),
        block: Some(block(&nested.block, 0)),
        nesting: nesting as i32,
        min_items: nested.min_items,
        max_items: nested.max_items,
    }
}

pub fn diagnostics(diagnostics: Diagnostics) -> Vec<pb::Diagnostic> {
    diagnostics.into_iter().map(diagnostic).collect()
}

fn diagnostic(diagnostic: Diagnostic) -> pb::Diagnostic {
    let severity = match diagnostic.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: diagnostic.summary,
        detail: diagnostic.detail,
        attribute: diagnostic.path.map(|path| attribute_path(&path)),
    }
}

pub fn attribute_path(path: &Path) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    let steps = path
        .addressable()
        .0
        .into_iter()
        .filter_map(|step| {
            let selector = match step {
                PathStep::Attr(name) => Selector::AttributeName(name),
                PathStep::Index(index) => Selector::ElementKeyInt(i64::try_from(index).ok()?),
                PathStep::Key(key) => Selector::ElementKeyString(key),
                PathStep::SetElement(_) => return None,
            };
            Some(Step {
                selector: Some(selector),
            })
        })
        .collect();
    pb::AttributePath { steps }
}

/// A msgpack-encoded value; `None` stays absent.
pub fn value(msgpack: Option<Vec<u8>>) -> Option<pb::DynamicValue> {
    msgpack.map(|msgpack| pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

/// A point in time.
pub fn timestamp(time: Option<std::time::SystemTime>) -> Option<prost_types::Timestamp> {
    time.map(prost_types::Timestamp::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_steps() {
        let path = Path::attr_root("virtual_machine")
            .index(1)
            .attr("tags")
            .key("env");
        let steps = attribute_path(&path).steps;
        use pb::attribute_path::step::Selector;
        let selectors: Vec<_> = steps.into_iter().map(|s| s.selector.unwrap()).collect();
        assert_eq!(
            selectors,
            vec![
                Selector::AttributeName("virtual_machine".into()),
                Selector::ElementKeyInt(1),
                Selector::AttributeName("tags".into()),
                Selector::ElementKeyString("env".into()),
            ]
        );
    }

    #[test]
    fn attribute_type_is_cty_json() {
        let pb = attribute("ports", &Attribute::string_list("d").optional());
        assert_eq!(pb.r#type, br#"["list","string"]"#);
        assert_eq!(pb.description_kind, pb::StringKind::Markdown as i32);
    }
}
