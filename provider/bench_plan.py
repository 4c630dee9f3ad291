"""Measures the provider; see bench.sh. Prints medians and ratios against same-run baselines."""

import os
import statistics
import subprocess
import sys
import time

binary, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
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

# Two configurations of 200 resources each.
header = 'terraform {\n  required_providers {\n    jit = { source = "jit-as-code/jit" }\n  }\n}\n'
policies = header + "".join(
    f'''
resource "jit_policy" "p{i}" {{
  name                = "policy-{i}"
  resource_group_name = "rg-{i % 10}"
  location            = "westeurope"
  virtual_machine {{
    id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-{i % 10}/providers/Microsoft.Compute/virtualMachines/vm-{i}"
    port {{
      number                          = 22
      protocol                        = "TCP"
      allowed_source_address_prefixes = ["203.0.113.0/24"]
    }}
  }}
}}
''' for i in range(200))
data = "".join(f'\nresource "terraform_data" "d{i}" {{\n  input = "vm-{i}"\n}}\n' for i in range(200))
for name, text in (("jit", policies), ("data", data)):
    os.makedirs(f"{work}/{name}", exist_ok=True)
    open(f"{work}/{name}/main.tf", "w").write(text)

# dev_overrides to a directory whose terraform-provider-jit records its own peak RSS.
os.makedirs(f"{work}/bin", exist_ok=True)
wrapper = f"{work}/bin/terraform-provider-jit"
open(wrapper, "w").write(f'#!/bin/sh\nexec /usr/bin/time -f "%M %U %S" -a -o {work}/rss.txt {binary} "$@"\n')
os.chmod(wrapper, 0o755)
open(f"{work}/cli.tfrc", "w").write(
    'provider_installation {\n  dev_overrides { "registry.terraform.io/jit-as-code/jit" = "%s/bin" }\n  direct {}\n}\n' % work)
tf_env = dict(os.environ, TF_CLI_CONFIG_FILE=f"{work}/cli.tfrc", ARM_SUBSCRIPTION_ID="00000000-0000-0000-0000-000000000001",
              CHECKPOINT_DISABLE="1")
subprocess.run(["terraform", "init", "-input=false"], cwd=f"{work}/data", env=tf_env, check=True, capture_output=True)


def plan_seconds(directory):
    start = time.perf_counter()
    subprocess.run(["terraform", "plan", "-input=false", "-refresh=false", "-no-color"], cwd=directory, env=tf_env,
                   check=True, capture_output=True)
    return time.perf_counter() - start


jit_times, data_times = [], []
for _ in range(runs):  # interleaved, so that machine noise hits both alike
    jit_times.append(plan_seconds(f"{work}/jit"))
    data_times.append(plan_seconds(f"{work}/data"))
jit_plan, data_plan = statistics.median(jit_times), statistics.median(data_times)
records = [line.split() for line in open(f"{work}/rss.txt") if line.strip() and line.split()[0].isdigit()]
rss_kb = max(int(record[0]) for record in records)
provider_cpu = sum(float(record[1]) + float(record[2]) for record in records) / runs
print(f"plan of 200 jit_policy (median of {runs}): {jit_plan:.2f} s; 200 terraform_data: {data_plan:.2f} s; "
      f"ratio {jit_plan / data_plan:.2f}")
print(f"provider peak RSS during those plans: {rss_kb / 1024:.1f} MB; provider CPU time per jit plan "
      f"(all its processes): {provider_cpu:.2f} s, {provider_cpu / jit_plan:.0%} of the plan's wall time")
