//! Attribute validators: small values that check one known attribute value and describe
//! themselves.
//!
//! Terraform may validate a configuration before every value is known; validators only ever see
//! known, non-null values. Descriptions follow the plugin framework's style: lowercase start, no
//! final dot, "must" or "cannot".

use std::sync::Arc;

use super::diagnostics::Diagnostics;
use super::path::Path;
use crate::cty::Value;

/// Checks one attribute value.
pub trait Validator: Send + Sync {
    /// What the validator requires, e.g. "must be a port number between 0 and 65535".
    fn description(&self) -> String;

    /// Adds a diagnostic at `path` if `value` (known and not null) is invalid.
    fn validate(&self, value: &Value, path: &Path, diagnostics: &mut Diagnostics);
}

/// A validator from a description and a function returning `Err((summary, detail))`.
pub fn from_fn(
    description: impl Into<String>,
    check: impl Fn(&Value) -> Result<(), (String, String)> + Send + Sync + 'static,
) -> Arc<dyn Validator> {
    Arc::new(FnValidator {
        description: description.into(),
        check: Box::new(check),
    })
}

type CheckFn = dyn Fn(&Value) -> Result<(), (String, String)> + Send + Sync;

struct FnValidator {
    description: String,
    check: Box<CheckFn>,
}

impl Validator for FnValidator {
    fn description(&self) -> String {
        self.description.clone()
    }

    fn validate(&self, value: &Value, path: &Path, diagnostics: &mut Diagnostics) {
        if let Err((summary, detail)) = (self.check)(value) {
            diagnostics.attribute_error(path.clone(), summary, detail);
        }
    }
}

/// Applies `element` to every known element of a list or set value.
pub fn each_element(element: Arc<dyn Validator>) -> Arc<dyn Validator> {
    Arc::new(EachElement { element })
}

struct EachElement {
    element: Arc<dyn Validator>,
}

impl Validator for EachElement {
    fn description(&self) -> String {
        format!("each element {}", self.element.description())
    }

    fn validate(&self, value: &Value, path: &Path, diagnostics: &mut Diagnostics) {
        let Some(elements) = value.as_list() else {
            return;
        };
        for (index, element) in elements.iter().enumerate() {
            if element.is_known() && !element.is_null() {
                self.element
                    .validate(element, &path.index(index), diagnostics);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn non_empty() -> Arc<dyn Validator> {
        from_fn("must not be empty", |value| match value.as_str() {
            Some("") => Err(("Empty value".into(), "give a value".into())),
            _ => Ok(()),
        })
    }

    #[test]
    fn function_validator_reports_at_path() {
        let mut diagnostics = Diagnostics::new();
        non_empty().validate(&Value::from(""), &Path::attr_root("name"), &mut diagnostics);
        let diagnostic = diagnostics.iter().next().unwrap();
        assert_eq!(diagnostic.path, Some(Path::attr_root("name")));
        assert_eq!(diagnostic.summary, "Empty value");
        let mut diagnostics = Diagnostics::new();
        non_empty().validate(
            &Value::from("x"),
            &Path::attr_root("name"),
            &mut diagnostics,
        );
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn each_element_indexes_paths_and_skips_unknowns() {
        let list = Value::List(vec![Value::from("a"), Value::Unknown, Value::from("")]);
        let mut diagnostics = Diagnostics::new();
        each_element(non_empty()).validate(&list, &Path::attr_root("names"), &mut diagnostics);
        let paths: Vec<_> = diagnostics
            .iter()
            .map(|d| d.path.clone().unwrap().to_string())
            .collect();
        assert_eq!(paths, vec![".names[2]"]);
        assert_eq!(
            each_element(non_empty()).description(),
            "each element must not be empty"
        );
    }
}
