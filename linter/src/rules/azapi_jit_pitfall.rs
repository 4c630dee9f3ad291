//! JIT005 `azapi-jit-pitfall`.

use jit_core::limits::{API_VERSION, POLICY_KIND, RESOURCE_TYPE};

use crate::model::{Node, Resource, TemplatePart, Unknown, Value};
use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::view;

declare_rule! {
    /// ## What it does
    /// Checks `azapi_resource` blocks that declare a JIT policy for the mistakes seen in public
    /// code: a misspelt resource type (such as `justInTimeNetworkAccessPolicies`), an unknown or
    /// preview api-version, a subscription-scoped `parent_id` (the API is resource-group scoped),
    /// a `parent_id` that is the resource group itself (a JIT policy lives under
    /// `.../resourceGroups/{rg}/providers/Microsoft.Security/locations/{location}`), port
    /// numbers written as strings, and a body without `kind`.
    ///
    /// `parent_id` is judged when it is a literal, a variable with a literal default, or a
    /// well-known reference (`azurerm_resource_group.<name>.id`,
    /// `data.azurerm_subscription.<name>.id`) with literal text around it; any other parent is
    /// not known, and `unknown-value` notes it.
    ///
    /// ## Why is this bad?
    /// azapi passes the body through with little checking, often with
    /// `schema_validation_enabled = false`. The mistakes then surface as confusing ARM errors at
    /// apply time, or as a policy Azure reformats on every plan.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azapi_resource" "jit" {
    ///   type      = "Microsoft.Security/locations/jitNetworkAccessPolicies@2020-01-01"
    ///   name      = "default"
    ///   parent_id = "${data.azurerm_subscription.current.id}/providers/Microsoft.Security/locations/westeurope"
    ///   body = jsonencode({
    ///     properties = {
    ///       virtualMachines = [{
    ///         id    = azurerm_linux_virtual_machine.web.id
    ///         ports = [{ number = "22", protocol = "TCP", allowedSourceAddressPrefix = "203.0.113.7", maxRequestAccessDuration = "PT1H" }]
    ///       }]
    ///     }
    ///   })
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Use `Microsoft.Security/locations/jitNetworkAccessPolicies@2020-01-01`, a `parent_id` of
    /// the form `${azurerm_resource_group.rg.id}/providers/Microsoft.Security/locations/<location>`,
    /// numbers for ports and `kind = "Basic"`. Better still, use the `jit_policy` resource.
    code = "JIT005",
    name = "azapi-jit-pitfall",
    severity = Warning,
    summary = "An azapi JIT policy has a type, scope or body mistake";
    pub struct AzapiJitPitfall;
}

impl Rule for AzapiJitPitfall {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [crate::rule::Reads]] {
        &[view::JIT_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for resource in context.resources() {
            let Some(type_node) = view::azapi_jit_type(resource) else {
                continue;
            };
            check_type(resource, type_node, reporter);
            if let Some(parent) = resource.body.attribute("parent_id") {
                let text = context.document_of(resource).map_or("", |d| &d.file.text);
                check_parent(resource, parent, text, reporter);
            }
            if let Some(body) = resource.body.attribute("body") {
                check_body(resource, body, reporter);
            }
        }
    }
}

fn check_type(resource: &Resource, node: &Node, reporter: &mut Reporter<'_>) {
    let Some(text) = node.as_str() else { return };
    let expected = format!("{RESOURCE_TYPE}@{API_VERSION}");
    let (name, version) = text.split_once('@').unwrap_or((text, ""));
    let message = if !view::is_exact_azapi_jit_type(node) {
        format!("`{name}` is not a JIT resource type; the type is `{RESOURCE_TYPE}`")
    } else if version != API_VERSION {
        format!("api-version `{version}` is not one the JIT API serves; use `{API_VERSION}`")
    } else {
        return;
    };
    reporter.report(
        resource,
        Report {
            span: node.span,
            message,
            help: format!("write `type = \"{expected}\"`"),
            label: "unknown type".to_owned(),
            ..Report::default()
        },
    );
}

