output "policy_id" {
  description = "The authoritative policy's resource id."
  value       = jit_policy.prod.id
}

output "db_policy_id" {
  description = "The shared policy db-01 was added to."
  value       = jit_policy_virtual_machine.db.policy_id
}

output "protected_ports" {
  description = "Each VM's protected ports, as JIT enforces them."
  value = merge(
    { for vm in jit_policy.prod.virtual_machine : basename(vm.id) => [for port in vm.effective_port : port.number] },
    { (basename(jit_policy_virtual_machine.db.virtual_machine_id)) = [for port in jit_policy_virtual_machine.db.effective_port : port.number] },
  )
}
