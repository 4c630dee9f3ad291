# Opens SSH on web-01 for one hour from one address. The port and the source must be allowed
# by the VM's entry in the policy; the plan checks both, and the duration, against it.
resource "jit_access_request" "patching" {
  # e.g. jit_policy.web.id, or jit_policy_virtual_machine.web.policy_id
  policy_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"
  justification = "INC-1234 patching"

  virtual_machine {
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
    port {
      number                        = 22
      allowed_source_address_prefix = "203.0.113.7"
      duration                      = "PT1H"
    }
  }
}

# Standing access for a pipeline: asked again by the first apply after it ends. Without
# `allowed_source_address_prefix`, Azure opens the port to the address the request comes from.
resource "jit_access_request" "pipeline" {
  policy_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"
  justification = "nightly deploy"
  renew         = true

  virtual_machine {
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
    port {
      number   = 22
      duration = "PT3H"
    }
  }
}
