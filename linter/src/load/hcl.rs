//! Native HCL (`.tf`) into the [`crate::model`], with spans, via hcl-edit.
//!
//! hcl-edit is used rather than hcl-rs because it keeps the byte span of every expression, so a
//! finding can underline the exact value. Only literals, `jsonencode` of literals and `var.x`
//! (resolved later from the module's defaults) are evaluated; everything else becomes
//! [`Unknown`] with a reason.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block as HclBlock, Body as HclBody, Structure};
use hcl_edit::template::{Element, Template};

use crate::model::{
    Attribute, Block, BlockExtent, Body, Document, Node, Number, Resource, TemplatePart, Unknown,
    Value,
};
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
    let mut document = Document {
        file,
        resources: Vec::new(),
        variables: Vec::new(),
        block_extents: Vec::new(),
    };
    for block in body.blocks() {
        collect_extents(block, &mut document.block_extents);
        match (block.ident.as_str(), block.labels.as_slice()) {
            ("resource", [kind, _]) if !super::is_relevant(kind.as_str()) => {}
            ("resource", [kind, name]) => document.resources.push(Resource {
                kind: kind.as_str().to_owned(),
                name: name.as_str().to_owned(),
                header: header_span(block),
                span: Span::from_range(block.span()),
                body: convert_body(&block.body),
            }),
            ("variable", [name]) => {
                let default = block
                    .body
                    .get_attribute("default")
                    .map(|a| convert(&a.value, 0));
                document.variables.push((name.as_str().to_owned(), default));
            }
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

fn convert_body(body: &HclBody) -> Body {
    let mut out = Body::default();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attribute) if !super::is_read_attribute(&attribute.key) => {}
            Structure::Attribute(attribute) => out.attributes.push(Attribute {
                name: attribute.key.as_str().to_owned(),
                value: convert(&attribute.value, 0),
            }),
            Structure::Block(block) => out.blocks.push(Block {
                ident: block.ident.as_str().to_owned(),
                labels: block.labels.iter().map(|l| l.as_str().to_owned()).collect(),
                header: header_span(block),
                span: Span::from_range(block.span()),
                body: convert_body(&block.body),
            }),
        }
    }
    out
}

fn unknown(expr: &Expression, why: Unknown) -> Node {
    Node {
        value: Value::Unknown(why),
        span: Span::from_range(expr.span()),
    }
}

/// Evaluates what can be evaluated statically.
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
                            let why = "an object with a computed key".to_owned();
                            return unknown(expr, Unknown::Expression(why));
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
        Expression::Variable(name) => Value::Unknown(Unknown::Reference(name.as_str().to_owned())),
        Expression::Traversal(traversal) => Value::Unknown(traversal_unknown(traversal)),
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
            Value::Unknown(Unknown::Expression(format!("a call to `{name}()`")))
        }
        Expression::Conditional(_) => {
            Value::Unknown(Unknown::Expression("a conditional expression".to_owned()))
        }
        Expression::ForExpr(_) => {
            Value::Unknown(Unknown::Expression("a `for` expression".to_owned()))
        }
        Expression::UnaryOp(op) => {
            // `-1` is a unary minus applied to a literal: fold it so that negative ports are seen.
            let inner = convert(&op.expr, depth + 1);
            match (&op.operator.value(), inner.value) {
                (hcl_edit::expr::UnaryOperator::Neg, Value::Number(n)) => Value::Number(Number {
                    raw: format!("-{}", n.raw),
                    integer: n.integer.and_then(i64::checked_neg),
                }),
                _ => Value::Unknown(Unknown::Expression("an operation".to_owned())),
            }
        }
        Expression::BinaryOp(_) => Value::Unknown(Unknown::Expression("an operation".to_owned())),
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
                TemplatePart::Interpolation(_) => String::new(),
            })
            .collect();
        return Value::String(text);
    }
    Value::Unknown(Unknown::Template(parts))
}

/// `var.x` stays pending for the resolver; anything else is a reference described by its text.
fn traversal_unknown(traversal: &hcl_edit::expr::Traversal) -> Unknown {
    let root = match &traversal.expr {
        Expression::Variable(name) => name.as_str().to_owned(),
        _ => return Unknown::Expression("a computed reference".to_owned()),
    };
    let mut text = root.clone();
    for operator in &traversal.operators {
        match operator.value() {
            TraversalOperator::GetAttr(ident) => {
                text.push('.');
                text.push_str(ident.as_str());
            }
            TraversalOperator::Index(Expression::Number(n)) => {
                text.push_str(&format!("[{}]", n.value()));
            }
            TraversalOperator::LegacyIndex(i) => text.push_str(&format!(".{}", i.value())),
            TraversalOperator::Index(_) => text.push_str("[…]"),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                text.push_str("[*]")
            }
        }
    }
    if root == "var"
        && let [operator] = traversal.operators.as_slice()
        && let TraversalOperator::GetAttr(name) = operator.value()
    {
        return Unknown::Variable(name.as_str().to_owned());
    }
    Unknown::Reference(text)
}
