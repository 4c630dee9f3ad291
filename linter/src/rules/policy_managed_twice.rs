//! JIT010 `policy-managed-twice`.

use crate::model::Resource;
use crate::rule::{Context, Reads, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::topology::{self, TOPOLOGY_READS};
use crate::view::{JIT_READS, NSG_READS};

declare_rule! {
    /// ## What it does
    /// Flags a `jit_policy_virtual_machine` that names the same JIT policy (resource group,
    /// location and policy name, `default` when not set) as a `jit_policy` in the module.
    ///
    /// The resource group of a `jit_policy_virtual_machine` is its VM's: read from a literal
    /// VM id, or from the `resource_group_name` of the VM resource it refers to. When any of
    /// the three is not known, nothing is reported.
    ///
    /// ## Why is this bad?
    /// `jit_policy` owns the whole policy: on every apply it writes the policy's list of VMs
    /// as its configuration says, which removes the VM that `jit_policy_virtual_machine`
    /// added; that resource then puts it back on its next apply. The two never converge, and
    /// the VM's JIT access flickers between applies.
    ///
    /// ## Example
    /// ```hcl
    /// resource "jit_policy" "prod" {
    ///   resource_group_name = "rg-prod"
    ///   location            = "westeurope"
    /// }
    ///
    /// resource "jit_policy_virtual_machine" "web" {
    ///   location           = "westeurope"
    ///   virtual_machine_id = "/subscriptions/.../resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Manage the policy one way: move the VM into a `virtual_machine` block of the
    /// `jit_policy`, or replace the `jit_policy` with one `jit_policy_virtual_machine` per VM.
    /// A different `policy_name` makes a separate policy.
    code = "JIT010",
    name = "policy-managed-twice",
    severity = Error,
    summary = "One JIT policy is managed by both jit_policy and jit_policy_virtual_machine";
    pub struct PolicyManagedTwice;
}

impl Rule for PolicyManagedTwice {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [Reads]] {
        &[JIT_READS, NSG_READS, TOPOLOGY_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        let resources: Vec<&Resource> = context.resources().collect();
        let policies: Vec<(&Resource, topology::PolicyIdentity)> = resources
            .iter()
            .filter(|r| r.kind == "jit_policy")
            .filter_map(|r| Some((*r, topology::policy_identity(r, &resources)?)))
            .collect();
        for resource in resources
            .iter()
            .filter(|r| r.kind == "jit_policy_virtual_machine")
        {
            let Some(own) = topology::policy_identity(resource, &resources) else {
                continue;
            };
            for (policy, _) in policies.iter().filter(|(_, id)| *id == own) {
                reporter.report(
                    resource,
                    Report {
                        span: resource.header,
                        message: format!(
                            "JIT policy `{}` in `{}` ({}) is managed both here and by `{}`: each apply removes what the other added",
                            own.1, own.0, own.2, policy.address()
                        ),
                        help: format!(
                            "manage the policy one way: move this VM into a `virtual_machine` block of `{}`, or use only `jit_policy_virtual_machine` resources for it",
                            policy.address()
                        ),
                        label: "policy also managed by a jit_policy".to_owned(),
                        ports: Vec::new(),
                        rejected_by_azure: false,
                    },
                );
            }
        }
    }
}
