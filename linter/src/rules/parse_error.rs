//! JIT900 `parse-error`.

use crate::rule::{Context, Reporter, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `.tf` or `.tf.json` file that is not valid HCL or JSON, at the place where the
    /// parser stopped. The other files are still linted.
    ///
    /// ## Why is this bad?
    /// Nothing in the file can be checked, so a broad source prefix in it would go unnoticed.
    /// Terraform would reject the file too.
    ///
    /// ## Example
    /// ```hcl
    /// resource "jit_policy" "web" {
    ///   name = "default
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Fix the syntax error; `terraform fmt` and `terraform validate` point at the same place.
    code = "JIT900",
    name = "parse-error",
    severity = Error,
    summary = "A file could not be parsed";
    pub struct ParseError;
}

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Parse errors are reported by the loader, which has the parser's location.
    fn check(&self, _context: &Context<'_>, _reporter: &mut Reporter<'_>) {}
}
