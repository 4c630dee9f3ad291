//! Terraform plugin protocol 6.

pub mod cty;
