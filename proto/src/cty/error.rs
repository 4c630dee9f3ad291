//! [`CtyError`]: what went wrong while checking, encoding or decoding a cty value, and where.
//!
//! Every error carries the [`Path`] from the root value to the place where it happened.
//! It renders as Terraform renders attribute paths, for example
//! `.virtual_machine[0].port[1].number: expected number, got string`.

use std::fmt;

/// One step from a value to one of its parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute, rendered `.name`.
    Attr(String),
    /// A list or tuple element, rendered `[3]`.
    Index(u64),
    /// A map element, rendered `["key"]`.
    Key(String),
    /// The n-th set element as it was written or received, rendered `[3]`.
    ///
    /// Terraform cannot address set elements, so an attribute path sent back to Terraform must
    /// stop before this step.
    SetElement(u64),
}

/// The steps from a root value to one of its parts. The empty path is the root itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<PathStep>);

impl Path {
    /// The path to the root value.
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// True for the root path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The steps, first to last.
    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.0 {
            match step {
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Index(index) | PathStep::SetElement(index) => write!(f, "[{index}]")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
            }
        }
        Ok(())
    }
}

/// An error about a cty value or type, with the path where it happened.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{kind}", path_prefix(path))]
pub struct CtyError {
    /// Where the error happened, from the root value.
    pub path: Path,
    /// What went wrong.
    pub kind: CtyErrorKind,
}

/// What went wrong. Messages start in lowercase and do not end with a dot.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CtyErrorKind {
    /// The value, or the encoded data, has another shape than the type requires.
    #[error("expected {expected}, got {got}")]
    TypeMismatch {
        /// The expected type, as [`Type`](super::Type)'s `Display` names it.
        expected: String,
        /// What was found instead.
        got: String,
    },
    /// An object has an attribute that its type does not declare.
    #[error("unsupported attribute {0:?}")]
    UnsupportedAttribute(String),
    /// An object lacks an attribute that its type declares.
    #[error("attribute {0:?} is required")]
    MissingAttribute(String),
    /// A msgpack object has another number of attributes than its type declares.
    #[error("an object with {expected} attributes is required ({given} given)")]
    AttributeCount {
        /// Attributes declared by the type.
        expected: usize,
        /// Attributes found in the data.
        given: usize,
    },
    /// A tuple has another number of elements than its type declares.
    #[error("a tuple of length {expected} is required ({given} given)")]
    TupleLength {
        /// Elements declared by the type.
        expected: usize,
        /// Elements found.
        given: usize,
    },
    /// A number that cty cannot hold or that this encoding cannot write.
    #[error("invalid number: {0}")]
    InvalidNumber(String),
    /// An unknown value where the encoding cannot express one (JSON).
    #[error("value is not known, and JSON cannot encode unknown values")]
    UnknownNotAllowed,
    /// A JSON type constraint that does not describe a cty type.
    #[error("invalid type constraint: {0}")]
    InvalidType(String),
    /// Bytes that are not well-formed msgpack or JSON.
    #[error("malformed {format}: {message}")]
    Malformed {
        /// `msgpack` or `JSON`.
        format: &'static str,
        /// What the parser reported.
        message: String,
    },
    /// A dynamically-typed value that is not the `[type, value]` pair or `{"type", "value"}`
    /// object cty writes.
    #[error("invalid dynamically-typed value: {0}")]
    InvalidDynamic(String),
}

impl CtyError {
    /// An error at `path`.
    pub fn new(path: Path, kind: CtyErrorKind) -> CtyError {
        CtyError { path, kind }
    }

    /// An error at the root.
    pub fn at_root(kind: CtyErrorKind) -> CtyError {
        CtyError::new(Path::root(), kind)
    }

    /// A [`CtyErrorKind::TypeMismatch`] at `path`.
    pub fn mismatch(
        path: &[PathStep],
        expected: impl fmt::Display,
        got: impl Into<String>,
    ) -> Self {
        CtyError::new(
            Path(path.to_vec()),
            CtyErrorKind::TypeMismatch {
                expected: expected.to_string(),
                got: got.into(),
            },
        )
    }

    /// Any other error at `path`.
    pub(crate) fn at(path: &[PathStep], kind: CtyErrorKind) -> CtyError {
        CtyError::new(Path(path.to_vec()), kind)
    }
}

fn path_prefix(path: &Path) -> String {
    if path.is_root() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_terraform_style_paths() {
        let error = CtyError::mismatch(
            &[
                PathStep::Attr("virtual_machine".into()),
                PathStep::Index(0),
                PathStep::Attr("port".into()),
                PathStep::Index(1),
                PathStep::Attr("number".into()),
            ],
            "number",
            "string",
        );
        assert_eq!(
            error.to_string(),
            ".virtual_machine[0].port[1].number: expected number, got string"
        );
    }

    #[test]
    fn root_errors_have_no_prefix() {
        let error = CtyError::at_root(CtyErrorKind::UnknownNotAllowed);
        assert_eq!(
            error.to_string(),
            "value is not known, and JSON cannot encode unknown values"
        );
    }

    #[test]
    fn map_keys_are_quoted() {
        let path = Path(vec![
            PathStep::Attr("tags".into()),
            PathStep::Key("a b".into()),
        ]);
        assert_eq!(path.to_string(), ".tags[\"a b\"]");
    }
}
