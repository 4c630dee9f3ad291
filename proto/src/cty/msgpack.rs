//! The msgpack encoding of cty values: what `DynamicValue.msgpack` carries.
//!
//! This follows go-cty's `cty/msgpack` (`marshal.go`, `unmarshal.go`, `unknown.go`,
//! `dynamic.go`) and Terraform's `docs/plugin-protocol/object-wire-format.md`:
//!
//! - null is `nil`; unknown is written as the fixext1 `d4 00 00`, and on input *any* extension
//!   value is unknown, including refined unknowns (extension 12 with a map payload), whose
//!   refinements are dropped;
//! - a number is an `int64` when it is an integer that fits, a `float64` when that is exact,
//!   and a decimal string otherwise; on input any integer, float or numeric string is accepted;
//! - lists, sets and tuples are arrays; maps are maps with string keys;
//! - an object is a map with every attribute, in sorted order, absent ones as `nil`; decoding
//!   requires exactly the declared attributes, as cty does;
//! - a value of type `dynamic` is `[type JSON as bin, value]`, unless it is null (`nil`) or
//!   unknown (the extension alone).
//!
//! Strings are not normalised to NFC (go-cty does so when it builds a string value); Terraform
//! sends strings already normalised, and a provider that invents strings should normalise them.
//! Bytes after the first msgpack value are ignored, as go-cty ignores them.

use rmpv::Value as Msgpack;

use super::decode::{ObjectRules, WireNode, decode, parse_number};
use super::encode::{WireSink, encode};
use super::error::{CtyError, CtyErrorKind};
use super::number::WireNumber;
use super::types::Type;
use super::value::{Number, Value};

/// go-cty's encoding of an unknown value without refinements: extension type 0, one zero byte.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

/// Encodes `value` as msgpack for `ty`.
///
/// The value must have the shape of `ty`, leniently (see [`Value::conforms_to`]); the error
/// names the path where it does not.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CtyError> {
    let mut sink = MsgpackSink(Vec::new());
    encode(value, ty, &mut sink)?;
    Ok(sink.0)
}

/// Decodes msgpack bytes as a value of `ty`. Empty bytes are null, as Terraform treats an empty
/// `DynamicValue`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CtyError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let node = rmpv::decode::read_value(&mut &bytes[..]).map_err(|error| {
        CtyError::at_root(CtyErrorKind::Malformed {
            format: "msgpack",
            message: error.to_string(),
        })
    })?;
    decode(&node, ty, ObjectRules::EXACT)
}

/// Writing to a `Vec` cannot fail; this keeps the `expect` in one place.
fn written<T, E: std::fmt::Debug>(result: Result<T, E>) {
    result.expect("writing msgpack to a Vec cannot fail");
}

/// A msgpack array or map length, which must fit 32 bits.
fn wire_len(len: usize) -> Result<u32, CtyErrorKind> {
    u32::try_from(len).map_err(|_| CtyErrorKind::Malformed {
        format: "msgpack",
        message: format!("{len} elements do not fit msgpack"),
    })
}

/// msgpack bytes being written.
struct MsgpackSink(Vec<u8>);

impl WireSink for MsgpackSink {
    fn null(&mut self) {
        written(rmp::encode::write_nil(&mut self.0));
    }

    fn unknown(&mut self) -> Result<(), CtyErrorKind> {
        self.0.extend_from_slice(&UNKNOWN);
        Ok(())
    }

    fn bool(&mut self, bool: bool) {
        written(rmp::encode::write_bool(&mut self.0, bool));
    }

    fn number(&mut self, number: &Number) -> Result<(), CtyErrorKind> {
        let out = &mut self.0;
        match number.wire_form().map_err(CtyErrorKind::InvalidNumber)? {
            WireNumber::Int(int) => written(rmp::encode::write_sint(out, int)),
            WireNumber::Float(float) => written(rmp::encode::write_f64(out, float)),
            WireNumber::Text(text) => written(rmp::encode::write_str(out, &text)),
        }
        Ok(())
    }

    fn string(&mut self, string: &str) {
        written(rmp::encode::write_str(&mut self.0, string));
    }

    fn begin_array(&mut self, len: usize) -> Result<(), CtyErrorKind> {
        written(rmp::encode::write_array_len(&mut self.0, wire_len(len)?));
        Ok(())
    }

    fn array_element(&mut self, _index: usize) {}

    fn end_array(&mut self) {}

