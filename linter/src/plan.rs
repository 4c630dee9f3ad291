//! `terraform show -json PLAN` as input: every value Terraform knows at plan time, resolved.
//!
//! The plan's `planned_values` give each resource instance's values (modules, `count`,
//! `for_each` and `dynamic` blocks already expanded by Terraform); `resource_changes` say which
//! values are known only after apply; the `configuration` section says what those refer to,
//! so that a VM id that is not known yet still links a JIT policy to its VM. The plan has no
//! source positions: findings are mapped back to the `.tf` files of the configuration
//! directory (the plan's directory unless given) by resource address and attribute path,
//! and to the resource's entry in the plan file when the source is not there.
//!
//! The same rules then run as on the source form, so both forms give the same findings for
//! the values both know.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::eval::{self, Module};
use crate::load::{self, Syntax};
use crate::model::{Attribute, Block, Body, Document, Node, Number, Resource, Unknown, Value};
use crate::registry::{self, AttributeFilter};
use crate::source::{SourceFile, Span};
use crate::{Outcome, Settings};

/// Why a plan could not be linted.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum PlanError {
    /// The plan file could not be read.
    #[error("cannot read plan `{}`", crate::display_name(.path))]
    #[diagnostic(code(jitlint::plan))]
    Io {
        /// The plan file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON, or not the JSON of `terraform show -json` on a saved plan.
    #[error("`{}` is not a Terraform plan in JSON: {message}", crate::display_name(.path))]
    #[diagnostic(
        code(jitlint::plan),
        help(
            "write it with `terraform plan -out plan.tfplan && terraform show -json plan.tfplan > plan.json`"
        )
    )]
    NotAPlan {
        /// The plan file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Nested blocks in plan values that the rules read as blocks (the rest are attributes).
const BLOCK_NAMES: &[&str] = &[
    "virtual_machine",
    "port",
    "security_rule",
    "ip_configuration",
    "storage_os_disk",
    "os_profile_linux_config",
    "os_profile_windows_config",
];

/// Lints the plan at `path`. `config_dir` is the configuration's root module directory, for
/// positions and suppression comments (default: the plan's directory).
pub fn lint_plan(
    path: &Path,
    config_dir: Option<&Path>,
    settings: &Settings,
    keep_sources: bool,
) -> Result<Outcome, PlanError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlanError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let not_a_plan = |message: String| PlanError::NotAPlan {
        path: path.to_path_buf(),
        message,
    };
    let plan: Json = serde_json::from_str(&text).map_err(|e| not_a_plan(e.to_string()))?;
    let planned = plan
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
        .ok_or_else(|| not_a_plan("it has no `planned_values`".to_owned()))?;
    let dir = config_dir
        .map(Path::to_path_buf)
        .or_else(|| path.parent().map(Path::to_path_buf))
        .unwrap_or_default();

    let mut module = Module::default();
    let configuration = plan.get("configuration").and_then(|c| c.get("root_module"));
    load_sources(&dir, configuration, "", &mut module, 0);
    let own_files = module.documents.len();
    // The plan's instances replace the source's declarations, which are kept for positions.
    let sources: Vec<(usize, Resource)> = module
        .documents
        .iter_mut()
        .enumerate()
        .flat_map(|(index, d)| {
            std::mem::take(&mut d.resources)
                .into_iter()
                .map(move |r| (index, r))
        })
        .collect();
    let plan_file = module.documents.len();
    module.documents.push(Document::empty(SourceFile::new(
        crate::display_name(path),
        text.clone(),
    )));
    module.own_files = own_files;

    let after_unknown: HashMap<&str, &Json> = plan
        .get("resource_changes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|change| {
            let address = change.get("address")?.as_str()?;
            Some((address, change.get("change")?.get("after_unknown")?))
        })
        .collect();

    let mut planned_resources = Vec::new();
    collect_resources(planned, &mut planned_resources, 0);
    let schema = registry::schema();
    for resource in planned_resources {
        let field = |name: &str| resource.get(name).and_then(Json::as_str);
        let (Some(address), Some(kind), Some(name)) =
            (field("address"), field("type"), field("name"))
        else {
            continue;
        };
        if field("mode") != Some("managed") {
            continue;
        }
        let Some(filter) = schema.filter(kind) else {
            continue;
        };
        let instance = match resource.get("index") {
            Some(Json::Number(n)) => Some(format!("[{n}]")),
            Some(Json::String(key)) => Some(format!("[{}]", crate::model::quote(key))),
            _ => None,
        };
        let own = format!("{kind}.{name}{}", instance.as_deref().unwrap_or_default());
        let prefix = address.strip_suffix(&own).unwrap_or_default().to_owned();
        let config_prefix = strip_keys(&prefix);
        let expressions = config_resource(configuration, &config_prefix, kind, name)
            .and_then(|r| r.get("expressions"));
        let source = sources
            .iter()
            .find(|(_, r)| r.kind == kind && r.name == name && r.module == config_prefix)
            .map(|(file, r)| (*file, r));
        let (file, header, span, source_body) = match source {
            Some((file, resource)) => (file, resource.header, resource.span, Some(&resource.body)),
            None => {
                let needle = serde_json::to_string(address).unwrap_or_default();
                let at = text.find(&needle).unwrap_or(0);
                let span = Span::new(at, at + needle.len());
                (plan_file, span, span, None)
            }
        };
        let values = resource.get("values").cloned().unwrap_or(Json::Null);
        let mut body = to_body(
            &values,
            after_unknown.get(address).copied(),
            expressions,
            source_body,
            header,
            filter,
            kind,
        );
        body.attribute_as_blocks("security_rule");
        let mut converted = Resource::new(kind.to_owned(), name.to_owned(), header, span, body);
        converted.file = file;
        converted.module = prefix;
        converted.instance = instance;
        planned_resources_push(&mut module, file, converted);
    }
    let mut outcome = Outcome {
        files_checked: own_files + 1,
        ..Outcome::default()
    };
    crate::check_module(module, settings, keep_sources, &mut outcome);
    outcome.finish();
    Ok(outcome)
}

