#!/usr/bin/env bash
# The provider's figures (provider/bench_plan.py) for an earlier revision and for the working
# tree, in one run on one machine, with the ratio of their plan times.
# Usage: provider/bench_before_after.sh REV [RUNS]   (needs terraform, python3 and git)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rev=$1
runs=${2:-7}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/before-src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# A target directory of its own for the earlier revision: cargo judges path crates fresh by file
# times, so one directory shared by two checkouts can reuse the wrong build.
target=${CARGO_TARGET_DIR:-$root/target}
git -C "$root" worktree add --quiet --detach "$work/before-src" "$rev"
CARGO_TARGET_DIR="$target/bench-before" cargo build --release --quiet \
  --manifest-path "$work/before-src/Cargo.toml" -p terraform-provider-jit
cp "$target/bench-before/release/terraform-provider-jit" "$work/provider-before"
CARGO_TARGET_DIR="$target" cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p terraform-provider-jit
cp "$target/release/terraform-provider-jit" "$work/provider-after"
for side in before after; do
  mkdir -p "$work/$side"
  echo "== $side ($([ "$side" = before ] && echo "$rev" || echo "working tree"))"
  python3 "$root/provider/bench_plan.py" "$work/provider-$side" "$work/$side" "$runs" | tee "$work/$side.txt"
done
python3 - "$work/before.txt" "$work/after.txt" <<'PY'
import re, sys
def plan(path):
    return float(re.search(r"plan of 200 jit_policy \(median of \d+\): ([0-9.]+) s", open(path).read()).group(1))
before, after = plan(sys.argv[1]), plan(sys.argv[2])
print(f"plan of 200 jit_policy: before {before:.2f} s, after {after:.2f} s; after/before {after / before:.2f}")
PY
