//! A serde `Serializer` that writes a model as a cty [`Value`] of the schema's type.
//!
//! The type directs the writing: a sequence becomes a list, set or tuple as the type says, a
//! struct becomes an object with every attribute of its type (those the struct leaves out are
//! null), and a value that does not fit its type is an error at its path.

use std::collections::BTreeMap;

use serde::ser::{self, Serialize};

use super::attr::UNKNOWN_TOKEN;
use super::error::{ModelError, ModelErrorKind};
use crate::cty::{Number, PathStep, Type, Value};

/// Writes one value of type `ty`.
pub(super) struct ValueSerializer<'t> {
    ty: &'t Type,
}

impl<'t> ValueSerializer<'t> {
    pub(super) fn new(ty: &'t Type) -> Self {
        ValueSerializer { ty }
    }

    fn primitive(&self, expected: &Type, value: Value) -> Result<Value, ModelError> {
        if self.ty == expected {
            Ok(value)
        } else if *self.ty == Type::Dynamic {
            Err(ModelError::new(ModelErrorKind::Dynamic))
        } else {
            Err(ModelError::mismatch(self.ty, expected))
        }
    }

    fn number(&self, number: Number) -> Result<Value, ModelError> {
        self.primitive(&Type::Number, Value::Number(number))
    }

