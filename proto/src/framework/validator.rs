//! Attribute validators: small values that check one known attribute value and describe
//! themselves.
//!
//! Terraform may validate a configuration before every value is known; validators only ever see
//! known, non-null values. Descriptions follow the plugin framework's style: lowercase start, no
//! final dot, "must" or "cannot".

use std::sync::Arc;

use super::diagnostics::Diagnostics;
use super::path::Path;
use super::schema::Block;
use super::walk::{AttributeSite, Visitor, walk};
use crate::cty::Value;

/// Why a value is invalid: what a validator built with [`from_fn`] reports, as a diagnostic's
/// summary (a title) and detail (why, and how to fix it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// A short title, e.g. "Invalid port number".
    pub summary: String,
    /// Why the value is invalid and how to fix it.
    pub detail: String,
}

impl Invalid {
    /// A summary and a detail.
    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Invalid {
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

/// Runs every attribute's validators on every known, non-null value in `config`, in every
/// nested block instance, with each diagnostic at the attribute's path.
pub fn validate_attributes(block: &Block, config: &mut Value, diagnostics: &mut Diagnostics) {
    struct Validate<'d>(&'d mut Diagnostics);
    impl Visitor for Validate<'_> {
        fn attribute(&mut self, site: &AttributeSite<'_>, value: &mut Value) {
            if !value.is_known() || value.is_null() {
                return;
            }
            for validator in &site.attribute.validators {
                validator.validate(value, site.path, self.0);
            }
        }
    }
    walk(
        block,
        config,
        &Value::Null,
        None,
        &mut Validate(diagnostics),
    );
}

/// Checks one attribute value.
pub trait Validator: Send + Sync {
    /// What the validator requires, e.g. "must be a port number between 0 and 65535".
    fn description(&self) -> String;

    /// Adds a diagnostic at `path` if `value` (known and not null) is invalid.
    fn validate(&self, value: &Value, path: &Path, diagnostics: &mut Diagnostics);
}

/// A validator from a description and a check that says why a value is [`Invalid`].
pub fn from_fn(
    description: impl Into<String>,
    check: impl Fn(&Value) -> Result<(), Invalid> + Send + Sync + 'static,
) -> Arc<dyn Validator> {
    Arc::new(FnValidator {
        description: description.into(),
        check: Box::new(check),
    })
}

type CheckFn = dyn Fn(&Value) -> Result<(), Invalid> + Send + Sync;

struct FnValidator {
    description: String,
    check: Box<CheckFn>,
}

impl Validator for FnValidator {
    fn description(&self) -> String {
        self.description.clone()
    }

    fn validate(&self, value: &Value, path: &Path, diagnostics: &mut Diagnostics) {
        if let Err(invalid) = (self.check)(value) {
            diagnostics.attribute_error(path.clone(), invalid.summary, invalid.detail);
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
            Some("") => Err(Invalid::new("Empty value", "give a value")),
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

    #[test]
    fn attribute_validators_run_at_nested_paths_and_skip_unknowns() {
        use crate::framework::schema::{Attribute, NestedBlock};
        let positive = from_fn("must be positive", |value| match value.as_i64() {
            Some(n) if n < 0 => Err(Invalid::new("Negative", "use a positive number")),
            _ => Ok(()),
        });
        let block = Block::new("").block(
            "vm",
            NestedBlock::list(Block::new("").block(
                "port",
                NestedBlock::list(Block::new("").attribute(
                    "number",
                    Attribute::number("").required().validate(positive),
                )),
            )),
        );
        let port = |n: Value| Value::object([("number", n)]);
        let mut value = Value::object([(
            "vm",
            Value::List(vec![Value::object([(
                "port",
                Value::List(vec![
                    port(Value::from(1)),
                    port(Value::Unknown),
                    port(Value::from(-3)),
                ]),
            )])]),
        )]);
        let mut diagnostics = Diagnostics::new();
        validate_attributes(&block, &mut value, &mut diagnostics);
        let paths: Vec<String> = diagnostics
            .iter()
            .map(|d| d.path.clone().unwrap().to_string())
            .collect();
        assert_eq!(paths, vec![".vm[0].port[2].number"]);
    }
}
