#!/usr/bin/env bash
# Entry point of the `jitlint` pre-commit hook: builds jitlint from this checkout once, then runs
# it on the files pre-commit passes. Building is skipped when the binary is newer than the sources.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/jitlint"
if [ ! -x "$bin" ] || [ -n "$(find "$here/linter/src" "$here/core/src" -newer "$bin" -name '*.rs' -print -quit)" ]; then
  cargo build --release --locked -p jitlint --manifest-path "$here/Cargo.toml" --target-dir "$here/target" >&2
fi
exec "$bin" "$@"
