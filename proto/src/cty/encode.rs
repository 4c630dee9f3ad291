//! The type-directed encoder that the JSON and the msgpack encodings share.
//!
//! Both encodings check a value against the schema type in the same way before they write it:
//! the value must have the type's shape (leniently, see [`Value::conforms_to`]), tuples the
//! declared length, objects no undeclared attribute, and an absent attribute is written as null.
//! [`encode`] does that once and hands what to write to a [`WireSink`], which knows only how its
//! encoding spells each part.

use super::error::{CtyError, CtyErrorKind, PathStep};
use super::number::Number;
use super::types::Type;
use super::value::Value;

/// Where an encoding writes the parts of a value, in the order the encoder visits them.
///
/// A fallible method returns what went wrong without a path; the encoder adds the path.
pub(crate) trait WireSink {
    /// Writes null.
    fn null(&mut self);

    /// Writes an unknown value, or refuses where the encoding has none (JSON).
    fn unknown(&mut self) -> Result<(), CtyErrorKind>;

    /// Writes a `bool`.
    fn bool(&mut self, bool: bool);

    /// Writes a `number`, or refuses one the encoding cannot hold.
    fn number(&mut self, number: &Number) -> Result<(), CtyErrorKind>;

    /// Writes a `string`.
    fn string(&mut self, string: &str);

    /// Starts an array of `len` elements: a list, set or tuple.
    fn begin_array(&mut self, len: usize) -> Result<(), CtyErrorKind>;

    /// Comes before the element at `index` of the array being written.
    fn array_element(&mut self, index: usize);

    /// Ends the array being written.
    fn end_array(&mut self);

    /// Starts a map of `len` entries: a map or an object.
    fn begin_map(&mut self, len: usize) -> Result<(), CtyErrorKind>;

    /// Writes the key of the entry at `index` of the map being written; its value follows.
    fn map_key(&mut self, index: usize, key: &str);

    /// Ends the map being written.
    fn end_map(&mut self);

    /// Starts a value of type `dynamic` whose value has type `actual`; the value follows.
    fn begin_dynamic(&mut self, actual: &Type);

    /// Ends the value of type `dynamic` whose value has type `actual`.
    fn end_dynamic(&mut self, actual: &Type);
}

/// Writes `value`, which must have the shape of `ty`, to `sink`.
pub(crate) fn encode(value: &Value, ty: &Type, sink: &mut impl WireSink) -> Result<(), CtyError> {
    Encoder { path: Vec::new() }.value(value, ty, sink)
}

/// One encoding: the path to the value being written.
struct Encoder {
    path: Vec<PathStep>,
}

impl Encoder {
    fn value(
        &mut self,
        value: &Value,
        ty: &Type,
        sink: &mut impl WireSink,
    ) -> Result<(), CtyError> {
        let mismatch = |path: &[PathStep]| CtyError::mismatch(path, ty, value.kind_name());
        match value {
            Value::Null => {
                sink.null();
                return Ok(());
            }
            Value::Unknown => return sink.unknown().map_err(|kind| self.error(kind)),
            _ => {}
        }
        match ty {
            Type::Dynamic => {
                let actual = value.infer_type();
                sink.begin_dynamic(&actual);
                self.value(value, &actual, sink)?;
                sink.end_dynamic(&actual);
                Ok(())
            }
            Type::Bool => {
                let Value::Bool(bool) = value else {
                    return Err(mismatch(&self.path));
                };
                sink.bool(*bool);
                Ok(())
            }
            Type::Number => {
                let Value::Number(number) = value else {
                    return Err(mismatch(&self.path));
                };
                sink.number(number).map_err(|kind| self.error(kind))
            }
            Type::String => {
                let Value::String(string) = value else {
                    return Err(mismatch(&self.path));
                };
                sink.string(string);
                Ok(())
            }
            Type::List(element_type) | Type::Set(element_type) => {
                let elements = value.as_list().ok_or_else(|| mismatch(&self.path))?;
                let step = if matches!(ty, Type::Set(_)) {
                    PathStep::SetElement
                } else {
                    PathStep::Index
                };
                self.array(elements, |_| element_type, step, sink)
            }
            Type::Tuple(element_types) => {
                let elements = value.as_list().ok_or_else(|| mismatch(&self.path))?;
                if elements.len() != element_types.len() {
                    return Err(self.error(CtyErrorKind::TupleLength {
                        expected: element_types.len(),
                        given: elements.len(),
                    }));
                }
                self.array(
                    elements,
                    |index| &element_types[index],
                    PathStep::Index,
                    sink,
                )
            }
            Type::Map(element_type) => {
                let entries = value.as_map().ok_or_else(|| mismatch(&self.path))?;
                sink.begin_map(entries.len())
                    .map_err(|kind| self.error(kind))?;
                for (index, (key, element)) in entries.iter().enumerate() {
                    sink.map_key(index, key);
                    self.path.push(PathStep::Key(key.clone()));
                    self.value(element, element_type, sink)?;
                    self.path.pop();
                }
                sink.end_map();
                Ok(())
            }
            Type::Object(attribute_types) => {
                let attributes = value.as_map().ok_or_else(|| mismatch(&self.path))?;
                if let Some(name) = attributes
                    .keys()
                    .find(|name| !attribute_types.contains_key(*name))
                {
                    return Err(self.error(CtyErrorKind::UnsupportedAttribute(name.clone())));
                }
                sink.begin_map(attribute_types.len())
                    .map_err(|kind| self.error(kind))?;
                for (index, (name, attribute_type)) in attribute_types.iter().enumerate() {
                    sink.map_key(index, name);
                    self.path.push(PathStep::Attr(name.clone()));
                    let attribute = attributes.get(name).unwrap_or(&Value::Null);
                    self.value(attribute, attribute_type, sink)?;
                    self.path.pop();
                }
                sink.end_map();
                Ok(())
            }
        }
    }

    /// Writes the elements of a list, set or tuple; `element_type` gives the type of the
    /// element at an index.
    fn array<'t>(
        &mut self,
        elements: &[Value],
        element_type: impl Fn(usize) -> &'t Type,
        step: fn(u64) -> PathStep,
        sink: &mut impl WireSink,
    ) -> Result<(), CtyError> {
        sink.begin_array(elements.len())
            .map_err(|kind| self.error(kind))?;
        for (index, element) in elements.iter().enumerate() {
            sink.array_element(index);
            self.path.push(step(index as u64));
            self.value(element, element_type(index), sink)?;
            self.path.pop();
        }
        sink.end_array();
        Ok(())
    }

    fn error(&self, kind: CtyErrorKind) -> CtyError {
        CtyError::at(&self.path, kind)
    }
}
