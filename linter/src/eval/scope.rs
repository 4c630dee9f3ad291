//! One evaluation scope: hcl-rs's [`Context`] with the module's values and functions, and
//! what jitlint needs to say why a value is unknown.
//!
//! hcl-rs has no unknown values, so an unknown travels through it as a marked string (a NUL,
//! a kind letter, the reason, a NUL). A NUL cannot come from a source file (one holding it is
//! not text), so a marked string is never a real value. Keeping unknowns as values, rather
//! than failing a whole expression, lets the known parts of a partly known object survive:
//! `local.cfg.cidr` is known even when `local.cfg.vm_id` refers to a resource.

use std::collections::HashMap;

use hcl::eval::{Context, Evaluate};
use hcl::expr::{Expression, ObjectKey, Operation, TraversalOperator};
use hcl::template::Element;
use hcl::{Template, Value as HclValue};

use crate::model::{Node, Number, TemplatePart, Unknown, Value};
use crate::source::Span;

use super::functions;

const MARK: char = '\u{0}';
const CYCLE_SEPARATOR: char = '\u{1}';

/// The values and functions an expression is evaluated with.
#[derive(Debug, Clone)]
pub struct Scope {
    context: Context<'static>,
    /// The same values as `context`, which hcl-rs does not let us read back: used to find the
    /// unknown an expression depends on.
    roots: HashMap<String, HclValue>,
}

impl Scope {
    /// A scope with Terraform's functions, `path` and `terraform`, for a module in `dir`.
    pub fn new(dir: &str) -> Scope {
        let mut context = Context::new();
        functions::declare(&mut context);
        let mut scope = Scope {
            context,
            roots: HashMap::new(),
        };
        let path: hcl::Map<String, HclValue> = ["module", "root", "cwd"]
            .into_iter()
            .map(|key| (key.to_owned(), HclValue::from(dir)))
            .collect();
        scope.declare("path", HclValue::Object(path));
        let mut terraform = hcl::Map::new();
        terraform.insert("workspace".to_owned(), HclValue::from("default"));
        scope.declare("terraform", HclValue::Object(terraform));
        scope
    }

    /// Makes `name` (`var`, `local`, `each`, `count`, an iterator) refer to `value`.
    pub fn declare(&mut self, name: &str, value: HclValue) {
        self.context.declare_var(name, value.clone());
        self.roots.insert(name.to_owned(), value);
    }

    /// Evaluates `expr`: its value, or why it is not known.
    ///
    /// A value that depends on an unknown is unknown, as in Terraform: a condition, a function
    /// argument or an interpolation that refers to a resource makes the whole expression
    /// unknown, with that reference as the reason.
    pub fn evaluate(&self, expr: &Expression) -> Result<HclValue, Unknown> {
        if let Some(found) = self.lookup(expr) {
            return found;
        }
        if let Some(unknown) = self.unknown_dependency(expr) {
            return Err(unknown);
        }
        let prepared = self.prepare(expr.clone());
        match prepared.evaluate(&self.context) {
            Ok(HclValue::String(text)) => match find_unknown(&text) {
                Some(unknown) => Err(unknown),
                None => Ok(HclValue::String(text)),
            },
            Ok(value) => Ok(value),
            Err(errors) => {
                let first = errors.kind().to_string();
                Err(Unknown::Expression(format!(
                    "an expression that cannot be evaluated statically ({})",
                    first.replace(MARK, "")
                )))
            }
        }
    }

