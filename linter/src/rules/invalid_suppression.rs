//! JIT902 `invalid-suppression`.

use crate::rule::{Context, Reporter, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a suppression comment that does not suppress anything because it is malformed:
    /// no reason after the codes, an unknown rule code, a malformed expiry date, or an expiry
    /// date that has passed (the suppressed finding is then reported again as well).
    ///
    /// ## Why is this bad?
    /// A suppression is a reviewed exception. Without a reason nobody can review it later, and an
    /// expired exception should be looked at again.
    ///
    /// ## Example
    /// ```hcl
    /// # jitlint:ignore[JIT001]
    /// resource "jit_policy" "lab" {
    /// ```
    ///
    /// ## How to fix
    /// Write `# jitlint:ignore[JIT001] reason`, optionally with an expiry:
    /// `# jitlint:ignore[JIT001] until=2026-12-31 lab VM, see SEC-42`.
    code = "JIT902",
    name = "invalid-suppression",
    severity = Warning,
    summary = "A suppression comment is malformed, has no reason, or has expired";
    pub struct InvalidSuppression;
}

impl Rule for InvalidSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reported by the suppression pass.
    fn check(&self, _context: &Context<'_>, _reporter: &mut Reporter<'_>) {}
}
