//! JIT904 `evaluation-error`.

use crate::eval::IssueKind;
use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports what stops a module from being evaluated as Terraform would:
    ///
    /// * locals that depend on each other (`local.a` uses `local.b`, which uses `local.a`):
    ///   Terraform refuses the module, and jitlint treats every local in the cycle, and what
    ///   depends on it, as unknown;
    /// * a `terraform.tfvars`, `*.auto.tfvars` or `--var-file` file that cannot be read or
    ///   parsed: its values are not used.
    ///
    /// ## Why is this bad?
    /// Terraform stops at these errors, so the configuration cannot be applied; and every
    /// value that depends on them is unknown to jitlint, so the checks on those values are
    /// silent.
    ///
    /// ## Example
    /// ```hcl
    /// locals {
    ///   admin_cidr = local.office_cidr
    ///   office_cidr = local.admin_cidr
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Break the cycle by giving one of the locals a value that does not depend on the others;
    /// fix the variables file at the place named (`terraform validate` reports the same).
    code = "JIT904",
    name = "evaluation-error",
    severity = Error,
    summary = "Locals form a cycle, or a variables file cannot be read";
    pub struct EvaluationError;
}

impl Rule for EvaluationError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for issue in context.issues {
            let report = match &issue.kind {
                IssueKind::Cycle { names } => {
                    let chain: Vec<String> =
                        names.iter().map(|n| format!("`local.{n}`")).collect();
                    Report {
                        span: issue.span,
                        message: format!("locals depend on each other: {}", chain.join(" → ")),
                        help: "give one of them a value that does not depend on the others; until then they, and everything that uses them, are unknown"
                            .to_owned(),
                        label: "cycle".to_owned(),
                        ..Report::default()
                    }
                }
                IssueKind::BadInput { message } => Report {
                    span: issue.span,
                    message: message.clone(),
                    help: "fix the file (it takes `name = value` lines, or one JSON object); its values were not used"
                        .to_owned(),
                    label: "not read".to_owned(),
                    ..Report::default()
                },
                _ => continue,
            };
            reporter.report_in(issue.file, None, report);
        }
    }
}
