# Every JIT policy of the provider's subscription, and those of one resource group.
data "jit_policies" "all" {}

data "jit_policies" "prod" {
  resource_group_name = "rg-prod"
}

output "policy_ids" {
  value = [for policy in data.jit_policies.all.policies : policy.id]
}
