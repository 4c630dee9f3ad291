//! `terraform-provider-jit`: serves the provider to Terraform and nothing else.

use std::process::ExitCode;

use terraform_provider_jit::{JitProvider, SOURCE_ADDRESS};
use tfplugin::grpc::ProviderService;
use tfplugin::runtime::{ServeOptions, serve_main};

fn main() -> ExitCode {
    let options = ServeOptions {
        source_address: SOURCE_ADDRESS,
        log_module: "provider.jit",
        version: env!("CARGO_PKG_VERSION"),
    };
    serve_main(options, || ProviderService::new(JitProvider))
}
