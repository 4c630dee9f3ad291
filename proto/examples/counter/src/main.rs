//! `terraform-provider-counter`: the smallest complete Terraform provider built on `tfplugin`,
//! and the example to start a new provider from.
//!
//! It keeps its data in Terraform's state only, so it runs anywhere without credentials or
//! network, and it uses nothing but `tfplugin`'s public API. Read it in this order:
//!
//! - this file: `main` hands the provider to [`tfplugin::runtime::serve_main`], which does
//!   everything a process must for Terraform to load it as it loads a Go provider (magic
//!   cookie, protocol negotiation, AutoMTLS, the handshake line, gRPC on a unix socket, hclog
//!   logging, and `--debug` for `TF_REATTACH_PROVIDERS`);
//! - [`provider`]: the `provider "counter"` block. Its one attribute, `prefix`, shows how
//!   `configure` builds the data ([`provider::Settings`]) every resource call receives; a
//!   provider that talks to an API would build its client there;
//! - [`counter_named`]: the one resource type. Its schema carries a validator (`step >= 1`),
//!   plan modifiers (`name` replaces, `id` stays as it is in state) and defaults; its data is
//!   a serde model with [`tfplugin::framework::model::Attr`] fields, so that "known after
//!   apply" survives planning without touching cty values by hand.
//!
//! `tests/terraform.rs` drives the real `terraform` binary against this binary through
//! validate, plan, apply, an in-place update and destroy, with AutoMTLS on and off.

use std::process::ExitCode;

use tfplugin::grpc::ProviderService;
use tfplugin::runtime::{ServeOptions, serve_main};

mod counter_named;
mod provider;

/// The provider's source address: what `required_providers` and `dev_overrides` name, and the
/// hint Terraform's magic-cookie error shows when the binary is started by hand.
const SOURCE_ADDRESS: &str = "registry.terraform.io/example/counter";

fn main() -> ExitCode {
    let options = ServeOptions {
        source_address: SOURCE_ADDRESS,
        log_module: "provider.counter",
        version: env!("CARGO_PKG_VERSION"),
    };
    serve_main(options, || ProviderService::new(provider::CounterProvider))
}
