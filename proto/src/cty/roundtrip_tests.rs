//! Property tests: arbitrary types, arbitrary values of those types (with nulls and unknowns at
//! every depth), and round trips through both encodings.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use super::{Number, Type, Value, decode_json, decode_msgpack, encode_json, encode_msgpack};

fn leaf_type() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::Bool),
        Just(Type::Number),
        Just(Type::String),
        Just(Type::Dynamic)
    ]
}

fn arb_type(depth: u32) -> impl Strategy<Value = Type> {
    leaf_type().prop_recursive(depth, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,8}", inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number() -> impl Strategy<Value = Number> {
    use prop::num::f64 as float;
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        (float::NORMAL | float::SUBNORMAL | float::ZERO | float::NEGATIVE | float::POSITIVE)
            .prop_map(Number::Float),
        // Integers beyond i64, some exactly representable as f64 (powers of two), most not.
        "-?[1-9][0-9]{19,40}".prop_map(Number::Big),
        (64u32..120).prop_map(|power| Number::Big(format!("{}", 2f64.powi(power as i32)))),
        // Decimal fractions, almost never exact in binary.
        "-?[0-9]{1,3}\\.[0-9]{0,25}[1-9]".prop_map(Number::Big),
        "-?[1-9](\\.[0-9]{1,5})?e-?[1-9][0-9]{2}".prop_map(Number::Big),
    ]
}

/// A value that conforms to `ty`, with nulls (and unknowns, if `unknowns`) at every depth.
fn arb_value(ty: &Type, unknowns: bool, depth: u32) -> BoxedStrategy<Value> {
    let known = arb_known(ty, unknowns, depth);
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 5 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 5 => known].boxed()
    }
}

/// Like [`arb_value`], but the value itself is known (its parts may not be).
fn arb_known(ty: &Type, unknowns: bool, depth: u32) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String => "\\PC{0,8}".prop_map(Value::String).boxed(),
        Type::Dynamic => {
            let actual = if depth == 0 {
                leaf_type().boxed()
            } else {
                arb_type(2).boxed()
            };
            actual
                .prop_flat_map(move |actual| arb_value(&actual, unknowns, depth.saturating_sub(1)))
                .boxed()
        }
        Type::List(element) => prop::collection::vec(arb_value(element, unknowns, depth), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(element) => prop::collection::vec(arb_value(element, unknowns, depth), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(element) => {
            prop::collection::btree_map("\\PC{0,4}", arb_value(element, unknowns, depth), 0..3)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attributes) => attributes
            .iter()
            .map(|(name, ty)| (Just(name.clone()), arb_value(ty, unknowns, depth)))
            .collect::<Vec<_>>()
            .prop_map(|attributes| {
                Value::Object(attributes.into_iter().collect::<BTreeMap<_, _>>())
            })
            .boxed(),
        Type::Tuple(elements) => elements
            .iter()
            .map(|ty| arb_value(ty, unknowns, depth))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
    }
}

/// A type, most often an object as a resource schema is, and a value of it.
fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    let ty = prop_oneof![
        1 => arb_type(4).boxed(),
        2 => prop::collection::btree_map("[a-z_]{1,8}", arb_type(3), 1..6).prop_map(Type::Object).boxed(),
    ];
    ty.prop_flat_map(move |ty| {
        let value = arb_known(&ty, unknowns, 2);
        (Just(ty), value)
    })
}

proptest! {
    // Failing cases are saved beside this file, as `roundtrip_tests.regressions`.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn msgpack_round_trips((ty, value) in typed_value(true)) {
        prop_assert!(value.conforms_to(&ty).is_ok(), "{:?}", value.conforms_to(&ty));
        let bytes = encode_msgpack(&value, &ty).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let decoded = decode_msgpack(&bytes, &ty).map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(&decoded, &value);
        // The encoding is canonical: what was decoded encodes to the same bytes.
        prop_assert_eq!(encode_msgpack(&decoded, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_round_trips((ty, value) in typed_value(false)) {
        let bytes = encode_json(&value, &ty).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let decoded = decode_json(&bytes, &ty).map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(&decoded, &value);
        prop_assert_eq!(&encode_json(&decoded, &ty).unwrap(), &bytes);
    }

    #[test]
    fn json_refuses_unknowns_with_a_path((ty, value) in typed_value(true)) {
        let result = encode_json(&value, &ty);
        prop_assert_eq!(result.is_ok(), value.is_wholly_known(), "{:?}", result);
    }

    #[test]
    fn msgpack_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), ty in arb_type(3)) {
        let _ = decode_msgpack(&bytes, &ty);
    }

    #[test]
    fn json_decoding_never_panics(text in "[\\[\\]{}\",:0-9a-z.eE+\\- \\\\]{0,40}", ty in arb_type(3)) {
        let _ = decode_json(text.as_bytes(), &ty);
    }
}
