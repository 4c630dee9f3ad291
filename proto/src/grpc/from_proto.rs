//! Protocol (prost) types to framework types.

use crate::framework::server::WireValue;
use crate::generated::tfplugin6 as pb;

/// A dynamic value: msgpack when present (Terraform always sends it), else JSON, else absent.
pub fn value(value: Option<pb::DynamicValue>) -> WireValue {
    match value {
        Some(value) if !value.msgpack.is_empty() => WireValue::Msgpack(value.msgpack),
        Some(value) if !value.json.is_empty() => WireValue::Json(value.json),
        _ => WireValue::Absent,
    }
}
