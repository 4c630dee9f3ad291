//! Inline suppressions: `# jitlint:ignore[JIT001,broad-source-prefix] until=2026-12-31 reason`.
//!
//! A comment applies to its own line when code precedes it, otherwise to the next line that is
//! not blank or a comment. When that line opens a block (a resource, a `module`, a `port`), the
//! suppression covers the whole block, and so every `count`/`for_each` instance of it.
//! A reason is required; an expiry date is optional, and after it the finding returns.

use crate::config::Settings;
use crate::model::BlockExtent;
use crate::registry;
use crate::rule::{Finding, Severity};
use crate::rules::{InvalidSuppression, UnusedSuppression};
use crate::source::{SourceFile, Span};

const MARKER: &str = "jitlint:ignore";

/// One suppression comment.
#[derive(Debug, Clone)]
pub struct Directive {
    /// The comment text from the marker on.
    span: Span,
    /// Rule codes it names.
    codes: Vec<&'static str>,
    /// First and last line covered.
    lines: (usize, usize),
    /// `until=` date, if given.
    expires: Option<String>,
    /// Why the directive is unusable, if it is.
    problem: Option<String>,
    used: bool,
}

/// Finds the suppression comments of a file.
pub fn scan(file: &SourceFile, extents: &[BlockExtent]) -> Vec<Directive> {
    let mut directives = Vec::new();
    if !file.text.contains(MARKER) {
        return directives;
    }
    for line_number in 1..=file.line_count() {
        let line = file.line_text(line_number);
        let Some(marker_at) = line.find(MARKER) else {
            continue;
        };
        let before = &line[..marker_at];
        let comment_at = match (before.find('#'), before.find("//")) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => continue,
        };
        let code_before = !before[..comment_at].trim().is_empty();
        let target = if code_before {
            Some(line_number)
        } else {
            (line_number + 1..=file.line_count()).find(|&n| {
                let text = file.line_text(n).trim();
                !(text.is_empty() || text.starts_with('#') || text.starts_with("//"))
            })
        };
        let line_start = file.line_start(line_number).unwrap_or(0);
        let span = Span::new(line_start + marker_at, line_start + line.len());
        let mut directive = parse(&line[marker_at + MARKER.len()..], span);
        let Some(target) = target else {
            directive
                .problem
                .get_or_insert_with(|| "it is followed by no code".to_owned());
            directive.lines = (line_number, line_number);
            directives.push(directive);
            continue;
        };
        let block_end = extents
            .iter()
            .filter(|extent| file.position(extent.span.start).line == target)
            .map(|extent| file.position(extent.span.end.saturating_sub(1)).line)
            .max();
        directive.lines = (target, block_end.unwrap_or(target).max(target));
        directives.push(directive);
    }
    directives
}

fn parse(rest: &str, span: Span) -> Directive {
    let mut directive = Directive {
        span,
        codes: Vec::new(),
        lines: (0, 0),
        expires: None,
        problem: None,
        used: false,
    };
    let Some(inner) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) else {
        directive.problem = Some("expected `[CODE]` right after `jitlint:ignore`".to_owned());
        return directive;
    };
    let (codes, mut reason) = (inner.0, inner.1.trim());
    for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        match registry::find(code) {
            Some(meta) => directive.codes.push(meta.code),
            None => {
                directive.problem = Some(format!("no rule is called `{code}`"));
                return directive;
            }
        }
    }
    if directive.codes.is_empty() {
        directive.problem = Some("no rule code between the brackets".to_owned());
        return directive;
    }
    if let Some(after) = reason.strip_prefix("until=") {
        let (date, remainder) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
        if !is_date(date) {
            directive.problem = Some(format!("`until={date}` is not a date like 2026-12-31"));
            return directive;
        }
        directive.expires = Some(date.to_owned());
        reason = remainder.trim();
    }
    if reason.is_empty() {
        directive.problem = Some("a reason is required after the rule codes".to_owned());
    }
    directive
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// Removes suppressed findings and reports unusable or unused directives.
pub fn apply(
    file: &SourceFile,
    directives: &mut [Directive],
    findings: &mut Vec<Finding>,
    settings: &Settings,
) {
    if directives.is_empty() {
        return;
    }
    let today = settings.today.as_str();
    findings.retain(|finding| {
        let line = finding.region.start.line;
        let mut suppressed = false;
        for directive in directives.iter_mut() {
            if directive.problem.is_some()
                || !(directive.lines.0..=directive.lines.1).contains(&line)
                || !directive.codes.contains(&finding.code)
            {
                continue;
            }
            directive.used = true;
            if directive
                .expires
                .as_deref()
                .is_none_or(|date| today <= date)
            {
                suppressed = true;
            }
        }
        !suppressed
    });
    for directive in directives.iter() {
        let (meta, message, help) = if let Some(problem) = &directive.problem {
            (
                &InvalidSuppression::META,
                format!("this suppression is ignored: {problem}"),
                "write `# jitlint:ignore[CODE] reason`, optionally with `until=YYYY-MM-DD`"
                    .to_owned(),
            )
        } else if let Some(date) = directive.expires.as_deref().filter(|date| today > *date) {
            (
                &InvalidSuppression::META,
                format!("this suppression expired on {date}, so its findings are reported again"),
                "fix the findings, or review the exception and move the date".to_owned(),
            )
        } else if !directive.used
            && directive
                .codes
                .iter()
                .any(|c| settings.severity(c).is_some())
        {
            // A suppression of rules that are all turned off cannot match; that is not stale.
            (
                &UnusedSuppression::META,
                format!(
                    "this suppression of {} matches no finding",
                    directive.codes.join(", ")
                ),
                "delete it, or correct the rule code".to_owned(),
            )
        } else {
            continue;
        };
        let Some(severity) = settings.severity(meta.code) else {
            continue;
        };
        findings.push(meta_finding(
            file,
            directive.span,
            meta,
            severity,
            message,
            help,
        ));
    }
}

/// A finding that belongs to no resource (parse errors and suppression problems).
pub fn meta_finding(
    file: &SourceFile,
    span: Span,
    meta: &'static crate::rule::RuleMeta,
    severity: Severity,
    message: String,
    help: String,
) -> Finding {
    Finding {
        code: meta.code,
        name: meta.name,
        severity,
        file: file.name.clone(),
        region: file.region(span),
        address: None,
        ports: Vec::new(),
        message,
        help,
        label: String::new(),
        docs_url: meta.docs_url(),
    }
}
