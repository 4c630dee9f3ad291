//! [`Value`]: a cty value, known, unknown or null.
//!
//! Values do not carry their type: the schema supplies it at every encoding and decoding, as the
//! plugin protocol does. [`Value::infer_type`] recovers a type where the schema says `dynamic`.

use std::collections::BTreeMap;

use super::error::{CtyError, CtyErrorKind, PathStep};
use super::types::Type;

pub use super::number::Number;

/// A cty value.
///
/// Objects decoded from the wire hold every attribute their type declares (absent ones as
/// `Null`). Encoders write a missing attribute as null.
///
/// Sets are kept in the order received or given; cty sets have no duplicates and no order, and
/// this type does not check for duplicates.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Null of whatever type the schema says.
    Null,
    /// Not known until apply.
    ///
    /// Refinements received on input (msgpack extension 12: not null, string prefix, number
    /// bounds, length bounds) are dropped when parsed: an unknown is written back unrefined,
    /// which Terraform always accepts.
    Unknown,
    /// A known `bool`.
    Bool(bool),
    /// A known `number`.
    Number(Number),
    /// A known `string`.
    String(String),
    /// A known `list`.
    List(Vec<Value>),
    /// A known `set`.
    Set(Vec<Value>),
    /// A known `tuple`.
    Tuple(Vec<Value>),
    /// A known `map`.
    Map(BTreeMap<String, Value>),
    /// A known `object`.
    Object(BTreeMap<String, Value>),
}

impl Value {
    /// True for `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for `Unknown` (at the top level only).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True unless the value itself is `Unknown`; its parts may still be unknown.
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// True when no part of the value, at any depth, is `Unknown`.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(elements) | Value::Set(elements) | Value::Tuple(elements) => {
                elements.iter().all(Value::is_wholly_known)
            }
            Value::Map(elements) | Value::Object(elements) => {
                elements.values().all(Value::is_wholly_known)
            }
        }
    }

    /// The string, for a known `String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(string) => Some(string),
            _ => None,
        }
    }

    /// The bool, for a known `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(bool) => Some(*bool),
            _ => None,
        }
    }

    /// The number as `i64`, for a known `Number` that is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(number) => number.as_i64(),
            _ => None,
        }
    }

    /// The number, for a known `Number`.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(number) => Some(number),
            _ => None,
        }
    }

    /// The elements of a known `List`, `Set` or `Tuple`.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(elements) | Value::Set(elements) | Value::Tuple(elements) => Some(elements),
            _ => None,
        }
    }

    /// The entries of a known `Map` or `Object`.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(entries) | Value::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// An attribute of a known `Object`, or an element of a known `Map`.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_map()?.get(name)
    }

    /// Like [`Value::get_attr`], mutable.
    pub fn get_attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Map(entries) | Value::Object(entries) => entries.get_mut(name),
            _ => None,
        }
    }

    /// The null value of `ty`. Values do not carry their type, so this is `Null` for every type;
    /// it exists so that call sites say which type they mean.
    pub fn null_of(_ty: &Type) -> Value {
        Value::Null
    }

    /// The unknown value of `ty`: `Unknown` for every type, see [`Value::null_of`].
    pub fn unknown_of(_ty: &Type) -> Value {
        Value::Unknown
    }

    /// An object from `(name, value)` pairs.
    pub fn object<N: Into<String>>(attributes: impl IntoIterator<Item = (N, Value)>) -> Value {
        Value::Object(
            attributes
                .into_iter()
                .map(|(name, value)| (name.into(), value))
                .collect(),
        )
    }

    /// Checks that the value has the shape of `ty`, strictly: the variant must match the type
    /// (a `Map` is not an object), tuples must have the right length and objects must hold
    /// exactly the declared attributes. `Null` and `Unknown` conform to every type, and every
    /// value conforms to `dynamic`.
    ///
    /// The encoders are more lenient: they write any sequence as a list, set or tuple, any of
    /// `Map` and `Object` as a map or object, and missing attributes as null.
    pub fn conforms_to(&self, ty: &Type) -> Result<(), CtyError> {
        let mut path = Vec::new();
        self.conforms_at(ty, &mut path)
    }

    /// The type of the value, as far as the value tells it; used to encode values whose schema
    /// type is `dynamic`.
    ///
    /// `Null` and `Unknown` are `dynamic`. A collection's element type unifies the types of its
    /// elements (an empty list is `list(dynamic)`, `[null, "a"]` is `list(string)`). Where
    /// elements disagree, the disagreeing part is `dynamic` (`[[1], ["a"]]` is
    /// `list(list(dynamic))`) and each such element is written with its own type; this crate
    /// decodes that, but go-cty cannot build a list of mixed types: use a `Tuple` for those.
    pub fn infer_type(&self) -> Type {
        Inferred::of(self).into_type()
    }

    /// A short name of the variant, for "got ..." in error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Tuple(_) => "tuple",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
        }
    }

    fn conforms_at(&self, ty: &Type, path: &mut Vec<PathStep>) -> Result<(), CtyError> {
        let mismatch = |path: &[PathStep]| Err(CtyError::mismatch(path, ty, self.kind_name()));
        match (self, ty) {
            (Value::Null | Value::Unknown, _) | (_, Type::Dynamic) => Ok(()),
            (Value::Bool(_), Type::Bool)
            | (Value::Number(_), Type::Number)
            | (Value::String(_), Type::String) => Ok(()),
            (Value::List(elements), Type::List(element_type)) => {
                each_element(elements, path, PathStep::Index, |element, path| {
                    element.conforms_at(element_type, path)
                })
            }
            (Value::Set(elements), Type::Set(element_type)) => {
                each_element(elements, path, PathStep::SetElement, |element, path| {
                    element.conforms_at(element_type, path)
                })
            }
            (Value::Tuple(elements), Type::Tuple(element_types)) => {
                if elements.len() != element_types.len() {
                    return Err(CtyError::at(
                        path,
                        CtyErrorKind::TupleLength {
                            expected: element_types.len(),
                            given: elements.len(),
                        },
                    ));
                }
                let mut types = element_types.iter();
                each_element(elements, path, PathStep::Index, |element, path| {
                    element.conforms_at(types.next().expect("lengths are equal"), path)
                })
            }
            (Value::Map(entries), Type::Map(element_type)) => {
                for (key, element) in entries {
                    path.push(PathStep::Key(key.clone()));
                    element.conforms_at(element_type, path)?;
                    path.pop();
                }
                Ok(())
            }
            (Value::Object(attributes), Type::Object(attribute_types)) => {
                if let Some(name) = attributes
                    .keys()
                    .find(|name| !attribute_types.contains_key(*name))
                {
                    return Err(CtyError::at(
                        path,
                        CtyErrorKind::UnsupportedAttribute(name.clone()),
                    ));
                }
                for (name, attribute_type) in attribute_types {
                    let Some(attribute) = attributes.get(name) else {
                        return Err(CtyError::at(
                            path,
                            CtyErrorKind::MissingAttribute(name.clone()),
                        ));
                    };
                    path.push(PathStep::Attr(name.clone()));
                    attribute.conforms_at(attribute_type, path)?;
                    path.pop();
                }
                Ok(())
            }
            _ => mismatch(path),
        }
    }
}

