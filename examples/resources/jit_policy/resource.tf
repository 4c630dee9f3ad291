# The `default` JIT policy of rg-prod in westeurope, owned by Terraform: every VM in the policy
# is listed here, and a VM added to it elsewhere is removed on the next apply.
resource "jit_policy" "web" {
  resource_group_name = "rg-prod"
  location            = "westeurope"

  virtual_machine {
    # e.g. azurerm_linux_virtual_machine.web_01.id
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
    port {
      number                          = 22
      protocol                        = "TCP"
      allowed_source_address_prefixes = ["203.0.113.0/24", "198.51.100.10"]
      max_request_access_duration     = "PT3H"
    }
  }

  virtual_machine {
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-02"
    port {
      number                        = 22
      protocol                      = "TCP"
      allowed_source_address_prefix = "203.0.113.0/24"
      max_request_access_duration   = "PT1H"
    }
  }

  timeouts {
    create = "10m"
    update = "10m"
  }
}