    fn sequence(&self, len: Option<usize>) -> Result<Sequence<'t>, ModelError> {
        let (kind, element) = match self.ty {
            Type::List(element) => (SequenceKind::List, Some(&**element)),
            Type::Set(element) => (SequenceKind::Set, Some(&**element)),
            Type::Tuple(_) => (SequenceKind::Tuple, None),
            Type::Dynamic => return Err(ModelError::new(ModelErrorKind::Dynamic)),
            other => return Err(ModelError::mismatch(other, "a sequence")),
        };
        Ok(Sequence {
            ty: self.ty,
            kind,
            element,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
}

fn unsupported(what: &str) -> ModelError {
    ModelError::new(ModelErrorKind::Custom(format!(
        "{what} cannot be written as a cty value"
    )))
}

impl<'t> ser::Serializer for ValueSerializer<'t> {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = Sequence<'t>;
    type SerializeTuple = Sequence<'t>;
    type SerializeTupleStruct = Sequence<'t>;
    type SerializeTupleVariant = ser::Impossible<Value, ModelError>;
    type SerializeMap = Entries<'t>;
    type SerializeStruct = Entries<'t>;
    type SerializeStructVariant = ser::Impossible<Value, ModelError>;

    fn serialize_bool(self, value: bool) -> Result<Value, ModelError> {
        self.primitive(&Type::Bool, Value::Bool(value))
    }

    fn serialize_i8(self, value: i8) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_i16(self, value: i16) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_i32(self, value: i32) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_i64(self, value: i64) -> Result<Value, ModelError> {
        self.number(Number::from(value))
    }

    fn serialize_u8(self, value: u8) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_u16(self, value: u16) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_u32(self, value: u32) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_u64(self, value: u64) -> Result<Value, ModelError> {
        match i64::try_from(value) {
            Ok(value) => self.serialize_i64(value),
            Err(_) => match Number::parse(&value.to_string()) {
                Some(number) => self.number(number),
                None => Err(unsupported("this integer")),
            },
        }
    }

    fn serialize_f32(self, value: f32) -> Result<Value, ModelError> {
        self.serialize_f64(f64::from(value))
    }

    fn serialize_f64(self, value: f64) -> Result<Value, ModelError> {
        if !value.is_finite() {
            return Err(unsupported("a number that is not finite"));
        }
        self.number(Number::from(value))
    }

    fn serialize_char(self, value: char) -> Result<Value, ModelError> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result<Value, ModelError> {
        self.primitive(&Type::String, Value::String(value.to_owned()))
    }

    fn serialize_bytes(self, _value: &[u8]) -> Result<Value, ModelError> {
        Err(unsupported("bytes"))
    }

    fn serialize_none(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ModelError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ModelError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, ModelError> {
        if name == UNKNOWN_TOKEN {
            return Ok(Value::Unknown);
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Value, ModelError> {
        Err(unsupported("an enum variant with data"))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Sequence<'t>, ModelError> {
        self.sequence(len)
    }

    fn serialize_tuple(self, len: usize) -> Result<Sequence<'t>, ModelError> {
        self.sequence(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Sequence<'t>, ModelError> {
        self.sequence(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ModelError> {
        Err(unsupported("an enum variant with data"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Entries<'t>, ModelError> {
        Entries::new(self.ty)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Entries<'t>, ModelError> {
        Entries::new(self.ty)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ModelError> {
        Err(unsupported("an enum variant with data"))
    }
}

#[derive(Clone, Copy)]
enum SequenceKind {
    List,
    Set,
    Tuple,
}

/// A list, set or tuple being written.
pub(super) struct Sequence<'t> {
    ty: &'t Type,
    kind: SequenceKind,
    /// The element type of a list or set; a tuple's come from `ty` by position.
    element: Option<&'t Type>,
    items: Vec<Value>,
}

impl Sequence<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        let index = self.items.len();
        let element = match (self.element, self.ty) {
            (Some(element), _) => element,
            (None, Type::Tuple(elements)) => elements.get(index).ok_or_else(|| {
                ModelError::new(ModelErrorKind::Custom(format!(
                    "a tuple of length {} is required",
                    elements.len()
                )))
            })?,
            (None, other) => return Err(ModelError::mismatch(other, "a sequence")),
        };
        let item = value
            .serialize(ValueSerializer::new(element))
            .map_err(|err| err.within(PathStep::Index(index as u64)))?;
        self.items.push(item);
        Ok(())
    }

    fn finish(self) -> Result<Value, ModelError> {
        if let (SequenceKind::Tuple, Type::Tuple(elements)) = (self.kind, self.ty)
            && elements.len() != self.items.len()
        {
            return Err(ModelError::new(ModelErrorKind::Custom(format!(
                "a tuple of length {} is required ({} given)",
                elements.len(),
                self.items.len()
            ))));
        }
        Ok(match self.kind {
            SequenceKind::List => Value::List(self.items),
            SequenceKind::Set => Value::Set(self.items),
            SequenceKind::Tuple => Value::Tuple(self.items),
        })
    }
}

impl ser::SerializeSeq for Sequence<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Sequence<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Sequence<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}

/// An object (from a struct or a map) or a map being written.
pub(super) struct Entries<'t> {
    /// The attribute types of an object; `None` for a map.
    attributes: Option<&'t BTreeMap<String, Type>>,
    /// The element type of a map.
    element: Option<&'t Type>,
    entries: BTreeMap<String, Value>,
    next_key: Option<String>,
}

impl<'t> Entries<'t> {
    fn new(ty: &'t Type) -> Result<Self, ModelError> {
        let (attributes, element) = match ty {
            Type::Object(attributes) => (Some(attributes), None),
            Type::Map(element) => (None, Some(&**element)),
            Type::Dynamic => return Err(ModelError::new(ModelErrorKind::Dynamic)),
            other => return Err(ModelError::mismatch(other, "an object")),
        };
        Ok(Entries {
            attributes,
            element,
            entries: BTreeMap::new(),
            next_key: None,
        })
    }

    fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), ModelError> {
        let (ty, step) = match (self.attributes, self.element) {
            (Some(attributes), _) => match attributes.get(key) {
                Some(ty) => (ty, PathStep::Attr(key.to_owned())),
                None => {
                    return Err(ModelError::new(ModelErrorKind::UnsupportedAttribute(
                        key.to_owned(),
                    )));
                }
            },
            (None, Some(element)) => (element, PathStep::Key(key.to_owned())),
            (None, None) => return Err(unsupported("an entry without a type")),
        };
        let item = value
            .serialize(ValueSerializer::new(ty))
            .map_err(|err| err.within(step))?;
        self.entries.insert(key.to_owned(), item);
        Ok(())
    }

    fn finish(mut self) -> Result<Value, ModelError> {
        match self.attributes {
            Some(attributes) => {
                for name in attributes.keys() {
                    if !self.entries.contains_key(name) {
                        self.entries.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(self.entries))
            }
            None => Ok(Value::Map(self.entries)),
        }
    }
}

impl ser::SerializeStruct for Entries<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ModelError> {
        self.insert(key, value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}

impl ser::SerializeMap for Entries<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ModelError> {
        let key = key
            .serialize(ValueSerializer::new(&Type::String))
            .map_err(|_| ModelError::new(ModelErrorKind::NonStringKey))?;
        match key {
            Value::String(key) => {
                self.next_key = Some(key);
                Ok(())
            }
            _ => Err(ModelError::new(ModelErrorKind::NonStringKey)),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        let Some(key) = self.next_key.take() else {
            return Err(ModelError::new(ModelErrorKind::Custom(
                "a map value was written before its key".into(),
            )));
        };
        self.insert(&key, value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}
