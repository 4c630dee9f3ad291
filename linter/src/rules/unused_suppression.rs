//! JIT901 `unused-suppression`.

use crate::rule::{Context, Reporter, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `# jitlint:ignore[CODE] reason` comment that suppresses no finding.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real finding on that line or block. It usually means
    /// the problem was fixed, or the code or the rule's name was mistyped.
    ///
    /// ## Example
    /// ```hcl
    /// # jitlint:ignore[JIT001] lab VM, reviewed in SEC-42
    /// resource "jit_policy" "lab" {
    ///   # ... no broad prefix any more
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Delete the comment, or correct the rule code in it.
    code = "JIT901",
    name = "unused-suppression",
    severity = Warning,
    summary = "A suppression comment matches no finding";
    pub struct UnusedSuppression;
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reported by the suppression pass, which knows which comments matched.
    fn check(&self, _context: &Context<'_>, _reporter: &mut Reporter<'_>) {}
}
