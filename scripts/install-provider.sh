#!/usr/bin/env bash
# Installs terraform-provider-jit where `terraform init` finds it offline, like any provider.
#
# From a build (default): builds the release binary and places it in the unpacked
# filesystem-mirror layout
#   <mirror>/registry.terraform.io/jit-as-code/jit/<version>/<os>_<arch>/terraform-provider-jit_v<version>
#
# From a release (--from-release DIR, the output of scripts/release.sh or a downloaded
# release): checks the SHA256SUMS signature (with --public-key), checks every zip against
# SHA256SUMS, and places the zips as they are in the packed layout
#   <mirror>/registry.terraform.io/jit-as-code/jit/terraform-provider-jit_<version>_<os>_<arch>.zip
# With --lock-file, it also pins the release's zh: hashes (sha256 of each zip, from the checked
# SHA256SUMS) in that .terraform.lock.hcl, so `terraform init` verifies the zip against them
# and records its h1: hash beside them: from a mirror, Terraform records only h1: itself
# (see docs/release.md).
#
# The default mirror, ~/.terraform.d/plugins, is one Terraform searches without any CLI
# configuration, so `terraform init` installs the provider and records its checksum in the
# lock file exactly as it would from a registry.
#
# Usage: scripts/install-provider.sh [--mirror DIR] [--binary PATH]
#        scripts/install-provider.sh --from-release DIR [--mirror DIR] [--public-key FILE] [--lock-file PATH]
#   --mirror DIR          install into DIR instead of ~/.terraform.d/plugins
#   --binary PATH         install this binary instead of building one
#   --from-release DIR    install the release zips in DIR (packed layout)
#   --public-key FILE     the gpg public key the release is signed with; the signature of
#                         SHA256SUMS is checked against it, and installing stops if it fails
#   --lock-file PATH      add the release's zh: hashes to this .terraform.lock.hcl
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
name=terraform-provider-jit
address=registry.terraform.io/jit-as-code/jit
mirror="${HOME}/.terraform.d/plugins"
binary=""
release=""
public_key=""
lock_file=""

die() { printf 'install-provider.sh: %s\n' "$*" >&2; exit 2; }
note() { printf 'install-provider.sh: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --mirror | --binary | --from-release | --public-key | --lock-file)
      [ $# -ge 2 ] || die "$1 needs a value (see --help)"
      case "$1" in
        --mirror) mirror=$2 ;;
        --binary) binary=$2 ;;
        --from-release) release=$2 ;;
        --public-key) public_key=$2 ;;
        --lock-file) lock_file=$2 ;;
      esac
      shift 2 ;;
    -h | --help) sed -n '2,28p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

