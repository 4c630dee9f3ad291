"""Measures the provider; see bench.sh. Prints medians and ratios against same-run baselines."""

import os
import statistics
import subprocess
import sys
import time

bin_dir, work, runs, workato = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
binary = f"{bin_dir}/terraform-provider-jit"
emulator_binary = f"{bin_dir}/jit-emulator"
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

# A client certificate like Terraform's (P-521, self-signed, CA) so that AutoMTLS runs for real.
subprocess.run(
    ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1", "-nodes",
     "-keyout", f"{work}/key.pem", "-out", f"{work}/cert.pem", "-days", "1", "-subj", "/CN=localhost",
     "-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE"],
    check=True, capture_output=True)
client_cert = open(f"{work}/cert.pem").read()


def time_to_first_line(argv, env):
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.kill()
    process.wait()
    return elapsed


env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS="5,6", PLUGIN_CLIENT_CERT=client_cert)
samples = 50
handshake = statistics.median(time_to_first_line([binary], env) for _ in range(samples))
baseline = statistics.median(time_to_first_line(["/bin/true"], env) for _ in range(samples))
print(f"handshake (AutoMTLS, median of {samples}): {handshake * 1000:.2f} ms; "
      f"spawning /bin/true: {baseline * 1000:.2f} ms; ratio {handshake / baseline:.1f}x")

# The emulator, as users run it: TLS, token endpoint on.
import json
import ssl
import urllib.request

