# Not part of the documented example: what `terraform validate` needs to run in this directory.
terraform {
  required_version = ">= 1.5"
  required_providers {
    jit = {
      source = "jit-as-code/jit"
    }
  }
}
