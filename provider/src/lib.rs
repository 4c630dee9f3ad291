//! The `jit` Terraform provider: Azure Defender for Cloud just-in-time VM access as code.
//!
//! # Brief overview
//!
//! - [`JitProvider`]: the `provider "jit"` block, modelled on azurerm's (`ARM_*` variables,
//!   clouds), and the list of resource types.
//! - [`config`]: the provider settings as resolved from configuration and environment.
//! - [`arm`]: the connection to Resource Manager every resource shares (client, the policy
//!   lists refresh reads, one lock per policy); the client itself is `jit_azure`'s.
//! - [`timeouts`]: the `timeouts` block.
//! - [`resources`]: `jit_policy`, `jit_policy_virtual_machine` and `jit_access_request`, one
//!   file each.
//! - [`validators`]: attribute validators backed by `jit_core`, so that plan-time checks, the
//!   emulator and the linter agree.
//! - [`fields`]: `jit_core`'s fields as this provider's attribute names.
//!
//! The binary (`main.rs`) only serves [`JitProvider`] through `tfplugin`.

pub mod arm;
pub mod config;
pub mod fields;
mod provider;
pub mod resources;
pub mod timeouts;
pub mod validators;

pub use provider::JitProvider;

/// Where Terraform finds this provider: `required_providers { jit = { source = "jit-as-code/jit" } }`.
pub const SOURCE_ADDRESS: &str = "registry.terraform.io/jit-as-code/jit";
