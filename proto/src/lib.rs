/*!
Terraform's plugin protocol 6 in Rust (`tfplugin`): everything a provider binary needs so that Terraform loads
it exactly as it loads a Go provider, and a small framework that resources plug into.

No maintained Rust SDK speaks the protocol Terraform 1.11 uses (6.8), so this crate is that SDK,
kept small and free of anything specific to one provider: a provider passes its own names.

# Brief overview

* [`runtime`]: the process. [`runtime::serve_main`] checks the magic cookie, negotiates the
  protocol, sets up AutoMTLS (only Terraform's own client certificate is accepted), prints the
  handshake line, serves gRPC on a unix socket, logs as hclog JSON on stderr, and exits when
  Terraform calls `Shutdown`. `--debug` serves without Terraform and prints
  `TF_REATTACH_PROVIDERS`.
* [`cty`]: Terraform's types and values with their msgpack and JSON encodings.
* [`framework`]: schemas, validators, plan modifiers, diagnostics with attribute paths, models
  that keep unknowns, the [`framework::Provider`], [`framework::TypeDefinition`] and
  [`framework::Resource`] traits, and [`framework::server::Server`], which runs each call
  Terraform makes through them.
* [`grpc`]: the protocol layer; [`grpc::ProviderService`] converts `tfplugin6.Provider` messages
  to and from [`framework::server::Server`] calls.
* [`generated`]: the protocol bindings, compiled at build time with protox (no `protoc`).

# Example

A provider binary's whole `main`:

```no_run
# use std::sync::Arc;
# use tfplugin::framework::{Diagnostics, Provider, Resource, Schema, Block};
# use tfplugin::framework::provider::ConfigureRequest;
# struct MyProvider;
# #[async_trait::async_trait]
# impl Provider for MyProvider {
#     type Data = ();
#     fn schema(&self) -> Schema { Schema::new(0, Block::new("")) }
#     async fn configure(&self, _: ConfigureRequest, _: &mut Diagnostics) -> Option<()> { Some(()) }
#     fn resources(&self) -> Vec<Arc<dyn Resource<()>>> { Vec::new() }
# }
use tfplugin::grpc::ProviderService;
use tfplugin::runtime::{ServeOptions, serve_main};

fn main() -> std::process::ExitCode {
    let options = ServeOptions {
        source_address: "registry.terraform.io/example/my",
        log_module: "provider.my",
        version: "0.1.0",
    };
    serve_main(options, || ProviderService::new(MyProvider))
}
```

For a whole provider to start from (provider block, one resource with validators, plan
modifiers, defaults, import and an end-to-end test under the real `terraform`), see
`examples/counter/` (the package `tfplugin-example-counter`).
*/

pub mod cty;
pub mod framework;
pub mod generated;
pub mod grpc;
pub mod runtime;
