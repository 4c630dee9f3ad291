//! `compact`: one line per finding, for editors and grep.

use std::fmt::Write as _;

use crate::Outcome;

/// `file:line:col: severity[CODE] message [address]`.
pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        let _ = write!(
            out,
            "{}:{}:{}: {}[{}] {}",
            f.file, f.region.start.line, f.region.start.column, f.severity, f.code, f.message
        );
        if let Some(address) = &f.address {
            let _ = write!(out, " [{address}]");
        }
        out.push('\n');
    }
    out
}
