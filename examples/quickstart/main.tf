# Quickstart: protect two VMs' management ports with JIT, and request one hour of SSH access.
#
# Runs offline against the local emulator (see README), or against Azure with ARM_* credentials.

terraform {
  required_version = ">= 1.5"
  required_providers {
    jit = {
      source = "jit-as-code/jit"
    }
  }
}

# Credentials and subscription come from ARM_* variables, as for the azurerm provider.
provider "jit" {}

locals {
  subscription_id = "00000000-0000-0000-0000-000000000001"
  vm_ids = {
    web = "/subscriptions/${local.subscription_id}/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
    ops = "/subscriptions/${local.subscription_id}/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/ops-01"
  }
}

resource "jit_policy" "prod" {
  resource_group_name = "rg-prod"
  location            = "westeurope"

  virtual_machine {
    id = local.vm_ids.web
    port {
      number                          = 22
      protocol                        = "TCP"
      allowed_source_address_prefixes = ["203.0.113.0/24"]
      max_request_access_duration     = "PT3H"
    }
  }

  virtual_machine {
    id = local.vm_ids.ops
    port {
      number                        = 3389
      protocol                      = "TCP"
      allowed_source_address_prefix = "198.51.100.0/26"
      max_request_access_duration   = "PT1H"
    }
    port {
      number                        = 5986
      protocol                      = "TCP"
      allowed_source_address_prefix = "198.51.100.0/26"
      max_request_access_duration   = "PT1H"
    }
  }
}

resource "jit_access_request" "patching" {
  policy_id     = jit_policy.prod.id
  justification = "INC-1234 patching"

  virtual_machine {
    id = local.vm_ids.web
    port {
      number                        = 22
      allowed_source_address_prefix = "203.0.113.7"
      duration                      = "PT1H"
    }
  }
}

output "policy_id" {
  value = jit_policy.prod.id
}
