//! A serde `Deserializer` over a cty [`Value`]: models read values directly, without JSON.

use std::collections::btree_map;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::attr::ATTR_TOKEN;
use super::error::{ModelError, ModelErrorKind};
use crate::cty::{PathStep, Value};

/// Reads one value; nested values get their own deserializer.
pub(super) struct ValueDeserializer<'a> {
    value: &'a Value,
}

impl<'a> ValueDeserializer<'a> {
    pub(super) fn new(value: &'a Value) -> Self {
        ValueDeserializer { value }
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Unknown => Err(ModelError::new(ModelErrorKind::Unknown)),
            Value::Bool(value) => visitor.visit_bool(*value),
            Value::Number(number) => {
                if let Some(int) = number.as_i64() {
                    visitor.visit_i64(int)
                } else if let Ok(unsigned) = number.to_string().parse::<u64>() {
                    visitor.visit_u64(unsigned)
                } else {
                    visitor.visit_f64(number.as_f64())
                }
            }
            Value::String(text) => visitor.visit_borrowed_str(text),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                visitor.visit_seq(Elements {
                    items: items.iter(),
                    index: 0,
                })
            }
            Value::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                pending: None,
                is_object: false,
            }),
            Value::Object(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                pending: None,
                is_object: true,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            Value::Unknown => Err(ModelError::new(ModelErrorKind::Unknown)),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        if name != ATTR_TOKEN {
            return visitor.visit_newtype_struct(self);
        }
        // The protocol between `Attr` and this deserializer: none, unit or some.
        match self.value {
            Value::Null => visitor.visit_none(),
            Value::Unknown => visitor.visit_unit(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        // Enums are strings in a schema: unit variants only.
        match self.value {
            Value::String(text) => visitor.visit_enum(text.as_str().into_deserializer()),
            Value::Unknown => Err(ModelError::new(ModelErrorKind::Unknown)),
            other => Err(ModelError::mismatch("string", other.kind_name())),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        // Attributes a model leaves out are skipped whatever they hold, unknown included.
        visitor.visit_unit()
    }
}

/// The elements of a list, set or tuple.
struct Elements<'a> {
    items: std::slice::Iter<'a, Value>,
    index: u64,
}

impl<'de> de::SeqAccess<'de> for Elements<'de> {
    type Error = ModelError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ModelError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ValueDeserializer::new(item))
            .map(Some)
            .map_err(|err| err.within(PathStep::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The attributes of an object, or the entries of a map.
struct Entries<'a> {
    entries: btree_map::Iter<'a, String, Value>,
    pending: Option<(&'a String, &'a Value)>,
    is_object: bool,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = ModelError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ModelError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((key, value));
        seed.deserialize(BorrowedStrDeserializer::<ModelError>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ModelError> {
        let Some((key, value)) = self.pending.take() else {
            return Err(ModelError::new(ModelErrorKind::Custom(
                "a map value was read before its key".into(),
            )));
        };
        seed.deserialize(ValueDeserializer::new(value))
            .map_err(|err| {
                let step = if self.is_object {
                    PathStep::Attr(key.clone())
                } else {
                    PathStep::Key(key.clone())
                };
                err.within(step)
            })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}
