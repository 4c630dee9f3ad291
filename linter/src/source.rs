//! Source files and the byte spans that findings point at.
//!
//! Spans are byte ranges because that is what the parsers give us; lines and columns are computed
//! only when a finding is made, from a line index kept with each file.

use std::borrow::Cow;
use std::sync::Arc;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from a byte range, clamped so that `start <= end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// A span from an optional parser range (hcl-edit gives `None` for synthesised nodes).
    pub fn from_range(range: Option<std::ops::Range<usize>>) -> Span {
        range.map(|r| Span::new(r.start, r.end)).unwrap_or_default()
    }
}

/// A one-based line and column pair; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    /// One-based line.
    pub line: usize,
    /// One-based column, in characters.
    pub column: usize,
}

/// The lines and columns of a span, as every output format reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Region {
    /// Where the span starts.
    pub start: Position,
    /// Where the span ends (exclusive column).
    pub end: Position,
    /// The byte offset of the start, kept for renderers that draw snippets.
    #[serde(skip)]
    pub offset: usize,
    /// The length in bytes.
    #[serde(skip)]
    pub length: usize,
}

/// One input file: its display name and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given on the command line (or `<stdin>`), with `/` separators.
    pub name: String,
    /// The whole text. Invalid UTF-8 was replaced before parsing.
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Indexes the line starts of `text` once, so that positions are cheap to compute.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceFile {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The one-based line and character column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Position {
            line: line_index + 1,
            column,
        }
    }

    /// The region of a span.
    pub fn region(&self, span: Span) -> Region {
        let start = self.floor_char_boundary(span.start.min(self.text.len()));
        let end = self
            .floor_char_boundary(span.end.min(self.text.len()))
            .max(start);
        Region {
            start: self.position(start),
            end: self.position(end),
            offset: start,
            length: end - start,
        }
    }

    /// The byte offset where one-based `line` starts, if the file has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    /// The number of lines in the file.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of one-based `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self.line_start(line + 1).unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Whether a character must never reach a terminal as it is: control characters other than
/// tab, line feed and carriage return (ANSI escapes start with one), and the bidirectional
/// overrides that make a line display in another order than it reads.
fn is_unprintable(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` for a snippet: every unprintable character replaced by a visible one of the same
/// UTF-8 length (`?`, `¿` or `�`), so that the byte offsets of findings still point at the
/// same places.
pub fn snippet_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return Cow::Borrowed(text);
    }
    let safe = text
        .chars()
        .map(|c| match (is_unprintable(c), c.len_utf8()) {
            (false, _) => c,
            (true, 1) => '?',
            (true, 2) => '\u{BF}',
            (true, _) => '\u{FFFD}',
        })
        .collect();
    Cow::Owned(safe)
}

/// `text` for a message: every unprintable character but the line feed written as an escape
/// such as `\u{1b}`, so that a value quoted in a message cannot drive the terminal.
pub fn escape_unprintable(text: &str) -> Cow<'_, str> {
    let escaped = |c: char| c != '\n' && is_unprintable(c);
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_never_hold_control_characters_and_keep_offsets() {
        let text = "a = \"\u{1b}[31m\u{0}\u{9b}\u{202e}x\"\r\n\tb = 1\n";
        let safe = snippet_safe(text);
        assert_eq!(safe, "a = \"?[31m?\u{BF}\u{FFFD}x\"\r\n\tb = 1\n");
        assert_eq!(safe.len(), text.len());
        assert!(matches!(snippet_safe("a = 1\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn messages_escape_control_characters() {
        assert_eq!(
            escape_unprintable("source `\u{1b}[2J` is invalid\nhelp"),
            "source `\\u{1b}[2J` is invalid\nhelp"
        );
        assert!(matches!(escape_unprintable("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let file = SourceFile::new("a.tf", "a = 1\né = \"x\"\n");
        assert_eq!(file.position(0), Position { line: 1, column: 1 });
        assert_eq!(file.position(6), Position { line: 2, column: 1 });
        assert_eq!(file.position(10), Position { line: 2, column: 4 });
        assert_eq!(file.line_text(2), "é = \"x\"");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let file = SourceFile::new("a.tf", "ab");
        assert_eq!(file.position(99), Position { line: 1, column: 3 });
    }
}
