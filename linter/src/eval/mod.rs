//! Module evaluation: what Terraform would compute before it plans, for one directory.
//!
//! A directory is a module. Its variables take their values, lowest precedence first, from
//! their defaults, `terraform.tfvars`, `terraform.tfvars.json`, the `*.auto.tfvars` and
//! `*.auto.tfvars.json` files in lexical order, and then `-var-file` and `-var` in
//! command-line order, as Terraform's do. Locals are evaluated in dependency order, and locals
//! that depend on each other are reported as a cycle. `count` and `for_each` are expanded, so
//! a finding names the instance (`jit_policy.web["prod"]`); `dynamic` blocks are expanded;
//! local child modules (`source = "./..."`) are followed with their inputs, their resources
//! are named `module.<name>.<address>`, and their outputs are the caller's `module.<name>`
//! (a list for `count`, a map for `for_each`; locals that read them stay unknown, since locals
//! are evaluated first). Registry and git modules are reported as not followed.
//!
//! Expressions are evaluated with hcl-rs (`hcl::eval`) and the functions of [`functions`]. A
//! value that depends on a resource, a data source or an input that has no value stays
//! [`Unknown`], with that reason; nothing is guessed.
//!
//! **Invariant:** after [`evaluate_root`], no [`Value::Deferred`] is left in any resource:
//! rules see known values or unknowns with reasons, never expressions.

mod functions;
mod scope;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use hcl::Value as HclValue;

use crate::config::Settings;
use crate::load::{self, Syntax};
use crate::model::{Block, Body, Document, Local, ModuleCall, Node, Resource, Unknown, Value};
use crate::source::{SourceFile, Span};

pub use scope::{Scope, find_unknown, holds_unknown, marked, to_node};

/// More instances than this (from `count`, `for_each` or a `dynamic` block) are not expanded:
/// the resource is linted once, with the instance values unknown, rather than multiplying its
/// findings.
pub const MAX_INSTANCES: usize = 64;

/// Child modules nested deeper than this are not followed (a module that calls itself would
/// never end).
pub const MAX_MODULE_DEPTH: usize = 8;

/// One `-var` or `-var-file` given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `-var name=value`.
    Var {
        /// The variable.
        name: String,
        /// The text after `=`: an HCL literal (`22`, `true`, `["a"]`), or else a string.
        value: String,
    },
    /// `-var-file path`.
    File(PathBuf),
}

impl Input {
    /// Parses the argument of `-var`: `name=value`.
    pub fn parse_var(text: &str) -> Result<Input, String> {
        match text.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => Ok(Input::Var {
                name: name.trim().to_owned(),
                value: value.to_owned(),
            }),
            _ => Err(format!(
                "`{text}` is not `name=value`: write -var 'admin_cidr=203.0.113.0/24'"
            )),
        }
    }
}

/// Something evaluation could not do, for the rules that report it.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The index of the module's document it is about.
    pub file: usize,
    /// Where.
    pub span: Span,
    /// What.
    pub kind: IssueKind,
}

/// What evaluation could not do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssueKind {
    /// Locals that depend on each other, first to last; Terraform refuses the module.
    Cycle {
        /// The locals in the cycle.
        names: Vec<String>,
    },
    /// A `module` block whose resources were not read.
    ModuleNotFollowed {
        /// The module name.
        name: String,
        /// Why, as a clause: "its source `git::https://...` is not a local directory".
        why: String,
    },
    /// A tfvars file, `-var-file` or `-var` that could not be read or parsed.
    BadInput {
        /// What went wrong, naming the file or the variable.
        message: String,
    },
}

/// One evaluated module: its documents (its own files, those of the child modules it calls,
/// and the tfvars files that issues point into) and what could not be evaluated.
#[derive(Debug, Default)]
pub struct Module {
    /// The documents, the root module's own files first.
    pub documents: Vec<Document>,
    /// What could not be evaluated.
    pub issues: Vec<Issue>,
    /// How many of `documents` are the root module's own files.
    pub own_files: usize,
}

