#!/usr/bin/env bash
# The whole story, offline and without an Azure account: build the debug binaries, start
# jit-emulator (HTTPS, tokens required), seed three VMs with NSGs, install the provider into a
# filesystem mirror, then `terraform init` and `apply` examples/emulator, show the NSG deny rules
# JIT wrote, change a port and apply again, check that a plan is empty, destroy and show that no
# JIT rule is left, and lint the examples with jitlint.
#
# Usage: scripts/demo.sh
# Needs cargo, curl, python3 and Terraform >= 1.5 on PATH (or TERRAFORM=/path/to/terraform).
# Linux: the provider trusts the emulator's CA through SSL_CERT_FILE, which macOS's certificate
# verification does not read.
# Exits non-zero when any step fails; the emulator is stopped and the temporary directory
# removed on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

step() { printf '\n== %s\n' "$*"; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

terraform=${TERRAFORM:-$(command -v terraform || true)}
[ -n "$terraform" ] && [ -x "$terraform" ] || die "Terraform was not found: install Terraform 1.5 or later and put it on PATH, or set TERRAFORM=/path/to/terraform."
for tool in cargo curl python3; do
  command -v "$tool" > /dev/null || die "$tool was not found on PATH; the demo needs cargo, curl and python3."
done

work=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2> /dev/null || true
    wait "$emulator_pid" 2> /dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command with its output in $work/<name>.log; on failure prints that log and stops.
logged() {
  local name=$1
  shift
  if ! "$@" > "$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    die "$name failed (its output is above)"
  fi
}

step "build (what cargo test --workspace builds, so the test command compiles nothing again)"
# The binaries come out of the test build: building only them would resolve the dependencies'
# features differently (dev-dependencies are not unified into a plain build), and the test
# command would then compile most of the dependency tree a second time.
cargo test --workspace --no-run --locked --quiet
target="${CARGO_TARGET_DIR:-$root/target}/debug"
SECONDS=0

# Only the demo's own settings reach the provider: no ARM_* login of the caller's, no proxy for
# loopback, no Terraform overrides, and only the emulator's CA is trusted.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(ARM_|AZURE_|TF_)' || true)
unset SSL_CERT_DIR
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

step "start jit-emulator (HTTPS, tokens required)"
# The emulator writes its ready file, then its base URL as stdout's first line. Reading that
# line through a FIFO blocks until the emulator listens, or ends at once if it exits.
mkfifo "$work/emulator.stdout"
"$target/jit-emulator" --addr 127.0.0.1:0 --tls --ca-cert "$work/ca.pem" --ready-file "$work/url" \
  > "$work/emulator.stdout" 2> "$work/emulator.log" &
emulator_pid=$!
exec 3< "$work/emulator.stdout"
if ! read -r url <&3; then
  cat "$work/emulator.log" >&2
  die "jit-emulator did not start (its log is above)"
fi
[ "$(cat "$work/url")" = "$url" ] || die "the ready file and stdout disagree"
echo "emulator at $url (CA certificate in ca.pem)"

sub=00000000-0000-0000-0000-000000000001
tenant=00000000-0000-0000-0000-0000000000aa
client_id=00000000-0000-0000-0000-00000000e1e1
client_secret=jit-emulator-secret
rg="/subscriptions/$sub/resourceGroups/rg-prod"
vms="web-01 ops-01 db-01"
emu() { curl -sSf --cacert "$work/ca.pem" "$@"; }

step "seed three VMs, each with a NIC and an NSG"
for vm in $vms; do
  emu -XPOST "$url/_emulator/vms" -H 'content-type: application/json' \
    -d "{\"id\":\"$rg/providers/Microsoft.Compute/virtualMachines/$vm\",\"location\":\"westeurope\"}" > /dev/null
  printf '%-7s with NIC %s and NSG %s\n' "$vm" "$vm-nic" "$vm-nsg"
done

# A token from the emulator's token endpoint for reading NSG rules; it never reaches the
# command line or the output.
token=$(printf 'grant_type=client_credentials&client_id=%s&client_secret=%s&scope=https://management.azure.com/.default' \
  "$client_id" "$client_secret" |
  emu -XPOST "$url/$tenant/oauth2/v2.0/token" -d @- |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') ||
  die "the emulator's token endpoint gave no token"

# Prints the JIT rules in the NSGs of the given VMs, one line each.
jit_rules() {
  local vm
  for vm in "$@"; do
    printf 'header = "Authorization: Bearer %s"\n' "$token" |
      emu -K - "$url$rg/providers/Microsoft.Network/networkSecurityGroups/$vm-nsg/securityRules?api-version=2024-05-01" |
      VM_NSG="$vm-nsg" python3 -c '
import json, os, sys
nsg = os.environ["VM_NSG"]
rules = [r for r in json.load(sys.stdin)["value"] if r["name"].startswith("SecurityCenter-JITRule-")]
if not rules:
    print("%-11s no JIT rules" % nsg)
for rule in sorted(rules, key=lambda r: r["properties"]["priority"]):
    p = rule["properties"]
    source = p.get("sourceAddressPrefix") or ",".join(p.get("sourceAddressPrefixes", []))
    print("%-11s %8s  %-6s %5s  %-8s %-6s  %s" % (nsg, p["priority"], p["access"], p["destinationPortRange"], p["protocol"], source, rule["name"]))'
  done
}
rules_header() { printf '%-11s %8s  %-6s %5s  %-8s %-6s  %s\n' NSG PRIORITY ACCESS PORT PROTOCOL SOURCE RULE; }

step "install the provider into a filesystem mirror"
bash scripts/install-provider.sh --mirror "$work/mirror" --binary "$target/terraform-provider-jit"
cat > "$work/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/jit-as-code/*"]
  }
  direct {
    exclude = ["registry.terraform.io/jit-as-code/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export SSL_CERT_FILE="$work/ca.pem" TF_VAR_arm_endpoint="$url"
mkdir "$work/config"
cp examples/emulator/*.tf "$work/config/"
tf() { (cd "$work/config" && "$terraform" "$@" -input=false -no-color); }
# Terraform's progress lines of a log, without the long resource ids; with --diff, the plan's
# resource changes too.
progress() {
  local diff=0
  [ "$1" = --diff ] && { diff=1; shift; }
  awk -v diff=$diff '
    diff && /^  # / { block = 1 }
    /^(jit_[a-z_]+\.[a-z_]+(\[[0-9]+\])?: |Plan: |Apply complete|Destroy complete)/ || (block && NF) { sub(/ \[id=[^]]*\]$/, ""); print }
    /^Plan: / { block = 0 }' "$1"
}

step "terraform init (examples/emulator, copied to a temporary directory)"
logged init tf init
grep -E '^- (Installing|Installed)' "$work/init.log"
[ -f "$work/config/.terraform.lock.hcl" ] || die "terraform init wrote no lock file"
echo "lock file: $(grep -c 'h1:' "$work/config/.terraform.lock.hcl") checksum(s) for registry.terraform.io/jit-as-code/jit"

step "terraform apply: jit_policy for web-01 and ops-01, jit_policy_virtual_machine for db-01"
logged apply tf apply -auto-approve
progress "$work/apply.log"

step "the NSG deny rules JIT wrote"
rules_header
jit_rules $vms

step "change web-01's SSH port to 2222 and apply again"
logged apply-port tf apply -auto-approve -var web_ssh_port=2222
progress --diff "$work/apply-port.log"
rules_header
jit_rules web-01

step "request an hour of RDP on ops-01 (jit_access_request): JIT opens the port for that address"
logged apply-request tf apply -auto-approve -var web_ssh_port=2222 -var request_ops_access=true
progress "$work/apply-request.log"
rules_header
jit_rules ops-01

step "terraform plan -detailed-exitcode: nothing left to change"
emu -XDELETE "$url/_emulator/requests"
plan_status=0
tf plan -detailed-exitcode -var web_ssh_port=2222 -var request_ops_access=true > "$work/plan.log" 2>&1 || plan_status=$?
case $plan_status in
  0) grep -E '^No changes' "$work/plan.log" ;;
  2) cat "$work/plan.log" >&2; die "the plan after apply is not empty (above)" ;;
  *) cat "$work/plan.log" >&2; die "terraform plan failed (above)" ;;
esac
emu "$url/_emulator/requests" | python3 -c '
import json, sys
calls = json.load(sys.stdin)["requests"]
total = sum(c["count"] for c in calls)
print("refreshing 3 resources took %d ARM call(s):" % total)
for c in calls:
    print("  %s %s  x%d" % (c["method"], c["path"], c["count"]))'

step "terraform destroy"
logged destroy tf destroy -auto-approve -var web_ssh_port=2222 -var request_ops_access=true
progress "$work/destroy.log"
rules_header
jit_rules $vms

step "jitlint examples/"
"$target/jitlint" examples/

printf '\ndemo passed in %ss after the build\n' "$SECONDS"