/// What a `parent_id` refers to, read from its literal parts and well-known references.
fn parent_text(node: &Node) -> Option<String> {
    let describe = |unknown: &Unknown| -> Option<String> {
        let text = match unknown {
            Unknown::Reference(text) => text.as_str(),
            _ => return None,
        };
        let parts: Vec<&str> = text.split('.').collect();
        match parts.as_slice() {
            ["azurerm_resource_group", _, "id"] | ["data", "azurerm_resource_group", _, "id"] => {
                Some("/subscriptions/{sub}/resourceGroups/{rg}".to_owned())
            }
            ["data", "azurerm_subscription", _, "id"] => Some("/subscriptions/{sub}".to_owned()),
            _ => None,
        }
    };
    match &node.value {
        Value::String(text) => Some(text.clone()),
        Value::Unknown(Unknown::Template(parts)) => parts
            .iter()
            .map(|part| match part {
                TemplatePart::Literal(text) => Some(text.clone()),
                TemplatePart::Interpolation(unknown) => describe(unknown),
                TemplatePart::Deferred(_) => None,
            })
            .collect(),
        Value::Unknown(unknown) => describe(unknown),
        _ => None,
    }
}

/// The parent a JIT policy needs, after the resource group.
const PARENT_SUFFIX: &str = "/providers/Microsoft.Security/locations/<location>";

fn check_parent(resource: &Resource, node: &Node, source: &str, reporter: &mut Reporter<'_>) {
    let Some(text) = parent_text(node) else {
        return;
    };
    let lower = text.to_ascii_lowercase();
    let segments: Vec<&str> = lower.trim_matches('/').split('/').collect();
    let report = if let ["subscriptions", _, "resourcegroups", _] = segments.as_slice() {
        let written = written_text(source, node).unwrap_or_else(|| text.clone());
        Report {
            span: node.span,
            message: "`parent_id` is the resource group itself, but a JIT policy lives in a region of it: `.../resourceGroups/{rg}/providers/Microsoft.Security/locations/{location}`"
                .to_owned(),
            help: format!(
                "write `parent_id = \"{}{PARENT_SUFFIX}\"`, with the region of the virtual machines as <location>",
                written.trim_end_matches('/')
            ),
            label: "resource group, not a JIT location".to_owned(),
            ..Report::default()
        }
    } else if lower.contains("/resourcegroups/") || !lower.starts_with("/subscriptions/") {
        return;
    } else {
        Report {
            span: node.span,
            message:
                "`parent_id` is subscription-scoped, but JIT policies live in a resource group"
                    .to_owned(),
            help: format!("use `${{azurerm_resource_group.<name>.id}}{PARENT_SUFFIX}`"),
            label: "subscription scope".to_owned(),
            ..Report::default()
        }
    };
    reporter.report(resource, report);
}

/// The value as it would be written inside a string, from its source text: a quoted string or
/// template without its quotes, any other expression as a `${...}` interpolation; `None` for
/// text over several lines.
fn written_text(source: &str, node: &Node) -> Option<String> {
    let text = source.get(node.span.start..node.span.end)?.trim();
    if text.is_empty() || text.contains('\n') {
        return None;
    }
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => Some(inner.to_owned()),
        None => Some(format!("${{{text}}}")),
    }
}

fn check_body(resource: &Resource, body: &Node, reporter: &mut Reporter<'_>) {
    let Some(entries) = body.as_object() else {
        return;
    };
    if !entries.iter().any(|(key, _)| key == "kind") {
        reporter.report(
            resource,
            Report {
                span: body.span,
                message:
                    "the body has no `kind`; Azure's examples and tools send `kind = \"Basic\"`"
                        .to_owned(),
                help: format!("add `kind = \"{POLICY_KIND}\"` to the body"),
                label: "no kind".to_owned(),
                ..Report::default()
            },
        );
    }
    for vm in view::jit_vms_of(resource) {
        for port in &vm.ports {
            let Some(number) = port.number else { continue };
            let Some(text) = number.as_str() else {
                continue;
            };
            reporter.report(
                resource,
                Report {
                    span: number.span,
                    message: format!(
                        "port number is the string \"{text}\"; the API's `number` is an integer"
                    ),
                    help: format!("write `number = {}` without quotes", text.trim()),
                    label: "string".to_owned(),
                    ports: port.ports(),
                    rejected_by_azure: false,
                },
            );
        }
    }
}