/// Runs `check` on each element with its path step pushed.
fn each_element(
    elements: &[Value],
    path: &mut Vec<PathStep>,
    step: fn(u64) -> PathStep,
    mut check: impl FnMut(&Value, &mut Vec<PathStep>) -> Result<(), CtyError>,
) -> Result<(), CtyError> {
    for (index, element) in (0u64..).zip(elements) {
        path.push(step(index));
        check(element, path)?;
        path.pop();
    }
    Ok(())
}

/// A type being inferred. It tells apart "any type" (from a null or unknown, which gives way to
/// whatever the other elements have) and "mixed" (elements that disagree, which stays).
enum Inferred {
    Any,
    Mixed,
    Bool,
    Number,
    String,
    List(Box<Inferred>),
    Set(Box<Inferred>),
    Map(Box<Inferred>),
    Object(BTreeMap<String, Inferred>),
    Tuple(Vec<Inferred>),
}

impl Inferred {
    fn of(value: &Value) -> Inferred {
        match value {
            Value::Null | Value::Unknown => Inferred::Any,
            Value::Bool(_) => Inferred::Bool,
            Value::Number(_) => Inferred::Number,
            Value::String(_) => Inferred::String,
            Value::List(elements) => {
                Inferred::List(Box::new(Inferred::of_elements(elements.iter())))
            }
            Value::Set(elements) => Inferred::Set(Box::new(Inferred::of_elements(elements.iter()))),
            Value::Map(elements) => {
                Inferred::Map(Box::new(Inferred::of_elements(elements.values())))
            }
            Value::Tuple(elements) => Inferred::Tuple(elements.iter().map(Inferred::of).collect()),
            Value::Object(attributes) => Inferred::Object(
                attributes
                    .iter()
                    .map(|(name, value)| (name.clone(), Inferred::of(value)))
                    .collect(),
            ),
        }
    }

