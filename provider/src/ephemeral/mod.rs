//! The ephemeral resources (Terraform 1.10+), one file each: values for one run, never
//! stored in state or plan files.

pub mod jit_access_request;
