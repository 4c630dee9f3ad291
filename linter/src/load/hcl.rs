//! Native HCL (`.tf`) into the [`crate::model`], with spans, via hcl-edit.
//!
//! hcl-edit is used rather than hcl-rs because it keeps the byte span of every expression, so a
//! finding can underline the exact value. Literals (and `jsonencode` of a structure) are
//! converted here, keeping a span per value; every other expression (a reference, a call, a
//! conditional, a `for`, an operation, an interpolation) is left as [`Value::Deferred`] in
//! hcl-rs's expression model, for [`crate::eval`] to evaluate once the module is known.
//!
//! Only what some rule reads (its declared [`crate::rule::Reads`]) is converted: the resource
//! types and attributes of [`crate::registry::schema`]. `variable`, `locals` and `module`
//! blocks are converted whole, since any value may flow from them into a resource.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block as HclBlock, Body as HclBody, Structure};
use hcl_edit::template::{Element, Template};

use crate::model::{
    Attribute, Block, BlockExtent, Body, Document, Local, ModuleCall, Node, Number, Resource,
    TemplatePart, Unknown, Value, Variable,
};
use crate::registry::{self, AttributeFilter};
use crate::source::{SourceFile, Span};

use super::LoadError;

/// Deeper values than this are reported as unknown rather than walked (the parser already caps
/// nesting; this keeps the converter's own recursion bounded whatever the parser allows).
const MAX_DEPTH: usize = 96;

/// Parses `file` as native HCL.
pub fn load(file: SourceFile) -> Result<Document, (SourceFile, LoadError)> {
    let body = match hcl_edit::parser::parse_body(&file.text) {
        Ok(body) => body,
        Err(error) => {
            let offset = error.location().offset();
            let load_error = LoadError::Syntax {
                message: first_line(error.message()),
                span: Span::new(offset, offset + 1),
            };
            return Err((file, load_error));
        }
    };
    let mut document = Document::empty(file);
    let schema = registry::schema();
    for block in body.blocks() {
        collect_extents(block, &mut document.block_extents);
        match (block.ident.as_str(), block.labels.as_slice()) {
            ("resource", [kind, name]) => {
                let Some(filter) = schema.filter(kind.as_str()) else {
                    continue;
                };
                let mut body = convert_body(&block.body, filter);
                body.attribute_as_blocks("security_rule");
                document.resources.push(Resource::new(
                    kind.as_str().to_owned(),
                    name.as_str().to_owned(),
                    header_span(block),
                    Span::from_range(block.span()),
                    body,
                ));
            }
            ("variable", [name]) => {
                let default = block
                    .body
                    .get_attribute("default")
                    .map(|a| convert(&a.value, 0));
                document.variables.push(Variable {
                    name: name.as_str().to_owned(),
                    default,
                    header: header_span(block),
                });
            }
            ("locals", []) => {
                for attribute in block.body.attributes() {
                    document.locals.push(Local {
                        name: attribute.key.as_str().to_owned(),
                        value: convert(&attribute.value, 0),
                        span: attribute
                            .key
                            .span()
                            .map_or_else(Span::default, |r| Span::from_range(Some(r))),
                    });
                }
            }
            ("output", [name]) => {
                if let Some(attribute) = block.body.get_attribute("value") {
                    document.outputs.push(Local {
                        name: name.as_str().to_owned(),
                        value: convert(&attribute.value, 0),
                        span: header_span(block),
                    });
                }
            }
            ("module", [name]) => document.modules.push(ModuleCall {
                name: name.as_str().to_owned(),
                header: header_span(block),
                body: convert_body(&block.body, &AttributeFilter::All),
            }),
            _ => {}
        }
    }
    Ok(document)
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("syntax error")
        .trim()
        .to_owned()
}

fn collect_extents(block: &HclBlock, extents: &mut Vec<BlockExtent>) {
    extents.push(BlockExtent {
        span: Span::from_range(block.span()),
    });
    for inner in block.body.blocks() {
        collect_extents(inner, extents);
    }
}

/// From the block identifier to the end of its last label.
fn header_span(block: &HclBlock) -> Span {
    // The identifier's span may include trailing whitespace; its text length does not.
    let start = block.ident.span().map_or(0, |r| r.start);
    let end = block
        .labels
        .last()
        .and_then(|l| l.span())
        .map_or(start + block.ident.len(), |r| r.end);
    Span::new(start, end)
}

fn convert_body(body: &HclBody, filter: &AttributeFilter) -> Body {
    let mut out = Body::default();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attribute) if !filter.reads(&attribute.key) => {}
            Structure::Attribute(attribute) => out.attributes.push(Attribute {
                name: attribute.key.as_str().to_owned(),
                value: convert(&attribute.value, 0),
            }),
            Structure::Block(block) => out.blocks.push(Block {
                ident: block.ident.as_str().to_owned(),
                labels: block.labels.iter().map(|l| l.as_str().to_owned()).collect(),
                header: header_span(block),
                span: Span::from_range(block.span()),
                body: convert_body(&block.body, filter),
            }),
        }
    }
    out
}

