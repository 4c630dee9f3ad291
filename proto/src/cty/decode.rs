//! The type-directed decoder that the JSON and the msgpack encodings share.
//!
//! go-cty's two decoders check a wire value against the schema type in the same way: null and
//! unknown fit every type, a `dynamic` value brings its own type, collections decode their
//! elements with the element type, tuples must have the declared length, and every error names
//! the path where it happened. What differs is only what a parsed node can say about itself, so
//! each encoding describes its node through [`WireNode`] and [`decode`] does the checking once.
//!
//! The encodings disagree on object attributes (msgpack requires exactly the declared ones, JSON
//! lets absent ones be null, and state upgrades drop undeclared ones); [`ObjectRules`] names
//! which of those applies.

use std::collections::BTreeMap;

use super::error::{CtyError, CtyErrorKind, PathStep};
use super::number::Number;
use super::types::Type;
use super::value::Value;

/// A parsed node of one wire encoding, as far as the decoder needs to ask about it.
///
/// The primitive accessors give `Ok(None)` for a node of another kind (the decoder then reports
/// a type mismatch that names [`WireNode::kind`]) and `Err` for a node of the right kind that is
/// still no value of that type, such as a numeric string that is not a number.
pub(crate) trait WireNode: Sized {
    /// How the encoding holds a map key: JSON keys are strings, msgpack keys may be any node.
    type Key;

    /// What the node is, for the "got ..." of a type mismatch, in the encoding's own terms.
    fn kind(&self) -> &'static str;

    /// True for the encoding's null.
    fn is_null(&self) -> bool;

    /// True for an unknown value; always false where the encoding has none (JSON).
    fn is_unknown(&self) -> bool;

    /// The node as a `bool`, with whatever conversions the encoding allows.
    fn bool_value(&self) -> Option<bool>;

    /// The node as a `number`, with whatever conversions the encoding allows.
    fn number_value(&self) -> Result<Option<Number>, CtyErrorKind>;

    /// The node as a `string`, with whatever conversions the encoding allows.
    fn string_value(&self) -> Result<Option<String>, CtyErrorKind>;

    /// The elements of an array, which holds a list, set or tuple.
    fn items(&self) -> Option<&[Self]>;

    /// The entries of a map, which holds a map or an object, in the order received.
    fn entries(&self) -> Option<&[(Self::Key, Self)]>;

    /// A map key as text; cty allows only string keys.
    fn key_text(key: &Self::Key) -> Result<&str, CtyErrorKind>;

    /// Splits a value of type `dynamic` into the type it carries and the node of the value.
    fn dynamic_parts(&self) -> Result<(Type, &Self), CtyErrorKind>;
}

/// How an object's attributes on the wire must match those its type declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ObjectRules {
    absent: Absent,
    undeclared: Undeclared,
}

/// What a declared attribute that the wire object lacks means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Absent {
    /// It is null.
    Null,
    /// It is an error; a wire object with another number of attributes is reported as such
    /// before any attribute is decoded, as go-cty's msgpack decoder does.
    Refused,
}

/// What an attribute that the type does not declare means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Undeclared {
    /// It is an error.
    Refused,
    /// It is dropped, at any depth.
    Dropped,
}

impl ObjectRules {
    /// msgpack: exactly the declared attributes, each once.
    pub(crate) const EXACT: ObjectRules = ObjectRules {
        absent: Absent::Refused,
        undeclared: Undeclared::Refused,
    };

    /// JSON: absent attributes are null, undeclared ones are errors.
    pub(crate) const ABSENT_ARE_NULL: ObjectRules = ObjectRules {
        absent: Absent::Null,
        undeclared: Undeclared::Refused,
    };

    /// JSON state written by an older schema: absent attributes are null, undeclared ones are
    /// dropped.
    pub(crate) const UPGRADE: ObjectRules = ObjectRules {
        absent: Absent::Null,
        undeclared: Undeclared::Dropped,
    };
}

/// Decodes `node` as a value of `ty`.
pub(crate) fn decode<N: WireNode>(
    node: &N,
    ty: &Type,
    rules: ObjectRules,
) -> Result<Value, CtyError> {
    Decoder {
        rules,
        path: Vec::new(),
    }
    .value(node, ty)
}

/// Parses the decimal text of a number, as both encodings may carry it.
pub(crate) fn parse_number(text: &str) -> Result<Number, CtyErrorKind> {
    Number::parse(text)
        .ok_or_else(|| CtyErrorKind::InvalidNumber(format!("{text:?} is not a decimal number")))
}

/// One decoding: the rules for objects, and the path to the node being decoded.
struct Decoder {
    rules: ObjectRules,
    path: Vec<PathStep>,
}

