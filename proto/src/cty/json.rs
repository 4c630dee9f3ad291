//! The JSON encoding of cty values: what `RawState.json` and `DynamicValue.json` carry.
//!
//! This follows go-cty's `cty/json` (`marshal.go`, `unmarshal.go`):
//!
//! - null is `null`; unknown values cannot be encoded;
//! - a number is a JSON number, kept exact: numbers are read from the raw text by the small
//!   parser below, because `serde_json` without `arbitrary_precision` rounds them to `f64`;
//! - lists, sets and tuples are arrays; maps and objects are objects, keys sorted; an object
//!   is written with every attribute, absent ones as `null`;
//! - a value of type `dynamic` is `{"value": ..., "type": ...}`, or `null`;
//! - on decode, missing object attributes become null and extra ones are an error, except in
//!   [`decode_json_lenient`], which ignores them;
//! - on decode, as cty's conversions allow, a bool may be given as `"true"`/`"false"`, a number
//!   as a numeric string, and a string as a number or bool.
//!
//! Empty input (or only whitespace) decodes as null. Strings are not normalised to NFC.

use super::decode::{ObjectRules, WireNode, decode, parse_number};
use super::encode::{WireSink, encode};
use super::error::{CtyError, CtyErrorKind};
use super::number::is_json_number;
use super::types::Type;
use super::value::{Number, Value};

/// How deep arrays and objects may nest before the parser refuses the input.
const MAX_DEPTH: usize = 512;

/// Encodes `value` as JSON for `ty`. Fails on an unknown value anywhere, and on infinite numbers.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, CtyError> {
    let mut sink = JsonSink(String::new());
    encode(value, ty, &mut sink)?;
    Ok(sink.0.into_bytes())
}

/// Decodes JSON as a value of `ty`, as cty does: missing object attributes become null, and an
/// attribute the type does not declare is an error.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CtyError> {
    decode_bytes(bytes, ty, ObjectRules::ABSENT_ARE_NULL)
}

/// Like [`decode_json`], but ignores object attributes the type does not declare, at any depth.
///
/// This is for `UpgradeResourceState`: state written by an older schema may still hold
/// attributes that the current schema has removed.
pub fn decode_json_lenient(bytes: &[u8], ty: &Type) -> Result<Value, CtyError> {
    decode_bytes(bytes, ty, ObjectRules::UPGRADE)
}

fn decode_bytes(bytes: &[u8], ty: &Type, rules: ObjectRules) -> Result<Value, CtyError> {
    let malformed = |message: String| {
        CtyError::at_root(CtyErrorKind::Malformed {
            format: "JSON",
            message,
        })
    };
    let text = std::str::from_utf8(bytes).map_err(|error| malformed(error.to_string()))?;
    if text.trim_matches(is_json_whitespace).is_empty() {
        return Ok(Value::Null);
    }
    let node = Parser::parse_document(text).map_err(malformed)?;
    decode(&node, ty, rules)
}

/// JSON text being written.
struct JsonSink(String);

impl JsonSink {
    fn push_string(&mut self, string: &str) {
        self.0
            .push_str(&serde_json::to_string(string).expect("a str always serializes"));
    }

    fn separator(&mut self, index: usize) {
        if index > 0 {
            self.0.push(',');
        }
    }
}

impl WireSink for JsonSink {
    fn null(&mut self) {
        self.0.push_str("null");
    }

    fn unknown(&mut self) -> Result<(), CtyErrorKind> {
        Err(CtyErrorKind::UnknownNotAllowed)
    }

    fn bool(&mut self, bool: bool) {
        self.0.push_str(if bool { "true" } else { "false" });
    }

    fn number(&mut self, number: &Number) -> Result<(), CtyErrorKind> {
        let text = number.json_text().map_err(CtyErrorKind::InvalidNumber)?;
        self.0.push_str(&text);
        Ok(())
    }

    fn string(&mut self, string: &str) {
        self.push_string(string);
    }

    fn begin_array(&mut self, _len: usize) -> Result<(), CtyErrorKind> {
        self.0.push('[');
        Ok(())
    }

