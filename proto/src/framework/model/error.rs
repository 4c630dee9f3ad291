//! Why a value could not become a model, or a model a value.

use std::fmt;

use crate::cty::{Path, PathStep};

/// A model conversion error, at the attribute path where it happened.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{kind}", at(path))]
pub struct ModelError {
    /// Where, from the root of the value.
    pub path: Path,
    /// What went wrong.
    pub kind: ModelErrorKind,
}

/// What went wrong. Messages start in lowercase and do not end with a dot.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelErrorKind {
    /// An unknown value where the model's field cannot hold one.
    #[error("value is not known until apply; give the field the type `Attr<T>` to accept that")]
    Unknown,
    /// The value has another shape than the field, or the field another than the schema type.
    #[error("expected {expected}, got {got}")]
    TypeMismatch {
        /// What the schema or the field requires.
        expected: String,
        /// What was found.
        got: String,
    },
    /// The model writes an attribute that the schema does not declare.
    #[error("attribute {0:?} is not in the schema")]
    UnsupportedAttribute(String),
    /// Map keys must be strings.
    #[error("map keys must be strings")]
    NonStringKey,
    /// A model cannot be written into a `dynamic` attribute, whose type only a value can carry.
    #[error("a model cannot write a dynamically-typed attribute")]
    Dynamic,
    /// A message from a `Deserialize` or `Serialize` implementation (serde gives only text).
    #[error("{0}")]
    Custom(String),
}

impl ModelError {
    /// An error at the root.
    pub fn new(kind: ModelErrorKind) -> Self {
        ModelError {
            path: Path::root(),
            kind,
        }
    }

    /// The same error, one step further from the root: errors gain their path as they travel
    /// up, so that converting a valid value allocates no paths at all.
    pub(super) fn within(mut self, step: PathStep) -> Self {
        self.path.0.insert(0, step);
        self
    }

    pub(super) fn mismatch(expected: impl fmt::Display, got: impl fmt::Display) -> Self {
        Self::new(ModelErrorKind::TypeMismatch {
            expected: expected.to_string(),
            got: got.to_string(),
        })
    }
}

impl serde::de::Error for ModelError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self::new(ModelErrorKind::Custom(message.to_string()))
    }
}

impl serde::ser::Error for ModelError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self::new(ModelErrorKind::Custom(message.to_string()))
    }
}

fn at(path: &Path) -> String {
    if path.is_root() {
        String::new()
    } else {
        format!("{path}: ")
    }
}
