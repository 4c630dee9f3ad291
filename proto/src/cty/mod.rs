//! cty: the type system and values of Terraform, and their wire encodings.
//!
//! Terraform exchanges every configuration, plan and state value with a provider as a cty value
//! encoded against the schema's type: msgpack in `DynamicValue.msgpack`, JSON in `RawState.json`
//! (and, rarely, `DynamicValue.json`). This module is a Rust model of go-cty's types and values
//! and a byte-compatible implementation of both encodings.
//!
//! # Brief overview
//!
//! - [`Type`]: `bool`, `number`, `string`, `dynamic`, collections and structural types, and their
//!   JSON form (`Schema.Attribute.type`).
//! - [`Value`]: null, unknown or known; values do not carry their type, the schema supplies it.
//! - [`Number`]: arbitrary precision, as `i64`, `f64` or exact decimal text.
//! - [`encode_msgpack`] / [`decode_msgpack`]: the wire format of the plugin protocol.
//! - [`encode_json`] / [`decode_json`] / [`decode_json_lenient`]: state and raw state.
//! - [`CtyError`]: every error names the attribute path where it happened.
//!
//! # Example
//!
//! ```
//! use tfplugin::cty::{decode_msgpack, encode_msgpack, Type, Value};
//!
//! let ty = Type::object([("name", Type::String), ("port", Type::Number)]);
//! let value = Value::object([("name", Value::from("ssh")), ("port", Value::Unknown)]);
//! let bytes = encode_msgpack(&value, &ty)?;
//! assert_eq!(bytes, b"\x82\xa4name\xa3ssh\xa4port\xd4\x00\x00");
//! assert_eq!(decode_msgpack(&bytes, &ty)?, value);
//! Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Known differences from go-cty
//!
//! - Strings are not normalised to Unicode NFC.
//! - Refinements of unknown values are dropped on input and never written.
//! - Sets are not deduplicated; their order is kept as given or received.

mod decode;
mod encode;
pub mod error;
pub mod json;
pub mod msgpack;
pub mod number;
pub mod types;
pub mod value;

#[cfg(test)]
mod roundtrip_tests;
#[cfg(test)]
mod same_table_both_encodings_tests;

pub use error::{CtyError, CtyErrorKind, Path, PathStep};
pub use json::{decode_json, decode_json_lenient, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::Number;
pub use types::Type;
pub use value::Value;
