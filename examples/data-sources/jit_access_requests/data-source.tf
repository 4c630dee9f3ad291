# The audit trail of the last day: who opened which port of which VM, from where, and why.
data "jit_access_requests" "last_day" {
  resource_group_name = "rg-prod"
  since               = "PT24H"
}

output "requestors" {
  value = distinct([for request in data.jit_access_requests.last_day.requests : request.requestor])
}