/// Evaluates the files of one directory as a root module. `dir` is `None` for text from
/// standard input: then no tfvars file is read and no child module can be followed.
pub fn evaluate_root(documents: Vec<Document>, dir: Option<&Path>, settings: &Settings) -> Module {
    let own_files = documents.len();
    let mut module = Module {
        documents: Vec::with_capacity(own_files),
        issues: Vec::new(),
        own_files,
    };
    let base = Scope::new(&dir_text(dir));
    let needs_inputs = documents.iter().any(|d| !d.variables.is_empty());
    let mut pending_files = Vec::new();
    let inputs = if needs_inputs {
        read_inputs(dir, settings, &base, &mut pending_files)
    } else {
        HashMap::new()
    };
    let _outputs = evaluate_into(&mut module, documents, dir, &inputs, "", 0);
    for (document, issue) in pending_files {
        let file = module.documents.len();
        module.documents.push(document);
        if let Some((span, kind)) = issue {
            module.issues.push(Issue { file, span, kind });
        }
    }
    module
}

fn dir_text(dir: Option<&Path>) -> String {
    match dir {
        Some(dir) if !dir.as_os_str().is_empty() => crate::display_name(dir),
        _ => ".".to_owned(),
    }
}

/// A tfvars file that issues point into, and the issue, if any.
type PendingFile = (Document, Option<(Span, IssueKind)>);

/// The values of the root module's inputs, later ones overriding earlier ones.
fn read_inputs(
    dir: Option<&Path>,
    settings: &Settings,
    scope: &Scope,
    pending: &mut Vec<PendingFile>,
) -> HashMap<String, HclValue> {
    let mut values = HashMap::new();
    let mut files = Vec::new();
    if let Some(dir) = dir {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        for name in ["terraform.tfvars", "terraform.tfvars.json"] {
            let path = dir.join(name);
            if path.is_file() {
                files.push(path);
            }
        }
        let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                })
            })
            .collect();
        auto.sort();
        files.extend(auto);
    }
    for path in &files {
        read_tfvars(path, scope, &mut values, pending);
    }
    for input in &settings.inputs {
        match input {
            Input::File(path) => read_tfvars(path, scope, &mut values, pending),
            Input::Var { name, value } => {
                values.insert(name.clone(), var_value(value, scope));
            }
        }
    }
    values
}

/// A `-var` value: an HCL literal when it is one, the text as a string otherwise, which is
/// what Terraform makes of `-var cidr=10.0.0.0/8` for a string variable.
fn var_value(text: &str, scope: &Scope) -> HclValue {
    use hcl_edit::expr::Expression as Edit;
    match text.parse::<Edit>() {
        Ok(
            expr @ (Edit::Null(_)
            | Edit::Bool(_)
            | Edit::Number(_)
            | Edit::String(_)
            | Edit::Array(_)
            | Edit::Object(_)),
        ) => scope.value_of(&load::hcl::convert_expression(&expr)),
        _ => HclValue::String(text.to_owned()),
    }
}

