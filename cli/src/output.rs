//! How results are written: aligned tables, CSV, times in UTC and local time, and progress.
//!
//! Progress goes to stderr, and only when stderr is a terminal: a script that captures or
//! pipes the output sees the result alone, as with `az`.

use std::io::{IsTerminal, Write};

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// One status line on stderr, rewritten in place, when stderr is a terminal.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Progress if stderr is a terminal, silence otherwise.
    pub fn new() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// Shows what is being done now.
    pub fn say(&self, text: &str) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K{text} ...");
            let _ = stderr.flush();
        }
    }

    /// Removes the status line, before the result is printed.
    pub fn done(&self) {
        if self.enabled {
            clear_progress();
        }
    }
}

/// Clears the status line if stderr is a terminal (before an error is printed).
pub fn clear_progress() {
    if std::io::stderr().is_terminal() {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K");
        let _ = stderr.flush();
    }
}

/// Columns padded to their widest cell, under a header and a dashed rule, as `az --output
/// table` prints them.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        let padded: Vec<String> = cells
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(padded.join("  ").trim_end());
        text.push('\n');
    };
    line(&mut headers.iter().map(|h| (*h).to_owned()));
    line(&mut widths.iter().map(|width| "-".repeat(*width)));
    for row in rows {
        line(&mut row.iter().cloned());
    }
    text
}

/// One CSV record (RFC 4180): a field is quoted when it holds a comma, a quote, a line break
/// or spaces at either end, with its quotes doubled. A field that a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`,
/// as OWASP advises for CSV exports: a justification is free text from any requester, and the
/// export is opened by a reviewer. No field of the audit trail starts so otherwise.
pub fn csv_record(fields: &[String]) -> String {
    let quoted: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
    let mut line = quoted.join(",");
    line.push('\n');
    line
}

fn csv_field(field: &str) -> String {
    let neutralised;
    let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        neutralised = format!("'{field}");
        neutralised.as_str()
    } else {
        field
    };
    let needs_quotes =
        field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// An RFC 3339 time from Azure as `2026-12-03 21:35:12 +01:00 (20:35:12 UTC)`: the reader's
/// local time, then UTC. Text that is not a time is given back as it is.
pub fn local_and_utc(text: &str, local: UtcOffset) -> String {
    let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) else {
        return text.to_owned();
    };
    let local_format = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    let utc_format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    match (
        at.to_offset(local).format(&local_format),
        at.to_offset(UtcOffset::UTC).format(&utc_format),
    ) {
        (Ok(local), Ok(utc)) if local.ends_with("+00:00") => utc,
        (Ok(local), Ok(utc)) => format!("{local} ({utc})"),
        _ => text.to_owned(),
    }
}

/// A time as the API takes it: RFC 3339 in UTC, whole seconds.
pub fn rfc3339_utc(at: OffsetDateTime) -> String {
    let at = at
        .to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at);
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// A JSON document and a final newline.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .expect("the command line's output types hold only strings, numbers and lists");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_neutralises_formulas() {
        let fields = [
            "plain".to_owned(),
            "a,b".to_owned(),
            "say \"hi\"".to_owned(),
            "two\nlines".to_owned(),
            " padded".to_owned(),
            "=HYPERLINK(\"x\")".to_owned(),
            String::new(),
        ];
        assert_eq!(
            csv_record(&fields),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\",\"'=HYPERLINK(\"\"x\"\")\",\n"
        );
    }

    #[test]
    fn tables_align_columns() {
        let text = table(
            &["Name", "Status"],
            &[
                vec!["web-01".into(), "configured".into()],
                vec!["db".into(), "unsupported".into()],
            ],
        );
        assert_eq!(
            text,
            "Name    Status\n------  -----------\nweb-01  configured\ndb      unsupported\n"
        );
    }

    #[test]
    fn times_in_local_time_and_utc() {
        let plus_one = UtcOffset::from_hms(1, 0, 0).unwrap();
        assert_eq!(
            local_and_utc("2030-01-01T10:00:00Z", plus_one),
            "2030-01-01 11:00:00 +01:00 (2030-01-01 10:00:00 UTC)"
        );
        assert_eq!(
            local_and_utc("2030-01-01T10:00:00.1234567Z", UtcOffset::UTC),
            "2030-01-01 10:00:00 UTC"
        );
        assert_eq!(local_and_utc("soon", UtcOffset::UTC), "soon");
        assert_eq!(
            rfc3339_utc(time::macros::datetime!(2030-01-01 11:00:00.5 +01:00)),
            "2030-01-01T10:00:00Z"
        );
    }
}
