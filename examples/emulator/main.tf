# Applies against the local jit-emulator: no Azure account needed.
#
#   jit-emulator --addr 127.0.0.1:0 --tls --ca-cert ca.pem    # prints https://127.0.0.1:PORT
#   export SSL_CERT_FILE=$PWD/ca.pem                          # trust the emulator's CA
#   terraform apply -var arm_endpoint=https://127.0.0.1:PORT
#
# The VMs (each with a NIC and an NSG) must exist first: see the README or scripts/demo.sh,
# which runs all of this.

terraform {
  required_version = ">= 1.5"
  required_providers {
    jit = {
      source = "jit-as-code/jit"
    }
  }
}

provider "jit" {
  subscription_id = var.subscription_id
  tenant_id       = var.tenant_id
  client_id       = var.client_id
  client_secret   = var.client_secret
  # The emulator is both Resource Manager and the Entra ID authority; its token endpoint is
  # {arm_endpoint}/{tenant_id}/oauth2/v2.0/token.
  endpoint       = var.arm_endpoint
  authority_host = var.arm_endpoint
}

# Authoritative: this resource owns the whole `default` policy of the resource group and region,
# so it lists every VM in it.
resource "jit_policy" "prod" {
  name                = "default"
  resource_group_name = var.resource_group_name
  location            = var.location

  virtual_machine {
    id = var.web_vm_id
    port {
      number                          = var.web_ssh_port
      protocol                        = "TCP"
      allowed_source_address_prefixes = ["203.0.113.0/24"]
      max_request_access_duration     = "PT3H"
    }
  }

  virtual_machine {
    id = var.ops_vm_id
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

  timeouts {
    create = "5m"
    update = "5m"
  }
}

# Non-authoritative: adds one VM to the `databases` policy and leaves any other VM in it alone.
# It is a different policy from the one above: never manage one policy with both resource types.
resource "jit_policy_virtual_machine" "db" {
  virtual_machine_id = var.db_vm_id
  location           = var.location
  policy_name        = "databases"

  port {
    number                        = 22
    protocol                      = "TCP"
    allowed_source_address_prefix = "10.20.0.0/24"
    max_request_access_duration   = "PT1H"
  }
}

# An hour of RDP on ops-01 for one operator, when asked for (`-var request_ops_access=true`):
# the plan checks it against ops-01's entry in the policy, and the apply opens the port.
resource "jit_access_request" "ops_rdp" {
  count         = var.request_ops_access ? 1 : 0
  policy_id     = jit_policy.prod.id
  justification = "CHG-42 certificate rotation"

  virtual_machine {
    id = var.ops_vm_id
    port {
      number                        = 3389
      allowed_source_address_prefix = "198.51.100.7"
      duration                      = "PT1H"
    }
  }
}