fn read_tfvars(
    path: &Path,
    scope: &Scope,
    values: &mut HashMap<String, HclValue>,
    pending: &mut Vec<PendingFile>,
) {
    let name = crate::display_name(path);
    let bad = |message: String| Some((Span::new(0, 0), IssueKind::BadInput { message }));
    let text = match std::fs::read(path) {
        Ok(bytes) => match load::decode(bytes) {
            Ok(text) => text,
            Err((_, problem)) => {
                let issue = bad(format!("`{name}` was not read: {problem}"));
                pending.push((Document::empty(SourceFile::new(name, "")), issue));
                return;
            }
        },
        Err(error) => {
            let issue = bad(format!("cannot read variables file `{name}`: {error}"));
            pending.push((Document::empty(SourceFile::new(name, "")), issue));
            return;
        }
    };
    let file = SourceFile::new(name.clone(), text);
    if name.ends_with(".json") {
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&file.text) {
            Ok(map) => {
                for (key, value) in map {
                    if let Ok(value) = hcl::to_value(value) {
                        values.insert(key, value);
                    }
                }
            }
            Err(error) => {
                let offset = offset_of(&file.text, error.line(), error.column());
                let issue = Some((
                    Span::new(offset, offset),
                    IssueKind::BadInput {
                        message: format!("variables file `{name}` is not a JSON object: {error}"),
                    },
                ));
                pending.push((Document::empty(file), issue));
            }
        }
        return;
    }
    match hcl_edit::parser::parse_body(&file.text) {
        Ok(body) => {
            for attribute in body.attributes() {
                let node = load::hcl::convert_expression(&attribute.value);
                values.insert(attribute.key.as_str().to_owned(), scope.value_of(&node));
            }
        }
        Err(error) => {
            let offset = error.location().offset();
            let message = error
                .message()
                .lines()
                .next()
                .unwrap_or("syntax error")
                .to_owned();
            let issue = Some((
                Span::new(offset, offset),
                IssueKind::BadInput {
                    message: format!("cannot parse variables file `{name}`: {message}"),
                },
            ));
            pending.push((Document::empty(file), issue));
        }
    }
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// Evaluates `documents` as one module with `inputs`, adding them (and the documents of the
/// modules they call) to `module`, with `prefix` before every address.
fn evaluate_into(
    module: &mut Module,
    documents: Vec<Document>,
    dir: Option<&Path>,
    inputs: &HashMap<String, HclValue>,
    prefix: &str,
    depth: usize,
) -> HclValue {
    let first = module.documents.len();
    module.documents.extend(documents);
    let files = first..module.documents.len();
    let mut scope = Scope::new(&dir_text(dir));

    let mut variables = hcl::Map::new();
    for document in &module.documents[files.clone()] {
        for variable in &document.variables {
            let value = match (inputs.get(&variable.name), &variable.default) {
                (Some(value), _) => value.clone(),
                (None, Some(default)) => scope.value_of(default),
                (None, None) => marked(&Unknown::Variable(variable.name.clone())),
            };
            variables.insert(variable.name.clone(), value);
        }
    }
    scope.declare("var", HclValue::Object(variables));
    evaluate_locals(module, files.clone(), &mut scope);

    let calls: Vec<(usize, ModuleCall)> = files
        .clone()
        .flat_map(|file| {
            module.documents[file]
                .modules
                .iter()
                .map(move |call| (file, call.clone()))
        })
        .collect();
    let mut children = hcl::Map::new();
    for (file, call) in calls {
        if let Some(value) = follow(module, file, &call, dir, &scope, prefix, depth) {
            children.insert(call.name.clone(), value);
        }
    }
    scope.declare("module", HclValue::Object(children));

    for file in files {
        let resources = std::mem::take(&mut module.documents[file].resources);
        let mut expanded = Vec::with_capacity(resources.len());
        for mut resource in resources {
            resource.file = file;
            resource.module = prefix.to_owned();
            expand(resource, &scope, &mut expanded);
        }
        module.documents[file].resources = expanded;
    }
    let mut outputs = hcl::Map::new();
    for document in &module.documents[first..] {
        for output in &document.outputs {
            outputs.insert(output.name.clone(), scope.value_of(&output.value));
        }
    }
    HclValue::Object(outputs)
}

/// Evaluates the locals of `files` in dependency order and declares them as `local`.
fn evaluate_locals(module: &mut Module, files: std::ops::Range<usize>, scope: &mut Scope) {
    let locals: Vec<(usize, &Local)> = files
        .flat_map(|file| module.documents[file].locals.iter().map(move |l| (file, l)))
        .collect();
    if locals.is_empty() {
        scope.declare("local", HclValue::Object(hcl::Map::new()));
        return;
    }
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    for (index, (_, local)) in locals.iter().enumerate() {
        index_of.entry(local.name.as_str()).or_insert(index);
    }
    let dependencies: Vec<Vec<usize>> = locals
        .iter()
        .map(|(_, local)| {
            let mut names = Vec::new();
            local_references(&local.value, &mut names);
            let mut found: Vec<usize> = names
                .iter()
                .filter_map(|name| index_of.get(name.as_str()).copied())
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        })
        .collect();
    let mut order = Vec::with_capacity(locals.len());
    let mut cycles = Vec::new();
    let mut state = vec![0u8; locals.len()];
    let mut stack = Vec::new();
    for start in 0..locals.len() {
        if state[start] == 0 {
            visit(
                start,
                &dependencies,
                &mut state,
                &mut stack,
                &mut order,
                &mut cycles,
            );
        }
    }
    let mut in_cycle: HashMap<usize, Vec<String>> = HashMap::new();
    let mut issues = Vec::new();
    for cycle in &cycles {
        let names: Vec<String> = cycle.iter().map(|&i| locals[i].1.name.clone()).collect();
        for &member in cycle {
            in_cycle.insert(member, names.clone());
        }
        if let Some(&first) = cycle.first() {
            let (file, local) = locals[first];
            let mut closed = names.clone();
            closed.push(local.name.clone());
            issues.push(Issue {
                file,
                span: local.span,
                kind: IssueKind::Cycle { names: closed },
            });
        }
    }
    let mut values = hcl::Map::new();
    for index in order {
        let (_, local) = locals[index];
        let value = match in_cycle.get(&index) {
            Some(names) => marked(&Unknown::Cycle(names.clone())),
            None => {
                if !dependencies[index].is_empty() {
                    scope.declare("local", HclValue::Object(values.clone()));
                }
                scope.value_of(&local.value)
            }
        };
        values.entry(local.name.clone()).or_insert(value);
    }
    scope.declare("local", HclValue::Object(values));
    module.issues.extend(issues);
}

