//! [`PolicyId`]: the ARM resource id of a JIT policy, parsed and printed in one place.
//!
//! The shape is `/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Security/locations/
//! {location}/jitNetworkAccessPolicies/{name}`: a policy lives in a resource group *and* a region,
//! which is why `location` is part of its identity. Segment names compare case-insensitively, as
//! ARM treats them; [`Display`](std::fmt::Display) prints the canonical casing.

use std::fmt;

use crate::error::RuleError;

/// The documented shape, for messages.
pub const SHAPE: &str = "/subscriptions/{guid}/resourceGroups/{group}/providers/Microsoft.Security/locations/{region}/jitNetworkAccessPolicies/{name}";

/// A JIT policy's ARM resource id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyId {
    /// The subscription, a GUID.
    pub subscription_id: String,
    /// The resource group.
    pub resource_group: String,
    /// The region (`ascLocation`).
    pub location: String,
    /// The policy name.
    pub name: String,
}

impl PolicyId {
    /// Parses a policy id.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        let invalid = |reason: &str| RuleError::InvalidPolicyId {
            value: text.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = text
            .strip_prefix('/')
            .ok_or_else(|| invalid("it must start with `/subscriptions/`"))?;
        let segments: Vec<&str> = rest.split('/').collect();
        const FIXED: [(usize, &str); 6] = [
            (0, "subscriptions"),
            (2, "resourceGroups"),
            (4, "providers"),
            (5, "Microsoft.Security"),
            (6, "locations"),
            (8, "jitNetworkAccessPolicies"),
        ];
        let shape_ok = segments.len() == 10
            && FIXED
                .iter()
                .all(|&(index, name)| segments[index].eq_ignore_ascii_case(name))
            && [1, 3, 7, 9]
                .iter()
                .all(|&index| !segments[index].is_empty());
        if !shape_ok {
            return Err(invalid("it is not a JIT policy id"));
        }
        if !crate::vm_id::is_guid(segments[1]) {
            return Err(invalid("its subscription is not a GUID"));
        }
        Ok(PolicyId {
            subscription_id: segments[1].to_owned(),
            resource_group: segments[3].to_owned(),
            location: segments[7].to_owned(),
            name: segments[9].to_owned(),
        })
    }
}

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Security/locations/{}/jitNetworkAccessPolicies/{}",
            self.subscription_id, self.resource_group, self.location, self.name
        )
    }
}

impl std::str::FromStr for PolicyId {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PolicyId::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default";

    #[test]
    fn parses_and_prints_canonically() {
        let id = PolicyId::parse(ID).unwrap();
        assert_eq!(id.location, "westeurope");
        assert_eq!(id.name, "default");
        assert_eq!(id.to_string(), ID);
        let lower = PolicyId::parse(&ID.to_ascii_lowercase()).unwrap();
        assert_eq!(lower.resource_group, "rg-prod");
        assert_eq!(
            lower.to_string(),
            ID.to_ascii_lowercase()
                .replace("resourcegroups", "resourceGroups")
                .replace("microsoft.security", "Microsoft.Security")
                .replace("jitnetworkaccesspolicies", "jitNetworkAccessPolicies")
        );
    }

    #[test]
    fn rejects_other_shapes() {
        for (text, reason) in [
            ("default", "start with"),
            ("/subscriptions/x/resourceGroups/rg", "not a JIT policy id"),
            (
                &ID.replace("00000000-0000-0000-0000-000000000001", "sub"),
                "GUID",
            ),
            (&ID.replace("/default", "/"), "not a JIT policy id"),
        ] {
            let err = PolicyId::parse(text).unwrap_err();
            assert!(err.to_string().contains(reason), "{text}: {err}");
            assert!(err.help().contains("jitNetworkAccessPolicies"));
        }
    }
}