/// The text of a reference to a managed resource's attribute (`azurerm_linux_virtual_machine.web.id`,
/// `azurerm_network_interface.web[0].id`), which no evaluation can know before apply: it
/// becomes an unknown here, without the cost of converting it for hcl-rs.
///
/// A resource type always has an underscore (`<provider>_<type>`); the names a scope declares
/// (`var`, `local`, `each`, `count`, `path`, `terraform`, `data`, `module`, `self`) have none.
/// A `dynamic` block's iterator may, but is only ever followed by `.key` or `.value`, so such
/// a traversal is left for evaluation.
fn resource_reference(traversal: &hcl_edit::expr::Traversal) -> Option<String> {
    use hcl_edit::expr::TraversalOperator;
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    let root = root.as_str();
    let mut operators = traversal.operators.iter().map(|o| o.value());
    let Some(TraversalOperator::GetAttr(name)) = operators.next() else {
        return None;
    };
    if !root.contains('_') || matches!(name.as_str(), "key" | "value") {
        return None;
    }
    let mut text = format!("{root}.{}", name.as_str());
    for operator in operators {
        match operator {
            TraversalOperator::GetAttr(ident) => {
                text.push('.');
                text.push_str(ident.as_str());
            }
            TraversalOperator::Index(Expression::Number(n)) => {
                text.push_str(&format!("[{}]", n.value()));
            }
            TraversalOperator::Index(Expression::String(s)) => {
                text.push_str(&format!("[{}]", crate::model::quote(s.value())));
            }
            TraversalOperator::LegacyIndex(i) => text.push_str(&format!(".{}", i.value())),
            TraversalOperator::Index(_) => text.push_str("[…]"),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                text.push_str("[*]");
            }
        }
    }
    Some(text)
}

/// An expression left for [`crate::eval`], in hcl-rs's model.
fn deferred(expr: &Expression) -> Value {
    Value::Deferred(Box::new(hcl::Expression::from(expr.clone())))
}

fn unknown(expr: &Expression, why: Unknown) -> Node {
    Node {
        value: Value::Unknown(why),
        span: Span::from_range(expr.span()),
    }
}

/// Converts one expression: literals with their spans, the rest deferred.
pub fn convert_expression(expr: &Expression) -> Node {
    convert(expr, 0)
}

/// Converts what is literal, keeping a span per value, and defers the rest.
fn convert(expr: &Expression, depth: usize) -> Node {
    let span = Span::from_range(expr.span());
    if depth > MAX_DEPTH {
        return unknown(
            expr,
            Unknown::Expression("a deeply nested expression".to_owned()),
        );
    }
    let value = match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => {
            let number = n.value();
            Value::Number(Number {
                raw: number.to_string(),
                integer: number.as_i64(),
            })
        }
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(array) => {
            Value::Array(array.iter().map(|item| convert(item, depth + 1)).collect())
        }
        Expression::Object(object) => {
            let mut entries = Vec::with_capacity(object.len());
            for (key, value) in object.iter() {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                    ObjectKey::Expression(key_expr) => match convert(key_expr, depth + 1).value {
                        Value::String(s) => s,
                        _ => {
                            return Node {
                                value: deferred(expr),
                                span,
                            };
                        }
                    },
                };
                entries.push((key, convert(value.expr(), depth + 1)));
            }
            Value::Object(entries)
        }
        Expression::StringTemplate(template) => template_value(template, depth),
        Expression::HeredocTemplate(heredoc) => template_value(&heredoc.template, depth),
        Expression::Parenthesis(inner) => {
            return Node {
                span,
                ..convert(inner.inner(), depth + 1)
            };
        }
        Expression::Traversal(traversal) => match resource_reference(traversal) {
            Some(text) => Value::Unknown(Unknown::Reference(text)),
            None => deferred(expr),
        },
        Expression::Variable(_)
        | Expression::Conditional(_)
        | Expression::ForExpr(_)
        | Expression::BinaryOp(_) => deferred(expr),
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            if call.name.namespace.is_empty()
                && name == "jsonencode"
                && let [arg] = args.as_slice()
            {
                // jsonencode of a literal is the literal as far as the rules care: they read
                // the structure, and the string form is what Azure receives.
                return Node {
                    span,
                    ..convert(arg, depth + 1)
                };
            }
            deferred(expr)
        }
        Expression::UnaryOp(op) => {
            // `-1` is a unary minus applied to a literal: fold it so that negative ports are seen.
            let inner = convert(&op.expr, depth + 1);
            match (&op.operator.value(), inner.value) {
                (hcl_edit::expr::UnaryOperator::Neg, Value::Number(n)) => Value::Number(Number {
                    raw: format!("-{}", n.raw),
                    integer: n.integer.and_then(i64::checked_neg),
                }),
                _ => deferred(expr),
            }
        }
    };
    Node { value, span }
}

pub(super) fn template_value(template: &Template, depth: usize) -> Value {
    let mut parts = Vec::new();
    for element in template.iter() {
        match element {
            Element::Literal(text) => parts.push(TemplatePart::Literal(text.value().clone())),
            Element::Interpolation(interpolation) => {
                let node = convert(&interpolation.expr, depth + 1);
                let part = match node.value {
                    Value::String(s) => TemplatePart::Literal(s),
                    Value::Number(n) => TemplatePart::Literal(n.raw),
                    Value::Unknown(u) => TemplatePart::Interpolation(u),
                    Value::Deferred(expr) => TemplatePart::Deferred(expr),
                    _ => TemplatePart::Interpolation(Unknown::Expression(
                        "a non-string interpolation".to_owned(),
                    )),
                };
                parts.push(part);
            }
            Element::Directive(_) => parts.push(TemplatePart::Interpolation(Unknown::Expression(
                "a template directive".to_owned(),
            ))),
        }
    }
    if parts.iter().all(|p| matches!(p, TemplatePart::Literal(_))) {
        let text = parts
            .into_iter()
            .map(|p| match p {
                TemplatePart::Literal(s) => s,
                TemplatePart::Interpolation(_) | TemplatePart::Deferred(_) => String::new(),
            })
            .collect();
        return Value::String(text);
    }
    Value::Unknown(Unknown::Template(parts))
}
