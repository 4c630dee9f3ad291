//! Finding input files and turning them into [`Document`]s.
//!
//! **Invariant:** loading never fails as a whole. A file that cannot be parsed becomes a
//! [`LoadError`] for that file (reported as a finding), a path that cannot be read becomes a
//! [`LintError`] naming that path, and the other files are still linted.

pub mod hcl;
pub mod json;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::LintError;
use crate::model::{Document, Value};
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

/// The resource types any rule reads. Other resources are not converted into the model (their
/// block extents are still kept for suppressions): most of a real configuration is VMs,
/// networks and storage, and skipping them keeps linting close to the cost of parsing.
pub const RELEVANT_RESOURCE_TYPES: &[&str] = &[
    "jit_policy",
    "jit_policy_virtual_machine",
    "jit_access_request",
    "azapi_resource",
    "azurerm_network_security_rule",
    "azurerm_network_security_group",
];

/// Whether rules read resources of type `kind`.
pub fn is_relevant(kind: &str) -> bool {
    RELEVANT_RESOURCE_TYPES.contains(&kind)
}

/// The attribute names any rule or view reads. Other attributes (`priority`, `tags`,
/// `resource_group_name`, ...) are not converted, for the same reason as
/// [`RELEVANT_RESOURCE_TYPES`]. A rule that reads a new attribute must add it here; the fixture
/// tests fail otherwise.
pub const READ_ATTRIBUTES: &[&str] = &[
    "count",
    "for_each",
    "name",
    "id",
    "virtual_machine_id",
    "policy_name",
    "number",
    "protocol",
    "allowed_source_address_prefix",
    "allowed_source_address_prefixes",
    "max_request_access_duration",
    "duration",
    "type",
    "parent_id",
    "body",
    "direction",
    "access",
    "source_address_prefix",
    "source_address_prefixes",
    "source_application_security_group_ids",
    "destination_port_range",
    "destination_port_ranges",
];

/// Whether any rule reads attribute `name`.
pub fn is_read_attribute(name: &str) -> bool {
    READ_ATTRIBUTES.contains(&name)
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

/// Resolves `var.x` in every document of one module from the defaults declared in that module.
///
/// A module is one directory. A variable declared twice, or whose default is not itself a
/// literal, stays unknown. tfvars files are not read: a default is what a reviewer sees, and the
/// unknown-value rule says when a value depends on input.
pub fn resolve_module(documents: &mut [Document]) {
    let mut defaults: HashMap<String, Option<Value>> = HashMap::new();
    for document in documents.iter() {
        for (name, default) in &document.variables {
            let value = default.as_ref().map(|node| node.value.clone());
            let value = value.filter(|v| !matches!(v, Value::Unknown(_)));
            defaults
                .entry(name.clone())
                .and_modify(|existing| *existing = None)
                .or_insert(value);
        }
    }
    if defaults.is_empty() {
        return;
    }
    let lookup = |name: &str| defaults.get(name).cloned().flatten();
    for document in documents.iter_mut() {
        for resource in &mut document.resources {
            resource.body.resolve(&lookup);
        }
    }
}