/// Depth-first search for dependency order; a path back to a local on the stack is a cycle.
fn visit(
    index: usize,
    dependencies: &[Vec<usize>],
    state: &mut [u8],
    stack: &mut Vec<usize>,
    order: &mut Vec<usize>,
    cycles: &mut Vec<Vec<usize>>,
) {
    state[index] = 1;
    stack.push(index);
    for &dependency in &dependencies[index] {
        match state[dependency] {
            0 => visit(dependency, dependencies, state, stack, order, cycles),
            1 => {
                if let Some(position) = stack.iter().position(|&s| s == dependency) {
                    cycles.push(stack[position..].to_vec());
                }
            }
            _ => {}
        }
    }
    stack.pop();
    state[index] = 2;
    order.push(index);
}

/// The names `local.<name>` that `node` refers to.
fn local_references(node: &Node, names: &mut Vec<String>) {
    match &node.value {
        Value::Array(items) => items.iter().for_each(|i| local_references(i, names)),
        Value::Object(entries) => entries.iter().for_each(|(_, v)| local_references(v, names)),
        Value::Deferred(expr) => scope::references(expr, "local", names),
        Value::Unknown(Unknown::Template(parts)) => {
            for part in parts {
                if let crate::model::TemplatePart::Deferred(expr) = part {
                    scope::references(expr, "local", names);
                }
            }
        }
        _ => {}
    }
}

/// How many instances a resource or module has.
enum Instances {
    /// No `count` or `for_each`.
    Single,
    /// The instances: key text, the value of `name` (`count` or `each`), and `name`.
    Known(Vec<(String, HclValue)>, &'static str),
    /// `count` or `for_each` is not known.
    Unknown(Unknown, &'static str),
}

fn instances(body: &Body, scope: &Scope) -> Instances {
    if let Some(count) = body.attribute("count") {
        let value = scope.value_of(count);
        if let Some(unknown) = holds_unknown(&value) {
            return Instances::Unknown(unknown, "count");
        }
        let Some(n) = value.as_u64().and_then(|n| usize::try_from(n).ok()) else {
            let why = format!("a `count` of {value}, which is not a whole number");
            return Instances::Unknown(Unknown::Expression(why), "count");
        };
        if n > MAX_INSTANCES {
            let why = format!("one of {n} instances, more than jitlint expands");
            return Instances::Unknown(Unknown::Expression(why), "count");
        }
        let keys = (0..n)
            .map(|i| {
                let mut object = hcl::Map::new();
                object.insert("index".to_owned(), HclValue::from(i));
                (format!("[{i}]"), HclValue::Object(object))
            })
            .collect();
        return Instances::Known(keys, "count");
    }
    let Some(for_each) = body.attribute("for_each") else {
        return Instances::Single;
    };
    let value = scope.value_of(for_each);
    let entries: Vec<(String, HclValue)> = match value {
        HclValue::String(text) => {
            let unknown = find_unknown(&text).unwrap_or_else(|| {
                Unknown::Expression("a `for_each` that is a string, not a map or set".to_owned())
            });
            return Instances::Unknown(unknown, "each");
        }
        HclValue::Object(map) => map.into_iter().collect(),
        HclValue::Array(items) => {
            let mut entries = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    HclValue::String(key) if find_unknown(&key).is_none() => {
                        entries.push((key.clone(), HclValue::String(key)));
                    }
                    other => {
                        let unknown = holds_unknown(&other).unwrap_or_else(|| {
                            Unknown::Expression(
                                "a `for_each` set whose elements are not strings".to_owned(),
                            )
                        });
                        return Instances::Unknown(unknown, "each");
                    }
                }
            }
            entries
        }
        other => {
            let why = format!("a `for_each` of {other}, not a map or set");
            return Instances::Unknown(Unknown::Expression(why), "each");
        }
    };
    if entries.len() > MAX_INSTANCES {
        let why = format!(
            "one of {} instances, more than jitlint expands",
            entries.len()
        );
        return Instances::Unknown(Unknown::Expression(why), "each");
    }
    let keys = entries
        .into_iter()
        .map(|(key, value)| {
            let mut each = hcl::Map::new();
            each.insert("key".to_owned(), HclValue::String(key.clone()));
            each.insert("value".to_owned(), value);
            (
                format!("[{}]", crate::model::quote(&key)),
                HclValue::Object(each),
            )
        })
        .collect();
    Instances::Known(keys, "each")
}

