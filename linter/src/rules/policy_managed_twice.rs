//! JIT010 `policy-managed-twice`.

use jit_core::VmId;

use crate::model::{Node, Resource};
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

/// A policy's identity: resource group and policy name (lowercase), and location.
type Identity = (String, String, String);

impl Rule for PolicyManagedTwice {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [Reads]] {
        &[JIT_READS, NSG_READS, TOPOLOGY_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        let policies: Vec<(&Resource, Identity)> = context
            .resources()
            .filter(|r| r.kind == "jit_policy")
            .filter_map(|r| {
                let group = known(r.body.attribute("resource_group_name"))?;
                Some((
                    r,
                    identity(
                        group,
                        r.body.attribute("name"),
                        r.body.attribute("location"),
                    )?,
                ))
            })
            .collect();
        for resource in context
            .resources()
            .filter(|r| r.kind == "jit_policy_virtual_machine")
        {
            let Some(group) = vm_resource_group(resource, context) else {
                continue;
            };
            let Some(own) = identity(
                group,
                resource.body.attribute("policy_name"),
                resource.body.attribute("location"),
            ) else {
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

fn known(node: Option<&Node>) -> Option<String> {
    node?.as_str().map(str::to_owned)
}

fn identity(group: String, name: Option<&Node>, location: Option<&Node>) -> Option<Identity> {
    let name = match name {
        None => jit_core::limits::DEFAULT_POLICY_NAME.to_owned(),
        Some(node) => node.as_str()?.to_owned(),
    };
    let location = jit_core::Location::normalize(location?.as_str()?);
    Some((
        group.to_ascii_lowercase(),
        name.to_ascii_lowercase(),
        location,
    ))
}

/// The resource group of a `jit_policy_virtual_machine`'s VM.
fn vm_resource_group(resource: &Resource, context: &Context<'_>) -> Option<String> {
    let id = resource.body.attribute("virtual_machine_id")?;
    if let Some(text) = id.as_str() {
        return VmId::parse(text).ok().map(|vm| vm.resource_group);
    }
    let target = topology::target(id)?;
    context
        .resources()
        .find(|r| r.reference() == target)
        .and_then(|vm| known(vm.body.attribute("resource_group_name")))
}
