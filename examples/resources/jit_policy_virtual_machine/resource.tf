# Enables JIT on one VM inside its resource group's `default` policy for the region, as the
# portal does, and leaves the policy's other VMs alone: a VM module can own this resource.
resource "jit_policy_virtual_machine" "web" {
  # e.g. azurerm_linux_virtual_machine.web_01.id
  virtual_machine_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
  location           = "westeurope"
  # policy_name      = "default" (the portal's policy, the default)

  port {
    number                          = 22
    protocol                        = "TCP"
    allowed_source_address_prefixes = ["203.0.113.0/24"]
    max_request_access_duration     = "PT3H"
  }

  port {
    number                        = 5986
    protocol                      = "TCP"
    allowed_source_address_prefix = "203.0.113.0/24"
    max_request_access_duration   = "PT1H"
  }
}
