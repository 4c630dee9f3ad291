//! JIT009 `inline-nsg-rules-on-jit-vm`.

use crate::rule::{Context, Reads, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::topology::TOPOLOGY_READS;
use crate::view::{JIT_READS, NSG_READS};

declare_rule! {
    /// ## What it does
    /// Flags an `azurerm_network_security_group` that manages its rules inline (with
    /// `security_rule` blocks, or a `security_rule = [...]` attribute) when it is the NSG of a
    /// JIT-protected VM: associated with the VM's network interface
    /// (`azurerm_network_interface_security_group_association`) or with the subnet of one
    /// (`azurerm_subnet_network_security_group_association`).
    ///
    /// ## Why is this bad?
    /// JIT works by writing rules into that NSG: a Deny for each protected port, and a
    /// temporary Allow for each request. An NSG with inline rules is authoritative for its
    /// whole rule list, so the next `terraform apply` deletes every rule JIT wrote: the Deny
    /// rules go (and the ports are as open as the other rules say), and open requests are cut
    /// off. `terraform plan` shows this as drift on every run.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_network_security_group" "web" {
    ///   security_rule {
    ///     name      = "https"
    ///     priority  = 100
    ///     direction = "Inbound"
    ///   }
    /// }
    ///
    /// resource "azurerm_network_interface_security_group_association" "web" {
    ///   network_interface_id      = azurerm_network_interface.web.id
    ///   network_security_group_id = azurerm_network_security_group.web.id
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Move each inline rule into its own `azurerm_network_security_rule` resource, which
    /// manages only that rule and leaves JIT's alone.
    code = "JIT009",
    name = "inline-nsg-rules-on-jit-vm",
    severity = Error,
    summary = "The NSG of a JIT-protected VM manages its rules inline, which removes JIT's rules";
    pub struct InlineNsgRulesOnJitVm;
}

impl Rule for InlineNsgRulesOnJitVm {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [Reads]] {
        &[JIT_READS, NSG_READS, TOPOLOGY_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        let mut reported = Vec::new();
        for vm in context
            .topology
            .vms
            .iter()
            .filter(|vm| !vm.entries.is_empty())
        {
            for nsg in &vm.nsgs {
                let inline = nsg.body.blocks("security_rule").next().is_some()
                    || nsg.body.attribute("security_rule").is_some()
                    || nsg.body.dynamic_blocks("security_rule").next().is_some();
                let key = (nsg.address(), vm.resource.address());
                if !inline || reported.contains(&key) {
                    continue;
                }
                reporter.report(
                    nsg,
                    Report {
                        span: nsg.header,
                        message: format!(
                            "this NSG manages its rules inline and is the NSG of JIT-protected VM {}: the next apply deletes the rules JIT writes",
                            vm.describe()
                        ),
                        help: "move each `security_rule` into its own `azurerm_network_security_rule` resource, which leaves JIT's rules alone"
                            .to_owned(),
                        label: "inline rules".to_owned(),
                        ports: Vec::new(),
                        rejected_by_azure: false,
                    },
                );
                reported.push(key);
            }
        }
    }
}