    fn array_element(&mut self, index: usize) {
        self.separator(index);
    }

    fn end_array(&mut self) {
        self.0.push(']');
    }

    fn begin_map(&mut self, _len: usize) -> Result<(), CtyErrorKind> {
        self.0.push('{');
        Ok(())
    }

    fn map_key(&mut self, index: usize, key: &str) {
        self.separator(index);
        self.push_string(key);
        self.0.push(':');
    }

    fn end_map(&mut self) {
        self.0.push('}');
    }

    fn begin_dynamic(&mut self, _actual: &Type) {
        self.0.push_str("{\"value\":");
    }

    fn end_dynamic(&mut self, actual: &Type) {
        self.0.push_str(",\"type\":");
        self.0.push_str(&actual.to_json().to_string());
        self.0.push('}');
    }
}

impl WireNode for Json {
    type Key = String;

    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    fn is_unknown(&self) -> bool {
        false
    }

    fn bool_value(&self) -> Option<bool> {
        match self {
            Json::Bool(bool) => Some(*bool),
            Json::String(string) if string == "true" => Some(true),
            Json::String(string) if string == "false" => Some(false),
            _ => None,
        }
    }

    fn number_value(&self) -> Result<Option<Number>, CtyErrorKind> {
        match self {
            Json::Number(text) | Json::String(text) => parse_number(text).map(Some),
            _ => Ok(None),
        }
    }

    fn string_value(&self) -> Result<Option<String>, CtyErrorKind> {
        Ok(match self {
            Json::String(string) | Json::Number(string) => Some(string.clone()),
            Json::Bool(bool) => Some(bool.to_string()),
            _ => None,
        })
    }

    fn items(&self) -> Option<&[Json]> {
        match self {
            Json::Array(nodes) => Some(nodes),
            _ => None,
        }
    }

    fn entries(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(entries) => Some(entries),
            _ => None,
        }
    }

    fn key_text(key: &String) -> Result<&str, CtyErrorKind> {
        Ok(key)
    }

    /// `{"value": ..., "type": ...}`, in either order.
    fn dynamic_parts(&self) -> Result<(Type, &Json), CtyErrorKind> {
        let Json::Object(entries) = self else {
            return Err(CtyErrorKind::InvalidDynamic(format!(
                "expected a JSON object, got {}",
                self.kind()
            )));
        };
        let (mut type_node, mut value_node) = (None, None);
        for (key, node) in entries {
            match key.as_str() {
                "type" => type_node = Some(node),
                "value" => value_node = Some(node),
                other => {
                    return Err(CtyErrorKind::InvalidDynamic(format!(
                        "invalid key {other:?}"
                    )));
                }
            }
        }
        let type_node =
            type_node.ok_or_else(|| CtyErrorKind::InvalidDynamic("missing type".into()))?;
        let value_node =
            value_node.ok_or_else(|| CtyErrorKind::InvalidDynamic("missing value".into()))?;
        let ty = Type::from_json(&type_node.to_serde()).map_err(|error| error.kind)?;
        Ok((ty, value_node))
    }
}

/// A parsed JSON document that keeps numbers as their text.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Entries in document order; a repeated key is kept twice, and the last one wins on decode.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The same document as `serde_json` holds it, for parsing type constraints (which have no
    /// numbers, so no precision is lost where it matters).
    fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as Serde;
        match self {
            Json::Null => Serde::Null,
            Json::Bool(bool) => Serde::Bool(*bool),
            Json::Number(text) => text.parse().map(Serde::Number).unwrap_or(Serde::Null),
            Json::String(string) => Serde::String(string.clone()),
            Json::Array(nodes) => Serde::Array(nodes.iter().map(Json::to_serde).collect()),
            Json::Object(entries) => Serde::Object(
                entries
                    .iter()
                    .map(|(key, node)| (key.clone(), node.to_serde()))
                    .collect(),
            ),
        }
    }
}

fn is_json_whitespace(char: char) -> bool {
    matches!(char, ' ' | '\t' | '\n' | '\r')
}

