#!/usr/bin/env bash
# Builds the release artifacts of terraform-provider-jit in the layout the Terraform Registry and
# the provider network mirror protocol use (the same files goreleaser writes for HashiCorp's
# provider template):
#
#   terraform-provider-jit_<version>_<os>_<arch>.zip   one per target; holds
#                                                       terraform-provider-jit_v<version>(.exe)
#   terraform-provider-jit_<version>_manifest.json      copy of terraform-registry-manifest.json
#   terraform-provider-jit_<version>_SHA256SUMS         sha256 of every zip and the manifest
#   terraform-provider-jit_<version>_SHA256SUMS.sig     detached binary gpg signature (with a key)
#   terraform-registry-manifest.json                    {"version":1,"metadata":{"protocol_versions":["6.0"]}}
#
# Usage: scripts/release.sh VERSION [--target TRIPLE]... [--out DIR] [--gpg-key KEY_ID]
#   VERSION         must equal the workspace version in Cargo.toml ([workspace.package])
#   --target TRIPLE build only these Rust targets (repeatable); without it every target below
#                   whose standard library is installed is built, and the others are skipped
#   --out DIR       write the artifacts to DIR (default: target/dist/<version>)
#   --gpg-key ID    sign SHA256SUMS with this gpg key (default: $GPG_KEY_ID); without a key
#                   nothing is signed, and the script says so
#
# Targets (Rust triple -> Terraform platform):
#   x86_64-unknown-linux-gnu  linux_amd64     aarch64-unknown-linux-gnu  linux_arm64
#   x86_64-apple-darwin       darwin_amd64    aarch64-apple-darwin       darwin_arm64
#   x86_64-pc-windows-msvc    windows_amd64   aarch64-pc-windows-msvc    windows_arm64
# `rustup target add TRIPLE` installs a target's standard library; cross targets also need a
# linker for that platform (see docs/release.md).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
name=terraform-provider-jit
all_targets=(
  x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu
  x86_64-apple-darwin aarch64-apple-darwin
  x86_64-pc-windows-msvc aarch64-pc-windows-msvc
)

die() { printf 'release.sh: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,29p' "$0"; }

# The Terraform platform (<os>_<arch>) of a Rust target triple.
platform_of() {
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux_amd64 ;;
    aarch64-unknown-linux-gnu) echo linux_arm64 ;;
    x86_64-apple-darwin) echo darwin_amd64 ;;
    aarch64-apple-darwin) echo darwin_arm64 ;;
    x86_64-pc-windows-msvc | x86_64-pc-windows-gnu) echo windows_amd64 ;;
    aarch64-pc-windows-msvc) echo windows_arm64 ;;
    *) return 1 ;;
  esac
}

