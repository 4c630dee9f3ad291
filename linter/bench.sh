#!/usr/bin/env bash
# Benchmark for jitlint (not a timed test): lints a generated tree of 5,000 .tf files
# (about 100,000 resources) and compares it with the floor, reading and parsing the same files
# with the same parser (`jitlint --parse-only`), in the same run; the lint includes module
# evaluation (variables, expressions, instances) and the cross-resource rules. Then times a
# single-file run, the pre-commit case. When checkov is on PATH (`pip install checkov`), it
# also runs checkov's two NSG checks for SSH and RDP from the internet on the first
# CHECKOV_FILES files (default 500) and jitlint on the same files, and prints the ratio.
#
# Usage: linter/bench.sh [FILES] [RESOURCES_PER_FILE]
set -euo pipefail

files=${1:-5000}
per_file=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building release..."
cargo build --release -p jitlint --manifest-path "$root/Cargo.toml" >/dev/null 2>&1
target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release/jitlint"

echo "generating $files files x $per_file resources in $work/tree..."
generator="$work/generate.py"
cat >"$generator" <<'PY'
import os, sys
root, files, per_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(files):
    d = os.path.join(root, f"module{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    out = [f'variable "cidr{i}" {{\n  default = "203.0.113.0/24"\n}}\n']
    for r in range(per_file):
        kind = r % 4
        if kind == 0:
            out.append(f'''resource "jit_policy" "p{i}_{r}" {{
  name                = "default"
  resource_group_name = "rg-{i}"
  location            = "westeurope"
  virtual_machine {{
    id = azurerm_linux_virtual_machine.vm{r}.id
    port {{
      number                          = 22
      protocol                        = "TCP"
      allowed_source_address_prefixes = [var.cidr{i}]
      max_request_access_duration     = "PT{1 + r % 5}H"
    }}
  }}
}}
''')
        elif kind == 1:
            out.append(f'''resource "azurerm_network_security_rule" "r{i}_{r}" {{
  name                        = "rule-{r}"
  priority                    = {100 + r}
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_address_prefix       = "{'*' if r % 7 == 0 else '10.0.0.0/24'}"
  source_port_range           = "*"
  destination_port_range      = "{20 + r}-{30 + r}"
  destination_address_prefix  = "*"
  resource_group_name         = "rg-{i}"
  network_security_group_name = "nsg-{i}"
}}
''')
        elif kind == 2:
            out.append(f'''resource "azapi_resource" "a{i}_{r}" {{
  type      = "Microsoft.Security/locations/jitNetworkAccessPolicies@2020-01-01"
  name      = "jit-{r}"
  parent_id = "${{azurerm_resource_group.rg.id}}/providers/Microsoft.Security/locations/westeurope"
  body = jsonencode({{
    kind = "Basic"
    properties = {{
      virtualMachines = [{{
        id    = azurerm_linux_virtual_machine.vm{r}.id
        ports = [{{ number = 3389, protocol = "*", allowedSourceAddressPrefix = "198.51.100.7", maxRequestAccessDuration = "PT1H" }}]
      }}]
    }}
  }})
}}
''')
        else:
            out.append(f'''resource "azurerm_linux_virtual_machine" "vm{i}_{r}" {{
  name                = "vm-{i}-{r}"
  resource_group_name = "rg-{i}"
  location            = "westeurope"
  size                = "Standard_B2s"
  admin_username      = "azureuser"
  tags = {{
    env = "prod"
  }}
}}
''')
    with open(os.path.join(d, f"file{i:05d}.tf"), "w") as f:
        f.write("".join(out))
PY
python3 "$generator" "$work/tree" "$files" "$per_file"
count=$(find "$work/tree" -name '*.tf' | wc -l)
echo "files: $count, resources: $((count * per_file)), bytes: $(du -sb "$work/tree" | cut -f1)"

measure() { # label, command...; prints the best wall seconds of 5 runs, its CPU seconds and peak RSS (KiB)
  local label=$1; shift
  local best=999999 cpu=0 rss=0
  for _ in 1 2 3 4 5; do
    /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>&1 || true
    local wall cpu_now rss_now
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time")
    cpu_now=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$work/time")
    rss_now=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    if awk "BEGIN {exit !($wall < $best)}"; then best=$wall; cpu=$cpu_now; rss=$rss_now; fi
  done
  echo "$label $best $cpu $rss"
}

cd "$work"
# The machine may be shared: wall time is the best of 5 runs, and CPU time (user + system) is
# reported too because it is less sensitive to other load.
read -r _ floor_s floor_cpu floor_rss < <(measure floor "$bin" --no-config --parse-only tree)
read -r _ lint_s lint_cpu lint_rss < <(measure lint "$bin" --no-config -f compact tree)
findings=$("$bin" --no-config -f compact tree | wc -l || true)
python3 - "$count" "$floor_s" "$floor_cpu" "$floor_rss" "$lint_s" "$lint_cpu" "$lint_rss" "$findings" <<'PY'
import sys
count, floor_s, floor_cpu, floor_rss, lint_s, lint_cpu, lint_rss, findings = sys.argv[1:]
count = int(count)
floor_s, floor_cpu, lint_s, lint_cpu = map(float, (floor_s, floor_cpu, lint_s, lint_cpu))
print(f"parse-only floor: {floor_s:.3f} s wall, {floor_cpu:.2f} s CPU, {count / floor_s:,.0f} files/s, peak RSS {int(floor_rss) / 1024:.1f} MiB")
print(f"jitlint:          {lint_s:.3f} s wall, {lint_cpu:.2f} s CPU, {count / lint_s:,.0f} files/s, peak RSS {int(lint_rss) / 1024:.1f} MiB, {findings} findings")
print(f"ratio lint/floor: {lint_s / floor_s:.2f}x wall, {lint_cpu / floor_cpu:.2f}x CPU")
PY

single="$work/tree/module000/file00000.tf"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 5 -N "$bin --no-config -f compact $single"
else
  python3 - "$bin" "$single" <<'PY'
import subprocess, sys, time
bin, single = sys.argv[1:]
runs = []
for _ in range(50):
    t = time.perf_counter()
    subprocess.run([bin, "--no-config", "-f", "compact", single], stdout=subprocess.DEVNULL)
    runs.append(time.perf_counter() - t)
runs.sort()
print(f"single file: median {runs[len(runs)//2]*1000:.2f} ms, min {runs[0]*1000:.2f} ms over {len(runs)} runs")
PY
fi

if command -v checkov >/dev/null; then
  checkov_files=${CHECKOV_FILES:-500}
  python3 "$generator" "$work/small" "$checkov_files" "$per_file"
  echo "checkov $(checkov --version 2>/dev/null) against jitlint on $checkov_files files (best of 5 for jitlint, one checkov run):"
  read -r _ small_s small_cpu _ < <(measure jitlint-small "$bin" --no-config -f compact small)
  start=$(date +%s.%N)
  checkov -d small --framework terraform --check CKV_AZURE_9,CKV_AZURE_10 --quiet --compact --skip-download >"$work/checkov.out" 2>&1 || true
  end=$(date +%s.%N)
  checkov_failed=$(grep -c 'FAILED for resource' "$work/checkov.out" || true)
  python3 - "$small_s" "$small_cpu" "$start" "$end" "$checkov_failed" <<'PY'
import sys
small_s, small_cpu, start, end, failed = sys.argv[1:]
small_s, checkov_s = float(small_s), float(end) - float(start)
print(f"jitlint: {small_s:.3f} s wall ({float(small_cpu):.2f} s CPU); checkov: {checkov_s:.1f} s wall, {failed} failed checks")
print(f"ratio checkov/jitlint: {checkov_s / small_s:,.0f}x")
PY
else
  echo "checkov not on PATH: pip install checkov to compare"
fi