    /// The value of a plain reference (`var.cidr`, `local.cfg.ports[0]`, `each.value`) read
    /// straight from the scope: the most common expression by far, and one that hcl-rs would
    /// evaluate by cloning the whole root object first. `None` for anything else, or a path
    /// that is not there (then the general evaluation gives the reason).
    fn lookup(&self, expr: &Expression) -> Option<Result<HclValue, Unknown>> {
        let (root, operators): (&str, &[TraversalOperator]) = match expr {
            Expression::Variable(variable) => (variable.as_str(), &[]),
            Expression::Traversal(traversal) => match &traversal.expr {
                Expression::Variable(variable) => (variable.as_str(), &traversal.operators),
                _ => return None,
            },
            _ => return None,
        };
        let mut current = self.roots.get(root)?;
        for operator in operators {
            current = match (operator, current) {
                (TraversalOperator::GetAttr(name), HclValue::Object(map)) => {
                    map.get(name.as_str())?
                }
                (TraversalOperator::Index(Expression::String(key)), HclValue::Object(map)) => {
                    map.get(key)?
                }
                (TraversalOperator::Index(Expression::Number(n)), HclValue::Array(items)) => {
                    items.get(usize::try_from(n.as_u64()?).ok()?)?
                }
                (TraversalOperator::LegacyIndex(i), HclValue::Array(items)) => {
                    items.get(usize::try_from(*i).ok()?)?
                }
                (_, HclValue::String(text)) => return find_unknown(text).map(Err),
                _ => return None,
            };
        }
        Some(match current {
            HclValue::String(text) => match find_unknown(text) {
                Some(unknown) => Err(unknown),
                None => Ok(current.clone()),
            },
            _ => Ok(current.clone()),
        })
    }

