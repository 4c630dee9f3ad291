#!/usr/bin/env bash
# The main job on the embedded default, offline: start the JIT emulator, enable JIT on the
# example's VMs and request access through the JIT API (showing the NSG rules JIT writes),
# validate and plan the example with Terraform and the provider, and lint it with jitlint.
#
# Usage: scripts/demo.sh   (needs cargo, curl, python3; Terraform for the plan step)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}/debug"
work=$(mktemp -d)
emulator_pid=""
cleanup() { [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "build"
cargo build --quiet -p terraform-provider-jit -p jit-emulator -p jitlint

step "start jit-emulator"
"$target/jit-emulator" --addr 127.0.0.1:0 --no-auth --ready-file "$work/url" > "$work/emulator.out" 2> "$work/emulator.log" &
emulator_pid=$!
# The ready file is written once the emulator listens; wait on its first stdout line instead of sleeping.
until [ -s "$work/url" ] || ! kill -0 "$emulator_pid" 2>/dev/null; do read -r -t 1 _ < "$work/emulator.out" || true; done
url=$(cat "$work/url")
echo "emulator at $url"

sub=00000000-0000-0000-0000-000000000001
rg="/subscriptions/$sub/resourceGroups/rg-prod"
api="api-version=2020-01-01"
json() { python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), indent=2))'; }

step "seed the example's virtual machines (each with a NIC and an NSG)"
for vm in web-01 ops-01; do
  curl -sf -XPOST "$url/_emulator/vms" -H 'content-type: application/json' \
    -d "{\"id\":\"$rg/providers/Microsoft.Compute/virtualMachines/$vm\",\"location\":\"westeurope\"}" > /dev/null
  echo "created $vm"
done

step "enable JIT: PUT the example's policy"
policy="$rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"
curl -sf -XPUT "$url$policy?$api" -H 'content-type: application/json' -d @- <<JSON | json
{"kind":"Basic","properties":{"virtualMachines":[
  {"id":"$rg/providers/Microsoft.Compute/virtualMachines/web-01",
   "ports":[{"number":22,"protocol":"TCP","allowedSourceAddressPrefixes":["203.0.113.0/24"],"maxRequestAccessDuration":"PT3H"}]},
  {"id":"$rg/providers/Microsoft.Compute/virtualMachines/ops-01",
   "ports":[{"number":3389,"protocol":"TCP","allowedSourceAddressPrefix":"198.51.100.0/26","maxRequestAccessDuration":"PT1H"}]}]}}
JSON

step "request one hour of SSH to web-01"
end=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc)+datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
curl -sf -XPOST "$url$policy/initiate?$api" -H 'content-type: application/json' -d @- <<JSON | json
{"justification":"INC-1234 patching","virtualMachines":[{"id":"$rg/providers/Microsoft.Compute/virtualMachines/web-01",
  "ports":[{"number":22,"allowedSourceAddressPrefix":"203.0.113.7","endTimeUtc":"$end"}]}]}
JSON

step "the NSG rules JIT wrote on web-01"
curl -sf "$url$rg/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg/securityRules?api-version=2024-05-01" \
  | python3 -c '
import json, sys
for rule in json.load(sys.stdin)["value"]:
    p = rule["properties"]
    source = p.get("sourceAddressPrefix") or p.get("sourceAddressPrefixes")
    print("%5s %-5s %5s from %s  (%s)" % (p["priority"], p["access"], p["destinationPortRange"], source, rule["name"]))'

step "terraform: validate and plan examples/quickstart with the jit provider"
if command -v terraform > /dev/null; then
  cp examples/quickstart/*.tf "$work/"
  printf 'provider_installation {\n  dev_overrides { "registry.terraform.io/jit-as-code/jit" = "%s" }\n  direct {}\n}\n' "$target" > "$work/cli.tfrc"
  (cd "$work" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" ARM_SUBSCRIPTION_ID=$sub ARM_RESOURCE_MANAGER_ENDPOINT="$url" \
     terraform validate -no-color | grep -v -i "override" | sed '/^$/d' | tail -n 2 &&
   TF_CLI_CONFIG_FILE="$work/cli.tfrc" ARM_SUBSCRIPTION_ID=$sub ARM_RESOURCE_MANAGER_ENDPOINT="$url" \
     terraform plan -input=false -no-color | sed -n '/Terraform will perform/,/^Plan:/p')
  echo "(terraform apply against the emulator arrives with the jit_policy lifecycle; the policy above was applied through the API)"
else
  echo "terraform not found on PATH: skipped (install Terraform >= 1.5 to run this step)"
fi

step "jitlint examples/"
"$target/jitlint" examples/ && echo "jitlint: no findings in examples/"
