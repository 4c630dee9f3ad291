//! The `jit` Terraform provider: Azure Defender for Cloud just-in-time VM access as code.
//!
//! # Brief overview
//!
//! - [`JitProvider`]: the `provider "jit"` block, modelled on azurerm's (`ARM_*` variables,
//!   clouds), and the list of resource types.
//! - [`config`]: the provider settings as resolved from configuration and environment.
//! - [`arm`]: the connection to Resource Manager every resource shares (client, the policy
//!   lists refresh reads, one lock per policy); the client itself is `jit_azure`'s.
//! - [`access`]: what the access-request resource and its ephemeral twin share (times, open
//!   statuses, the plan-time check of a request against its policy).
//! - [`timeouts`]: the `timeouts` block.
//! - [`resources`]: `jit_policy`, `jit_policy_virtual_machine` and `jit_access_request`, one
//!   file each.
//! - [`data_sources`]: `jit_policy`, `jit_policies`, `jit_access_requests`,
//!   `jit_virtual_machines` and `jit_requester_role`, one file each.
//! - [`ephemeral`]: the ephemeral `jit_access_request`, access for one run.
//! - [`validators`]: attribute validators backed by `jit_core`, so that plan-time checks, the
//!   emulator and the linter agree.
//! - [`fields`]: `jit_core`'s fields as this provider's attribute names.
//!
//! The binary (`main.rs`) only serves [`JitProvider`] through `tfplugin`.

pub mod access;
pub mod arm;
pub mod config;
pub mod data_sources;
pub mod ephemeral;
pub mod fields;
mod provider;
pub mod resources;
pub mod timeouts;
pub mod validators;

pub use provider::JitProvider;

/// Where Terraform finds this provider: `required_providers { jit = { source = "jit-as-code/jit" } }`.
pub const SOURCE_ADDRESS: &str = "registry.terraform.io/jit-as-code/jit";
