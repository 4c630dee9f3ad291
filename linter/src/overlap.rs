//! Which finding stands when two rules flag the same value: decided here, for every rule.
//!
//! Rules report what they see without knowing about each other. Some pairs overlap on
//! purpose: a source open to the whole internet is a broad source (JIT001) and, on an NSG
//! rule for a management port, an exposed management port (JIT003). Reporting both would say
//! the same thing twice; the more specific one stands. Keeping the table here, instead of in
//! comments that tell one rule to keep quiet for another, means a rule turned off in
//! `.jitlint.toml` never silences a finding that another rule would have left to it.

use std::collections::HashMap;

use crate::rule::Finding;
use crate::source::Region;

/// `(stands, dropped)`: when both codes flag the same span of the same resource instance,
/// the second finding is dropped.
pub const SUPERSEDES: &[(&str, &str)] = &[
    // An NSG rule open to the internet on a management port: exposure says more than breadth.
    ("JIT003", "JIT001"),
    // A standing rule on a JIT-protected port: defeating JIT says more than exposure alone.
    ("JIT011", "JIT003"),
    ("JIT011", "JIT001"),
];

/// Drops every finding that a more specific one on the same span supersedes.
pub fn resolve(findings: &mut Vec<Finding>) {
    let mut codes_at: HashMap<(&str, Region, Option<&str>), Vec<&str>> = HashMap::new();
    for finding in findings.iter() {
        codes_at
            .entry(place(finding))
            .or_default()
            .push(finding.code);
    }
    let dropped: Vec<bool> = findings
        .iter()
        .map(|finding| {
            codes_at.get(&place(finding)).is_some_and(|codes| {
                SUPERSEDES
                    .iter()
                    .any(|(stands, dropped)| *dropped == finding.code && codes.contains(stands))
            })
        })
        .collect();
    let mut index = 0;
    findings.retain(|_| {
        let keep = !dropped.get(index).copied().unwrap_or(false);
        index += 1;
        keep
    });
}

fn place(finding: &Finding) -> (&str, Region, Option<&str>) {
    (&finding.file, finding.region, finding.address.as_deref())
}
