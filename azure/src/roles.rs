//! The least-privileged role of a JIT requester: someone who may ask for access to VMs and
//! nothing else.
//!
//! Microsoft publishes it as a script, `Set-JitLeastPrivilegedRole.ps1` in the
//! `Azure/Microsoft-Defender-for-Cloud` repository (`Powershell scripts/JIT Scripts/JIT Custom
//! Role/`), which clones "Virtual Machine Contributor", clears its actions, and adds exactly the
//! ones below; the portal's documentation on JIT permissions links to it. The list is kept
//! here as the script builds it, in its order, so that a role made with Terraform or the
//! command line is the role the script makes.

/// The role name the script gives when `-roleName` is not passed.
pub const DEFAULT_ROLE_NAME: &str = "JIT Access Role";

/// The description the script gives the role.
pub const ROLE_DESCRIPTION: &str = "Users that can enable access to Virtual Machines.";

/// The actions a requester needs. With `api_only` (the script's `-forApiOnly`: requests made
/// only through PowerShell or the REST API, never the portal), the two read actions the
/// portal's pages need are left out.
///
/// The script notes that some VMs also need `Microsoft.Compute/virtualMachines/write`; it is
/// not added here either, as the script leaves it commented out.
pub fn requester_role_actions(api_only: bool) -> Vec<&'static str> {
    let mut actions = vec![
        "Microsoft.Security/locations/jitNetworkAccessPolicies/read",
        "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action",
        "Microsoft.Security/policies/read",
        "Microsoft.Network/publicIPAddresses/read",
    ];
    if !api_only {
        actions.extend([
            "Microsoft.Compute/virtualMachines/read",
            "Microsoft.Network/*/read",
        ]);
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_actions_in_its_order() {
        assert_eq!(
            requester_role_actions(false),
            [
                "Microsoft.Security/locations/jitNetworkAccessPolicies/read",
                "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action",
                "Microsoft.Security/policies/read",
                "Microsoft.Network/publicIPAddresses/read",
                "Microsoft.Compute/virtualMachines/read",
                "Microsoft.Network/*/read",
            ]
        );
        assert_eq!(
            requester_role_actions(true),
            requester_role_actions(false)[..4]
        );
        assert_eq!(DEFAULT_ROLE_NAME, "JIT Access Role");
    }
}