/// Expands `resource` into its instances, each with its values evaluated.
fn expand(mut resource: Resource, scope: &Scope, out: &mut Vec<Resource>) {
    match instances(&resource.body, scope) {
        Instances::Single => {
            resolve_body(&mut resource.body, scope, 0);
            out.push(resource);
        }
        Instances::Known(keys, name) => {
            for (key, value) in keys {
                let mut instance = resource.clone();
                let mut instance_scope = scope.clone();
                instance_scope.declare(name, value);
                resolve_body(&mut instance.body, &instance_scope, 0);
                instance.instance = Some(key);
                out.push(instance);
            }
        }
        Instances::Unknown(unknown, name) => {
            let mut instance_scope = scope.clone();
            instance_scope.declare(name, marked(&unknown));
            resolve_body(&mut resource.body, &instance_scope, 0);
            out.push(resource);
        }
    }
}

/// Evaluates every value of `body`, expanding `dynamic` blocks whose `for_each` is known.
fn resolve_body(body: &mut Body, scope: &Scope, depth: usize) {
    for attribute in &mut body.attributes {
        scope.resolve(&mut attribute.value);
    }
    let blocks = std::mem::take(&mut body.blocks);
    for mut block in blocks {
        if block.ident == "dynamic" && depth < MAX_MODULE_DEPTH * 4 {
            expand_dynamic(block, scope, &mut body.blocks, depth);
            continue;
        }
        resolve_body(&mut block.body, scope, depth + 1);
        body.blocks.push(block);
    }
    body.attribute_as_blocks("security_rule");
}

