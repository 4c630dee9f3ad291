#!/usr/bin/env bash
# Provider figures, each against a baseline measured in the same run:
#   1. process start to handshake line (AutoMTLS on), against starting /bin/true;
#   2. peak RSS of the provider during `terraform plan` of 200 jit_policy resources;
#   3. that plan's wall time against the same plan with 200 terraform_data resources.
# Usage: provider/bench.sh [RUNS]   (needs terraform and python3; builds the release binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p terraform-provider-jit
binary="${CARGO_TARGET_DIR:-$root/target}/release/terraform-provider-jit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/provider/bench_plan.py" "$binary" "$work" "$runs"
