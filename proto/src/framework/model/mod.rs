//! Configuration, plan and state as plain Rust structs.
//!
//! A resource describes its data as `#[derive(Serialize, Deserialize)]` structs whose field
//! names are the schema's attribute names. A field that may be null or not yet known is an
//! [`Attr<T>`]: null, unknown ("known after apply") or known. Reading a value into a struct and
//! writing the struct back keeps every unknown where it was, so a resource never walks cty
//! values or restores unknowns by hand.
//!
//! The conversion goes straight between [`Value`] and the struct, through serde, with no JSON
//! in between: [`decode`] is a serde `Deserializer` over a value, [`encode`] a `Serializer`
//! directed by the schema's type (attributes a struct leaves out are written as null). An error
//! names the attribute path where it happened.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use tfplugin::cty::{Type, Value};
//! use tfplugin::framework::model::{self, Attr};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Counter {
//!     name: String,
//!     value: Attr<i64>,
//! }
//!
//! let ty = Type::object([("name", Type::String), ("value", Type::Number)]);
//! let planned = Value::object([("name", Value::from("visits")), ("value", Value::Unknown)]);
//! let mut counter: Counter = model::decode(&planned)?;
//! assert!(counter.value.is_unknown());
//! counter.value = Attr::Known(1);
//! assert_eq!(model::encode(&counter, &ty)?.get_attr("value"), Some(&Value::from(1)));
//! Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod attr;
mod de;
mod error;
mod ser;

pub use attr::Attr;
pub use error::{ModelError, ModelErrorKind};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cty::{Type, Value};

/// Reads `value` into `T`. Unknown values are accepted only where `T` has an [`Attr`].
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, ModelError> {
    T::deserialize(de::ValueDeserializer::new(value))
}

/// Reads `value` into `T` as [`decode`] does; on failure an error naming `what` (e.g. "plan")
/// is added and `None` returned, so a resource method can `let Some(m) = read(..) else { return }`.
pub fn read<T: DeserializeOwned>(
    value: &Value,
    what: &str,
    diagnostics: &mut crate::framework::Diagnostics,
) -> Option<T> {
    match decode(value) {
        Ok(model) => Some(model),
        Err(err) => {
            diagnostics.error(
                format!("Could not read the {what}"),
                format!("The {what} does not match the provider's model: {err}. This is a bug; please report it."),
            );
            None
        }
    }
}

/// Writes `model` as a value of type `ty`; attributes the model does not mention are null.
pub fn encode<T: Serialize + ?Sized>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    model.serialize(ser::ValueSerializer::new(ty))
}

/// Gives a response a method that writes a model into one of its values, with the schema's type
/// the server put in the response's `ty`: `write_model!(Response, method, field, "what")`.
macro_rules! write_model {
    ($response:ty, $method:ident, $field:ident, $what:literal) => {
        impl $response {
            #[doc = concat!(
                        "Writes `model` (a struct of the schema's attributes) as the ", $what,
                        "; on failure an error diagnostic is added and `false` returned."
                    )]
            pub fn $method<T: serde::Serialize + ?Sized>(&mut self, model: &T) -> bool {
                $crate::framework::model::write_into(
                    &mut self.$field,
                    model,
                    &self.ty,
                    $what,
                    &mut self.diagnostics,
                )
            }
        }
    };
}
pub(crate) use write_model;