/// `dynamic "port" { for_each = ...; content { ... } }` as the `port` blocks it generates, or,
/// when `for_each` is not known, as itself with its contents unknown.
fn expand_dynamic(mut block: Block, scope: &Scope, out: &mut Vec<Block>, depth: usize) {
    let Some(label) = block.labels.first().cloned() else {
        out.push(block);
        return;
    };
    let iterator = block
        .body
        .attribute("iterator")
        .and_then(|node| match &node.value {
            Value::Deferred(expr) => match expr.as_ref() {
                hcl::Expression::Variable(name) => Some(name.as_str().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_else(|| label.clone());
    let content = block
        .body
        .blocks
        .iter()
        .find(|b| b.ident == "content")
        .cloned();
    let items = block.body.attribute("for_each").map(|n| scope.value_of(n));
    let entries: Result<Vec<(HclValue, HclValue)>, Unknown> = match items {
        Some(HclValue::Object(map)) => Ok(map
            .into_iter()
            .map(|(k, v)| (HclValue::String(k), v))
            .collect()),
        Some(HclValue::Array(items)) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (HclValue::from(i), v))
            .collect()),
        Some(HclValue::String(text)) => Err(find_unknown(&text)
            .unwrap_or_else(|| Unknown::Expression("a `for_each` that is a string".to_owned()))),
        Some(_) | None => Err(Unknown::Expression(
            "a `dynamic` block without a list or map `for_each`".to_owned(),
        )),
    };
    match (entries, content) {
        (Ok(entries), Some(content)) if entries.len() <= MAX_INSTANCES => {
            for (key, value) in entries {
                let mut each = hcl::Map::new();
                each.insert("key".to_owned(), key);
                each.insert("value".to_owned(), value);
                let mut item_scope = scope.clone();
                item_scope.declare(&iterator, HclValue::Object(each));
                let mut body = content.body.clone();
                resolve_body(&mut body, &item_scope, depth + 1);
                out.push(Block {
                    ident: label.clone(),
                    labels: Vec::new(),
                    header: block.header,
                    span: block.span,
                    body,
                });
            }
        }
        (entries, _) => {
            let unknown = entries.err().unwrap_or_else(|| {
                Unknown::Expression("a `dynamic` block with too many items".to_owned())
            });
            let mut item_scope = scope.clone();
            item_scope.declare(&iterator, marked(&unknown));
            resolve_body(&mut block.body, &item_scope, depth + 1);
            out.push(block);
        }
    }
}

/// Meta-arguments of a `module` block, which are not inputs.
const MODULE_META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// Follows a local child module, or records why it is not followed. Returns the value of
/// `module.<name>`: its outputs (a list of them for `count`, a map for `for_each`).
fn follow(
    module: &mut Module,
    file: usize,
    call: &ModuleCall,
    dir: Option<&Path>,
    scope: &Scope,
    prefix: &str,
    depth: usize,
) -> Option<HclValue> {
    let mut not_followed = |why: String| {
        module.issues.push(Issue {
            file,
            span: call.header,
            kind: IssueKind::ModuleNotFollowed {
                name: call.name.clone(),
                why,
            },
        });
        None
    };
    let source = match call.body.attribute("source").map(|n| scope.value_of(n)) {
        Some(HclValue::String(text)) if find_unknown(&text).is_none() => text,
        _ => return not_followed("its `source` is not a literal string".to_owned()),
    };
    if !(source.starts_with("./") || source.starts_with("../")) {
        return not_followed(format!(
            "its source `{source}` is a registry or remote module, which jitlint does not fetch"
        ));
    }
    let Some(dir) = dir else {
        return not_followed(format!(
            "the file was read from standard input, so `{source}` names no directory"
        ));
    };
    if depth >= MAX_MODULE_DEPTH {
        return not_followed(format!(
            "it is nested more than {MAX_MODULE_DEPTH} modules deep"
        ));
    }
    let child_dir = normalize(&dir.join(&source));
    let documents = match read_module(&child_dir) {
        Ok(documents) => documents,
        Err(why) => return not_followed(why),
    };
    // How `module.<name>` is shaped: one object, a list (`count`) or a map (`for_each`).
    let mut shape: Option<&'static str> = None;
    let mut unknown_instances = None;
    let instances = match instances(&call.body, scope) {
        Instances::Single => vec![(String::new(), HclValue::Null, scope.clone())],
        Instances::Known(keys, name) => {
            shape = Some(name);
            keys.into_iter()
                .map(|(key, value)| {
                    let mut instance_scope = scope.clone();
                    instance_scope.declare(name, value.clone());
                    (key, value, instance_scope)
                })
                .collect()
        }
        Instances::Unknown(unknown, name) => {
            let mut instance_scope = scope.clone();
            instance_scope.declare(name, marked(&unknown));
            unknown_instances = Some(unknown);
            vec![(String::new(), HclValue::Null, instance_scope)]
        }
    };
    let mut values = Vec::new();
    for (key, instance_value, instance_scope) in instances {
        let inputs: HashMap<String, HclValue> = call
            .body
            .attributes
            .iter()
            .filter(|a| !MODULE_META.contains(&a.name.as_str()))
            .map(|a| (a.name.clone(), instance_scope.value_of(&a.value)))
            .collect();
        let child_prefix = format!("{prefix}module.{}{key}.", call.name);
        let first = module.documents.len();
        let outputs = evaluate_into(
            module,
            documents.clone(),
            Some(&child_dir),
            &inputs,
            &child_prefix,
            depth + 1,
        );
        for document in &mut module.documents[first..] {
            document.from_module_call = true;
        }
        values.push((instance_value, outputs));
    }
    if let Some(unknown) = unknown_instances {
        return Some(marked(&unknown));
    }
    Some(match shape {
        None => values.pop().map_or(HclValue::Null, |(_, outputs)| outputs),
        Some("count") => HclValue::Array(values.into_iter().map(|(_, o)| o).collect()),
        Some(_) => HclValue::Object(
            values
                .into_iter()
                .filter_map(|(each, outputs)| {
                    Some((each.as_object()?.get("key")?.as_str()?.to_owned(), outputs))
                })
                .collect(),
        ),
    })
}

/// The parsed `.tf` and `.tf.json` files of a child module's directory.
fn read_module(dir: &Path) -> Result<Vec<Document>, String> {
    let shown = crate::display_name(dir);
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("its directory `{shown}` cannot be read: {e}"))?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| Syntax::of(path).is_some() && path.is_file())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!(
            "its directory `{shown}` holds no .tf or .tf.json file"
        ));
    }
    let mut documents = Vec::with_capacity(paths.len());
    for path in paths {
        let name = crate::display_name(&path);
        let text = std::fs::read(&path)
            .map_err(|e| format!("`{name}` cannot be read: {e}"))
            .and_then(|bytes| load::decode(bytes).map_err(|(_, p)| format!("`{name}`: {p}")))?;
        let syntax = Syntax::of(&path).unwrap_or(Syntax::Hcl);
        match load::parse(SourceFile::new(name.clone(), text), syntax) {
            Ok(document) => documents.push(document),
            Err((_, error)) => return Err(format!("`{name}` does not parse: {error}")),
        }
    }
    Ok(documents)
}

