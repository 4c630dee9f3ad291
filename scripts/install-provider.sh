#!/usr/bin/env bash
# Installs terraform-provider-jit where `terraform init` finds it offline, like any provider.
#
# It builds the release binary and places it in the unpacked filesystem-mirror layout
#   <mirror>/registry.terraform.io/jit-as-code/jit/<version>/<os>_<arch>/terraform-provider-jit_v<version>
# The default mirror, ~/.terraform.d/plugins, is one Terraform searches without any CLI
# configuration, so `terraform init` installs the provider and records its checksum in the
# lock file exactly as it would from a registry.
#
# Usage: scripts/install-provider.sh [--mirror DIR] [--binary PATH]
#   --mirror DIR   install into DIR instead of ~/.terraform.d/plugins
#   --binary PATH  install this binary instead of building one
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mirror="${HOME}/.terraform.d/plugins"
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mirror) mirror="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install-provider.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "install-provider.sh: unsupported OS $(uname -s)" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "install-provider.sh: unsupported CPU $(uname -m)" >&2; exit 2 ;;
esac

if [ -z "$binary" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p terraform-provider-jit
  binary="${CARGO_TARGET_DIR:-$root/target}/release/terraform-provider-jit"
fi

dest="$mirror/registry.terraform.io/jit-as-code/jit/$version/${os}_${arch}"
mkdir -p "$dest"
install -m 0755 "$binary" "$dest/terraform-provider-jit_v$version"
echo "installed jit-as-code/jit $version for ${os}_${arch} in $dest"