    fn of_elements<'a>(values: impl Iterator<Item = &'a Value>) -> Inferred {
        values.fold(Inferred::Any, |unified, value| {
            unified.unify(Inferred::of(value))
        })
    }

    fn unify(self, other: Inferred) -> Inferred {
        use Inferred as I;
        match (self, other) {
            (I::Any, other) | (other, I::Any) => other,
            (I::Bool, I::Bool) => I::Bool,
            (I::Number, I::Number) => I::Number,
            (I::String, I::String) => I::String,
            (I::List(left), I::List(right)) => I::List(Box::new(left.unify(*right))),
            (I::Set(left), I::Set(right)) => I::Set(Box::new(left.unify(*right))),
            (I::Map(left), I::Map(right)) => I::Map(Box::new(left.unify(*right))),
            (I::Tuple(left), I::Tuple(right)) if left.len() == right.len() => I::Tuple(
                left.into_iter()
                    .zip(right)
                    .map(|(left, right)| left.unify(right))
                    .collect(),
            ),
            (I::Object(left), I::Object(right)) if left.keys().eq(right.keys()) => I::Object(
                left.into_iter()
                    .zip(right)
                    .map(|((name, left), (_, right))| (name, left.unify(right)))
                    .collect(),
            ),
            _ => I::Mixed,
        }
    }

    fn into_type(self) -> Type {
        match self {
            Inferred::Any | Inferred::Mixed => Type::Dynamic,
            Inferred::Bool => Type::Bool,
            Inferred::Number => Type::Number,
            Inferred::String => Type::String,
            Inferred::List(element) => Type::list(element.into_type()),
            Inferred::Set(element) => Type::set(element.into_type()),
            Inferred::Map(element) => Type::map(element.into_type()),
            Inferred::Tuple(elements) => {
                Type::Tuple(elements.into_iter().map(Inferred::into_type).collect())
            }
            Inferred::Object(attributes) => Type::Object(
                attributes
                    .into_iter()
                    .map(|(name, inferred)| (name, inferred.into_type()))
                    .collect(),
            ),
        }
    }
}

impl From<&str> for Value {
    fn from(string: &str) -> Value {
        Value::String(string.to_owned())
    }
}

impl From<String> for Value {
    fn from(string: String) -> Value {
        Value::String(string)
    }
}

impl From<bool> for Value {
    fn from(bool: bool) -> Value {
        Value::Bool(bool)
    }
}

impl From<i64> for Value {
    fn from(int: i64) -> Value {
        Value::Number(Number::Int(int))
    }
}

impl From<f64> for Value {
    fn from(float: f64) -> Value {
        Value::Number(Number::Float(float))
    }
}

