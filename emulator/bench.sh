#!/usr/bin/env bash
# Builds the release emulator and runs the load tool (emulator/benches/load.rs) against it.
# Settings: LOAD_CONNECTIONS (default 32), LOAD_SECONDS per phase (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p jit-emulator --bin jit-emulator
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
JIT_EMULATOR_BIN="$target_dir/release/jit-emulator" cargo bench -p jit-emulator --bench load