    fn begin_map(&mut self, len: usize) -> Result<(), CtyErrorKind> {
        written(rmp::encode::write_map_len(&mut self.0, wire_len(len)?));
        Ok(())
    }

    fn map_key(&mut self, _index: usize, key: &str) {
        self.string(key);
    }

    fn end_map(&mut self) {}

    /// `[type JSON as bin, value]`.
    fn begin_dynamic(&mut self, actual: &Type) {
        written(rmp::encode::write_array_len(&mut self.0, 2));
        written(rmp::encode::write_bin(&mut self.0, &actual.to_json_bytes()));
    }

    fn end_dynamic(&mut self, _actual: &Type) {}
}

impl WireNode for Msgpack {
    type Key = Msgpack;

    fn kind(&self) -> &'static str {
        match self {
            Msgpack::Nil => "nil",
            Msgpack::Boolean(_) => "bool",
            Msgpack::Integer(_) => "integer",
            Msgpack::F32(_) | Msgpack::F64(_) => "float",
            Msgpack::String(_) => "string",
            Msgpack::Binary(_) => "binary",
            Msgpack::Array(_) => "array",
            Msgpack::Map(_) => "map",
            Msgpack::Ext(..) => "extension",
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Msgpack::Nil)
    }

    /// go-cty has no other extension, so every extension value is an unknown; the payload of
    /// a refined unknown (extension 12) is not read.
    fn is_unknown(&self) -> bool {
        matches!(self, Msgpack::Ext(..))
    }

    fn bool_value(&self) -> Option<bool> {
        self.as_bool()
    }

    fn number_value(&self) -> Result<Option<Number>, CtyErrorKind> {
        Ok(match self {
            // A msgpack integer that does not fit i64 is a u64 above i64::MAX.
            Msgpack::Integer(int) => int
                .as_i64()
                .map(Number::Int)
                .or_else(|| int.as_u64().map(|uint| Number::Big(uint.to_string()))),
            Msgpack::F32(float) => Some(Number::Float(f64::from(*float))),
            Msgpack::F64(float) => Some(Number::Float(*float)),
            Msgpack::String(text) => {
                return match text.as_str() {
                    Some(text) => parse_number(text).map(Some),
                    None => Err(CtyErrorKind::InvalidNumber(
                        "\"<invalid UTF-8>\" is not a decimal number".into(),
                    )),
                };
            }
            _ => None,
        })
    }

    fn string_value(&self) -> Result<Option<String>, CtyErrorKind> {
        let bytes = match self {
            Msgpack::String(string) => string.as_bytes(),
            Msgpack::Binary(bytes) => bytes.as_slice(),
            _ => return Ok(None),
        };
        match std::str::from_utf8(bytes) {
            Ok(string) => Ok(Some(string.to_owned())),
            Err(_) => Err(CtyErrorKind::TypeMismatch {
                expected: Type::String.to_string(),
                got: "invalid UTF-8".into(),
            }),
        }
    }

    fn items(&self) -> Option<&[Msgpack]> {
        match self {
            Msgpack::Array(nodes) => Some(nodes),
            _ => None,
        }
    }

    fn entries(&self) -> Option<&[(Msgpack, Msgpack)]> {
        match self {
            Msgpack::Map(entries) => Some(entries),
            _ => None,
        }
    }

    fn key_text(key: &Msgpack) -> Result<&str, CtyErrorKind> {
        key.as_str().ok_or_else(|| CtyErrorKind::TypeMismatch {
            expected: "string keys".into(),
            got: format!("a {} key", key.kind()),
        })
    }

    /// `[type JSON, value]`, the type as `bin` (what go-cty writes) or `str`.
    fn dynamic_parts(&self) -> Result<(Type, &Msgpack), CtyErrorKind> {
        let Msgpack::Array(pair) = self else {
            return Err(CtyErrorKind::InvalidDynamic(format!(
                "expected a [type, value] array, got {}",
                self.kind()
            )));
        };
        let [type_node, value_node] = pair.as_slice() else {
            return Err(CtyErrorKind::InvalidDynamic(format!(
                "the array must have exactly two elements, not {}",
                pair.len()
            )));
        };
        let type_json = match type_node {
            Msgpack::Binary(bytes) => bytes.as_slice(),
            Msgpack::String(string) => string.as_bytes(),
            other => {
                return Err(CtyErrorKind::InvalidDynamic(format!(
                    "the type must be JSON bytes, got {}",
                    other.kind()
                )));
            }
        };
        let ty = Type::from_json_bytes(type_json).map_err(|error| error.kind)?;
        Ok((ty, value_node))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Encodes, compares with the bytes go-cty writes, and decodes back.
    fn check(value: Value, ty: Type, expected: &[u8]) {
        let bytes = encode_msgpack(&value, &ty).unwrap();
        assert_eq!(hex(&bytes), hex(expected), "{value:?} as {ty}");
        assert_eq!(
            decode_msgpack(&bytes, &ty).unwrap(),
            value,
            "{value:?} as {ty}"
        );
    }

    fn hex(bytes: &[u8]) -> String {
        bytes
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn decode_error(bytes: &[u8], ty: &Type) -> String {
        decode_msgpack(bytes, ty).unwrap_err().to_string()
    }

    fn big(text: &str) -> Value {
        Value::Number(Number::Big(text.into()))
    }

    // The expected bytes follow go-cty's `marshal.go` (compact integers, `float64` floats, the
    // `d4 00 00` unknown of `unknown.go`, `[bin type, value]` of `dynamic.go`) for the values of
    // its `roundtrip_test.go`.

    #[test]
    fn primitives() {
        check(Value::from("hello"), Type::String, b"\xa5hello");
        check(Value::from(""), Type::String, b"\xa0");
        check(Value::Null, Type::String, b"\xc0");
        check(Value::Unknown, Type::String, b"\xd4\x00\x00");
        check(Value::from(true), Type::Bool, b"\xc3");
        check(Value::from(false), Type::Bool, b"\xc2");
        check(Value::Null, Type::Bool, b"\xc0");
        check(Value::Unknown, Type::Bool, b"\xd4\x00\x00");
    }

    #[test]
    fn numbers() {
        check(Value::from(1i64), Type::Number, b"\x01");
        check(Value::from(-1i64), Type::Number, b"\xff");
        check(Value::from(300i64), Type::Number, b"\xcd\x01\x2c");
        check(Value::from(-200i64), Type::Number, b"\xd1\xff\x38");
        check(
            Value::from(1.5),
            Type::Number,
            b"\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00",
        );
        check(
            Value::from(i64::MAX),
            Type::Number,
            b"\xcf\x7f\xff\xff\xff\xff\xff\xff\xff",
        );
        // 2^63 and 2^64 do not fit int64 but are exact as float64.
        check(
            big("9223372036854775808"),
            Type::Number,
            b"\xcb\x43\xe0\x00\x00\x00\x00\x00\x00",
        );
        check(
            big("18446744073709551616"),
            Type::Number,
            b"\xcb\x43\xf0\x00\x00\x00\x00\x00\x00",
        );
        check(
            big("9223372036854775809"),
            Type::Number,
            b"\xb39223372036854775809",
        );
        // 0.8 is "awkward because it can't be represented exactly in binary".
        check(big("0.8"), Type::Number, b"\xa30.8");
        check(big("0.1"), Type::Number, b"\xa30.1");
        check(big("1e400"), Type::Number, b"\xa51e400");
        let huge = "9".repeat(100);
        let mut expected = vec![0xd9, 100];
        expected.extend_from_slice(huge.as_bytes());
        check(big(&huge), Type::Number, &expected);
        check(
            Value::from(f64::INFINITY),
            Type::Number,
            b"\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00",
        );
        check(
            Value::from(f64::NEG_INFINITY),
            Type::Number,
            b"\xcb\xff\xf0\x00\x00\x00\x00\x00\x00",
        );
        check(Value::Unknown, Type::Number, b"\xd4\x00\x00");
    }

    #[test]
    fn numbers_written_as_other_forms() {
        let encode =
            |number: Number| hex(&encode_msgpack(&Value::Number(number), &Type::Number).unwrap());
        assert_eq!(encode(Number::Float(-0.0)), "00");
        assert_eq!(encode(Number::Float(2.0)), "02");
        assert_eq!(
            encode(Number::Big("1.5".into())),
            "cb 3f f8 00 00 00 00 00 00"
        );
        assert_eq!(encode(Number::Big("42".into())), "2a");
        let error = encode_msgpack(&Value::from(f64::NAN), &Type::Number).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid number: NaN is not a number in cty"
        );
    }

    #[test]
    fn numbers_accepted_on_input() {
        let decode = |bytes: &[u8]| match decode_msgpack(bytes, &Type::Number).unwrap() {
            Value::Number(number) => number,
            other => panic!("{other:?}"),
        };
        assert!(matches!(decode(b"\xcc\xff"), Number::Int(255)));
        assert!(matches!(decode(b"\xd0\x80"), Number::Int(-128)));
        assert!(
            matches!(decode(b"\xcf\xff\xff\xff\xff\xff\xff\xff\xff"), Number::Big(text) if text == "18446744073709551615")
        );
        assert!(matches!(decode(b"\xca\x3f\xc0\x00\x00"), Number::Float(float) if float == 1.5));
        assert!(matches!(decode(b"\xa242"), Number::Int(42)));
        assert!(matches!(decode(b"\xa5-1e-3"), Number::Big(text) if text == "-1e-3"));
        assert!(matches!(decode(b"\xa3-0."), Number::Int(0)));
        assert_eq!(
            decode_error(b"\xa3abc", &Type::Number),
            "invalid number: \"abc\" is not a decimal number"
        );
        assert_eq!(
            decode_error(b"\xc3", &Type::Number),
            "expected number, got bool"
        );
    }

    #[test]
    fn collections() {
        let list = Type::list(Type::String);
        check(
            Value::List(vec!["hello".into()]),
            list.clone(),
            b"\x91\xa5hello",
        );
        check(
            Value::List(vec![Value::Unknown]),
            list.clone(),
            b"\x91\xd4\x00\x00",
        );
        check(Value::List(vec![Value::Null]), list.clone(), b"\x91\xc0");
        check(Value::Null, list.clone(), b"\xc0");
        check(Value::List(vec![]), list.clone(), b"\x90");
        check(Value::Unknown, list, b"\xd4\x00\x00");
        let set = Type::set(Type::String);
        check(
            Value::Set(vec!["hello".into(), Value::Unknown, Value::Null]),
            set.clone(),
            b"\x93\xa5hello\xd4\x00\x00\xc0",
        );
        check(Value::Set(vec![]), set, b"\x90");
        let map = Type::map(Type::String);
        let entry = |value: Value| Value::Map(BTreeMap::from([("greeting".to_owned(), value)]));
        check(
            entry("hello".into()),
            map.clone(),
            b"\x81\xa8greeting\xa5hello",
        );
        check(
            entry(Value::Unknown),
            map.clone(),
            b"\x81\xa8greeting\xd4\x00\x00",
        );
        check(entry(Value::Null), map.clone(), b"\x81\xa8greeting\xc0");
        check(Value::Map(BTreeMap::new()), map, b"\x80");
    }

    #[test]
    fn structural_types() {
        let tuple = Type::tuple(vec![Type::String]);
        check(
            Value::Tuple(vec!["hello".into()]),
            tuple.clone(),
            b"\x91\xa5hello",
        );
        check(
            Value::Tuple(vec![Value::Unknown]),
            tuple.clone(),
            b"\x91\xd4\x00\x00",
        );
        check(Value::Tuple(vec![Value::Null]), tuple, b"\x91\xc0");
        check(Value::Tuple(vec![]), Type::tuple(vec![]), b"\x90");
        let object = Type::object([("greeting", Type::String)]);
        check(
            Value::object([("greeting", "hello".into())]),
            object.clone(),
            b"\x81\xa8greeting\xa5hello",
        );
        check(
            Value::object([("greeting", Value::Unknown)]),
            object.clone(),
            b"\x81\xa8greeting\xd4\x00\x00",
        );
        check(
            Value::object([("greeting", Value::Null)]),
            object,
            b"\x81\xa8greeting\xc0",
        );
        let pair = Type::object([("b", Type::String), ("a", Type::String)]);
        check(
            Value::object([("a", Value::Null), ("b", Value::Null)]),
            pair.clone(),
            b"\x82\xa1a\xc0\xa1b\xc0",
        );
        check(
            Value::object([("a", Value::Unknown), ("b", Value::Unknown)]),
            pair,
            b"\x82\xa1a\xd4\x00\x00\xa1b\xd4\x00\x00",
        );
        check(Value::object::<&str>([]), Type::object::<&str>([]), b"\x80");
    }

    #[test]
    fn missing_attributes_are_written_as_nil() {
        let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
        let bytes = encode_msgpack(&Value::object([("b", Value::from(1i64))]), &ty).unwrap();
        assert_eq!(bytes, b"\x82\xa1a\xc0\xa1b\x01");
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        check(
            Value::from("hello"),
            Type::Dynamic,
            b"\x92\xc4\x08\"string\"\xa5hello",
        );
        check(Value::Null, Type::Dynamic, b"\xc0");
        check(Value::Unknown, Type::Dynamic, b"\xd4\x00\x00");
        let list = Type::list(Type::Dynamic);
        check(
            Value::List(vec!["hello".into()]),
            list.clone(),
            b"\x91\x92\xc4\x08\"string\"\xa5hello",
        );
        check(Value::List(vec![Value::Null]), list.clone(), b"\x91\xc0");
        check(Value::List(vec![Value::Unknown]), list, b"\x91\xd4\x00\x00");
        check(
            Value::List(vec![Value::Null, Value::from(1i64)]),
            Type::Dynamic,
            b"\x92\xc4\x11[\"list\",\"number\"]\x92\xc0\x01",
        );
        // The type may also come as a msgpack string.
        let decoded = decode_msgpack(b"\x92\xa8\"number\"\x07", &Type::Dynamic).unwrap();
        assert_eq!(decoded, Value::from(7i64));
        assert_eq!(
            decode_error(b"\x91\xc0", &Type::Dynamic),
            "invalid dynamically-typed value: the array must have exactly two elements, not 1"
        );
        assert_eq!(
            decode_error(b"\x92\xa5\"nah\"\xc0", &Type::Dynamic),
            "invalid type constraint: invalid primitive type name \"nah\""
        );
    }

    #[test]
    fn every_extension_is_unknown_including_refined_ones() {
        let string_inputs: [&[u8]; 8] = [
            b"\xd4\x00\x00",
            b"\xd4\x0c\x00",
            b"\xd4\x0c\x80",
            // Refined unknown, not null: {1: false}.
            b"\xc7\x03\x0c\x81\x01\xc2",
            // Not null, prefix "foo-": {1: false, 2: "foo-"}.
            b"\xc7\x09\x0c\x82\x01\xc2\x02\xa4foo-",
            b"\xd5\x0c\x81\x01",
            b"\xd6\x05\x01\x02\x03\x04",
            b"\xc7\x00\x01",
        ];
        for bytes in string_inputs {
            assert_eq!(
                decode_msgpack(bytes, &Type::String).unwrap(),
                Value::Unknown,
                "{}",
                hex(bytes)
            );
            assert_eq!(
                decode_msgpack(bytes, &Type::Dynamic).unwrap(),
                Value::Unknown,
                "{}",
                hex(bytes)
            );
        }
        // Number bounds [0, true] and a collection length minimum.
        assert_eq!(
            decode_msgpack(b"\xc7\x04\x0c\x81\x03\x92\x00\xc3", &Type::Number).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode_msgpack(b"\xd5\x0c\x81\x05\x01", &Type::list(Type::String)).unwrap(),
            Value::Unknown
        );
        // Unknowns nested in a list, a map and an object, next to a refined one.
        let ty = Type::object([
            ("list", Type::list(Type::String)),
            ("map", Type::map(Type::Number)),
            ("name", Type::String),
        ]);
        let bytes = b"\x83\xa4list\x92\xd4\x00\x00\xc7\x03\x0c\x81\x01\xc2\xa3map\x81\xa1k\xd4\x0c\x00\xa4name\xc7\x09\x0c\x82\x01\xc2\x02\xa4foo-";
        let expected = Value::object([
            ("list", Value::List(vec![Value::Unknown, Value::Unknown])),
            (
                "map",
                Value::Map(BTreeMap::from([("k".to_owned(), Value::Unknown)])),
            ),
            ("name", Value::Unknown),
        ]);
        assert_eq!(decode_msgpack(bytes, &ty).unwrap(), expected);
    }

    fn vm_type() -> Type {
        Type::object([
            ("id", Type::String),
            (
                "virtual_machine",
                Type::list(Type::object([
                    ("id", Type::String),
                    (
                        "port",
                        Type::list(Type::object([
                            ("number", Type::Number),
                            ("protocol", Type::String),
                        ])),
                    ),
                ])),
            ),
        ])
    }

    fn vm(ports: Value) -> Value {
        Value::object([("id", Value::from("vm1")), ("port", ports)])
    }

    #[test]
    fn null_and_unknown_at_every_depth() {
        for leaf in [Value::Null, Value::Unknown] {
            let cases = [
                leaf.clone(),
                Value::object([("id", leaf.clone()), ("virtual_machine", leaf.clone())]),
                Value::object([
                    ("id", "x".into()),
                    ("virtual_machine", Value::List(vec![leaf.clone()])),
                ]),
                Value::object([
                    ("id", "x".into()),
                    ("virtual_machine", Value::List(vec![vm(leaf.clone())])),
                ]),
                Value::object([
                    ("id", "x".into()),
                    (
                        "virtual_machine",
                        Value::List(vec![vm(Value::List(vec![leaf.clone()]))]),
                    ),
                ]),
                Value::object([
                    ("id", "x".into()),
                    (
                        "virtual_machine",
                        Value::List(vec![vm(Value::List(vec![Value::object([
                            ("number", 22.into()),
                            ("protocol", leaf.clone()),
                        ])]))]),
                    ),
                ]),
            ];
            for value in cases {
                let bytes = encode_msgpack(&value, &vm_type()).unwrap();
                assert_eq!(decode_msgpack(&bytes, &vm_type()).unwrap(), value);
            }
        }
    }

    #[test]
    fn errors_name_the_path() {
        let value = Value::object([
            ("id", Value::Null),
            (
                "virtual_machine",
                Value::List(vec![vm(Value::List(vec![
                    Value::object([("number", 22.into()), ("protocol", "TCP".into())]),
                    Value::object([("number", "3389".into()), ("protocol", "TCP".into())]),
                ]))]),
            ),
        ]);
        let error = encode_msgpack(&value, &vm_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            ".virtual_machine[0].port[1].number: expected number, got string"
        );
        // The same shape as bytes, with the number written as a boolean.
        let bytes = b"\x82\xa2id\xc0\xafvirtual_machine\x91\x82\xa2id\xa3vm1\xa4port\x92\xc0\x82\xa6number\xc3\xa8protocol\xa3TCP";
        assert_eq!(
            decode_error(bytes, &vm_type()),
            ".virtual_machine[0].port[1].number: expected number, got bool"
        );
    }

    #[test]
    fn objects_must_list_every_attribute() {
        let ty = Type::object([("a", Type::String), ("b", Type::String)]);
        assert_eq!(
            decode_error(b"\x81\xa1a\xc0", &ty),
            "an object with 2 attributes is required (1 given)"
        );
        assert_eq!(
            decode_error(b"\x82\xa1a\xc0\xa1c\xc0", &ty),
            "unsupported attribute \"c\""
        );
        assert_eq!(
            decode_error(b"\x82\xa1a\xc0\xa1a\xc0", &ty),
            "attribute \"b\" is required"
        );
        assert_eq!(
            decode_error(b"\x82\xa1a\xc0\x01\xc0", &ty),
            "expected string keys, got a integer key"
        );
        let extra = Value::object([("a", Value::Null), ("z", Value::Null)]);
        assert_eq!(
            encode_msgpack(&extra, &ty).unwrap_err().to_string(),
            "unsupported attribute \"z\""
        );
    }

    #[test]
    fn other_decode_errors() {
        assert_eq!(
            decode_error(b"\x92\xc0\xc0", &Type::tuple(vec![Type::String])),
            "a tuple of length 1 is required (2 given)"
        );
        assert_eq!(
            decode_error(b"\xa1x", &Type::list(Type::String)),
            "expected list of string, got string"
        );
        assert_eq!(
            decode_error(b"\x81\xa1k\x01", &Type::map(Type::String)),
            "[\"k\"]: expected string, got integer"
        );
        assert_eq!(
            decode_error(b"\x92\xc0\x01", &Type::set(Type::String)),
            "[1]: expected string, got integer"
        );
        assert!(decode_error(b"\xa5hel", &Type::String).starts_with("malformed msgpack: "));
        assert!(
            decode_error(b"\x92\xc0", &Type::list(Type::String)).starts_with("malformed msgpack: ")
        );
        assert_eq!(decode_msgpack(b"", &vm_type()).unwrap(), Value::Null);
    }

    #[test]
    fn lenient_shapes_on_encode() {
        // Any sequence may be written as a list, set or tuple; a map as an object and back.
        let set = encode_msgpack(&Value::List(vec!["a".into()]), &Type::set(Type::String)).unwrap();
        assert_eq!(set, b"\x91\xa1a");
        let object = encode_msgpack(
            &Value::Map(BTreeMap::from([("a".to_owned(), Value::Null)])),
            &Type::object([("a", Type::String)]),
        );
        assert_eq!(object.unwrap(), b"\x81\xa1a\xc0");
    }
}
