//! Every number and fixed name of the JIT API, in one place.
//!
//! The provider, the emulator and the linter read these constants instead of repeating the
//! literals, so a change in Azure's limits is a one-line change here.
//! Each constant says where the number comes from.

use crate::port::Protocol;

/// The policy name and the VM name together may hold at most this many characters.
///
/// Microsoft's JIT docs: "the policy name, together with the targeted VM name, must not exceed a
/// total of 56 characters". The API itself does not say so; the failure shows up at apply time,
/// which is why we check it at plan time.
pub const MAX_POLICY_AND_VM_NAME_LEN: usize = 56;

/// The name the Azure portal gives the one policy per resource group and location.
pub const DEFAULT_POLICY_NAME: &str = "default";

/// The shortest `maxRequestAccessDuration` Azure accepts: PT5M.
///
/// The spec describes the field as "Minimum 5 minutes, maximum 1 day".
pub const MIN_MAX_REQUEST_ACCESS_DURATION_SECS: u64 = 5 * 60;

/// The longest `maxRequestAccessDuration` Azure accepts: PT24H (one day).
pub const MAX_MAX_REQUEST_ACCESS_DURATION_SECS: u64 = 24 * 60 * 60;

/// The `maxRequestAccessDuration` Azure uses when JIT is enabled from the portal: PT3H.
///
/// We use it for a port rule that does not set one, so that a Terraform policy and a portal
/// policy look the same.
pub const DEFAULT_MAX_REQUEST_ACCESS_DURATION_SECS: u64 = 3 * 60 * 60;

/// The protocol of a port rule that does not set one: `*`, as in the portal's defaults.
pub const DEFAULT_PROTOCOL: Protocol = Protocol::Any;

/// The source prefix of a port rule that sets none: `*`, as in the portal's defaults.
pub const DEFAULT_SOURCE_PREFIX: &str = "*";

/// The lowest port number the spec's `PortNumber` schema allows.
pub const PORT_NUMBER_MIN: u16 = 0;

/// The highest port number the spec's `PortNumber` schema allows.
pub const PORT_NUMBER_MAX: u16 = 65535;

/// The `kind` every policy carries in Microsoft's examples and PowerShell docs.
pub const POLICY_KIND: &str = "Basic";

/// The only stable api-version of the JIT API.
pub const API_VERSION: &str = "2020-01-01";

/// The ARM resource type of a JIT policy, as it appears in the `type` field.
pub const RESOURCE_TYPE: &str = "Microsoft.Security/locations/jitNetworkAccessPolicies";

/// The last path segment of the initiate operation (the spec's only `jitNetworkAccessPolicyInitiateType`).
pub const INITIATE_ACTION: &str = "initiate";

/// The longest resource group name ARM accepts (the spec's `resourceGroupName` parameter).
pub const MAX_RESOURCE_GROUP_NAME_LEN: usize = 90;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IsoDuration, MaxRequestAccessDuration, SourcePrefix};

    #[test]
    fn durations_print_as_the_spec_states_them() {
        let printed: Vec<String> = [
            MIN_MAX_REQUEST_ACCESS_DURATION_SECS,
            DEFAULT_MAX_REQUEST_ACCESS_DURATION_SECS,
            MAX_MAX_REQUEST_ACCESS_DURATION_SECS,
        ]
        .into_iter()
        .map(|secs| IsoDuration::from_secs(secs).to_string())
        .collect();
        assert_eq!(printed, ["PT5M", "PT3H", "PT24H"]);
        assert_eq!(
            MaxRequestAccessDuration::DEFAULT.get().as_secs(),
            DEFAULT_MAX_REQUEST_ACCESS_DURATION_SECS
        );
    }

    #[test]
    fn defaults_parse() {
        assert_eq!(DEFAULT_SOURCE_PREFIX.parse(), Ok(SourcePrefix::Any));
        assert_eq!(DEFAULT_PROTOCOL.as_str(), "*");
        assert_eq!(u32::from(PORT_NUMBER_MAX), u32::from(u16::MAX));
        assert!(DEFAULT_POLICY_NAME.len() < MAX_POLICY_AND_VM_NAME_LEN);
    }
}