    /// The value of a model node, with unknowns marked and deferred expressions evaluated.
    pub fn value_of(&self, node: &Node) -> HclValue {
        match &node.value {
            Value::Null => HclValue::Null,
            Value::Bool(b) => HclValue::Bool(*b),
            Value::Number(n) => number_value(n),
            Value::String(s) => HclValue::String(s.clone()),
            Value::Array(items) => {
                HclValue::Array(items.iter().map(|i| self.value_of(i)).collect())
            }
            Value::Object(entries) => HclValue::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.value_of(v)))
                    .collect(),
            ),
            Value::Unknown(Unknown::Template(parts)) => match self.resolve_template(parts) {
                Value::String(s) => HclValue::String(s),
                Value::Unknown(unknown) => marked(&unknown),
                _ => HclValue::Null,
            },
            Value::Unknown(unknown) => marked(unknown),
            Value::Deferred(expr) => self.evaluate(expr).unwrap_or_else(|u| marked(&u)),
        }
    }

    /// Replaces every deferred expression in `node` with its value or its reason.
    pub fn resolve(&self, node: &mut Node) {
        match &mut node.value {
            Value::Array(items) => items.iter_mut().for_each(|item| self.resolve(item)),
            Value::Object(entries) => entries.iter_mut().for_each(|(_, v)| self.resolve(v)),
            Value::Deferred(expr) => {
                node.value = match self.evaluate(expr) {
                    Ok(value) => to_node(value, node.span).value,
                    Err(unknown) => Value::Unknown(unknown),
                };
            }
            Value::Unknown(Unknown::Template(parts)) => {
                node.value = self.resolve_template(parts);
            }
            _ => {}
        }
    }

    /// A template whose every part is known is a string; otherwise it stays a template with
    /// the reasons of its unknown parts, whose literal parts rules may still read.
    fn resolve_template(&self, parts: &[TemplatePart]) -> Value {
        let mut resolved = Vec::with_capacity(parts.len());
        for part in parts {
            resolved.push(match part {
                TemplatePart::Literal(text) => TemplatePart::Literal(text.clone()),
                TemplatePart::Interpolation(unknown) => {
                    TemplatePart::Interpolation(unknown.clone())
                }
                TemplatePart::Deferred(expr) => match self.evaluate(expr) {
                    Ok(HclValue::String(s)) => TemplatePart::Literal(s),
                    Ok(HclValue::Number(n)) => TemplatePart::Literal(n.to_string()),
                    Ok(HclValue::Bool(b)) => TemplatePart::Literal(b.to_string()),
                    Ok(_) => TemplatePart::Interpolation(Unknown::Expression(
                        "a non-string interpolation".to_owned(),
                    )),
                    Err(unknown) => TemplatePart::Interpolation(unknown),
                },
            });
        }
        if resolved
            .iter()
            .all(|p| matches!(p, TemplatePart::Literal(_)))
        {
            let text = resolved
                .into_iter()
                .map(|p| match p {
                    TemplatePart::Literal(s) => s,
                    _ => String::new(),
                })
                .collect();
            return Value::String(text);
        }
        Value::Unknown(Unknown::Template(resolved))
    }

    /// The first unknown that `expr` refers to: a resource or data source (never known before
    /// apply), or a value of this scope that is marked unknown.
    fn unknown_dependency(&self, expr: &Expression) -> Option<Unknown> {
        let mut found = None;
        let mut bound = Vec::new();
        self.walk(expr, &mut bound, &mut found, 0);
        found
    }

    fn walk(
        &self,
        expr: &Expression,
        bound: &mut Vec<String>,
        found: &mut Option<Unknown>,
        depth: usize,
    ) {
        if found.is_some() || depth > MAX_DEPTH {
            return;
        }
        let walk = |e: &Expression, bound: &mut Vec<String>, found: &mut Option<Unknown>| {
            self.walk(e, bound, found, depth + 1);
        };
        match expr {
            Expression::Variable(variable) => {
                *found = self.path_unknown(variable.as_str(), &[], bound);
            }
            Expression::Traversal(traversal) => {
                match &traversal.expr {
                    Expression::Variable(variable) => {
                        *found = self.path_unknown(variable.as_str(), &traversal.operators, bound);
                    }
                    other => walk(other, bound, found),
                }
                for operator in &traversal.operators {
                    if let TraversalOperator::Index(index) = operator {
                        walk(index, bound, found);
                    }
                }
            }
            Expression::Array(items) => items.iter().for_each(|i| walk(i, bound, found)),
            Expression::Object(object) => {
                for (key, value) in object {
                    if let ObjectKey::Expression(key) = key {
                        walk(key, bound, found);
                    }
                    walk(value, bound, found);
                }
            }
            Expression::TemplateExpr(template) => {
                if let Ok(template) = Template::from_expr(template) {
                    self.walk_template(&template, bound, found, depth + 1);
                }
            }
            Expression::FuncCall(call) => call.args.iter().for_each(|a| walk(a, bound, found)),
            Expression::Parenthesis(inner) => walk(inner, bound, found),
            Expression::Conditional(conditional) => {
                walk(&conditional.cond_expr, bound, found);
                walk(&conditional.true_expr, bound, found);
                walk(&conditional.false_expr, bound, found);
            }
            Expression::Operation(operation) => match operation.as_ref() {
                Operation::Unary(unary) => walk(&unary.expr, bound, found),
                Operation::Binary(binary) => {
                    walk(&binary.lhs_expr, bound, found);
                    walk(&binary.rhs_expr, bound, found);
                }
            },
            Expression::ForExpr(for_expr) => {
                walk(&for_expr.collection_expr, bound, found);
                let names = for_expr
                    .key_var
                    .iter()
                    .chain([&for_expr.value_var])
                    .map(|n| n.as_str().to_owned());
                let before = bound.len();
                bound.extend(names);
                if let Some(key) = &for_expr.key_expr {
                    walk(key, bound, found);
                }
                walk(&for_expr.value_expr, bound, found);
                if let Some(condition) = &for_expr.cond_expr {
                    walk(condition, bound, found);
                }
                bound.truncate(before);
            }
            _ => {}
        }
    }

    fn walk_template(
        &self,
        template: &Template,
        bound: &mut Vec<String>,
        found: &mut Option<Unknown>,
        depth: usize,
    ) {
        for element in template.elements() {
            if let Element::Interpolation(interpolation) = element {
                self.walk(&interpolation.expr, bound, found, depth);
            }
        }
    }

    /// Why `root` followed by `operators` is unknown, if it is.
    fn path_unknown(
        &self,
        root: &str,
        operators: &[TraversalOperator],
        bound: &[String],
    ) -> Option<Unknown> {
        if bound.iter().any(|b| b == root) {
            return None;
        }
        let Some(root_value) = self.roots.get(root) else {
            return Some(Unknown::Reference(traversal_text(root, operators)));
        };
        let mut current = root_value;
        for operator in operators {
            let next = match (operator, current) {
                (TraversalOperator::GetAttr(name), HclValue::Object(map)) => map.get(name.as_str()),
                (TraversalOperator::Index(Expression::String(key)), HclValue::Object(map)) => {
                    map.get(key)
                }
                (TraversalOperator::Index(Expression::Number(n)), HclValue::Array(items)) => n
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .and_then(|i| items.get(i)),
                (TraversalOperator::LegacyIndex(i), HclValue::Array(items)) => {
                    usize::try_from(*i).ok().and_then(|i| items.get(i))
                }
                _ => None,
            };
            match next {
                Some(value) => current = value,
                // `local.x` or `var.x` not declared in the files at hand: perhaps in a file
                // not linted with them; a reference, not an error, either way.
                None if std::ptr::eq(current, root_value)
                    && matches!(root, "local" | "var" | "module") =>
                {
                    return Some(Unknown::Reference(traversal_text(root, operators)));
                }
                None => break,
            }
        }
        match current {
            HclValue::String(text) => find_unknown(text),
            _ => None,
        }
    }

    /// Rewrites `try` and `can` calls into their values: hcl-rs evaluates every argument of a
    /// call before the call, so without this an alternative that fails would fail the whole
    /// `try` instead of falling through to the next.
    fn prepare(&self, expr: Expression) -> Expression {
        match expr {
            Expression::FuncCall(mut call) => {
                let name = call.name.name.as_str();
                let special = call.name.namespace.is_empty() && (name == "try" || name == "can");
                if special {
                    let is_try = name == "try";
                    for arg in &call.args {
                        match self.evaluate(arg) {
                            Ok(value) if is_try => return Expression::from(value),
                            Ok(_) => return Expression::Bool(true),
                            Err(Unknown::Expression(_)) => {}
                            Err(unknown) => return Expression::from(marked(&unknown)),
                        }
                    }
                    if !is_try {
                        return Expression::Bool(false);
                    }
                    return Expression::FuncCall(call);
                }
                call.args = call.args.into_iter().map(|a| self.prepare(a)).collect();
                Expression::FuncCall(call)
            }
            Expression::Array(items) => {
                Expression::Array(items.into_iter().map(|i| self.prepare(i)).collect())
            }
            Expression::Object(object) => Expression::Object(
                object
                    .into_iter()
                    .map(|(k, v)| (k, self.prepare(v)))
                    .collect(),
            ),
            Expression::Parenthesis(inner) => {
                Expression::Parenthesis(Box::new(self.prepare(*inner)))
            }
            Expression::Conditional(mut conditional) => {
                conditional.true_expr = self.prepare(conditional.true_expr);
                conditional.false_expr = self.prepare(conditional.false_expr);
                Expression::Conditional(conditional)
            }
            other => other,
        }
    }
}

