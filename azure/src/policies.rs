//! The JIT policy operations: get, create or replace, delete, and the list operations.

use jit_core::PolicyId;

use crate::client::{ArmClient, Deadline};
use crate::error::ArmError;
use crate::models::{JitInitiateRequest, JitPolicy, JitRequest};

const PROVIDER: &str = "Microsoft.Security";
const POLICIES: &str = "jitNetworkAccessPolicies";

impl ArmClient {
    fn policy_url(&self, id: &PolicyId) -> reqwest::Url {
        self.url(&[
            "subscriptions",
            &id.subscription_id,
            "resourceGroups",
            &id.resource_group,
            "providers",
            PROVIDER,
            "locations",
            &id.location,
            POLICIES,
            &id.name,
        ])
    }

    /// The policy, or `None` if it does not exist.
    pub async fn get_policy(
        &self,
        id: &PolicyId,
        deadline: &Deadline,
    ) -> Result<Option<JitPolicy>, ArmError> {
        self.get(self.policy_url(id), deadline).await
    }

    /// Creates or replaces the whole policy with one PUT; the answer is the stored policy.
    /// The request history in `policy` is never sent (see [`crate::models`]).
    pub async fn put_policy(
        &self,
        id: &PolicyId,
        policy: &JitPolicy,
        deadline: &Deadline,
    ) -> Result<JitPolicy, ArmError> {
        self.put(self.policy_url(id), policy, deadline).await
    }

    /// Opens access (`POST .../initiate`, answered 202 with the request as recorded). The
    /// API has no operation to read one request or to revoke it: the request then shows in the
    /// policy's `requests`. Not idempotent, so only throttling and failures to connect are
    /// tried again.
    pub async fn initiate(
        &self,
        id: &PolicyId,
        request: &JitInitiateRequest,
        deadline: &Deadline,
    ) -> Result<JitRequest, ArmError> {
        let mut url = self.policy_url(id);
        if let Ok(mut path) = url.path_segments_mut() {
            path.push("initiate");
        }
        self.post(url, request, deadline).await
    }

    /// Deletes the policy; false if it did not exist.
    pub async fn delete_policy(
        &self,
        id: &PolicyId,
        deadline: &Deadline,
    ) -> Result<bool, ArmError> {
        self.delete(self.policy_url(id), deadline).await
    }

    /// Every policy of a resource group in one region, every page: one call per page, where
    /// a GET per policy would cost one call each.
    pub async fn list_policies_in_group_and_region(
        &self,
        subscription_id: &str,
        resource_group: &str,
        location: &str,
        deadline: &Deadline,
    ) -> Result<Vec<JitPolicy>, ArmError> {
        let url = self.url(&[
            "subscriptions",
            subscription_id,
            "resourceGroups",
            resource_group,
            "providers",
            PROVIDER,
            "locations",
            location,
            POLICIES,
        ]);
        self.list(url, deadline).await
    }

    /// Every policy of a subscription, optionally narrowed to a resource group and/or a
    /// region, every page.
    pub async fn list_policies(
        &self,
        subscription_id: &str,
        resource_group: Option<&str>,
        location: Option<&str>,
        deadline: &Deadline,
    ) -> Result<Vec<JitPolicy>, ArmError> {
        let mut segments = vec!["subscriptions", subscription_id];
        if let Some(group) = resource_group {
            segments.extend(["resourceGroups", group]);
        }
        segments.extend(["providers", PROVIDER]);
        if let Some(location) = location {
            segments.extend(["locations", location]);
        }
        segments.push(POLICIES);
        self.list(self.url(&segments), deadline).await
    }
}
