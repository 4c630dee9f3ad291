# The policy the Azure portal creates when JIT is enabled on a VM of rg-prod in westeurope.
data "jit_policy" "portal" {
  resource_group_name = "rg-prod"
  location            = "westeurope"
}

output "protected_vms" {
  value = [for vm in data.jit_policy.portal.virtual_machine : vm.id]
}