/// Nesting deeper than this is not walked for dependencies (the parser bounds it anyway).
const MAX_DEPTH: usize = 96;

/// `azurerm_linux_virtual_machine.web.id`, as a reason names it.
fn traversal_text(root: &str, operators: &[TraversalOperator]) -> String {
    let mut text = root.to_owned();
    for operator in operators {
        match operator {
            TraversalOperator::GetAttr(name) => {
                text.push('.');
                text.push_str(name.as_str());
            }
            TraversalOperator::Index(Expression::Number(n)) => text.push_str(&format!("[{n}]")),
            TraversalOperator::Index(Expression::String(s)) => {
                text.push_str(&format!("[{}]", crate::model::quote(s)));
            }
            TraversalOperator::LegacyIndex(i) => text.push_str(&format!(".{i}")),
            TraversalOperator::Index(_) => text.push_str("[…]"),
            TraversalOperator::AttrSplat | TraversalOperator::FullSplat => text.push_str("[*]"),
        }
    }
    text
}

/// An unknown as a marked string value.
pub fn marked(unknown: &Unknown) -> HclValue {
    let (kind, text) = match unknown {
        Unknown::Variable(name) => ('v', name.clone()),
        Unknown::Reference(text) => ('r', text.clone()),
        Unknown::Expression(kind) => ('e', kind.clone()),
        Unknown::Cycle(names) => ('c', names.join(&CYCLE_SEPARATOR.to_string())),
        Unknown::Template(parts) => {
            let first = parts.iter().find_map(|p| match p {
                TemplatePart::Interpolation(u) => Some(u),
                _ => None,
            });
            return match first {
                Some(unknown) => marked(unknown),
                None => marked(&Unknown::Expression("a template".to_owned())),
            };
        }
    };
    HclValue::String(format!("{MARK}{kind}{text}{MARK}"))
}

