//! Values as Terraform sends and receives them, before and after the schema's type is applied.

use crate::cty::{self, Type, Value};
use crate::framework::diagnostics::Diagnostics;

/// A value in one of the protocol's two encodings, not yet decoded.
///
/// Terraform sends msgpack in every call; JSON appears only in values written by other tools,
/// and an absent value means null.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WireValue {
    /// No value was sent: null.
    #[default]
    Absent,
    /// The msgpack encoding.
    Msgpack(Vec<u8>),
    /// The JSON encoding.
    Json(Vec<u8>),
}

/// Decodes `value` as `ty`, or adds an error naming `what` and returns `None`.
pub(super) fn decode(
    value: &WireValue,
    ty: &Type,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Value> {
    let decoded = match value {
        WireValue::Absent => Ok(Value::Null),
        WireValue::Msgpack(bytes) => cty::decode_msgpack(bytes, ty),
        WireValue::Json(bytes) => cty::decode_json(bytes, ty),
    };
    match decoded {
        Ok(value) => Some(value),
        Err(err) => {
            diagnostics.error(
                format!("Could not read the {what}"),
                format!(
                    "Terraform sent a {what} that does not match the schema: {err}. This is a \
                     bug; please report it."
                ),
            );
            None
        }
    }
}

/// Encodes `value` as `ty` in msgpack, or adds an error naming `what` and returns `None`.
pub(super) fn encode(
    value: &Value,
    ty: &Type,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<u8>> {
    match cty::encode_msgpack(value, ty) {
        Ok(msgpack) => Some(msgpack),
        Err(err) => {
            diagnostics.error(
                format!("Could not write the {what}"),
                format!(
                    "The provider produced a {what} that does not match its schema: {err}. This \
                     is a bug; please report it."
                ),
            );
            None
        }
    }
}
