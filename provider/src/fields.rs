//! `jit_core`'s [`Field`]s as this provider's attribute names.
//!
//! Core knows no attribute names (the emulator and the linter name the same fields differently),
//! so the provider maps each field to its schema here, once.

use jit_core::Field;

/// The attribute that holds `field`, in the block where it lives: a `port` block's attributes,
/// `name` of the policy, `id` of a `virtual_machine` block, `end_time_utc` of a request port and
/// `justification` of a request.
///
/// For [`Field::AllowedSourceAddressPrefixes`] this is the list; the element is
/// [`Field::list_index`] within it.
pub const fn attribute_name(field: Field) -> &'static str {
    match field {
        Field::Number => "number",
        Field::Protocol => "protocol",
        Field::AllowedSourceAddressPrefix => "allowed_source_address_prefix",
        Field::AllowedSourceAddressPrefixes(_) => "allowed_source_address_prefixes",
        Field::MaxRequestAccessDuration => "max_request_access_duration",
        Field::PolicyName => "name",
        Field::VirtualMachineId => "id",
        Field::EndTimeUtc => "end_time_utc",
        Field::Justification => "justification",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::{jit_access_request::JitAccessRequest, jit_policy::JitPolicy};
    use tfplugin::framework::{Block, TypeDefinition};

    fn nested<'a>(block: &'a Block, names: &[&str]) -> &'a Block {
        names.iter().fold(block, |block, name| {
            &block
                .get_block(name)
                .unwrap_or_else(|| panic!("no block {name}"))
                .block
        })
    }

    /// Every name is an attribute of the schema, in the block where the field lives.
    #[test]
    fn every_field_names_an_attribute_of_the_schemas() {
        let policy = JitPolicy.schema().block;
        let request = JitAccessRequest.schema().block;
        let policy_port = nested(&policy, &["virtual_machine", "port"]);
        let request_port = nested(&request, &["virtual_machine", "port"]);
        let table: [(Field, &Block); 9] = [
            (Field::Number, policy_port),
            (Field::Protocol, policy_port),
            (Field::AllowedSourceAddressPrefix, policy_port),
            (Field::AllowedSourceAddressPrefixes(1), policy_port),
            (Field::MaxRequestAccessDuration, policy_port),
            (Field::PolicyName, &policy),
            (
                Field::VirtualMachineId,
                nested(&policy, &["virtual_machine"]),
            ),
            (Field::EndTimeUtc, request_port),
            (Field::Justification, &request),
        ];
        for (field, block) in table {
            let name = attribute_name(field);
            assert!(
                block.get_attribute(name).is_some(),
                "{field:?}: no attribute {name}"
            );
        }
    }
}