version=""
targets=()
out=""
gpg_key=${GPG_KEY_ID:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --target)
      [ $# -ge 2 ] || die "--target needs a Rust target triple, such as x86_64-unknown-linux-gnu"
      targets+=("$2"); shift 2 ;;
    --out)
      [ $# -ge 2 ] || die "--out needs a directory"
      out=$2; shift 2 ;;
    --gpg-key)
      [ $# -ge 2 ] || die "--gpg-key needs a gpg key id or fingerprint"
      gpg_key=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
      [ -z "$version" ] || die "one VERSION only, got $version and $1 (see --help)"
      version=$1; shift ;;
  esac
done
[ -n "$version" ] || die "give the VERSION to release, the workspace version in Cargo.toml (see --help)"

# One source of truth: the workspace version every crate inherits.
workspace_version=$(awk '
  /^\[workspace\.package\]/ { section = 1; next }
  /^\[/ { section = 0 }
  section && /^version[[:space:]]*=/ { gsub(/^version[[:space:]]*=[[:space:]]*"|".*$/, ""); print; exit }
' "$root/Cargo.toml")
[ -n "$workspace_version" ] || die "no version in [workspace.package] of $root/Cargo.toml"
case "$version" in
  v*) die "give the version without the leading v: $name releases ${version#v} (tag v${version#v})" ;;
esac
if [ "$version" != "$workspace_version" ]; then
  die "VERSION $version is not the workspace version $workspace_version in $root/Cargo.toml; set [workspace.package] version = \"$version\" there first (every crate, the wheel and --version read it), or release $workspace_version"
fi

for tool in cargo rustc zip sha256sum; do
  command -v "$tool" > /dev/null || die "$tool was not found on PATH"
done
if [ -n "$gpg_key" ]; then
  command -v gpg > /dev/null || die "--gpg-key (or GPG_KEY_ID) was given but gpg was not found on PATH"
fi

sysroot=$(rustc --print sysroot)
has_std() { [ -d "$sysroot/lib/rustlib/$1/lib" ]; }

explicit=1
if [ ${#targets[@]} -eq 0 ]; then
  explicit=0
  targets=("${all_targets[@]}")
fi
build=()
for triple in "${targets[@]}"; do
  platform_of "$triple" > /dev/null || die "--target $triple: no Terraform platform is known for it; known targets: ${all_targets[*]}"
  if has_std "$triple"; then
    build+=("$triple")
  elif [ "$explicit" = 1 ]; then
    die "--target $triple: its standard library is not installed (rustup target add $triple)"
  else
    echo "release.sh: skipping $triple ($(platform_of "$triple")): its standard library is not installed (rustup target add $triple)" >&2
  fi
done
[ ${#build[@]} -gt 0 ] || die "no target can be built here; install one with rustup target add TRIPLE"

out=${out:-${CARGO_TARGET_DIR:-$root/target}/dist/$version}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Files of an earlier run of this version would mix into SHA256SUMS.
rm -f "$out/${name}_${version}_"* "$out/terraform-registry-manifest.json"

target_dir=${CARGO_TARGET_DIR:-$root/target}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# Zip entries carry the commit's time, not the build's, so a rebuild of a commit gives the same
# bytes (and the same zh: hash) when the binary is the same.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2> /dev/null || date +%s)}

for triple in "${build[@]}"; do
  platform=$(platform_of "$triple")
  echo "release.sh: building $name $version for $platform ($triple)" >&2
  if ! cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml" \
      -p "$name" --target "$triple" --target-dir "$target_dir"; then
    die "cargo build for $triple failed; a cross target also needs that platform's linker (see docs/release.md)"
  fi
  exe=""
  case "$platform" in windows_*) exe=.exe ;; esac
  binary="$target_dir/$triple/release/$name$exe"
  [ -f "$binary" ] || die "cargo build for $triple did not produce $binary"
  mkdir -p "$stage/$platform"
  packaged="$stage/$platform/${name}_v$version$exe"
  cp "$binary" "$packaged"
  chmod 0755 "$packaged"
  TZ=UTC touch -d "@$epoch" "$packaged"
  (cd "$stage/$platform" && TZ=UTC zip -q -X "$out/${name}_${version}_$platform.zip" "${name}_v$version$exe")
done

# A binary that runs here must say the version it is released as.
host_platform=$(platform_of "$(rustc -vV | sed -n 's/^host: //p')" || true)
if [ -n "$host_platform" ] && [ -f "$stage/$host_platform/${name}_v$version" ]; then
  reported=$("$stage/$host_platform/${name}_v$version" --version)
  [ "$reported" = "registry.terraform.io/jit-as-code/jit $version" ] \
    || die "the built binary reports '$reported', not version $version"
fi

printf '{\n  "version": 1,\n  "metadata": {\n    "protocol_versions": ["6.0"]\n  }\n}\n' \
  > "$out/terraform-registry-manifest.json"
cp "$out/terraform-registry-manifest.json" "$out/${name}_${version}_manifest.json"

sums="${name}_${version}_SHA256SUMS"
(cd "$out" && LC_ALL=C sha256sum -- "${name}_${version}_"*.zip "${name}_${version}_manifest.json" > "$sums")

if [ -n "$gpg_key" ]; then
  gpg --batch --yes --local-user "$gpg_key" --detach-sign --output "$out/$sums.sig" "$out/$sums" \
    || die "gpg could not sign $sums with key $gpg_key (is its secret key in the keyring, and its passphrase available to gpg-agent?)"
  echo "release.sh: signed $sums with key $gpg_key" >&2
else
  echo "release.sh: not signing $sums: no key given (--gpg-key KEY_ID or GPG_KEY_ID); the Terraform Registry needs the signature" >&2
fi

echo "release.sh: $name $version in $out:" >&2
(cd "$out" && ls -1 -- "${name}_${version}_"* terraform-registry-manifest.json) >&2
echo "$out"
