//! `junit`: JUnit XML, one test suite per file with findings and one failed test case per finding.

use std::fmt::Write as _;

use super::xml_escape;
use crate::Outcome;

/// Renders JUnit XML. A clean run is one passing test case, so CI shows that the lint ran; a path
/// that could not be read is a test case in error.
pub fn render(outcome: &Outcome) -> String {
    let total = outcome.findings.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let unreadable = outcome.io_errors.len();
    let _ = writeln!(
        out,
        "<testsuites name=\"jitlint\" tests=\"{}\" failures=\"{total}\" errors=\"{unreadable}\">",
        (total + unreadable).max(1)
    );
    if unreadable > 0 {
        // A path that could not be read is an error of the run (exit code 2), never a pass.
        let _ = writeln!(
            out,
            "  <testsuite name=\"jitlint: unreadable paths\" tests=\"{unreadable}\" failures=\"0\" errors=\"{unreadable}\">"
        );
        for error in &outcome.io_errors {
            let path = crate::display_name(error.path());
            let _ = writeln!(
                out,
                "    <testcase name=\"read {}\" classname=\"{}\">\n      <error message=\"{}\" type=\"io\"/>\n    </testcase>",
                xml_escape(&path),
                xml_escape(&path),
                xml_escape(&error.describe())
            );
        }
        out.push_str("  </testsuite>\n");
    }
    if total == 0 && unreadable == 0 {
        out.push_str("  <testsuite name=\"jitlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        out.push_str("    <testcase name=\"no findings\" classname=\"jitlint\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    let mut start = 0;
    while start < total {
        let file = &outcome.findings[start].file;
        let end = outcome.findings[start..]
            .iter()
            .position(|f| &f.file != file)
            .map_or(total, |offset| start + offset);
        let group = &outcome.findings[start..end];
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            xml_escape(file),
            group.len(),
            group.len()
        );
        for f in group {
            let location = format!(
                "{}:{}:{}",
                f.file, f.region.start.line, f.region.start.column
            );
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {} {}\" classname=\"{}\">",
                f.code,
                xml_escape(f.address.as_deref().unwrap_or(f.name)),
                xml_escape(&location),
                xml_escape(&f.file)
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}: {}&#10;help: {}&#10;{}</failure>",
                xml_escape(&f.message),
                f.severity,
                xml_escape(&location),
                xml_escape(&f.message),
                xml_escape(&f.help),
                xml_escape(f.docs_url)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
        start = end;
    }
    out.push_str("</testsuites>\n");
    out
}
