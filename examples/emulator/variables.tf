variable "arm_endpoint" {
  description = "The emulator's base URL, the first line `jit-emulator --tls` prints, e.g. https://127.0.0.1:PORT. It serves both Resource Manager and the token endpoint."
  type        = string
}

variable "subscription_id" {
  description = "The subscription of the seeded VMs."
  type        = string
  default     = "00000000-0000-0000-0000-000000000001"
}

variable "tenant_id" {
  description = "Any GUID: the emulator's token endpoint accepts every tenant."
  type        = string
  default     = "00000000-0000-0000-0000-0000000000aa"
}

variable "client_id" {
  description = "A client the emulator accepts; this is its default client."
  type        = string
  default     = "00000000-0000-0000-0000-00000000e1e1"
}

variable "client_secret" {
  description = "The secret of `client_id`; this is the emulator's documented default, not a real credential."
  type        = string
  default     = "jit-emulator-secret"
  sensitive   = true
}

variable "resource_group_name" {
  description = "The resource group of the VMs and of both policies."
  type        = string
  default     = "rg-prod"
}

variable "location" {
  description = "The region of the VMs and of both policies."
  type        = string
  default     = "westeurope"
}

variable "web_vm_id" {
  description = "The first VM in the authoritative policy; its SSH port is protected."
  type        = string
  default     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
}

variable "ops_vm_id" {
  description = "The second VM in the authoritative policy; its RDP and WinRM ports are protected."
  type        = string
  default     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/ops-01"
}

variable "db_vm_id" {
  description = "The VM added on its own to the shared policy `databases`."
  type        = string
  default     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/db-01"
}

variable "web_ssh_port" {
  description = "The port web-01's SSH listens on; change it to see JIT move its deny rule."
  type        = number
  default     = 22
}

variable "request_ops_access" {
  description = "Request an hour of RDP on ops-01 from one operator's address (a jit_access_request)."
  type        = bool
  default     = false
}
