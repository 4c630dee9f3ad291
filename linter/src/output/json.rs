//! `json`: the findings as one JSON document, for scripts.

use serde_json::json;

use crate::Outcome;

/// `{"version": 1, "findings": [...], "summary": {...}}`.
pub fn render(outcome: &Outcome) -> String {
    let count = |s: crate::Severity| outcome.findings.iter().filter(|f| f.severity == s).count();
    let document = json!({
        "version": 1,
        "tool": { "name": "jitlint", "version": env!("CARGO_PKG_VERSION") },
        "findings": outcome.findings,
        "summary": {
            "files": outcome.files_checked,
            "errors": count(crate::Severity::Error),
            "warnings": count(crate::Severity::Warning),
            "notes": count(crate::Severity::Note),
        },
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
