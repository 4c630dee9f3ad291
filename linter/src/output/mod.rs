//! Renderers: one file per output format, all over the same [`Outcome`].
//!
//! **Invariant:** renderers only format. They never filter, sort or change findings, so every
//! format reports exactly the same set, in the same order.

pub mod checkstyle;
pub mod compact;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::Outcome;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with a caret under each finding (miette).
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// Checkstyle XML.
    Checkstyle,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// One line per finding.
    Compact,
}

impl Format {
    /// Whether the renderer shows source snippets (and so needs the file texts kept).
    pub fn needs_sources(self) -> bool {
        self == Format::Human
    }
}

/// Options that only some renderers use.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Use colour (human output on a terminal only).
    pub color: bool,
    /// Wrap width for human output.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            color: false,
            width: 100,
        }
    }
}

/// Renders `outcome` in `format`.
pub fn render(format: Format, outcome: &Outcome, options: RenderOptions) -> String {
    match format {
        Format::Human => human::render(outcome, options),
        Format::Json => json::render(outcome),
        Format::Sarif => sarif::render(outcome),
        Format::Junit => junit::render(outcome),
        Format::Checkstyle => checkstyle::render(outcome),
        Format::Github => github::render(outcome),
        Format::Compact => compact::render(outcome),
    }
}

/// Escapes text for XML attributes and content.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            // Control characters are not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// "1 path", "2 paths".
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The paths that could not be read, for a summary line: `` `a.tf`, `sub` ``.
pub(crate) fn unreadable_list(outcome: &Outcome) -> String {
    outcome
        .io_errors
        .iter()
        .map(|error| format!("`{}`", crate::display_name(error.path())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "2 errors, 1 warning and 1 note in 3 files".
pub(crate) fn summary(outcome: &Outcome) -> String {
    use crate::Severity;
    let count = |s: Severity| outcome.findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{}, {} and {} in {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Note), "note"),
        plural(outcome.files_checked, "file")
    )
}
