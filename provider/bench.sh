#!/usr/bin/env bash
# Provider figures, each against baselines measured in the same run (interleaved):
#   1. process start to handshake line (AutoMTLS on), against starting /bin/true;
#   2. `terraform plan` of 200 jit_policy vs 200 terraform_data (Terraform alone, the floor) vs
#      200 workato_project of a Go provider on terraform-plugin-framework (WORKATO=path to its
#      terraform-provider-workato binary; skipped when unset), and of 1 of each, for the cost per
#      further resource; and 200 counter_named of the example provider on the same SDK with a
#      five-attribute schema, which tells the SDK's cost per resource from the schema's;
#   3. `terraform apply` (and destroy) of 200 jit_policy against jit-emulator (TLS, token
#      endpoint) vs 200 terraform_data;
#   4. the ARM calls of one refresh of those 200 policies, and the provider's peak RSS.
# Usage: provider/bench.sh [RUNS]   (needs terraform, python3, openssl; builds release binaries)
# Get the Go provider with:
#   pip download --no-deps workato-terraform-provider==0.16.0 && unzip the wheel's
#   payload/registry.terraform.io/local/workato/0.16.0/linux_amd64/terraform-provider-workato_v0.16.0
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p terraform-provider-jit -p jit-emulator -p tfplugin-example-counter
bin="${CARGO_TARGET_DIR:-$root/target}/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/provider/bench_plan.py" "$bin" "$work" "$runs" "${WORKATO:-}"
