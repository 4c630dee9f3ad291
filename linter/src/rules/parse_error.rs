//! JIT900 `parse-error`.

use crate::rule::{Context, Reporter, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `.tf` or `.tf.json` file that is not valid HCL or JSON, at the place where the
    /// parser stopped. The other files are still linted.
    ///
    /// A file that is not text at all (bytes that are not UTF-8, such as a binary file or one
    /// saved as UTF-16, or a NUL byte) is reported the same way, at its first such byte, with
    /// its path in the message and without a snippet: its raw bytes are never printed. In any
    /// snippet, control characters (which could drive the terminal) are shown as `?`.
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
