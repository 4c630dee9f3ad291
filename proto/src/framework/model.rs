//! Plain Rust structs for configuration, plan and state, through serde.
//!
//! Resources describe their data as `#[derive(Serialize, Deserialize)]` structs whose field names
//! are the schema's attribute names, with `Option<T>` for anything that may be null. Decoding
//! reads a cty value into such a struct (null and unknown both become `None`: callers decode
//! configuration that is wholly known, or treat `None` as "not available yet"). Encoding writes a
//! struct back against the schema's type, so attributes the struct does not mention become null.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cty::{Number, Type, Value};

/// Why a value could not become a model, or a model a value.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The value did not fit the struct.
    #[error("could not read the value into {model}: {message}")]
    Decode {
        /// The struct's name.
        model: &'static str,
        /// What did not fit.
        message: String,
    },
    /// The struct did not fit the schema.
    #[error("could not write {model} as the schema's type: {message}")]
    Encode {
        /// The struct's name.
        model: &'static str,
        /// What did not fit.
        message: String,
    },
}

/// Reads `value` into `T`.
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, ModelError> {
    serde_json::from_value(to_json(value)).map_err(|err| ModelError::Decode {
        model: std::any::type_name::<T>(),
        message: err.to_string(),
    })
}

/// Writes `model` as a value of type `ty`.
pub fn encode<T: Serialize>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    let encode_error = |message: String| ModelError::Encode {
        model: std::any::type_name::<T>(),
        message,
    };
    let bytes = serde_json::to_vec(model).map_err(|err| encode_error(err.to_string()))?;
    crate::cty::decode_json(&bytes, ty).map_err(|err| encode_error(err.to_string()))
}

/// A cty value as JSON, with unknown values as null.
pub fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null | Value::Unknown => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(number) => number_to_json(number),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            serde_json::Value::Array(items.iter().map(to_json).collect())
        }
        Value::Map(entries) | Value::Object(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(key, value)| (key.clone(), to_json(value)))
                .collect(),
        ),
    }
}

fn number_to_json(number: &Number) -> serde_json::Value {
    if let Some(int) = number.as_i64() {
        return serde_json::Value::from(int);
    }
    serde_json::Number::from_f64(number.as_f64())
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Port {
        number: i64,
        protocol: Option<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Policy {
        name: Option<String>,
        port: Vec<Port>,
    }

    fn ty() -> Type {
        Type::object([
            ("name", Type::String),
            ("id", Type::String),
            (
                "port",
                Type::list(Type::object([
                    ("number", Type::Number),
                    ("protocol", Type::String),
                ])),
            ),
        ])
    }

    #[test]
    fn round_trip_fills_missing_attributes_with_null() {
        let policy = Policy {
            name: Some("default".into()),
            port: vec![Port {
                number: 22,
                protocol: None,
            }],
        };
        let value = encode(&policy, &ty()).unwrap();
        assert_eq!(value.get_attr("id"), Some(&Value::Null));
        assert_eq!(decode::<Policy>(&value).unwrap(), policy);
    }

    #[test]
    fn unknown_decodes_as_none() {
        let value = Value::object([
            ("name", Value::Unknown),
            ("id", Value::Null),
            ("port", Value::List(vec![])),
        ]);
        assert_eq!(
            decode::<Policy>(&value).unwrap(),
            Policy {
                name: None,
                port: vec![]
            }
        );
    }

    #[test]
    fn decode_error_names_the_model() {
        let err = decode::<Policy>(&Value::from("nope")).unwrap_err();
        assert!(err.to_string().contains("Policy"), "{err}");
    }
}