/// A strict RFC 8259 parser that keeps number text.
struct Parser<'a> {
    text: &'a str,
    position: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn parse_document(text: &'a str) -> Result<Json, String> {
        let mut parser = Parser {
            text,
            position: 0,
            depth: 0,
        };
        let node = parser.value()?;
        parser.skip_whitespace();
        if parser.position != text.len() {
            return Err(parser.error("trailing characters after the JSON value"));
        }
        Ok(node)
    }

    fn error(&self, message: &str) -> String {
        format!("{message} at byte {}", self.position)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn skip_whitespace(&mut self) {
        while self
            .peek()
            .is_some_and(|byte| is_json_whitespace(char::from(byte)))
        {
            self.position += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str, node: Json) -> Result<Json, String> {
        if self.text[self.position..].starts_with(literal) {
            self.position += literal.len();
            Ok(node)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.expect_literal("null", Json::Null),
            Some(b't') => self.expect_literal("true", Json::Bool(true)),
            Some(b'f') => self.expect_literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => self.nested(Parser::array),
            Some(b'{') => self.nested(Parser::object),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn nested(
        &mut self,
        parse: fn(&mut Parser<'a>) -> Result<Json, String>,
    ) -> Result<Json, String> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.depth += 1;
        let node = parse(self);
        self.depth -= 1;
        node
    }

    fn array(&mut self) -> Result<Json, String> {
        self.position += 1; // [
        let mut nodes = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            return Ok(Json::Array(nodes));
        }
        loop {
            nodes.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b']') => {
                    self.position += 1;
                    return Ok(Json::Array(nodes));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.position += 1; // {
        let mut entries = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
            return Ok(Json::Object(entries));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.position += 1;
            entries.push((key, self.value()?));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b'}') => {
                    self.position += 1;
                    return Ok(Json::Object(entries));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.position;
        while self
            .peek()
            .is_some_and(|byte| matches!(byte, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.position += 1;
        }
        let text = &self.text[start..self.position];
        if is_json_number(text) {
            Ok(Json::Number(text.to_owned()))
        } else {
            self.position = start;
            Err(self.error("invalid number"))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.position += 1; // opening quote
        let mut string = String::new();
        loop {
            let start = self.position;
            while self
                .peek()
                .is_some_and(|byte| byte != b'"' && byte != b'\\' && byte >= 0x20)
            {
                self.position += 1;
            }
            // The input is a str and the loop stops only at ASCII bytes, so this is a char boundary.
            string.push_str(&self.text[start..self.position]);
            match self.peek() {
                Some(b'"') => {
                    self.position += 1;
                    return Ok(string);
                }
                Some(b'\\') => {
                    self.position += 1;
                    string.push(self.escape()?);
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, String> {
        let byte = self
            .peek()
            .ok_or_else(|| self.error("unterminated escape"))?;
        self.position += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xd800..0xdc00).contains(&high) {
                    if !self.text[self.position..].starts_with("\\u") {
                        return Err(self.error("unpaired surrogate"));
                    }
                    self.position += 2;
                    let low = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return Err(self.error("unpaired surrogate"));
                    }
                    let code = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
                    char::from_u32(code).ok_or_else(|| self.error("invalid escape"))?
                } else {
                    char::from_u32(high).ok_or_else(|| self.error("unpaired surrogate"))?
                }
            }
            _ => return Err(self.error("invalid escape")),
        })
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.position..self.position + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))?;
        if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(self.error("invalid \\u escape"));
        }
        self.position += 4;
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Json, String> {
        Parser::parse_document(text)
    }

    fn encode(value: &Value, ty: &Type) -> String {
        String::from_utf8(encode_json(value, ty).unwrap()).unwrap()
    }

    fn decode(text: &str, ty: &Type) -> Value {
        decode_json(text.as_bytes(), ty).unwrap()
    }

    fn decode_error(text: &str, ty: &Type) -> String {
        decode_json(text.as_bytes(), ty).unwrap_err().to_string()
    }

    fn big(text: &str) -> Value {
        Value::Number(Number::Big(text.into()))
    }

    fn vm_type() -> Type {
        Type::object([
            ("id", Type::String),
            (
                "port",
                Type::list(Type::object([
                    ("number", Type::Number),
                    ("protocol", Type::String),
                ])),
            ),
            ("tags", Type::map(Type::String)),
        ])
    }

    #[test]
    fn encodes_every_attribute_sorted_with_nulls() {
        let value = Value::object([(
            "port",
            Value::List(vec![Value::object([("number", 22.into())])]),
        )]);
        assert_eq!(
            encode(&value, &vm_type()),
            r#"{"id":null,"port":[{"number":22,"protocol":null}],"tags":null}"#
        );
        let tags = Value::Map([("b".to_owned(), "2".into()), ("a".to_owned(), "1".into())].into());
        assert_eq!(
            encode(&tags, &Type::map(Type::String)),
            r#"{"a":"1","b":"2"}"#
        );
        assert_eq!(encode(&Value::Null, &vm_type()), "null");
        assert_eq!(encode(&"a\"\n\u{e9}".into(), &Type::String), r#""a\"\né""#);
    }

    #[test]
    fn numbers_stay_exact() {
        for text in [
            "18446744073709551617",
            "1e400",
            "0.1",
            "-0.000000000000000000000000001",
            "3.5",
        ] {
            let value = decode(text, &Type::Number);
            assert_eq!(encode(&value, &Type::Number), text);
        }
        assert!(matches!(
            decode("18446744073709551616", &Type::Number),
            Value::Number(Number::Big(_))
        ));
        assert!(matches!(
            decode("-1.0e2", &Type::Number),
            Value::Number(Number::Int(-100))
        ));
        assert_eq!(encode(&Value::from(-0.0), &Type::Number), "0");
        assert_eq!(encode(&Value::from(0.1), &Type::Number), "0.1");
        assert_eq!(encode(&big("+.5"), &Type::Number), "0.5e0");
        let error = encode_json(&Value::from(f64::INFINITY), &Type::list(Type::Number));
        assert!(error.is_err());
        let error = encode_json(
            &Value::List(vec![Value::from(f64::INFINITY)]),
            &Type::list(Type::Number),
        );
        assert_eq!(
            error.unwrap_err().to_string(),
            "[0]: invalid number: JSON cannot encode inf"
        );
    }

    #[test]
    fn unknown_values_cannot_be_encoded() {
        let value = Value::object([
            ("id", "vm".into()),
            (
                "port",
                Value::List(vec![
                    Value::Null,
                    Value::object([("number", Value::Unknown)]),
                ]),
            ),
        ]);
        assert_eq!(
            encode_json(&value, &vm_type()).unwrap_err().to_string(),
            ".port[1].number: value is not known, and JSON cannot encode unknown values"
        );
        assert!(encode_json(&Value::Unknown, &Type::Dynamic).is_err());
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        assert_eq!(
            encode(&"hello".into(), &Type::Dynamic),
            r#"{"value":"hello","type":"string"}"#
        );
        assert_eq!(encode(&Value::Null, &Type::Dynamic), "null");
        let list = Value::List(vec![1i64.into(), Value::Null]);
        let text = encode(&list, &Type::Dynamic);
        assert_eq!(text, r#"{"value":[1,null],"type":["list","number"]}"#);
        assert_eq!(decode(&text, &Type::Dynamic), list);
        assert_eq!(
            decode(
                r#"{"type":"number","value":18446744073709551617}"#,
                &Type::Dynamic
            ),
            big("18446744073709551617")
        );
        assert_eq!(decode("null", &Type::Dynamic), Value::Null);
        assert_eq!(
            decode_error(r#"{"value":1}"#, &Type::Dynamic),
            "invalid dynamically-typed value: missing type"
        );
        assert_eq!(
            decode_error(r#"{"type":"number"}"#, &Type::Dynamic),
            "invalid dynamically-typed value: missing value"
        );
        assert_eq!(
            decode_error(r#"{"type":"number","value":1,"x":2}"#, &Type::Dynamic),
            "invalid dynamically-typed value: invalid key \"x\""
        );
        assert_eq!(
            decode_error(
                r#"[{"value":"x","type":"number"}]"#,
                &Type::list(Type::Dynamic)
            ),
            "[0]: invalid number: \"x\" is not a decimal number"
        );
    }

    #[test]
    fn missing_attributes_become_null_and_extra_ones_are_errors() {
        let expected = Value::object([
            ("id", "vm".into()),
            (
                "port",
                Value::List(vec![Value::object([
                    ("number", 22.into()),
                    ("protocol", Value::Null),
                ])]),
            ),
            ("tags", Value::Null),
        ]);
        assert_eq!(
            decode(r#"{"id":"vm","port":[{"number":22}]}"#, &vm_type()),
            expected
        );
        let old_state = r#"{"id":"vm","legacy":true,"port":[{"number":22,"removed":{"x":1}}]}"#;
        assert_eq!(
            decode_error(old_state, &vm_type()),
            "unsupported attribute \"legacy\""
        );
        let nested = r#"{"id":"vm","port":[{"number":22,"removed":1}]}"#;
        assert_eq!(
            decode_error(nested, &vm_type()),
            ".port[0]: unsupported attribute \"removed\""
        );
        assert_eq!(
            decode_json_lenient(old_state.as_bytes(), &vm_type()).unwrap(),
            expected
        );
    }

    #[test]
    fn decoding_converts_primitives_as_cty_does() {
        assert_eq!(decode(r#""true""#, &Type::Bool), Value::from(true));
        assert_eq!(decode(r#""12""#, &Type::Number), Value::from(12i64));
        assert_eq!(decode("12.50", &Type::String), Value::from("12.50"));
        assert_eq!(decode("false", &Type::String), Value::from("false"));
        assert_eq!(
            decode_error(r#""yes""#, &Type::Bool),
            "expected bool, got string"
        );
    }

    #[test]
    fn decode_errors_name_the_path() {
        let text = r#"{"id":"vm","port":[{"number":22},{"number":true}]}"#;
        assert_eq!(
            decode_error(text, &vm_type()),
            ".port[1].number: expected number, got bool"
        );
        assert_eq!(
            decode_error(r#"{"tags":{"a":[]}}"#, &vm_type()),
            ".tags[\"a\"]: expected string, got array"
        );
        assert_eq!(
            decode_error("[1]", &Type::tuple(vec![])),
            "a tuple of length 0 is required (1 given)"
        );
        assert_eq!(
            decode_error("{} x", &vm_type()),
            "malformed JSON: trailing characters after the JSON value at byte 3"
        );
        assert_eq!(decode(" \n", &vm_type()), Value::Null);
    }

    #[test]
    fn parser_keeps_number_text() {
        assert_eq!(
            parse(" 18446744073709551617 ").unwrap(),
            Json::Number("18446744073709551617".into())
        );
        assert_eq!(
            parse("-0.1e-400").unwrap(),
            Json::Number("-0.1e-400".into())
        );
    }

    #[test]
    fn parser_reads_strings_and_escapes() {
        assert_eq!(
            parse(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é""#).unwrap(),
            Json::String("a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f600}é".into())
        );
    }

    #[test]
    fn parser_reads_structures() {
        assert_eq!(
            parse(r#"{"a": [1, true, null], "b": {}}"#).unwrap(),
            Json::Object(vec![
                (
                    "a".into(),
                    Json::Array(vec![Json::Number("1".into()), Json::Bool(true), Json::Null])
                ),
                ("b".into(), Json::Object(vec![])),
            ])
        );
    }

    #[test]
    fn parser_rejects_malformed_input() {
        for text in [
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "tru",
            "[1,]",
            "{\"a\"}",
            "{a:1}",
            "[1 2]",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\u{1}\"",
            "\"abc",
            "[",
            "1 2",
            "NaN",
            "\"\\u12\"",
            "\"\\u+123\"",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        assert!(
            parse(&"[".repeat(MAX_DEPTH + 1))
                .unwrap_err()
                .contains("too deep")
        );
    }
}
