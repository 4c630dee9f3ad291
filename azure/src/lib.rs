//! A client of Azure Resource Manager for just-in-time VM access: authentication as the
//! azurerm provider does it, retries that hold under throttling, and typed models of the
//! `Microsoft.Security/locations/jitNetworkAccessPolicies` API (api-version 2020-01-01).
//!
//! # Brief overview
//!
//! - [`settings`]: what a client is configured with (subscription, cloud, credential choice).
//! - [`cloud`]: the Azure clouds and their endpoints.
//! - [`auth`]: `azure_identity` credentials for each method, with their token cache.
//! - [`client`]: [`ArmClient`], the one HTTP client: TLS roots, proxies, request ids,
//!   logging, retries within a [`Deadline`].
//! - [`retry`]: the backoff policy, as pure functions.
//! - [`models`]: the API's resources, tolerant of what the live service sends.
//! - [`policies`]: the JIT policy operations.
//! - [`compute`]: the virtual machines of a scope, the NSGs that filter each one, and a VM's
//!   private IP address.
//! - [`inventory`]: each VM as configured, not configured or unsupported, with its recent
//!   activity ([`inventory::classify`] decides, [`inventory::inventory`] reads).
//! - [`audit`]: the request history as one entry per request, VM and port.
//! - [`roles`]: the least-privileged role of a requester, as Microsoft's script makes it.
//! - [`error`]: [`ArmError`] and ARM's `CloudError`.
//!
//! Nothing here knows Terraform: the provider and the command line use it alike.

pub mod audit;
pub mod auth;
pub mod client;
pub mod cloud;
pub mod compute;
pub mod error;
pub mod inventory;
pub mod models;
pub mod policies;
pub mod retry;
pub mod roles;
pub mod settings;

pub use client::{ArmClient, Deadline};
pub use error::{ArmError, AuthError, CloudErrorBody};