install_from_build() {
  local version os arch dest
  version=$(awk '
    /^\[workspace\.package\]/ { section = 1; next }
    /^\[/ { section = 0 }
    section && /^version[[:space:]]*=/ { gsub(/^version[[:space:]]*=[[:space:]]*"|".*$/, ""); print; exit }
  ' "$root/Cargo.toml")
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "unsupported OS $(uname -s)" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported CPU $(uname -m)" ;;
  esac

  if [ -z "$binary" ]; then
    cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p "$name"
    binary="${CARGO_TARGET_DIR:-$root/target}/release/$name"
  fi

  dest="$mirror/$address/$version/${os}_${arch}"
  mkdir -p "$dest"
  install -m 0755 "$binary" "$dest/${name}_v$version"
  echo "installed jit-as-code/jit $version for ${os}_${arch} in $dest"
}

install_from_release() {
  local sums_files sums version zips zip platform dest lock_block
  [ -d "$release" ] || die "--from-release $release is not a directory (give the directory scripts/release.sh wrote)"
  release=$(cd "$release" && pwd)
  shopt -s nullglob
  sums_files=("$release/${name}_"*_SHA256SUMS)
  shopt -u nullglob
  [ ${#sums_files[@]} -eq 1 ] \
    || die "--from-release $release must hold exactly one ${name}_<version>_SHA256SUMS, found ${#sums_files[@]}"
  sums=${sums_files[0]}
  version=${sums##*/}
  version=${version#"${name}_"}
  version=${version%_SHA256SUMS}

  if [ -n "$lock_file" ] && [ -f "$lock_file" ] && grep -q "^provider \"$address\"" "$lock_file"; then
    die "--lock-file $lock_file already pins $address; delete its provider \"$address\" block to pin $version, then run terraform init"
  fi

  if [ -n "$public_key" ]; then
    [ -f "$public_key" ] || die "--public-key $public_key is not a file"
    [ -f "$sums.sig" ] || die "--public-key was given but $sums.sig is missing: this release is not signed"
    command -v gpg > /dev/null || die "--public-key needs gpg on PATH"
    local keyring
    keyring=$(mktemp -d)
    # A keyring of its own: only the given key can make the signature good.
    if ! gpg --batch --quiet --homedir "$keyring" --import "$public_key" 2> /dev/null; then
      rm -rf "$keyring"
      die "--public-key $public_key is not a gpg public key"
    fi
    if ! gpg --batch --quiet --homedir "$keyring" --verify "$sums.sig" "$sums" 2> /dev/null; then
      rm -rf "$keyring"
      die "the signature $sums.sig does not verify with $public_key: do not install this release"
    fi
    rm -rf "$keyring"
    note "signature of ${sums##*/} verified with $public_key"
  elif [ -f "$sums.sig" ]; then
    note "signature of ${sums##*/} NOT checked: pass --public-key FILE (the key the release is signed with) to check it"
  else
    note "${sums##*/} is not signed (no ${sums##*/}.sig)"
  fi

  zips=()
  while read -r _ zip; do
    case "$zip" in
      "${name}_${version}_"*.zip) [ -f "$release/$zip" ] && zips+=("$zip") ;;
    esac
  done < "$sums"
  [ ${#zips[@]} -gt 0 ] || die "none of the zips listed in $sums is in $release"
  (cd "$release" && sha256sum --check --quiet --ignore-missing "${sums##*/}") \
    || die "a zip in $release does not match ${sums##*/}: download it again, or rebuild with scripts/release.sh"

  dest="$mirror/$address"
  mkdir -p "$dest"
  for zip in "${zips[@]}"; do
    platform=${zip#"${name}_${version}_"}
    platform=${platform%.zip}
    cp "$release/$zip" "$dest/$zip"
    # An unpacked copy of the same version would be a second, different package to Terraform.
    if [ -d "$mirror/$address/$version/$platform" ]; then
      rm -rf "${mirror:?}/$address/$version/$platform"
      note "removed the unpacked $version/$platform install it replaces"
    fi
    echo "installed jit-as-code/jit $version for $platform in $dest/$zip"
  done

  # Every platform's zip hash, not only the installed ones: a lock file shared with other
  # platforms' users lets their `terraform init` verify their zip too.
  lock_block=$(
    printf 'provider "%s" {\n  version = "%s"\n  hashes = [\n' "$address" "$version"
    awk -v prefix="${name}_${version}_" '$2 ~ "^" prefix ".*\\.zip$" { printf "    \"zh:%s\",\n", $1 }' "$sums"
    printf '  ]\n}'
  )
  if [ -n "$lock_file" ]; then
    mkdir -p "$(dirname "$lock_file")"
    if [ -s "$lock_file" ]; then
      printf '\n%s\n' "$lock_block" >> "$lock_file"
    else
      printf '%s\n' "$lock_block" > "$lock_file"
    fi
    echo "pinned jit-as-code/jit $version's zh: hashes in $lock_file; terraform init adds the h1: hash"
  else
    note "to pin the release's zh: hashes, add this to .terraform.lock.hcl (or pass --lock-file):"
    printf '%s\n' "$lock_block" >&2
  fi
}

if [ -n "$release" ]; then
  [ -z "$binary" ] || die "--binary and --from-release cannot be combined: a release holds its own binaries"
  install_from_release
else
  [ -z "$public_key" ] && [ -z "$lock_file" ] || die "--public-key and --lock-file need --from-release DIR"
  install_from_build
fi
