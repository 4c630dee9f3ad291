//! `sarif`: SARIF 2.1.0 with rule metadata, as GitHub code scanning expects.
//!
//! Paths are relative URIs against `%SRCROOT%`, columns count Unicode code points
//! (`columnKind`), and every rule in the registry is listed so that `ruleIndex` is stable.

use serde_json::{Value, json};

use crate::{Outcome, Severity, registry};

/// The SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Renders the SARIF log.
pub fn render(outcome: &Outcome) -> String {
    let rules: Vec<Value> = registry::ALL
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            json!({
                "id": meta.code,
                "name": meta.name,
                "shortDescription": { "text": meta.summary },
                "fullDescription": { "text": meta.summary },
                "helpUri": meta.docs_url(),
                "help": { "text": meta.markdown(), "markdown": meta.markdown() },
                "defaultConfiguration": { "level": level(meta.default_severity) },
                "properties": { "tags": ["security", "terraform", "azure-jit"] },
            })
        })
        .collect();
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            let rule_index = registry::ALL.iter().position(|r| r.meta().code == f.code);
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&f.file), "uriBaseId": "%SRCROOT%" },
                    "region": {
                        "startLine": f.region.start.line,
                        "startColumn": f.region.start.column,
                        "endLine": f.region.end.line,
                        "endColumn": f.region.end.column,
                    },
                },
            });
            if let (Some(address), Some(object)) = (&f.address, location.as_object_mut()) {
                object.insert(
                    "logicalLocations".to_owned(),
                    json!([{ "fullyQualifiedName": address, "kind": "resource" }]),
                );
            }
            let mut result = json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": { "text": format!("{}\nhelp: {}", f.message, f.help) },
                "locations": [location],
                "properties": { "ports": f.ports, "ruleName": f.name },
            });
            if let (Some(index), Some(object)) = (rule_index, result.as_object_mut()) {
                object.insert("ruleIndex".to_owned(), json!(index));
            }
            result
        })
        .collect();
    // A path that could not be read makes the run unsuccessful (exit code 2): say so, with the
    // path, as a tool execution notification.
    let notifications: Vec<Value> = outcome
        .io_errors
        .iter()
        .map(|error| {
            json!({
                "level": "error",
                "message": { "text": error.describe() },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": uri(&crate::display_name(error.path())),
                            "uriBaseId": "%SRCROOT%",
                        },
                    },
                }],
                "descriptor": { "id": "jitlint::io" },
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "jitlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                },
            },
            "invocations": [{
                "executionSuccessful": outcome.is_complete(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// A relative URI: `/` separators and percent-encoding of the characters URIs reserve.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
