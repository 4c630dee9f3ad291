//! Finding input files and turning them into [`Document`]s.
//!
//! **Invariant:** loading never fails as a whole. A file that cannot be parsed becomes a
//! [`LoadError`] for that file (reported as a finding), a path that cannot be read becomes a
//! [`LintError`] naming that path, and the other files are still linted.

pub mod hcl;
pub mod json;

use std::path::{Path, PathBuf};

use crate::LintError;
use crate::model::Document;
use crate::source::{SourceFile, Span};

/// Why one file could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file is not valid HCL or JSON; the span is where the parser stopped.
    #[error("{message}")]
    Syntax {
        /// The parser's message.
        message: String,
        /// Where the parser stopped.
        span: Span,
    },
}

/// Why a file's bytes are not text that jitlint (or Terraform) can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotText {
    /// A byte sequence that is not UTF-8 (a binary file, or text saved as UTF-16 or Latin-1).
    #[error("it is not UTF-8 text: byte 0x{byte:02X} cannot start or continue a character")]
    InvalidUtf8 {
        /// Where the first invalid byte is.
        offset: usize,
        /// That byte.
        byte: u8,
    },
    /// A NUL byte, which no text file holds.
    #[error("it is not text: it holds a NUL byte, as binary files do")]
    Nul {
        /// Where the first NUL byte is.
        offset: usize,
    },
}

impl NotText {
    /// The byte offset of the first byte that is not text.
    pub fn offset(self) -> usize {
        match self {
            NotText::InvalidUtf8 { offset, .. } | NotText::Nul { offset } => offset,
        }
    }
}

/// The text of a file's bytes, or why they are not text (with the bytes back).
pub fn decode(bytes: Vec<u8>) -> Result<String, (Vec<u8>, NotText)> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let byte = bytes.get(offset).copied().unwrap_or_default();
            return Err((bytes, NotText::InvalidUtf8 { offset, byte }));
        }
    };
    match text.bytes().position(|b| b == 0) {
        Some(offset) => Err((text.into_bytes(), NotText::Nul { offset })),
        None => Ok(text),
    }
}

/// The syntax of a file, chosen by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Native HCL (`.tf`).
    Hcl,
    /// Terraform JSON (`.tf.json`).
    Json,
}

impl Syntax {
    /// The syntax of a path we lint, or `None` for files that are not Terraform.
    pub fn of(path: &Path) -> Option<Syntax> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".tf.json") {
            Some(Syntax::Json)
        } else if name.ends_with(".tf") {
            Some(Syntax::Hcl)
        } else {
            None
        }
    }
}

/// Parses one file's text.
pub fn parse(file: SourceFile, syntax: Syntax) -> Result<Document, (SourceFile, LoadError)> {
    match syntax {
        Syntax::Hcl => hcl::load(file),
        Syntax::Json => json::load(file),
    }
}

/// Walks `root` for `.tf` and `.tf.json` files, skipping `.terraform/` and hidden directories.
///
/// The result is sorted so that output does not depend on directory order. A path that cannot
/// be read (`root` itself, a subdirectory, an entry) is returned as an error naming that path,
/// and the walk goes on with the rest.
#[must_use = "the paths that could not be read"]
pub fn discover(root: &Path, files: &mut Vec<PathBuf>) -> Vec<LintError> {
    discover_excluding(root, files, &|_| false)
}

/// [`discover`], not descending into the directories below `root` that `excluded` names (so
/// that an excluded directory that cannot be read is no error).
#[must_use = "the paths that could not be read"]
pub fn discover_excluding(
    root: &Path,
    files: &mut Vec<PathBuf>,
    excluded: &dyn Fn(&Path) -> bool,
) -> Vec<LintError> {
    let mut errors = Vec::new();
    let metadata = match std::fs::metadata(root) {
        Ok(metadata) => metadata,
        Err(source) => {
            errors.push(LintError::io(root.to_path_buf(), source));
            return errors;
        }
    };
    if metadata.is_file() {
        files.push(root.to_path_buf());
        return errors;
    }
    if !metadata.is_dir() {
        errors.push(LintError::NotAFile {
            path: root.to_path_buf(),
        });
        return errors;
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(source) => {
                errors.push(LintError::io(dir, source));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(source) => {
                    errors.push(LintError::io(dir.clone(), source));
                    break;
                }
            };
            let path = entry.path();
            let file_type = match entry.file_type() {
                Ok(file_type) => file_type,
                Err(source) => {
                    errors.push(LintError::io(path, source));
                    continue;
                }
            };
            let hidden = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with('.'));
            if hidden || excluded(&path) {
                continue;
            }
            if file_type.is_dir() {
                stack.push(path);
                continue;
            }
            if Syntax::of(&path).is_none() {
                continue;
            }
            // Only regular files are opened (through a link too): reading a FIFO or a device
            // named `main.tf` would never end.
            let regular = if file_type.is_file() {
                Ok(true)
            } else {
                std::fs::metadata(&path).map(|m| m.is_file())
            };
            match regular {
                Ok(true) => files.push(path),
                Ok(false) => errors.push(LintError::NotAFile { path }),
                Err(source) => errors.push(LintError::io(path, source)),
            }
        }
    }
    files.sort();
    errors.sort_by(|a, b| a.path().cmp(b.path()));
    errors
}