/// Writes `model` into `slot` as a value of type `ty`; on failure `slot` is left as it was and
/// an error naming `what` is added. What every response's `write_*` method does.
pub(crate) fn write_into<T: Serialize + ?Sized>(
    slot: &mut Value,
    model: &T,
    ty: &Type,
    what: &str,
    diagnostics: &mut crate::framework::Diagnostics,
) -> bool {
    match encode(model, ty) {
        Ok(value) => {
            *slot = value;
            true
        }
        Err(err) => {
            diagnostics.error(
                format!("Could not write the {what}"),
                format!("The provider's {what} does not match its schema: {err}. This is a bug; please report it."),
            );
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cty::PathStep;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Protocol {
        Tcp,
        Udp,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Port {
        number: Attr<u16>,
        protocol: Attr<Protocol>,
        sources: Attr<Vec<Attr<String>>>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Policy {
        name: Attr<String>,
        enabled: bool,
        weight: f64,
        tags: BTreeMap<String, String>,
        port: Vec<Port>,
        note: Option<String>,
    }

    fn ty() -> Type {
        Type::object([
            ("name", Type::String),
            ("id", Type::String),
            ("enabled", Type::Bool),
            ("weight", Type::Number),
            ("tags", Type::map(Type::String)),
            ("note", Type::String),
            (
                "port",
                Type::list(Type::object([
                    ("number", Type::Number),
                    ("protocol", Type::String),
                    ("sources", Type::set(Type::String)),
                ])),
            ),
        ])
    }

    fn policy_value(number: Value, sources: Value) -> Value {
        Value::object([
            ("name", Value::from("default")),
            ("id", Value::Null),
            ("enabled", Value::Bool(true)),
            ("weight", Value::from(0.5)),
            (
                "tags",
                Value::Map([("env".to_owned(), Value::from("prod"))].into()),
            ),
            ("note", Value::Null),
            (
                "port",
                Value::List(vec![Value::object([
                    ("number", number),
                    ("protocol", Value::from("tcp")),
                    ("sources", sources),
                ])]),
            ),
        ])
    }

    #[test]
    fn unknowns_and_nulls_survive_a_round_trip() {
        let value = policy_value(
            Value::Unknown,
            Value::Set(vec![Value::from("10.0.0.0/8"), Value::Unknown]),
        );
        let policy: Policy = decode(&value).unwrap();
        assert!(policy.port[0].number.is_unknown());
        assert_eq!(
            policy.port[0].sources.known().map(Vec::len),
            Some(2),
            "a set with an unknown element is itself known"
        );
        assert_eq!(policy.port[0].protocol, Attr::Known(Protocol::Tcp));
        assert_eq!(policy.note, None);
        assert_eq!(encode(&policy, &ty()).unwrap(), value);
    }

    #[test]
    fn a_wholly_unknown_collection_stays_unknown() {
        let value = policy_value(Value::from(22), Value::Unknown);
        let policy: Policy = decode(&value).unwrap();
        assert!(policy.port[0].sources.is_unknown());
        assert_eq!(policy.port[0].number, Attr::Known(22));
        assert_eq!(encode(&policy, &ty()).unwrap(), value);
    }

    #[test]
    fn unknown_outside_attr_is_an_error_at_its_path() {
        let mut value = policy_value(Value::from(22), Value::Null);
        *value.get_attr_mut("enabled").unwrap() = Value::Unknown;
        let err = decode::<Policy>(&value).unwrap_err();
        assert_eq!(err.kind, ModelErrorKind::Unknown);
        assert_eq!(err.path.0, vec![PathStep::Attr("enabled".into())]);
    }

    #[test]
    fn decode_errors_name_the_nested_path() {
        let value = policy_value(Value::from(70000), Value::Null);
        let err = decode::<Policy>(&value).unwrap_err();
        assert_eq!(err.path.to_string(), ".port[0].number", "{err}");
    }

    #[test]
    fn encode_refuses_attributes_the_schema_lacks_and_wrong_shapes() {
        #[derive(Serialize)]
        struct Extra {
            nope: bool,
        }
        let err = encode(&Extra { nope: true }, &ty()).unwrap_err();
        assert_eq!(
            err.kind,
            ModelErrorKind::UnsupportedAttribute("nope".into())
        );
        #[derive(Serialize)]
        struct WrongType {
            name: bool,
        }
        let err = encode(&WrongType { name: true }, &ty()).unwrap_err();
        assert_eq!(err.path.to_string(), ".name");
    }

    #[test]
    fn numbers_beyond_i64_and_fractions_round_trip() {
        let ty = Type::object([("big", Type::Number), ("small", Type::Number)]);
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Numbers {
            big: u64,
            small: f64,
        }
        let numbers = Numbers {
            big: u64::MAX,
            small: -1.25,
        };
        let value = encode(&numbers, &ty).unwrap();
        assert_eq!(decode::<Numbers>(&value).unwrap(), numbers);
    }
}
