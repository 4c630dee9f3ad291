//! `github`: GitHub Actions workflow commands, which become annotations on the pull request.

use std::fmt::Write as _;

use crate::{Outcome, Severity};

/// `::error file=...,line=...,col=...,endLine=...,endColumn=...,title=...::message`.
pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut message = f.message.clone();
        if let Some(address) = &f.address {
            let _ = write!(message, " [{address}]");
        }
        let _ = write!(message, "\n{}\n{}", f.help, f.docs_url);
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&f.file),
            f.region.start.line,
            f.region.start.column,
            f.region.end.line,
            f.region.end.column,
            property(&format!("{} {}", f.code, f.name)),
            data(&message)
        );
    }
    out
}

/// Escapes a command's message, as the Actions toolkit does.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property, as the Actions toolkit does.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
