//! Terraform plugin protocol 6.