/// `a/./b/../c` as `a/c`, so that files reached through a module are named as when linted on
/// their own.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{Settings, lint_text};

    /// The findings of `text`, as `CODE address: message`.
    fn findings(text: &str) -> Vec<String> {
        let mut settings = Settings::default();
        settings.select_only(&["JIT000", "JIT001", "JIT904"]);
        lint_text("main.tf", text, &settings)
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{} {}: {}",
                    f.code,
                    f.address.as_deref().unwrap_or("-"),
                    f.message
                )
            })
            .collect()
    }

    fn policy(prefixes: &str) -> String {
        format!(
            r#"
resource "jit_policy" "p" {{
  resource_group_name = "rg"
  location            = "westeurope"
  virtual_machine {{
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
    port {{
      number                          = 22
      allowed_source_address_prefixes = {prefixes}
    }}
  }}
}}
"#
        )
    }

    #[test]
    fn splats_for_expressions_and_cidrhost() {
        let text = r#"
locals {
  rules = [{ cidr = "*" }, { cidr = "203.0.113.0/24" }]
  hosts = [for n in [7, 8] : "${cidrhost("203.0.113.0/24", n)}/32"]
}
"#
        .to_owned()
            + &policy("concat(local.rules[*].cidr, local.hosts)");
        assert_eq!(
            findings(&text),
            ["JIT001 jit_policy.p: source `*` lets the whole internet request port 22"]
        );
    }

    #[test]
    fn a_condition_on_an_unknown_is_unknown() {
        let text = r#"
variable "open" {
  type = bool
}
"#
        .to_owned()
            + &policy(r#"[var.open ? "*" : "203.0.113.0/24"]"#);
        let found = findings(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("JIT000 jit_policy.p:"), "{found:?}");
        assert!(found[0].contains("`var.open`"), "{found:?}");
    }

    #[test]
    fn known_parts_of_a_partly_known_object_are_known() {
        let text = r#"
locals {
  cfg = { cidr = "0.0.0.0/0", vm = azurerm_linux_virtual_machine.vm.id }
}
"#
        .to_owned()
            + &policy("[local.cfg.cidr]");
        assert_eq!(
            findings(&text),
            ["JIT001 jit_policy.p: source `0.0.0.0/0` lets the whole internet request port 22"]
        );
    }

    #[test]
    fn an_unknown_for_each_names_no_instance() {
        let text = r#"
resource "jit_policy" "p" {
  for_each            = data.azurerm_resources.vms.names
  resource_group_name = "rg"
  location            = "westeurope"
  virtual_machine {
    id = each.value
    port {
      number                          = 22
      allowed_source_address_prefixes = ["*"]
    }
  }
}
"#;
        assert_eq!(
            findings(text),
            ["JIT001 jit_policy.p: source `*` lets the whole internet request port 22"]
        );
    }
}
