//! [`Type`]: the cty type system, and its JSON form ("type constraint").
//!
//! The JSON form is what `Schema.Attribute.type` carries and what the msgpack and JSON encodings
//! of a `dynamic` value embed: `"string"`, `["list","string"]`, `["object",{"a":"number"}]`,
//! `["tuple",["bool"]]`, `"dynamic"`.

use std::collections::BTreeMap;
use std::fmt;

use super::error::{CtyError, CtyErrorKind};

/// A cty type.
///
/// `Dynamic` is cty's `DynamicPseudoType`: "any type, decided by the value".
/// Its values carry their type on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `number`: arbitrary precision, see [`Number`](super::Number).
    Number,
    /// `string`: UTF-8.
    String,
    /// `dynamic`: the type is carried by the value.
    Dynamic,
    /// `list(T)`: ordered, same element type.
    List(Box<Type>),
    /// `set(T)`: unordered, no duplicates.
    Set(Box<Type>),
    /// `map(T)`: string keys, same element type.
    Map(Box<Type>),
    /// `object({...})`: a fixed set of named attributes, each with its own type.
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`: a fixed sequence of elements, each with its own type.
    Tuple(Vec<Type>),
}

impl Type {
    /// `list(element)`.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// `set(element)`.
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// `map(element)`.
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// `object({...})` from `(name, type)` pairs.
    pub fn object<N: Into<String>>(attributes: impl IntoIterator<Item = (N, Type)>) -> Type {
        Type::Object(
            attributes
                .into_iter()
                .map(|(name, ty)| (name.into(), ty))
                .collect(),
        )
    }

    /// `tuple([...])`.
    pub fn tuple(elements: Vec<Type>) -> Type {
        Type::Tuple(elements)
    }

    /// The cty JSON type constraint, as go-cty's `Type.MarshalJSON` writes it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Type::Bool => Json::from("bool"),
            Type::Number => Json::from("number"),
            Type::String => Json::from("string"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(element) => Json::Array(vec!["list".into(), element.to_json()]),
            Type::Set(element) => Json::Array(vec!["set".into(), element.to_json()]),
            Type::Map(element) => Json::Array(vec!["map".into(), element.to_json()]),
            Type::Object(attributes) => {
                let attributes = attributes
                    .iter()
                    .map(|(name, ty)| (name.clone(), ty.to_json()))
                    .collect::<serde_json::Map<_, _>>();
                Json::Array(vec!["object".into(), Json::Object(attributes)])
            }
            Type::Tuple(elements) => Json::Array(vec![
                "tuple".into(),
                Json::Array(elements.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// The compact JSON bytes of [`Type::to_json`]: what `Schema.Attribute.type` carries.
    ///
    /// Object attributes are written in sorted order, as Go's `encoding/json` writes maps.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_json()).expect("a serde_json::Value always serializes")
    }

    /// Parses a cty JSON type constraint.
    ///
    /// The optional third element of `["object", {...}, ["optional", ...]]` (optional attribute
    /// markers, used only in Terraform's own type constraints) is accepted and ignored.
    pub fn from_json(json: &serde_json::Value) -> Result<Type, CtyError> {
        use serde_json::Value as Json;
        let invalid = |message: String| CtyError::at_root(CtyErrorKind::InvalidType(message));
        match json {
            Json::String(name) => match name.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(invalid(format!("invalid primitive type name {other:?}"))),
            },
            Json::Array(items) => {
                let Some(Json::String(kind)) = items.first() else {
                    return Err(invalid("a complex type must start with its kind".into()));
                };
                let argument = items
                    .get(1)
                    .ok_or_else(|| invalid(format!("{kind} needs an argument")))?;
                let max_len = if kind == "object" { 3 } else { 2 };
                if items.len() > max_len {
                    return Err(invalid(format!("too many elements for {kind}")));
                }
                match kind.as_str() {
                    "list" => Ok(Type::list(Type::from_json(argument)?)),
                    "set" => Ok(Type::set(Type::from_json(argument)?)),
                    "map" => Ok(Type::map(Type::from_json(argument)?)),
                    "object" => {
                        let Json::Object(attributes) = argument else {
                            return Err(invalid(
                                "object attribute types must be a JSON object".into(),
                            ));
                        };
                        attributes
                            .iter()
                            .map(|(name, ty)| Ok((name.clone(), Type::from_json(ty)?)))
                            .collect::<Result<BTreeMap<_, _>, CtyError>>()
                            .map(Type::Object)
                    }
                    "tuple" => {
                        let Json::Array(elements) = argument else {
                            return Err(invalid("tuple element types must be a JSON array".into()));
                        };
                        elements
                            .iter()
                            .map(Type::from_json)
                            .collect::<Result<_, _>>()
                            .map(Type::Tuple)
                    }
                    other => Err(invalid(format!("invalid complex type kind {other:?}"))),
                }
            }
            other => Err(invalid(format!(
                "expected a string or an array, got {other}"
            ))),
        }
    }

    /// Parses the bytes of a cty JSON type constraint.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, CtyError> {
        let json = serde_json::from_slice(bytes).map_err(|error| {
            CtyError::at_root(CtyErrorKind::InvalidType(format!("not JSON: {error}")))
        })?;
        Type::from_json(&json)
    }

    /// True for `bool`, `number` and `string`.
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }
}

/// Friendly names, as in error messages: `string`, `list of number`, `object`, `tuple`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(element) => write!(f, "list of {element}"),
            Type::Set(element) => write!(f, "set of {element}"),
            Type::Map(element) => write!(f, "map of {element}"),
            Type::Object(_) => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ty: Type, json: &str) {
        assert_eq!(String::from_utf8(ty.to_json_bytes()).unwrap(), json);
        assert_eq!(Type::from_json_bytes(json.as_bytes()).unwrap(), ty);
    }

    #[test]
    fn primitive_types() {
        check(Type::String, r#""string""#);
        check(Type::Number, r#""number""#);
        check(Type::Bool, r#""bool""#);
        check(Type::Dynamic, r#""dynamic""#);
    }

    #[test]
    fn collection_types() {
        check(Type::list(Type::String), r#"["list","string"]"#);
        check(Type::set(Type::Number), r#"["set","number"]"#);
        check(
            Type::map(Type::list(Type::Bool)),
            r#"["map",["list","bool"]]"#,
        );
    }

    #[test]
    fn structural_types_sort_attributes() {
        check(
            Type::object([("b", Type::Number), ("a", Type::set(Type::String))]),
            r#"["object",{"a":["set","string"],"b":"number"}]"#,
        );
        check(
            Type::tuple(vec![Type::Bool, Type::Dynamic]),
            r#"["tuple",["bool","dynamic"]]"#,
        );
        check(Type::object::<String>([]), r#"["object",{}]"#);
        check(Type::tuple(vec![]), r#"["tuple",[]]"#);
    }

    #[test]
    fn optional_attribute_markers_are_ignored() {
        let ty = Type::from_json_bytes(br#"["object",{"a":"string"},["a"]]"#).unwrap();
        assert_eq!(ty, Type::object([("a", Type::String)]));
    }

    #[test]
    fn invalid_constraints_are_errors() {
        for json in [
            r#""strin""#,
            r#"["list"]"#,
            r#"["list","string","x"]"#,
            "3",
            r#"["object",[]]"#,
            "{",
        ] {
            let error = Type::from_json_bytes(json.as_bytes()).unwrap_err();
            assert!(
                matches!(error.kind, CtyErrorKind::InvalidType(_)),
                "{json}: {error}"
            );
        }
    }

    #[test]
    fn friendly_names() {
        assert_eq!(
            Type::list(Type::map(Type::String)).to_string(),
            "list of map of string"
        );
    }
}
