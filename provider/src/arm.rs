//! [`Arm`]: what every resource of one provider process shares to talk to Resource Manager:
//! the client (one token cache, one connection pool), the policy lists read by refresh, and
//! one lock per policy.
//!
//! **Light on ARM.** Terraform refreshes each resource with its own call; a GET per policy
//! would cost 200 calls for 200 policies, and big states are where throttling starts. A
//! refresh instead reads the list of its resource group and region once (every page) and
//! every concurrent and later refresh of that scope in the process answers from it. The list
//! holds whole policies, so drift stays exact. A write by this process to a scope drops that
//! scope's list, so nothing reads its own stale writes. A provider process lives for one
//! Terraform command, so a list is never older than the command that read it.
//!
//! **One writer per policy.** `jit_policy_virtual_machine` changes one VM of a shared policy
//! by read-modify-write; the per-policy lock serialises those within the process, so
//! parallel resources never lose each other's VMs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jit_azure::models::JitPolicy;
use jit_azure::settings::ArmSettings;
use jit_azure::{ArmClient, ArmError, Deadline};
use jit_core::PolicyId;
use tokio::sync::{OnceCell, OwnedMutexGuard};

/// A resource group and region, lower case.
type Scope = (String, String, String);

type PolicyList = Arc<OnceCell<Arc<Vec<JitPolicy>>>>;

/// The provider's configured connection to Resource Manager.
#[derive(Debug)]
pub struct Arm {
    /// The resolved settings.
    pub settings: ArmSettings,
    /// The client.
    pub client: ArmClient,
    lists: Mutex<HashMap<Scope, PolicyList>>,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn scope_of(id: &PolicyId) -> Scope {
    (
        id.subscription_id.to_ascii_lowercase(),
        id.resource_group.to_ascii_lowercase(),
        jit_core::Location::normalize(&id.location),
    )
}

impl Arm {
    /// Wraps a client.
    pub fn new(settings: ArmSettings, client: ArmClient) -> Self {
        Arm {
            settings,
            client,
            lists: Mutex::new(HashMap::new()),
            locks: Mutex::new(HashMap::new()),
        }
    }

    /// The policy as the list of its scope shows it, or `None` if it does not exist.
    pub async fn read_policy(
        &self,
        id: &PolicyId,
        deadline: &Deadline,
    ) -> Result<Option<JitPolicy>, ArmError> {
        let cell = {
            let mut lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
            lists.entry(scope_of(id)).or_default().clone()
        };
        let policies = cell
            .get_or_try_init(|| async {
                self.client
                    .list_policies_in_group_and_region(
                        &id.subscription_id,
                        &id.resource_group,
                        &id.location,
                        deadline,
                    )
                    .await
                    .map(Arc::new)
            })
            .await?;
        Ok(policies
            .iter()
            .find(|policy| {
                policy
                    .name
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(&id.name))
            })
            .cloned())
    }

    /// Forgets the list of the policy's scope: this process is about to change it.
    pub fn forget(&self, id: &PolicyId) {
        self.lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&scope_of(id));
    }

    /// Holds the policy's lock until the guard drops.
    pub async fn lock(&self, id: &PolicyId) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
            locks
                .entry(id.to_string().to_ascii_lowercase())
                .or_default()
                .clone()
        };
        lock.lock_owned().await
    }
}