emu = subprocess.Popen([emulator_binary, "--addr", "127.0.0.1:0", "--tls", "--ca-cert", f"{work}/ca.pem"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
url = emu.stdout.readline().strip()
tls = ssl.create_default_context(cafile=f"{work}/ca.pem")
SUB = "00000000-0000-0000-0000-000000000001"


def admin(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, context=tls) as response:
        text = response.read()
        return json.loads(text) if text else None


for i in range(200):
    admin("POST", "/_emulator/vms", {"id": f"/subscriptions/{SUB}/resourceGroups/rg-bench/providers/Microsoft.Compute/virtualMachines/vm-{i:03}", "location": "westeurope"})

def header(local, source):
    return 'terraform {\n  required_providers {\n    %s = { source = "%s" }\n  }\n}\n' % (local, source)


POLICY = """
resource "jit_policy" "p%(i)d" {
  name                = "policy-%(i)03d"
  resource_group_name = "rg-bench"
  location            = "westeurope"
  virtual_machine {
    id = "/subscriptions/%(sub)s/resourceGroups/rg-bench/providers/Microsoft.Compute/virtualMachines/vm-%(i)03d"
    port {
      number                          = 22
      protocol                        = "TCP"
      allowed_source_address_prefixes = ["203.0.113.0/24"]
    }
  }
}
"""


def jit_config(count):
    return header("jit", "jit-as-code/jit") + "".join(POLICY % {"i": i, "sub": SUB} for i in range(count))


def data_config(count):
    return "".join('\nresource "terraform_data" "d%d" {\n  input = "vm-%d"\n}\n' % (i, i) for i in range(count))


def go_config(count):
    return header("workato", "workato-devs/workato") + 'provider "workato" {\n  api_key  = "bench"\n  base_url = "https://127.0.0.1:9"\n}\n' + "".join(
        '\nresource "workato_project" "w%d" {\n  name = "project-%d"\n}\n' % (i, i) for i in range(count))


def counter_config(count):
    return header("counter", "example/counter") + "".join('\nresource "counter_named" "c%d" {\n  name = "counter-%d"\n}\n' % (i, i) for i in range(count))


kinds = [("jit", jit_config), ("data", data_config), ("counter", counter_config)] + ([("go", go_config)] if workato else [])
for name, make in kinds:
    for count in (1, 200):
        os.makedirs(f"{work}/{name}{count}", exist_ok=True)
        open(f"{work}/{name}{count}/main.tf", "w").write(make(count))

# dev_overrides to a directory whose terraform-provider-jit records its own peak RSS.
os.makedirs(f"{work}/bin", exist_ok=True)
wrapper = f"{work}/bin/terraform-provider-jit"
open(wrapper, "w").write(f'#!/bin/sh\nexec /usr/bin/time -f "%M %U %S" -a -o {work}/rss.txt {binary} "$@"\n')
os.chmod(wrapper, 0o755)
overrides = '"registry.terraform.io/jit-as-code/jit" = "%s/bin"\n    "registry.terraform.io/example/counter" = "%s"' % (work, bin_dir)
if workato:
    os.makedirs(f"{work}/go-bin", exist_ok=True)
    os.symlink(os.path.abspath(workato), f"{work}/go-bin/terraform-provider-workato")
    overrides += '\n    "registry.terraform.io/workato-devs/workato" = "%s/go-bin"' % work
open(f"{work}/cli.tfrc", "w").write(
    'provider_installation {\n  dev_overrides {\n    %s\n  }\n  direct {}\n}\n' % overrides)
tf_env = dict(os.environ, TF_CLI_CONFIG_FILE=f"{work}/cli.tfrc", CHECKPOINT_DISABLE="1", SSL_CERT_FILE=f"{work}/ca.pem",
              ARM_SUBSCRIPTION_ID=SUB, ARM_TENANT_ID="00000000-0000-0000-0000-0000000000aa",
              ARM_CLIENT_ID="00000000-0000-0000-0000-00000000e1e1", ARM_CLIENT_SECRET="jit-emulator-secret",
              ARM_RESOURCE_MANAGER_ENDPOINT=url, ARM_AUTHORITY_HOST=url)
for count in (1, 200):
    subprocess.run(["terraform", "init", "-input=false"], cwd=f"{work}/data{count}", env=tf_env, check=True, capture_output=True)


def terraform_seconds(directory, *args):
    start = time.perf_counter()
    subprocess.run(["terraform", *args, "-input=false", "-no-color"], cwd=directory, env=tf_env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def rss_records():
    return [line.split() for line in open(f"{work}/rss.txt") if line.strip() and line.split()[0].isdigit()]


times = {(name, count): [] for name, _ in kinds for count in (1, 200)}
open(f"{work}/rss.txt", "w").close()
for _ in range(runs):  # interleaved, so that machine noise hits all alike
    for name, _ in kinds:
        for count in (1, 200):
            times[(name, count)].append(terraform_seconds(f"{work}/{name}{count}", "plan"))
median = {key: statistics.median(value) for key, value in times.items()}
floor = median[("data", 200)]
line = f"plan of 200 (median of {runs}): jit_policy {median[('jit', 200)]:.2f} s; terraform_data {floor:.2f} s"
if workato:
    line += (f"; workato_project (Go, plugin framework) {median[('go', 200)]:.2f} s; "
             f"jit/Go ratio {median[('jit', 200)] / median[('go', 200)]:.2f}")
print(line + f"; jit/terraform_data ratio {median[('jit', 200)] / floor:.2f}")
for name, _ in kinds:
    slope = (median[(name, 200)] - median[(name, 1)]) / 199 * 1000
    print(f"  {name}: plan of 1 {median[(name, 1)]:.3f} s, each further resource {slope:.2f} ms")
records = rss_records()
plan_rss = max(int(record[0]) for record in records)
plan_cpu = sum(float(r[1]) + float(r[2]) for r in records) / (2 * runs)

# Apply and destroy: 200 jit_policy against the emulator vs 200 terraform_data.
open(f"{work}/rss.txt", "w").close()
applies = {"jit": [], "data": []}
destroys = {"jit": [], "data": []}
for _ in range(runs):
    for name in ("jit", "data"):
        applies[name].append(terraform_seconds(f"{work}/{name}200", "apply", "-auto-approve"))
        destroys[name].append(terraform_seconds(f"{work}/{name}200", "destroy", "-auto-approve"))
a_jit, a_data = statistics.median(applies["jit"]), statistics.median(applies["data"])
d_jit, d_data = statistics.median(destroys["jit"]), statistics.median(destroys["data"])
print(f"apply of 200 (median of {runs}): jit_policy against jit-emulator {a_jit:.2f} s; terraform_data {a_data:.2f} s; "
      f"ratio {a_jit / a_data:.2f}. destroy: {d_jit:.2f} s vs {d_data:.2f} s; ratio {d_jit / d_data:.2f}")

# One refresh of 200 policies: ARM calls and time.
terraform_seconds(f"{work}/jit200", "apply", "-auto-approve")
admin("DELETE", "/_emulator/requests")
refresh = terraform_seconds(f"{work}/jit200", "plan")
counted = admin("GET", "/_emulator/requests")
calls = sum(entry["count"] for entry in counted["requests"])
detail = ", ".join("%s %s x%d" % (e["method"], e["path"].rsplit("/", 1)[-1], e["count"]) for e in counted["requests"])
print(f"refresh + plan of 200 applied jit_policy: {refresh:.2f} s, {calls} ARM call(s) ({detail}), "
      f"{counted['tokenRequests']} token request(s)")
apply_rss = max(int(record[0]) for record in rss_records())
print(f"provider peak RSS: plans {plan_rss / 1024:.1f} MB, applies and refresh {apply_rss / 1024:.1f} MB; "
      f"provider CPU time per jit plan (plans of 1 and of 200, all its processes): {plan_cpu:.2f} s")
emu.terminate()
emu.wait()