impl Decoder {
    fn value<N: WireNode>(&mut self, node: &N, ty: &Type) -> Result<Value, CtyError> {
        if node.is_unknown() {
            return Ok(Value::Unknown);
        }
        if node.is_null() {
            return Ok(Value::Null);
        }
        match ty {
            Type::Dynamic => {
                let (actual, value) = node.dynamic_parts().map_err(|kind| self.error(kind))?;
                self.value(value, &actual)
            }
            Type::Bool => node
                .bool_value()
                .map(Value::Bool)
                .ok_or_else(|| self.mismatch(ty, node)),
            Type::Number => self
                .primitive(node, ty, node.number_value())
                .map(Value::Number),
            Type::String => self
                .primitive(node, ty, node.string_value())
                .map(Value::String),
            Type::List(element_type) => {
                let items = self.items(node, ty)?;
                self.elements(items, |_| element_type, PathStep::Index)
                    .map(Value::List)
            }
            Type::Set(element_type) => {
                let items = self.items(node, ty)?;
                self.elements(items, |_| element_type, PathStep::SetElement)
                    .map(Value::Set)
            }
            Type::Tuple(element_types) => {
                let items = self.items(node, ty)?;
                if items.len() != element_types.len() {
                    return Err(self.error(CtyErrorKind::TupleLength {
                        expected: element_types.len(),
                        given: items.len(),
                    }));
                }
                self.elements(items, |index| &element_types[index], PathStep::Index)
                    .map(Value::Tuple)
            }
            Type::Map(element_type) => self.map(node, ty, element_type),
            Type::Object(attribute_types) => self.object(node, ty, attribute_types),
        }
    }

    fn primitive<N: WireNode, T>(
        &self,
        node: &N,
        ty: &Type,
        converted: Result<Option<T>, CtyErrorKind>,
    ) -> Result<T, CtyError> {
        match converted {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(self.mismatch(ty, node)),
            Err(kind) => Err(self.error(kind)),
        }
    }

    fn items<'n, N: WireNode>(&self, node: &'n N, ty: &Type) -> Result<&'n [N], CtyError> {
        node.items().ok_or_else(|| self.mismatch(ty, node))
    }

    /// Decodes the elements of a list, set or tuple; `element_type` gives the type of the
    /// element at an index.
    fn elements<'t, N: WireNode>(
        &mut self,
        items: &[N],
        element_type: impl Fn(usize) -> &'t Type,
        step: fn(u64) -> PathStep,
    ) -> Result<Vec<Value>, CtyError> {
        let mut elements = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            self.path.push(step(index as u64));
            elements.push(self.value(item, element_type(index))?);
            self.path.pop();
        }
        Ok(elements)
    }

    fn map<N: WireNode>(
        &mut self,
        node: &N,
        ty: &Type,
        element_type: &Type,
    ) -> Result<Value, CtyError> {
        let entries = node.entries().ok_or_else(|| self.mismatch(ty, node))?;
        let mut elements = BTreeMap::new();
        for (key, item) in entries {
            let key = N::key_text(key).map_err(|kind| self.error(kind))?;
            self.path.push(PathStep::Key(key.to_owned()));
            let element = self.value(item, element_type)?;
            self.path.pop();
            // A repeated key is kept once; the last one wins.
            elements.insert(key.to_owned(), element);
        }
        Ok(Value::Map(elements))
    }

    fn object<N: WireNode>(
        &mut self,
        node: &N,
        ty: &Type,
        attribute_types: &BTreeMap<String, Type>,
    ) -> Result<Value, CtyError> {
        let entries = node.entries().ok_or_else(|| self.mismatch(ty, node))?;
        if self.rules.absent == Absent::Refused && entries.len() != attribute_types.len() {
            return Err(self.error(CtyErrorKind::AttributeCount {
                expected: attribute_types.len(),
                given: entries.len(),
            }));
        }
        let mut attributes = BTreeMap::new();
        for (key, item) in entries {
            let name = N::key_text(key).map_err(|kind| self.error(kind))?;
            let Some(attribute_type) = attribute_types.get(name) else {
                match self.rules.undeclared {
                    Undeclared::Dropped => continue,
                    Undeclared::Refused => {
                        return Err(self.error(CtyErrorKind::UnsupportedAttribute(name.to_owned())));
                    }
                }
            };
            self.path.push(PathStep::Attr(name.to_owned()));
            let attribute = self.value(item, attribute_type)?;
            self.path.pop();
            attributes.insert(name.to_owned(), attribute);
        }
        for name in attribute_types.keys() {
            if attributes.contains_key(name) {
                continue;
            }
            match self.rules.absent {
                Absent::Null => {
                    attributes.insert(name.clone(), Value::Null);
                }
                // Under these rules the count matched, so another attribute came twice.
                Absent::Refused => {
                    return Err(self.error(CtyErrorKind::MissingAttribute(name.clone())));
                }
            }
        }
        Ok(Value::Object(attributes))
    }

    fn error(&self, kind: CtyErrorKind) -> CtyError {
        CtyError::at(&self.path, kind)
    }

    fn mismatch<N: WireNode>(&self, ty: &Type, node: &N) -> CtyError {
        CtyError::mismatch(&self.path, ty, node.kind())
    }
}