impl From<Number> for Value {
    fn from(number: Number) -> Value {
        Value::Number(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port_type() -> Type {
        Type::object([(
            "virtual_machine",
            Type::list(Type::object([(
                "port",
                Type::list(Type::object([("number", Type::Number)])),
            )])),
        )])
    }

    fn port(number: Value) -> Value {
        Value::object([("number", number)])
    }

    #[test]
    fn conforms_to_reports_the_path() {
        let value = Value::object([(
            "virtual_machine",
            Value::List(vec![Value::object([(
                "port",
                Value::List(vec![port(22.into()), port("x".into())]),
            )])]),
        )]);
        let error = value.conforms_to(&port_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            ".virtual_machine[0].port[1].number: expected number, got string"
        );
    }

    #[test]
    fn null_and_unknown_conform_at_every_depth() {
        for leaf in [Value::Null, Value::Unknown] {
            let value = Value::object([(
                "virtual_machine",
                Value::List(vec![
                    Value::object([("port", Value::List(vec![port(leaf.clone()), leaf.clone()]))]),
                    leaf.clone(),
                ]),
            )]);
            value.conforms_to(&port_type()).unwrap();
            leaf.conforms_to(&port_type()).unwrap();
        }
    }

    #[test]
    fn objects_must_hold_exactly_their_attributes() {
        let ty = Type::object([("a", Type::String)]);
        assert_eq!(
            Value::object::<&str>([])
                .conforms_to(&ty)
                .unwrap_err()
                .to_string(),
            "attribute \"a\" is required"
        );
        let extra = Value::object([("a", Value::Null), ("b", Value::Null)]);
        assert_eq!(
            extra.conforms_to(&ty).unwrap_err().to_string(),
            "unsupported attribute \"b\""
        );
        let tuple = Value::Tuple(vec![Value::Null]);
        assert!(tuple.conforms_to(&Type::tuple(vec![])).is_err());
        assert!(
            Value::Map(BTreeMap::new())
                .conforms_to(&Type::object::<&str>([]))
                .is_err()
        );
        assert!(Value::from(1i64).conforms_to(&Type::Dynamic).is_ok());
    }

    #[test]
    fn set_and_map_paths() {
        let error = Value::Set(vec![Value::from(1i64), Value::from(true)])
            .conforms_to(&Type::set(Type::Number))
            .unwrap_err();
        assert_eq!(error.to_string(), "[1]: expected number, got bool");
        let map = Value::Map([("k".to_owned(), Value::from(1i64))].into());
        assert_eq!(
            map.conforms_to(&Type::map(Type::String))
                .unwrap_err()
                .to_string(),
            "[\"k\"]: expected string, got number"
        );
    }

    #[test]
    fn knownness() {
        let value = Value::List(vec![Value::Null, Value::object([("a", Value::Unknown)])]);
        assert!(value.is_known());
        assert!(!value.is_wholly_known());
        assert!(Value::Unknown.is_unknown());
        assert!(Value::Null.is_wholly_known());
        assert!(Value::null_of(&Type::String).is_null());
        assert!(Value::unknown_of(&Type::String).is_unknown());
    }

    #[test]
    fn accessors() {
        let mut value = Value::object([("name", Value::from("vm")), ("count", Value::from(2i64))]);
        assert_eq!(value.get_attr("name").and_then(Value::as_str), Some("vm"));
        assert_eq!(value.get_attr("count").and_then(Value::as_i64), Some(2));
        *value.get_attr_mut("count").unwrap() = Value::Null;
        assert!(value.get_attr("count").unwrap().is_null());
        assert_eq!(Value::from(true).as_bool(), Some(true));
        assert_eq!(
            Value::Tuple(vec![Value::Null])
                .as_list()
                .map(<[Value]>::len),
            Some(1)
        );
        assert!(Value::from("x").as_list().is_none());
    }

    #[test]
    fn infer_type_unifies_elements() {
        assert_eq!(Value::List(vec![]).infer_type(), Type::list(Type::Dynamic));
        assert_eq!(
            Value::List(vec![Value::Null, Value::from("a")]).infer_type(),
            Type::list(Type::String)
        );
        let objects = Value::Set(vec![
            Value::object([("a", Value::Null), ("b", Value::from(1i64))]),
            Value::object([("a", Value::from(true)), ("b", Value::Unknown)]),
        ]);
        assert_eq!(
            objects.infer_type(),
            Type::set(Type::object([("a", Type::Bool), ("b", Type::Number)]))
        );
        assert_eq!(
            Value::List(vec![Value::from(1i64), Value::from("a")]).infer_type(),
            Type::list(Type::Dynamic)
        );
        // A conflict is never resolved by a later element.
        let mixed = Value::List(vec![
            Value::from(true),
            Value::from(1i64),
            Value::from(false),
        ]);
        assert_eq!(mixed.infer_type(), Type::list(Type::Dynamic));
        let nested = Value::List(vec![
            Value::List(vec![Value::from(1i64)]),
            Value::List(vec![Value::from("a")]),
        ]);
        assert_eq!(nested.infer_type(), Type::list(Type::list(Type::Dynamic)));
        let later = Value::List(vec![
            Value::Map([("a".to_owned(), Value::from(true))].into()),
            Value::Map(
                [
                    ("a".to_owned(), Value::from(1i64)),
                    ("b".to_owned(), Value::from(true)),
                ]
                .into(),
            ),
        ]);
        assert_eq!(later.infer_type(), Type::list(Type::map(Type::Dynamic)));
        assert_eq!(
            Value::Tuple(vec![Value::from(1i64), Value::Null]).infer_type(),
            Type::tuple(vec![Type::Number, Type::Dynamic])
        );
    }
}
