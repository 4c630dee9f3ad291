//! The resource types, one file each, with their docs and tests beside them.

pub mod jit_access_request;
pub mod jit_policy;

use tfplugin::framework::Diagnostics;

/// Create and update against Resource Manager are not wired yet; say so plainly instead of
/// pretending. Reading and deleting need no API call until something can be created.
pub(crate) fn lifecycle_not_available(
    diagnostics: &mut Diagnostics,
    type_name: &str,
    operation: &str,
) {
    diagnostics.error(
        format!("{operation} of {type_name} is not available yet"),
        format!(
            "This version of the jit provider validates and plans {type_name} but cannot {} it in Azure yet: \
             create, read, update and delete against Azure Resource Manager arrive in the next release. \
             `terraform validate` and `terraform plan` work today.",
            operation.to_ascii_lowercase()
        ),
    );
}
