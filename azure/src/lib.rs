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
//! - [`addresses`]: a VM's private IP address, for callers that open access and connect.
//! - [`error`]: [`ArmError`] and ARM's `CloudError`.
//!
//! Nothing here knows Terraform: the provider and the command line use it alike.

pub mod addresses;
pub mod auth;
pub mod client;
pub mod cloud;
pub mod error;
pub mod models;
pub mod policies;
pub mod retry;
pub mod settings;

pub use client::{ArmClient, Deadline};
pub use error::{ArmError, AuthError, CloudErrorBody};
