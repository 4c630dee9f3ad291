//! JIT000 `unknown-value`.

use crate::model::{Node, Value};
use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::view::{self, Tri};

declare_rule! {
    /// ## What it does
    /// Reports a value that a JIT check needs but that cannot be known before `terraform plan`,
    /// with the reason: a reference to a resource or data source (known only after apply), a
    /// variable with no default and no `--var`, `--var-file` or tfvars value, a local in a
    /// cycle, an expression jitlint cannot evaluate (a function it does not implement, an
    /// error), or a `dynamic "port"` block whose `for_each` is not known.
    ///
    /// Everything Terraform could compute before planning is computed first: variables,
    /// tfvars, locals, functions, conditionals, `for` expressions, `count` and `for_each`.
    ///
    /// ## Why is this bad?
    /// It is not bad in itself, which is why it is a note. But jitlint never guesses: an unknown
    /// source prefix is neither safe nor unsafe, so the other rules say nothing about it. This
    /// note makes that silence visible, so that a reviewer knows what was not checked.
    /// Virtual machine ids are not reported: they are nearly always references, and only the
    /// 56-character name check needs them.
    ///
    /// ## Example
    /// ```hcl
    /// variable "ops_cidr" {}
    ///
    /// resource "jit_policy" "web" {
    ///   virtual_machine {
    ///     id = azurerm_linux_virtual_machine.web.id
    ///     port {
    ///       number                        = 22
    ///       allowed_source_address_prefix = var.ops_cidr
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Give the variable a value (a default, `terraform.tfvars`, `--var-file` or `--var`), or
    /// write the value literally. If the value really is only known at plan time, lint the
    /// plan (`jitlint --plan plan.json`), keep the note, turn the rule off in `.jitlint.toml`
    /// (`JIT000 = "off"`), or rely on the provider's plan-time validation, which uses the same
    /// checks.
    code = "JIT000",
    name = "unknown-value",
    severity = Note,
    summary = "A value a JIT check needs is not statically known";
    pub struct UnknownValue;
}

impl Rule for UnknownValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [crate::rule::Reads]] {
        &[view::JIT_READS, view::NSG_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for vm in &context.vms {
            let resource = vm.resource;
            for block in &vm.dynamic_ports {
                // Evaluation expands a `dynamic` block whose `for_each` is known, so one that is
                // left has an unknown `for_each`; say why.
                let why = block
                    .body
                    .attribute("for_each")
                    .and_then(Node::unknown)
                    .map_or_else(String::new, |u| {
                        format!(", because its `for_each` is not: {}", u.describe())
                    });
                reporter.report(
                    resource,
                    Report {
                        span: block.header,
                        message: format!(
                            "the ports of a `dynamic \"port\"` block are not statically known{why}"
                        ),
                        help: "write the port blocks out, or check the generated plan".to_owned(),
                        label: "not checked".to_owned(),
                        ..Report::default()
                    },
                );
            }
            if let Some(node) = vm.unknown_ports {
                report_unknown(reporter, resource, "ports", node, Vec::new());
            }
            for port in &vm.ports {
                let fields = [
                    ("number", port.number),
                    ("protocol", port.protocol),
                    (prefix_name(port.origin, false), port.prefix),
                    (prefix_name(port.origin, true), port.prefixes),
                    (duration_name(port.origin), port.duration),
                ];
                for (name, node) in fields {
                    for item in node.into_iter().flat_map(view::items) {
                        report_unknown(reporter, resource, name, item, port.ports());
                    }
                }
            }
        }
        for rule in &context.nsg_rules {
            // Only unknowns that could hide an exposure are worth a note: a rule known to be
            // outbound or Deny cannot expose anything, whatever its other values.
            let admits = rule.admits_inbound();
            if admits == Tri::No {
                continue;
            }
            let resource = rule.resource;
            for (name, node) in [
                ("direction", rule.direction),
                ("access", rule.access),
                ("protocol", rule.protocol),
            ] {
                if let Some(node) = node.filter(|n| n.unknown().is_some()) {
                    report_unknown(reporter, resource, name, node, Vec::new());
                }
            }
            let (_, unknown_ports) = rule.port_range_nodes();
            for node in unknown_ports {
                report_unknown(
                    reporter,
                    resource,
                    "destination_port_range",
                    node,
                    Vec::new(),
                );
            }
            let (_, unknown_sources) = rule.source_nodes();
            for node in unknown_sources {
                report_unknown(
                    reporter,
                    resource,
                    "source_address_prefix",
                    node,
                    Vec::new(),
                );
            }
        }
        for resource in context.resources() {
            if view::azapi_jit_type(resource).is_none() {
                continue;
            }
            for name in ["body", "parent_id"] {
                if let Some(node) = resource
                    .body
                    .attribute(name)
                    .filter(|n| n.unknown().is_some())
                {
                    report_unknown(reporter, resource, name, node, Vec::new());
                }
            }
        }
    }
}

fn prefix_name(origin: view::Origin, list: bool) -> &'static str {
    match (origin, list) {
        (view::Origin::Azapi, false) => "allowedSourceAddressPrefix",
        (view::Origin::Azapi, true) => "allowedSourceAddressPrefixes",
        (_, false) => "allowed_source_address_prefix",
        (_, true) => "allowed_source_address_prefixes",
    }
}

fn duration_name(origin: view::Origin) -> &'static str {
    match origin {
        view::Origin::Azapi => "maxRequestAccessDuration",
        view::Origin::Request => "duration",
        view::Origin::Policy | view::Origin::PolicyVirtualMachine => "max_request_access_duration",
    }
}

fn report_unknown(
    reporter: &mut Reporter<'_>,
    resource: &crate::model::Resource,
    name: &str,
    node: &Node,
    ports: Vec<u16>,
) {
    let Value::Unknown(unknown) = &node.value else {
        return;
    };
    reporter.report(
        resource,
        Report {
            span: node.span,
            message: format!("`{name}` is not statically known: {}", unknown.describe()),
            help: "give it a literal value or a literal variable default in this module, or review it in the plan"
                .to_owned(),
            label: "not checked".to_owned(),
            ports,
            rejected_by_azure: false,
        },
    );
}
