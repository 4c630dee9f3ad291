//! `checkstyle`: Checkstyle XML, which many CI tools and code review bots read.

use std::fmt::Write as _;

use super::xml_escape;
use crate::{Outcome, Severity};

/// `<checkstyle><file name=...><error .../></file></checkstyle>`, files in finding order.
pub fn render(outcome: &Outcome) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    let mut current: Option<&str> = None;
    for f in &outcome.findings {
        if current != Some(f.file.as_str()) {
            if current.is_some() {
                out.push_str("  </file>\n");
            }
            let _ = writeln!(out, "  <file name=\"{}\">", xml_escape(&f.file));
            current = Some(&f.file);
        }
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "info",
        };
        let mut message = f.message.clone();
        if let Some(address) = &f.address {
            let _ = write!(message, " [{address}]");
        }
        let _ = writeln!(
            out,
            "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" source=\"jitlint.{}.{}\"/>",
            f.region.start.line,
            f.region.start.column,
            xml_escape(&message),
            f.code,
            f.name
        );
    }
    if current.is_some() {
        out.push_str("  </file>\n");
    }
    // A path that could not be read is an error at its first line: the run is incomplete.
    for error in &outcome.io_errors {
        let _ = writeln!(
            out,
            "  <file name=\"{}\">\n    <error line=\"1\" severity=\"error\" message=\"{}\" source=\"jitlint.io\"/>\n  </file>",
            xml_escape(&crate::display_name(error.path())),
            xml_escape(&error.describe())
        );
    }
    out.push_str("</checkstyle>\n");
    out
}
