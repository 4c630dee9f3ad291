//! One table of decoding cases, each run through the JSON and the msgpack decoder.
//!
//! A row gives a type, an input written once as a [`Wire`] tree and the expected result. The
//! tree is written both as JSON text and as the msgpack bytes go-cty would send for it, and
//! each decoder the row runs through must give the expected value, or an error of the expected
//! kind at the expected path.
//!
//! Most rows run through both encodings. A row marked [`Runs::Msgpack`] holds what only msgpack
//! can carry (unknowns), or shows where msgpack is stricter than JSON (it requires exactly the
//! declared object attributes, and converts no primitive to another); the row marked
//! [`Runs::Json`] beside it shows what JSON does instead. A row with an unknown that is not
//! marked msgpack-only fails, so no row claims more than it checks.
//!
//! Rows whose expected result is a value also run through [`decode_json_lenient`], which must
//! agree: it differs only where an object has undeclared attributes, and the rows marked
//! [`Runs::LenientJson`] show that.

use std::collections::BTreeMap;

use super::{
    CtyError, CtyErrorKind, Number, PathStep, Type, Value, decode_json, decode_json_lenient,
    decode_msgpack, encode_msgpack,
};

/// A wire value, neutral between the two encodings.
#[derive(Debug, Clone)]
enum Wire {
    Null,
    /// An unknown value: `d4 00 00` in msgpack, nothing in JSON.
    Unknown,
    /// An unknown value refined as not null: extension 12 with the payload `{1: false}`.
    RefinedUnknown,
    Bool(bool),
    /// A number as its decimal text (JSON number syntax), written in msgpack as go-cty writes
    /// it: an integer, a float when that is exact, the text otherwise.
    Number(&'static str),
    String(&'static str),
    Array(Vec<Wire>),
    /// Entries in order; a key may repeat.
    Object(Vec<(&'static str, Wire)>),
    /// A value of type `dynamic`: the JSON type constraint (which may be invalid) and the value.
    Dynamic(&'static str, Box<Wire>),
}

impl Wire {
    /// The JSON text, or `None` where the tree holds an unknown, which JSON cannot carry.
    fn to_json(&self) -> Option<String> {
        Some(match self {
            Wire::Null => "null".to_owned(),
            Wire::Unknown | Wire::RefinedUnknown => return None,
            Wire::Bool(bool) => bool.to_string(),
            Wire::Number(text) => (*text).to_owned(),
            Wire::String(string) => serde_json::to_string(string).expect("a str serializes"),
            Wire::Array(items) => {
                let items = items
                    .iter()
                    .map(Wire::to_json)
                    .collect::<Option<Vec<_>>>()?;
                format!("[{}]", items.join(","))
            }
            Wire::Object(entries) => {
                let entries = entries
                    .iter()
                    .map(|(key, item)| {
                        Some(format!(
                            "{}:{}",
                            Wire::String(key).to_json()?,
                            item.to_json()?
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?;
                format!("{{{}}}", entries.join(","))
            }
            Wire::Dynamic(ty, value) => format!("{{\"value\":{},\"type\":{ty}}}", value.to_json()?),
        })
    }

    fn to_msgpack(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_msgpack(&mut out);
        out
    }

    fn write_msgpack(&self, out: &mut Vec<u8>) {
        match self {
            Wire::Null => out.push(0xc0),
            Wire::Unknown => out.extend_from_slice(b"\xd4\x00\x00"),
            Wire::RefinedUnknown => out.extend_from_slice(b"\xc7\x03\x0c\x81\x01\xc2"),
            Wire::Bool(bool) => out.push(if *bool { 0xc3 } else { 0xc2 }),
            Wire::Number(text) => {
                let number = Number::parse(text).expect("the table's numbers are decimal text");
                out.extend(encode_msgpack(&Value::Number(number), &Type::Number).unwrap());
            }
            Wire::String(string) => rmp::encode::write_str(out, string).unwrap(),
            Wire::Array(items) => {
                rmp::encode::write_array_len(out, items.len() as u32).unwrap();
                items.iter().for_each(|item| item.write_msgpack(out));
            }
            Wire::Object(entries) => {
                rmp::encode::write_map_len(out, entries.len() as u32).unwrap();
                for (key, item) in entries {
                    rmp::encode::write_str(out, key).unwrap();
                    item.write_msgpack(out);
                }
            }
            Wire::Dynamic(ty, value) => {
                rmp::encode::write_array_len(out, 2).unwrap();
                rmp::encode::write_bin(out, ty.as_bytes()).unwrap();
                value.write_msgpack(out);
            }
        }
    }
}

/// Which decoders a row runs through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runs {
    /// JSON (strict, and lenient for a value) and msgpack.
    Both,
    /// msgpack only.
    Msgpack,
    /// JSON only (strict, and lenient for a value).
    Json,
    /// [`decode_json_lenient`] only.
    LenientJson,
}

/// A row of the table.
struct Case {
    name: &'static str,
    ty: Type,
    input: Wire,
    expected: Result<Value, (Vec<PathStep>, CtyErrorKind)>,
    runs: Runs,
}

impl Case {
    fn msgpack_only(self) -> Case {
        Case {
            runs: Runs::Msgpack,
            ..self
        }
    }

    fn json_only(self) -> Case {
        Case {
            runs: Runs::Json,
            ..self
        }
    }

    fn lenient_json_only(self) -> Case {
        Case {
            runs: Runs::LenientJson,
            ..self
        }
    }
}

fn ok(name: &'static str, ty: Type, input: Wire, value: Value) -> Case {
    Case {
        name,
        ty,
        input,
        expected: Ok(value),
        runs: Runs::Both,
    }
}

fn fails(
    name: &'static str,
    ty: Type,
    input: Wire,
    path: Vec<PathStep>,
    kind: CtyErrorKind,
) -> Case {
    Case {
        name,
        ty,
        input,
        expected: Err((path, kind)),
        runs: Runs::Both,
    }
}

/// What of an error both encodings must agree on. The "got ..." of a type mismatch and the
/// message of an invalid dynamic value describe the wire in the encoding's own terms, so
/// they are left out.
fn comparable(kind: &CtyErrorKind) -> CtyErrorKind {
    match kind {
        CtyErrorKind::TypeMismatch { expected, .. } => mismatch(expected),
        CtyErrorKind::InvalidDynamic(_) => CtyErrorKind::InvalidDynamic(String::new()),
        other => other.clone(),
    }
}

fn mismatch(expected: &str) -> CtyErrorKind {
    CtyErrorKind::TypeMismatch {
        expected: expected.to_owned(),
        got: String::new(),
    }
}

fn invalid_number(text: &str) -> CtyErrorKind {
    CtyErrorKind::InvalidNumber(format!("{text:?} is not a decimal number"))
}

fn attr(name: &str) -> PathStep {
    PathStep::Attr(name.to_owned())
}

fn key(key: &str) -> PathStep {
    PathStep::Key(key.to_owned())
}

fn num(text: &'static str) -> Wire {
    Wire::Number(text)
}

fn text(string: &'static str) -> Wire {
    Wire::String(string)
}

fn array<const N: usize>(items: [Wire; N]) -> Wire {
    Wire::Array(items.into())
}

fn object<const N: usize>(entries: [(&'static str, Wire); N]) -> Wire {
    Wire::Object(entries.into())
}

fn dynamic(ty: &'static str, value: Wire) -> Wire {
    Wire::Dynamic(ty, Box::new(value))
}

fn int(int: i64) -> Value {
    Value::from(int)
}

fn big(text: &str) -> Value {
    Value::Number(Number::Big(text.to_owned()))
}

fn map_value<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn port_type() -> Type {
    Type::object([("number", Type::Number), ("protocol", Type::String)])
}

fn vm_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("port", Type::list(port_type())),
        ("tags", Type::map(Type::String)),
    ])
}

fn port(number: Wire, protocol: Wire) -> Wire {
    object([("number", number), ("protocol", protocol)])
}

fn port_value(number: Value, protocol: Value) -> Value {
    Value::object([("number", number), ("protocol", protocol)])
}

/// The table: one row a line, so it reads as a table.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    let pair = Type::object([("a", Type::String), ("b", Type::Number)]);
    let string_and_number = Type::tuple(vec![Type::String, Type::Number]);
    vec![
        // Primitives.
        ok("string", Type::String, text("hello"), "hello".into()),
        ok("empty string", Type::String, text(""), "".into()),
        ok("non-ASCII string", Type::String, text("é😀\n\""), "é😀\n\"".into()),
        ok("true", Type::Bool, Wire::Bool(true), true.into()),
        ok("false", Type::Bool, Wire::Bool(false), false.into()),
        ok("zero", Type::Number, num("0"), int(0)),
        ok("small integer", Type::Number, num("42"), int(42)),
        ok("negative integer", Type::Number, num("-7"), int(-7)),
        ok("i64 max", Type::Number, num("9223372036854775807"), int(i64::MAX)),
        ok("i64 min", Type::Number, num("-9223372036854775808"), int(i64::MIN)),
        ok("2^63", Type::Number, num("9223372036854775808"), big("9223372036854775808")),
        ok("integer beyond u64", Type::Number, num("18446744073709551617"), big("18446744073709551617")),
        ok("exact binary fraction", Type::Number, num("1.5"), Value::from(1.5)),
        ok("decimal fraction", Type::Number, num("0.1"), big("0.1")),
        ok("tiny negative decimal", Type::Number, num("-0.000000000000000000000000001"), big("-0.000000000000000000000000001")),
        ok("exponent beyond f64", Type::Number, num("1e400"), big("1e400")),
        ok("integral exponent", Type::Number, num("-1.0e2"), int(-100)),
        ok("negative exponent", Type::Number, num("2.5E-3"), big("0.0025")),
        ok("number as numeric string", Type::Number, text("12"), int(12)),
        ok("big number as string", Type::Number, text("123456789012345678901234567890"), big("123456789012345678901234567890")),
        ok("null string", Type::String, Wire::Null, Value::Null),
        ok("null number", Type::Number, Wire::Null, Value::Null),
        ok("null bool", Type::Bool, Wire::Null, Value::Null),
        // Primitives of the wrong kind.
        fails("bool given a number", Type::Bool, num("1"), vec![], mismatch("bool")),
        fails("bool given another string", Type::Bool, text("yes"), vec![], mismatch("bool")),
        fails("number given a bool", Type::Number, Wire::Bool(true), vec![], mismatch("number")),
        fails("number given an array", Type::Number, array([]), vec![], mismatch("number")),
        fails("number given a non-numeric string", Type::Number, text("abc"), vec![], invalid_number("abc")),
        fails("number given a malformed numeric string", Type::Number, text("1.2.3"), vec![], invalid_number("1.2.3")),
        fails("string given an array", Type::String, array([text("a")]), vec![], mismatch("string")),
        fails("string given an object", Type::String, object([]), vec![], mismatch("string")),
        // JSON converts primitives as cty's conversions do; msgpack does not.
        ok("bool from string", Type::Bool, text("true"), true.into()).json_only(),
        fails("bool from string", Type::Bool, text("true"), vec![], mismatch("bool")).msgpack_only(),
        ok("string from number", Type::String, num("12.50"), "12.50".into()).json_only(),
        fails("string from number", Type::String, num("12.50"), vec![], mismatch("string")).msgpack_only(),
        ok("string from bool", Type::String, Wire::Bool(false), "false".into()).json_only(),
        fails("string from bool", Type::String, Wire::Bool(false), vec![], mismatch("string")).msgpack_only(),
        // Lists.
        ok("list of strings", Type::list(Type::String), array([text("a"), text("b")]), Value::List(vec!["a".into(), "b".into()])),
        ok("empty list", Type::list(Type::String), array([]), Value::List(vec![])),
        ok("null list", Type::list(Type::String), Wire::Null, Value::Null),
        ok("null list element", Type::list(Type::String), array([Wire::Null, text("a")]), Value::List(vec![Value::Null, "a".into()])),
        ok("list of lists", Type::list(Type::list(Type::Number)), array([array([num("1")]), array([num("2"), num("3")])]), Value::List(vec![Value::List(vec![int(1)]), Value::List(vec![int(2), int(3)])])),
        fails("list given a string", Type::list(Type::String), text("a"), vec![], mismatch("list of string")),
        fails("list given an object", Type::list(Type::String), object([]), vec![], mismatch("list of string")),
        fails("list element of the wrong kind", Type::list(Type::String), array([text("a"), array([])]), vec![PathStep::Index(1)], mismatch("string")),
        fails("nested list element", Type::list(Type::list(Type::Number)), array([array([]), array([num("1"), Wire::Bool(true)])]), vec![PathStep::Index(1), PathStep::Index(1)], mismatch("number")),
        // Sets.
        ok("set of numbers", Type::set(Type::Number), array([num("1"), num("2")]), Value::Set(vec![int(1), int(2)])),
        ok("empty set", Type::set(Type::Number), array([]), Value::Set(vec![])),
        ok("set with a null element", Type::set(Type::String), array([Wire::Null]), Value::Set(vec![Value::Null])),
        ok("set of objects", Type::set(port_type()), array([port(num("22"), text("tcp"))]), Value::Set(vec![port_value(int(22), "tcp".into())])),
        fails("set element of the wrong kind", Type::set(Type::Number), array([num("1"), text("x")]), vec![PathStep::SetElement(1)], invalid_number("x")),
        fails("set given an object", Type::set(Type::Number), object([]), vec![], mismatch("set of number")),
        // Maps.
        ok("map of strings", Type::map(Type::String), object([("b", text("2")), ("a", text("1"))]), map_value([("a", "1".into()), ("b", "2".into())])),
        ok("empty map", Type::map(Type::String), object([]), map_value([])),
        ok("null map element", Type::map(Type::String), object([("k", Wire::Null)]), map_value([("k", Value::Null)])),
        ok("map keys of any text", Type::map(Type::Bool), object([("a b", Wire::Bool(true)), ("\"é\"", Wire::Bool(false))]), map_value([("a b", true.into()), ("\"é\"", false.into())])),
        ok("repeated map key, the last wins", Type::map(Type::Number), object([("k", num("1")), ("k", num("2"))]), map_value([("k", int(2))])),
        ok("map of lists", Type::map(Type::list(Type::Number)), object([("k", array([num("1")]))]), map_value([("k", Value::List(vec![int(1)]))])),
        fails("map element of the wrong kind", Type::map(Type::list(Type::Number)), object([("k", array([text("x")]))]), vec![key("k"), PathStep::Index(0)], invalid_number("x")),
        fails("map given an array", Type::map(Type::String), array([]), vec![], mismatch("map of string")),
        // Tuples.
        ok("tuple", string_and_number.clone(), array([text("a"), num("1")]), Value::Tuple(vec!["a".into(), int(1)])),
        ok("empty tuple", Type::tuple(vec![]), array([]), Value::Tuple(vec![])),
        ok("tuple of nulls", string_and_number.clone(), array([Wire::Null, Wire::Null]), Value::Tuple(vec![Value::Null, Value::Null])),
        ok("null tuple", string_and_number.clone(), Wire::Null, Value::Null),
        fails("too many tuple elements", Type::tuple(vec![Type::String]), array([text("a"), text("b")]), vec![], CtyErrorKind::TupleLength { expected: 1, given: 2 }),
        fails("too few tuple elements", string_and_number.clone(), array([text("a")]), vec![], CtyErrorKind::TupleLength { expected: 2, given: 1 }),
        fails("tuple element of the wrong kind", string_and_number.clone(), array([text("a"), Wire::Bool(true)]), vec![PathStep::Index(1)], mismatch("number")),
        fails("tuple given an object", string_and_number, object([]), vec![], mismatch("tuple")),
        // Objects.
        ok("object", pair.clone(), object([("a", text("x")), ("b", num("1"))]), Value::object([("a", "x".into()), ("b", int(1))])),
        ok("object attributes in any order", pair.clone(), object([("b", num("1")), ("a", text("x"))]), Value::object([("a", "x".into()), ("b", int(1))])),
        ok("null attributes", pair.clone(), object([("a", Wire::Null), ("b", Wire::Null)]), Value::object([("a", Value::Null), ("b", Value::Null)])),
        ok("empty object", Type::object::<&str>([]), object([]), Value::object::<&str>([])),
        ok("null object", pair.clone(), Wire::Null, Value::Null),
        fails("object given an array", pair.clone(), array([]), vec![], mismatch("object")),
        fails("undeclared attribute", pair.clone(), object([("a", text("x")), ("c", num("1"))]), vec![], CtyErrorKind::UnsupportedAttribute("c".into())),
        ok("undeclared attribute dropped", pair.clone(), object([("a", text("x")), ("c", num("1"))]), Value::object([("a", "x".into()), ("b", Value::Null)])).lenient_json_only(),
        fails("attribute of the wrong kind", pair.clone(), object([("a", text("x")), ("b", Wire::Bool(true))]), vec![attr("b")], mismatch("number")),
        // msgpack requires exactly the declared attributes; JSON lets absent ones be null.
        fails("absent attribute", pair.clone(), object([("a", text("x"))]), vec![], CtyErrorKind::AttributeCount { expected: 2, given: 1 }).msgpack_only(),
        ok("absent attribute", pair.clone(), object([("a", text("x"))]), Value::object([("a", "x".into()), ("b", Value::Null)])).json_only(),
        fails("repeated attribute", pair.clone(), object([("a", text("x")), ("a", text("y"))]), vec![], CtyErrorKind::MissingAttribute("b".into())).msgpack_only(),
        ok("repeated attribute", pair.clone(), object([("a", text("x")), ("a", text("y"))]), Value::object([("a", "y".into()), ("b", Value::Null)])).json_only(),
        fails("undeclared attribute beside all declared ones", pair.clone(), object([("a", text("x")), ("b", num("1")), ("c", num("1"))]), vec![], CtyErrorKind::AttributeCount { expected: 2, given: 3 }).msgpack_only(),
        fails("undeclared attribute beside all declared ones", pair.clone(), object([("a", text("x")), ("b", num("1")), ("c", num("1"))]), vec![], CtyErrorKind::UnsupportedAttribute("c".into())).json_only(),
        // Nested structures, with null at every level and errors deep down.
        ok("nested object", vm_type(), object([("id", text("vm")), ("port", array([port(num("22"), text("tcp"))])), ("tags", object([("env", text("prod"))]))]), Value::object([("id", "vm".into()), ("port", Value::List(vec![port_value(int(22), "tcp".into())])), ("tags", map_value([("env", "prod".into())]))])),
        ok("nested nulls", vm_type(), object([("id", Wire::Null), ("port", array([Wire::Null, port(Wire::Null, Wire::Null)])), ("tags", Wire::Null)]), Value::object([("id", Value::Null), ("port", Value::List(vec![Value::Null, port_value(Value::Null, Value::Null)])), ("tags", Value::Null)])),
        fails("deep type mismatch", vm_type(), object([("id", text("vm")), ("port", array([port(num("22"), Wire::Null), port(Wire::Bool(true), Wire::Null)])), ("tags", Wire::Null)]), vec![attr("port"), PathStep::Index(1), attr("number")], mismatch("number")),
        fails("deep undeclared attribute", vm_type(), object([("id", text("vm")), ("port", array([object([("number", num("22")), ("removed", num("1"))])])), ("tags", Wire::Null)]), vec![attr("port"), PathStep::Index(0)], CtyErrorKind::UnsupportedAttribute("removed".into())),
        fails("deep map element", vm_type(), object([("id", text("vm")), ("port", Wire::Null), ("tags", object([("a", array([]))]))]), vec![attr("tags"), key("a")], mismatch("string")),
        ok("deep undeclared attributes dropped", vm_type(), object([("id", text("vm")), ("legacy", Wire::Bool(true)), ("port", array([object([("number", num("22")), ("removed", object([("x", num("1"))]))])]))]), Value::object([("id", "vm".into()), ("port", Value::List(vec![port_value(int(22), Value::Null)])), ("tags", Value::Null)])).lenient_json_only(),
        // Dynamic values carry their type.
        ok("dynamic string", Type::Dynamic, dynamic("\"string\"", text("hello")), "hello".into()),
        ok("dynamic big number", Type::Dynamic, dynamic("\"number\"", num("18446744073709551617")), big("18446744073709551617")),
        ok("dynamic list", Type::Dynamic, dynamic("[\"list\",\"number\"]", array([num("1"), Wire::Null])), Value::List(vec![int(1), Value::Null])),
        ok("dynamic object", Type::Dynamic, dynamic("[\"object\",{\"a\":\"bool\"}]", object([("a", Wire::Bool(true))])), Value::object([("a", true.into())])),
        ok("dynamic tuple", Type::Dynamic, dynamic("[\"tuple\",[\"string\",\"bool\"]]", array([text("a"), Wire::Bool(false)])), Value::Tuple(vec!["a".into(), false.into()])),
        ok("null dynamic", Type::Dynamic, Wire::Null, Value::Null),
        ok("dynamic null of a type", Type::Dynamic, dynamic("\"string\"", Wire::Null), Value::Null),
        ok("dynamic in a dynamic", Type::Dynamic, dynamic("\"dynamic\"", dynamic("\"number\"", num("1"))), int(1)),
        ok("dynamic attribute", Type::object([("any", Type::Dynamic)]), object([("any", dynamic("[\"map\",\"string\"]", object([("k", text("v"))])))]), Value::object([("any", map_value([("k", "v".into())]))])),
        ok("list of mixed dynamic values", Type::list(Type::Dynamic), array([dynamic("\"number\"", num("1")), dynamic("\"string\"", text("a")), Wire::Null]), Value::List(vec![int(1), "a".into(), Value::Null])),
        fails("dynamic value not of its type", Type::list(Type::Dynamic), array([dynamic("\"number\"", text("x"))]), vec![PathStep::Index(0)], invalid_number("x")),
        fails("dynamic value with an invalid type", Type::Dynamic, dynamic("\"nah\"", Wire::Null), vec![], CtyErrorKind::InvalidType("invalid primitive type name \"nah\"".into())),
        fails("dynamic value without its type", Type::object([("any", Type::Dynamic)]), object([("any", text("x"))]), vec![attr("any")], CtyErrorKind::InvalidDynamic(String::new())),
        fails("dynamic value of the wrong shape", Type::Dynamic, num("1"), vec![], CtyErrorKind::InvalidDynamic(String::new())),
        fails("deep error inside a dynamic value", Type::Dynamic, dynamic("[\"list\",[\"object\",{\"n\":\"number\"}]]", array([object([("n", Wire::Bool(true))])])), vec![PathStep::Index(0), attr("n")], mismatch("number")),
        // Unknowns: only msgpack carries them, at any depth and for any type.
        ok("unknown string", Type::String, Wire::Unknown, Value::Unknown).msgpack_only(),
        ok("unknown number", Type::Number, Wire::Unknown, Value::Unknown).msgpack_only(),
        ok("unknown bool", Type::Bool, Wire::Unknown, Value::Unknown).msgpack_only(),
        ok("refined unknown", Type::String, Wire::RefinedUnknown, Value::Unknown).msgpack_only(),
        ok("unknown list", Type::list(Type::String), Wire::Unknown, Value::Unknown).msgpack_only(),
        ok("unknown list element", Type::list(Type::String), array([Wire::Unknown, text("a")]), Value::List(vec![Value::Unknown, "a".into()])).msgpack_only(),
        ok("unknown set element", Type::set(Type::Number), array([Wire::RefinedUnknown]), Value::Set(vec![Value::Unknown])).msgpack_only(),
        ok("unknown map element", Type::map(Type::Number), object([("k", Wire::Unknown)]), map_value([("k", Value::Unknown)])).msgpack_only(),
        ok("unknown tuple element", Type::tuple(vec![Type::String, Type::Bool]), array([text("a"), Wire::Unknown]), Value::Tuple(vec!["a".into(), Value::Unknown])).msgpack_only(),
        ok("unknown object", pair.clone(), Wire::Unknown, Value::Unknown).msgpack_only(),
        ok("unknown attributes", pair, object([("a", Wire::Unknown), ("b", Wire::RefinedUnknown)]), Value::object([("a", Value::Unknown), ("b", Value::Unknown)])).msgpack_only(),
        ok("deep unknown", vm_type(), object([("id", Wire::Unknown), ("port", array([port(num("22"), Wire::Unknown)])), ("tags", Wire::Null)]), Value::object([("id", Value::Unknown), ("port", Value::List(vec![port_value(int(22), Value::Unknown)])), ("tags", Value::Null)])).msgpack_only(),
        ok("unknown dynamic", Type::Dynamic, Wire::Unknown, Value::Unknown).msgpack_only(),
        ok("unknown inside a dynamic value", Type::Dynamic, dynamic("[\"list\",\"string\"]", array([Wire::Unknown])), Value::List(vec![Value::Unknown])).msgpack_only(),
        fails("type mismatch beside an unknown", Type::list(Type::Number), array([Wire::Unknown, Wire::Bool(true)]), vec![PathStep::Index(1)], mismatch("number")).msgpack_only(),
    ]
}

/// The decoders `case` runs through, by name, with what each gave.
fn run(case: &Case) -> Vec<(&'static str, Result<Value, CtyError>)> {
    let json = || {
        let text = case.input.to_json().unwrap_or_else(|| {
            panic!(
                "{}: the input holds an unknown, which JSON cannot carry; mark the row msgpack-only",
                case.name
            )
        });
        text.into_bytes()
    };
    let strict_json = || ("JSON", decode_json(&json(), &case.ty));
    let lenient_json = || ("lenient JSON", decode_json_lenient(&json(), &case.ty));
    let msgpack = || {
        (
            "msgpack",
            decode_msgpack(&case.input.to_msgpack(), &case.ty),
        )
    };
    let expects_value = case.expected.is_ok();
    match case.runs {
        Runs::Both if expects_value => vec![strict_json(), lenient_json(), msgpack()],
        Runs::Both => vec![strict_json(), msgpack()],
        Runs::Json if expects_value => vec![strict_json(), lenient_json()],
        Runs::Json => vec![strict_json()],
        Runs::LenientJson => vec![lenient_json()],
        Runs::Msgpack => vec![msgpack()],
    }
}

/// Why `actual` is not what `case` expects, if it is not.
fn difference(case: &Case, actual: &Result<Value, CtyError>) -> Option<String> {
    let matches = match (&case.expected, actual) {
        (Ok(expected), Ok(value)) => expected == value,
        (Err((path, kind)), Err(error)) => {
            error.path.steps() == path.as_slice() && comparable(&error.kind) == comparable(kind)
        }
        _ => false,
    };
    (!matches).then(|| format!("expected {:?}, got {actual:?}", case.expected))
}

#[test]
fn every_row_decodes_alike_from_json_and_msgpack() {
    let mut failures = Vec::new();
    for case in cases() {
        for (decoder, actual) in run(&case) {
            if let Some(difference) = difference(&case, &actual) {
                failures.push(format!(
                    "{} ({decoder}, {}): {difference}",
                    case.name, case.ty
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_covers_both_encodings_widely() {
    let cases = cases();
    let both = cases.iter().filter(|case| case.runs == Runs::Both).count();
    assert!(cases.len() >= 60, "{} rows", cases.len());
    assert!(both >= 60, "{both} rows run through both encodings");
}

#[test]
fn the_wire_trees_are_written_as_go_cty_writes_them() {
    let input = object([
        ("d", dynamic("\"number\"", num("0.1"))),
        ("l", array([Wire::Null, Wire::Bool(true), text("a")])),
    ]);
    assert_eq!(
        input.to_json().unwrap(),
        r#"{"d":{"value":0.1,"type":"number"},"l":[null,true,"a"]}"#
    );
    assert_eq!(
        input.to_msgpack(),
        b"\x82\xa1d\x92\xc4\x08\"number\"\xa30.1\xa1l\x93\xc0\xc3\xa1a"
    );
    assert_eq!(array([Wire::Unknown]).to_json(), None);
}
