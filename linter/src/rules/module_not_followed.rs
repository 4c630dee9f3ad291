//! JIT903 `module-not-followed`.

use crate::eval::IssueKind;
use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `module` block whose resources jitlint did not read: a registry or git module
    /// (`source = "Azure/avm-res-compute-virtualmachine/azurerm"`), a `source` that is not a
    /// literal string, a local directory that cannot be read or holds no Terraform file, or a
    /// module nested more than eight deep.
    ///
    /// Local modules (`source = "./modules/vm"` or `"../shared"`) are followed: their
    /// variables take the values the `module` block gives, their resources are checked with
    /// those values and named `module.<name>.<address>` in findings.
    ///
    /// ## Why is this bad?
    /// It is not bad in itself, which is why it is a note. But a JIT policy or an open NSG
    /// rule inside such a module is not checked, and jitlint says so rather than passing it
    /// in silence. jitlint never downloads modules: linting stays offline and reproducible.
    ///
    /// ## Example
    /// ```hcl
    /// module "vm" {
    ///   source  = "Azure/avm-res-compute-virtualmachine/azurerm"
    ///   version = "0.19.0"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Lint the module in its own repository, vendor it into a local directory, or lint the
    /// plan (`jitlint --plan plan.json`), which holds every module's resources. Turn the note
    /// off with `JIT903 = "off"` in `.jitlint.toml` if that is done elsewhere.
    code = "JIT903",
    name = "module-not-followed",
    severity = Note,
    summary = "A module's resources were not read";
    pub struct ModuleNotFollowed;
}

impl Rule for ModuleNotFollowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for issue in context.issues {
            let IssueKind::ModuleNotFollowed { name, why } = &issue.kind else {
                continue;
            };
            reporter.report_in(
                issue.file,
                Some(format!("module.{name}")),
                Report {
                    span: issue.span,
                    message: format!(
                        "module `{name}` was not followed: {why}; its resources are not checked"
                    ),
                    help: "lint the module where it is kept, vendor it into a local directory, or lint the plan with `jitlint --plan`"
                        .to_owned(),
                    label: "not followed".to_owned(),
                    ..Report::default()
                },
            );
        }
    }
}
