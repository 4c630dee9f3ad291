# Which VMs of rg-prod JIT protects, which it does not, and which it cannot (no NSG).
data "jit_virtual_machines" "prod" {
  resource_group_name = "rg-prod"
}

output "unprotected" {
  value = [for vm in data.jit_virtual_machines.prod.virtual_machines : vm.id if vm.status == "not_configured"]
}