fn planned_resources_push(module: &mut Module, file: usize, resource: Resource) {
    if let Some(document) = module.documents.get_mut(file) {
        document.resources.push(resource);
    }
}

/// The planned resources of a module and its child modules.
fn collect_resources<'a>(module: &'a Json, out: &mut Vec<&'a Json>, depth: usize) {
    if depth > eval::MAX_MODULE_DEPTH * 2 {
        return;
    }
    out.extend(
        module
            .get("resources")
            .and_then(Json::as_array)
            .into_iter()
            .flatten(),
    );
    for child in module
        .get("child_modules")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        collect_resources(child, out, depth + 1);
    }
}

/// `module.a["x"].module.b[0].` as `module.a.module.b.`, the path of the configuration.
fn strip_keys(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len());
    let mut depth = 0usize;
    let mut in_string = false;
    for c in prefix.chars() {
        match c {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The configuration of module path `prefix` (`module.a.`), following `module_calls`.
fn config_module<'a>(root: Option<&'a Json>, prefix: &str) -> Option<&'a Json> {
    let mut module = root?;
    for part in prefix
        .split('.')
        .filter(|p| !p.is_empty() && *p != "module")
    {
        module = module.get("module_calls")?.get(part)?.get("module")?;
    }
    Some(module)
}

fn config_resource<'a>(
    root: Option<&'a Json>,
    prefix: &str,
    kind: &str,
    name: &str,
) -> Option<&'a Json> {
    let address = format!("{kind}.{name}");
    config_module(root, prefix)?
        .get("resources")?
        .as_array()?
        .iter()
        .find(|r| r.get("address").and_then(Json::as_str) == Some(address.as_str()))
}

/// Reads the configuration's `.tf` files: the root module's in `dir`, and those of the local
/// modules it calls, each document tagged with its module path in `module_prefix`.
fn load_sources(
    dir: &Path,
    configuration: Option<&Json>,
    prefix: &str,
    module: &mut Module,
    depth: usize,
) {
    if depth > eval::MAX_MODULE_DEPTH {
        return;
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    })
    .into_iter()
    .flatten()
    .flatten()
    .map(|entry| entry.path())
    .filter(|path| Syntax::of(path).is_some() && path.is_file())
    .collect();
    paths.sort();
    for path in paths {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let Ok(text) = load::decode(bytes) else {
            continue;
        };
        let syntax = Syntax::of(&path).unwrap_or(Syntax::Hcl);
        if let Ok(mut document) =
            load::parse(SourceFile::new(crate::display_name(&path), text), syntax)
        {
            document.from_module_call = depth > 0;
            for resource in &mut document.resources {
                resource.module = prefix.to_owned();
            }
            module.documents.push(document);
        }
    }
    let calls = configuration
        .and_then(|c| c.get("module_calls"))
        .and_then(Json::as_object);
    for (name, call) in calls.into_iter().flatten() {
        let Some(source) = call.get("source").and_then(Json::as_str) else {
            continue;
        };
        if !(source.starts_with("./") || source.starts_with("../")) {
            continue;
        }
        let child = eval::normalize(&dir.join(source));
        let child_prefix = format!("{prefix}module.{name}.");
        load_sources(&child, call.get("module"), &child_prefix, module, depth + 1);
    }
}

