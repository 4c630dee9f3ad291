# The least-privileged role for people who request JIT access (what the portal's
# Set-JitLeastPrivilegedRole script makes), ready for an azurerm_role_definition:
#
#   permissions { actions = data.jit_requester_role.this.actions }
data "jit_requester_role" "this" {}

output "requester_actions" {
  value = data.jit_requester_role.this.actions
}
