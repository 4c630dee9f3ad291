//! `human`: miette's graphical reports, one per finding, then a summary line.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::RenderOptions;
use crate::{Finding, Outcome, Severity};

/// Renders every finding with its snippet, or without one when the source was not kept.
pub fn render(outcome: &Outcome, options: RenderOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for finding in &outcome.findings {
        let source = outcome
            .sources
            .get(&finding.file)
            .map(|file| NamedSource::new(&finding.file, Arc::clone(&file.text)));
        let report = FindingReport { finding, source };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", finding.code, finding.message));
        }
        out.push('\n');
    }
    if !outcome.is_complete() {
        // Never a clean summary beside exit code 2: say what was not read.
        let found = if outcome.findings.is_empty() {
            format!("no findings in the {} file(s) read", outcome.files_checked)
        } else {
            super::summary(outcome)
        };
        out.push_str(&format!(
            "Incomplete: {} could not be read ({}); {found}.\n",
            super::plural(outcome.io_errors.len(), "path"),
            super::unreadable_list(outcome)
        ));
    } else if outcome.findings.is_empty() {
        out.push_str(&format!(
            "No findings in {} file(s).\n",
            outcome.files_checked
        ));
    } else {
        out.push_str(&format!("Found {}.\n", super::summary(outcome)));
    }
    out
}

struct FindingReport<'a> {
    finding: &'a Finding,
    source: Option<NamedSource<Arc<str>>>,
}

impl fmt::Debug for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingReport")
            .field("code", &self.finding.code)
            .finish()
    }
}

impl fmt::Display for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingReport<'_> {}

impl Diagnostic for FindingReport<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{} {}",
            self.finding.code, self.finding.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let mut help = self.finding.help.clone();
        if let Some(address) = &self.finding.address {
            help.push_str(&format!("\nresource: {address}"));
        }
        if !self.finding.ports.is_empty() {
            let ports: Vec<String> = self.finding.ports.iter().map(u16::to_string).collect();
            help.push_str(&format!("\nports: {}", ports.join(", ")));
        }
        Some(Box::new(help))
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.docs_url))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let region = &self.finding.region;
        let label = (!self.finding.label.is_empty()).then(|| self.finding.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new(
            label,
            region.offset,
            region.length,
        ))))
    }
}