/// A planned resource's values as a model body: blocks for [`BLOCK_NAMES`], nulls left out,
/// values known only after apply as unknowns naming what they refer to, and spans from the
/// source body where it has the same attribute.
fn to_body(
    values: &Json,
    unknown: Option<&Json>,
    expressions: Option<&Json>,
    source: Option<&Body>,
    span: Span,
    filter: &AttributeFilter,
    kind: &str,
) -> Body {
    let mut body = Body::default();
    let Some(values) = values.as_object() else {
        return body;
    };
    let is_unknown = |key: &str| unknown.and_then(|u| u.get(key)) == Some(&Json::Bool(true));
    for (key, value) in values {
        if BLOCK_NAMES.contains(&key.as_str())
            && let Some(items) = value.as_array()
        {
            let source_blocks: Vec<&Block> =
                source.map(|b| b.blocks(key).collect()).unwrap_or_default();
            for (index, item) in items.iter().enumerate() {
                let source_block = source_blocks.get(index).copied();
                let header = source_block.map_or(span, |b| b.header);
                body.blocks.push(Block {
                    ident: key.clone(),
                    labels: Vec::new(),
                    header,
                    span: source_block.map_or(span, |b| b.span),
                    body: to_body(
                        item,
                        unknown.and_then(|u| u.get(key)).and_then(|u| u.get(index)),
                        expressions
                            .and_then(|e| e.get(key))
                            .and_then(|e| e.get(index)),
                        source_block.map(|b| &b.body),
                        header,
                        filter,
                        kind,
                    ),
                });
            }
            continue;
        }
        if !filter.reads(key) || (value.is_null() && !is_unknown(key)) {
            continue;
        }
        let source_node = source.and_then(|b| b.attribute(key));
        let node_span = source_node.map_or(span, |n| n.span);
        let node = if is_unknown(key) {
            Node {
                value: Value::Unknown(reason(expressions.and_then(|e| e.get(key)))),
                span: node_span,
            }
        } else if kind == "azapi_resource" && key == "body" && value.is_string() {
            let parsed = value
                .as_str()
                .and_then(|s| serde_json::from_str::<Json>(s).ok())
                .unwrap_or_else(|| value.clone());
            json_node(&parsed, source_node, node_span)
        } else {
            json_node(value, source_node, node_span)
        };
        body.attributes.push(Attribute {
            name: key.clone(),
            value: node,
        });
    }
    for (key, flag) in unknown.and_then(Json::as_object).into_iter().flatten() {
        let absent = values.get(key).is_none_or(Json::is_null);
        if *flag == Json::Bool(true) && absent && filter.reads(key) && body.attribute(key).is_none()
        {
            let node_span = source
                .and_then(|b| b.attribute(key))
                .map_or(span, |n| n.span);
            body.attributes.push(Attribute {
                name: key.clone(),
                value: Node {
                    value: Value::Unknown(reason(expressions.and_then(|e| e.get(key)))),
                    span: node_span,
                },
            });
        }
    }
    body
}

/// Why a value is known only after apply: the resource it refers to, from the configuration.
fn reason(expression: Option<&Json>) -> Unknown {
    let references: Vec<&str> = expression
        .and_then(|e| e.get("references"))
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .filter(|r| {
            !["var.", "local.", "each.", "count.", "path.", "terraform."]
                .iter()
                .any(|p| r.starts_with(p))
        })
        .collect();
    match references.first() {
        Some(reference) => Unknown::Reference((*reference).to_owned()),
        None => Unknown::Expression("a value known only after apply".to_owned()),
    }
}

/// A JSON value as a model node, with the source node's spans where the shapes agree.
fn json_node(value: &Json, source: Option<&Node>, span: Span) -> Node {
    let value = match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(Number {
            raw: n.to_string(),
            integer: n.as_i64(),
        }),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => {
            let source_items = source
                .and_then(Node::as_array)
                .filter(|s| s.len() == items.len());
            Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let source_item = source_items.and_then(|s| s.get(i));
                        json_node(item, source_item, source_item.map_or(span, |n| n.span))
                    })
                    .collect(),
            )
        }
        Json::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let source_item = source.and_then(|s| s.get(k));
                    (
                        k.clone(),
                        json_node(v, source_item, source_item.map_or(span, |n| n.span)),
                    )
                })
                .collect(),
        ),
    };
    Node { value, span }
}