/// The unknown marked in `text`, if any.
pub fn find_unknown(text: &str) -> Option<Unknown> {
    let start = text.find(MARK)?;
    let rest = text.get(start + MARK.len_utf8()..)?;
    let end = rest.find(MARK)?;
    let marked = rest.get(..end)?;
    let mut chars = marked.chars();
    let kind = chars.next()?;
    let body = chars.as_str().to_owned();
    Some(match kind {
        'v' => Unknown::Variable(body),
        'r' => Unknown::Reference(body),
        'c' => Unknown::Cycle(body.split(CYCLE_SEPARATOR).map(str::to_owned).collect()),
        _ => Unknown::Expression(body),
    })
}

/// Whether any string inside `value` is marked unknown.
pub fn holds_unknown(value: &HclValue) -> Option<Unknown> {
    match value {
        HclValue::String(text) => find_unknown(text),
        HclValue::Array(items) => items.iter().find_map(holds_unknown),
        HclValue::Object(map) => map.values().find_map(holds_unknown),
        _ => None,
    }
}

/// A value as a model node, every part carrying `span` (the expression it came from).
pub fn to_node(value: HclValue, span: Span) -> Node {
    let value = match value {
        HclValue::Null => Value::Null,
        HclValue::Bool(b) => Value::Bool(b),
        HclValue::Number(n) => Value::Number(Number {
            raw: n.to_string(),
            integer: n.as_i64(),
        }),
        HclValue::String(text) => match find_unknown(&text) {
            Some(unknown) => Value::Unknown(unknown),
            None => Value::String(text),
        },
        HclValue::Array(items) => {
            Value::Array(items.into_iter().map(|i| to_node(i, span)).collect())
        }
        HclValue::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, to_node(v, span)))
                .collect(),
        ),
    };
    Node { value, span }
}

fn number_value(number: &Number) -> HclValue {
    if let Some(integer) = number.integer {
        return HclValue::from(integer);
    }
    number
        .raw
        .parse::<f64>()
        .ok()
        .and_then(hcl::Number::from_f64)
        .map_or(HclValue::Null, HclValue::Number)
}

/// The attribute names `root.<name>` that `expr` refers to (`local.cidr` gives `cidr`).
pub fn references(expr: &Expression, root: &str, names: &mut Vec<String>) {
    references_at(expr, root, names, 0);
}

fn references_at(expr: &Expression, root: &str, names: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let go = |e: &Expression, names: &mut Vec<String>| references_at(e, root, names, depth + 1);
    match expr {
        Expression::Traversal(traversal) => {
            if let (Expression::Variable(variable), Some(TraversalOperator::GetAttr(name))) =
                (&traversal.expr, traversal.operators.first())
                && variable.as_str() == root
            {
                names.push(name.as_str().to_owned());
            }
            go(&traversal.expr, names);
            for operator in &traversal.operators {
                if let TraversalOperator::Index(index) = operator {
                    go(index, names);
                }
            }
        }
        Expression::Array(items) => items.iter().for_each(|i| go(i, names)),
        Expression::Object(object) => {
            for (key, value) in object {
                if let ObjectKey::Expression(key) = key {
                    go(key, names);
                }
                go(value, names);
            }
        }
        Expression::TemplateExpr(template) => {
            if let Ok(template) = Template::from_expr(template) {
                for element in template.elements() {
                    if let Element::Interpolation(interpolation) = element {
                        go(&interpolation.expr, names);
                    }
                }
            }
        }
        Expression::FuncCall(call) => call.args.iter().for_each(|a| go(a, names)),
        Expression::Parenthesis(inner) => go(inner, names),
        Expression::Conditional(conditional) => {
            go(&conditional.cond_expr, names);
            go(&conditional.true_expr, names);
            go(&conditional.false_expr, names);
        }
        Expression::Operation(operation) => match operation.as_ref() {
            Operation::Unary(unary) => go(&unary.expr, names),
            Operation::Binary(binary) => {
                go(&binary.lhs_expr, names);
                go(&binary.rhs_expr, names);
            }
        },
        Expression::ForExpr(for_expr) => {
            go(&for_expr.collection_expr, names);
            if let Some(key) = &for_expr.key_expr {
                go(key, names);
            }
            go(&for_expr.value_expr, names);
            if let Some(condition) = &for_expr.cond_expr {
                go(condition, names);
            }
        }
        _ => {}
    }
}
