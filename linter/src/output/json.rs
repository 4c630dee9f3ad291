//! `json`: the findings as one JSON document, for scripts.

use serde_json::json;

use crate::Outcome;

/// `{"version": 1, "findings": [...], "unreadable": [...], "summary": {...}}`.
///
/// `unreadable` lists the paths that could not be read (`{"path", "message"}`), and
/// `summary.complete` is false when there are any: the exit code is then 2.
pub fn render(outcome: &Outcome) -> String {
    let count = |s: crate::Severity| outcome.findings.iter().filter(|f| f.severity == s).count();
    let unreadable: Vec<serde_json::Value> = outcome
        .io_errors
        .iter()
        .map(|error| {
            json!({
                "path": crate::display_name(error.path()),
                "message": error.describe(),
            })
        })
        .collect();
    let document = json!({
        "version": 1,
        "tool": { "name": "jitlint", "version": env!("CARGO_PKG_VERSION") },
        "findings": outcome.findings,
        "unreadable": unreadable,
        "summary": {
            "files": outcome.files_checked,
            "errors": count(crate::Severity::Error),
            "warnings": count(crate::Severity::Warning),
            "notes": count(crate::Severity::Note),
            "complete": outcome.is_complete(),
        },
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
