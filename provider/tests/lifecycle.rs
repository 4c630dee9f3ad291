//! The whole `jit_policy` and `jit_policy_virtual_machine` lifecycle with the real
//! `terraform` against the emulator, over TLS and through its token endpoint, as a user runs
//! it: apply, no-op plan, drift, deletion outside Terraform, import (CLI and `import` block),
//! destroy; faults mid-apply, timeouts, parallel writers of one policy, the refresh call
//! budget, and no secret in a trace log.

use std::time::{Duration, Instant};

use jit_e2e::Workspace;
use jit_e2e::emulator::{Emulator, SeededVm, policy_id};
use serde_json::{Value, json};

mod common;
use common::{HEADER, apply, plan_exit_code, workspace};

fn two_vm_policy(web: &SeededVm, ops: &SeededVm, web_prefix: &str) -> String {
    format!(
        r#"{HEADER}
resource "jit_policy" "web" {{
  resource_group_name = "rg-prod"
  location            = "westeurope"
  virtual_machine {{
    id = "{web}"
    port {{
      number                          = 22
      protocol                        = "TCP"
      allowed_source_address_prefixes = ["{web_prefix}", "198.51.100.0/24"]
      max_request_access_duration     = "PT1H"
    }}
  }}
  virtual_machine {{
    id = "{ops}"
    port {{
      number                        = 3389
      allowed_source_address_prefix = "203.0.113.0/24"
    }}
  }}
}}
"#,
        web = web.id,
        ops = ops.id
    )
}

/// An emulator with `web-01` and `ops-01` seeded, and a workspace whose configuration puts
/// both in one policy (`two_vm_policy`).
fn two_vms_applying_one_policy() -> Option<(Emulator, Workspace, SeededVm, SeededVm)> {
    let emulator = Emulator::start();
    let workspace = workspace(&emulator)?;
    let web = emulator.seed_vm("rg-prod", "web-01");
    let ops = emulator.seed_vm("rg-prod", "ops-01");
    workspace.write("main.tf", &two_vm_policy(&web, &ops, "10.0.0.0/8"));
    Some((emulator, workspace, web, ops))
}

fn ports_of(policy: &Value, vm: usize) -> Vec<Value> {
    policy["properties"]["virtualMachines"][vm]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn policy_lifecycle_apply_drift_recreate_import_destroy() {
    let Some((emulator, workspace, web, ops)) = two_vms_applying_one_policy() else {
        return;
    };
    let id = policy_id("rg-prod", "default");

    // Apply: the policy is in Azure, and JIT's deny rules are in the NSGs.
    apply(&workspace, &[]);
    let held = emulator.policy(&id).expect("the policy exists after apply");
    assert_eq!(
        ports_of(&held, 0)[0]["allowedSourceAddressPrefixes"],
        json!(["10.0.0.0/8", "198.51.100.0/24"])
    );
    assert_eq!(ports_of(&held, 1)[0]["number"], json!(3389));
    let web_rules = emulator.jit_rules(&web.nsg);
    assert!(
        web_rules
            .iter()
            .any(|(_, access, port, _)| access == "Deny" && port == "22"),
        "{web_rules:?}"
    );
    assert!(
        emulator
            .jit_rules(&ops.nsg)
            .iter()
            .any(|(_, access, port, _)| access == "Deny" && port == "3389")
    );

    // Applying twice changes nothing.
    assert_eq!(plan_exit_code(&workspace).0, 0);

    // A change made directly through the API is drift: the plan shows it, apply restores it.
    let mut changed = held.clone();
    changed["properties"]["virtualMachines"][0]["ports"][0]["allowedSourceAddressPrefixes"] =
        json!(["0.0.0.0/0"]);
    changed["properties"]["requests"] = json!([]);
    let (status, body) = emulator.arm("PUT", &id, Some(changed));
    assert_eq!(status, 200, "{body}");
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 2, "{plan}");
    assert!(plan.contains("- \"0.0.0.0/0\","), "{plan}");
    assert!(plan.contains("+ \"10.0.0.0/8\","), "{plan}");
    apply(&workspace, &[]);
    let held = emulator.policy(&id).expect("the policy exists");
    assert_eq!(
        ports_of(&held, 0)[0]["allowedSourceAddressPrefixes"],
        json!(["10.0.0.0/8", "198.51.100.0/24"])
    );
    assert_eq!(plan_exit_code(&workspace).0, 0);

    // Deleted outside Terraform: it leaves the state and the plan creates it again.
    let (status, _) = emulator.arm("DELETE", &id, None);
    assert_eq!(status, 200);
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 2);
    assert!(plan.contains("jit_policy.web will be created"), "{plan}");
    apply(&workspace, &[]);
    assert!(emulator.policy(&id).is_some());

    // Import into an empty state with the CLI, then nothing to change.
    workspace.terraform_ok(&["state", "rm", "jit_policy.web"]);
    let imported =
        workspace.terraform_ok(&["import", "-input=false", "-no-color", "jit_policy.web", &id]);
    assert!(imported.contains("Import successful"), "{imported}");
    assert_eq!(plan_exit_code(&workspace).0, 0);

    // ... and with an `import` block.
    workspace.terraform_ok(&["state", "rm", "jit_policy.web"]);
    workspace.write(
        "import.tf",
        &format!("import {{\n  to = jit_policy.web\n  id = \"{id}\"\n}}\n"),
    );
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 2, "{plan}");
    assert!(
        plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    apply(&workspace, &[]);
    std::fs::remove_file(workspace.path().join("import.tf")).expect("remove import.tf");
    assert_eq!(plan_exit_code(&workspace).0, 0);

    // A malformed id is explained.
    workspace.terraform_ok(&["state", "rm", "jit_policy.web"]);
    let output = workspace.terraform(&[
        "import",
        "-input=false",
        "-no-color",
        "jit_policy.web",
        "/subscriptions/x/resourceGroups/rg",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("Invalid import id") && stderr.contains("jitNetworkAccessPolicies/default"),
        "{stderr}"
    );
    workspace.terraform_ok(&["import", "-input=false", "-no-color", "jit_policy.web", &id]);

    // Destroy leaves no policy and no JIT rule.
    workspace.terraform_ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert!(emulator.policy(&id).is_none());
    assert_eq!(emulator.jit_rules(&web.nsg), vec![]);
    assert_eq!(emulator.jit_rules(&ops.nsg), vec![]);
}

#[test]
fn throttling_and_unavailability_mid_apply_end_in_the_right_state() {
    let Some((emulator, workspace, _web, _ops)) = two_vms_applying_one_policy() else {
        return;
    };
    let id = policy_id("rg-prod", "default");
    emulator.fault(json!({"method": "PUT", "path": "*jitNetworkAccessPolicies/*", "count": 2, "kind": "throttle", "retryAfterSeconds": 1}));
    emulator.fault(json!({"method": "PUT", "path": "*jitNetworkAccessPolicies/*", "count": 1, "kind": "status", "status": 503}));
    apply(&workspace, &[]);
    let puts: u64 = emulator
        .requests()
        .iter()
        .filter(|(method, path, _)| method == "PUT" && path == &id.to_ascii_lowercase())
        .map(|(_, _, count)| count)
        .sum();
    assert_eq!(puts, 4, "two throttled, one unavailable, one applied");
    let held = emulator.policy(&id).expect("the policy exists");
    let vms = held["properties"]["virtualMachines"]
        .as_array()
        .expect("VMs");
    assert_eq!(vms.len(), 2, "no VM lost or doubled: {held}");
    assert_eq!(plan_exit_code(&workspace).0, 0);
}

#[test]
fn a_persistent_server_error_fails_clearly_and_a_second_apply_completes() {
    let Some((emulator, workspace, _web, _ops)) = two_vms_applying_one_policy() else {
        return;
    };
    let id = policy_id("rg-prod", "default");
    emulator.fault(
        json!({"method": "PUT", "path": "*", "count": 1000, "kind": "status", "status": 500}),
    );
    let output = workspace.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("Could not create jit_policy \"default\""),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    let state = workspace.terraform(&["state", "list"]);
    assert_eq!(
        String::from_utf8_lossy(&state.stdout).trim(),
        "",
        "nothing half-applied in state"
    );
    emulator.clear_faults();
    apply(&workspace, &[]);
    assert!(emulator.policy(&id).is_some());
    assert_eq!(plan_exit_code(&workspace).0, 0);
}

#[test]
fn a_timeout_shorter_than_the_latency_ends_the_apply_near_it() {
    let emulator = Emulator::start();
    let Some(workspace) = workspace(&emulator) else {
        return;
    };
    let web = emulator.seed_vm("rg-prod", "web-01");
    workspace.write(
        "main.tf",
        &format!(
            r#"{HEADER}
resource "jit_policy" "web" {{
  resource_group_name = "rg-prod"
  location            = "westeurope"
  virtual_machine {{
    id = "{}"
  }}
  timeouts {{
    create = "2s"
  }}
}}
"#,
            web.id
        ),
    );
    emulator.fault(
        json!({"method": "PUT", "path": "*", "count": 1, "kind": "latency", "millis": 60000}),
    );
    let started = Instant::now();
    let output = workspace.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("did not finish within 2s"), "{stderr}");
    // Cut off at the timeout, long before the 60 s the emulator would have taken.
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

#[test]
fn parallel_virtual_machines_of_shared_policies_lose_nothing() {
    let emulator = Emulator::start();
    let Some(workspace) = workspace(&emulator) else {
        return;
    };
    let mut config = HEADER.to_owned();
    for index in 0..20 {
        let vm = emulator.seed_vm("rg-prod", &format!("vm-{index:02}"));
        let policy = if index % 2 == 0 { "default" } else { "ops" };
        config.push_str(&format!(
            r#"
resource "jit_policy_virtual_machine" "vm_{index:02}" {{
  virtual_machine_id = "{}"
  location           = "westeurope"
  policy_name        = "{policy}"
  port {{
    number                          = {}
    allowed_source_address_prefixes = ["203.0.113.0/24"]
  }}
}}
"#,
            vm.id,
            22 + index
        ));
    }
    workspace.write("main.tf", &config);
    apply(&workspace, &["-parallelism=10"]);
    for policy in ["default", "ops"] {
        let held = emulator
            .policy(&policy_id("rg-prod", policy))
            .expect("the shared policy");
        let vms = held["properties"]["virtualMachines"]
            .as_array()
            .expect("VMs");
        assert_eq!(vms.len(), 10, "{policy}: {held}");
    }
    assert_eq!(plan_exit_code(&workspace).0, 0);

    // Import one VM's entry by `<policy id>|<vm id>`: nothing to change afterwards.
    workspace.terraform_ok(&["state", "rm", "jit_policy_virtual_machine.vm_03"]);
    let import_id = format!(
        "{}|{}",
        policy_id("rg-prod", "ops"),
        jit_e2e::emulator::vm_id("rg-prod", "vm-03")
    );
    workspace.terraform_ok(&[
        "import",
        "-input=false",
        "-no-color",
        "jit_policy_virtual_machine.vm_03",
        &import_id,
    ]);
    assert_eq!(plan_exit_code(&workspace).0, 0);
    let output = workspace.terraform(&[
        "import",
        "-input=false",
        "-no-color",
        "jit_policy_virtual_machine.vm_05",
        &policy_id("rg-prod", "ops"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("<policy id>|<virtual machine id>"),
        "{stderr}"
    );

    // One VM leaves: the others stay.
    let without_first = config
        .split("\nresource ")
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join("\nresource ");
    workspace.write("main.tf", &without_first);
    apply(&workspace, &["-parallelism=10"]);
    let held = emulator
        .policy(&policy_id("rg-prod", "default"))
        .expect("the shared policy");
    assert_eq!(
        held["properties"]["virtualMachines"]
            .as_array()
            .map(Vec::len),
        Some(9)
    );

    // The last VM of each policy takes the policy with it.
    workspace.terraform_ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=10",
    ]);
    for policy in ["default", "ops"] {
        assert!(
            emulator.policy(&policy_id("rg-prod", policy)).is_none(),
            "{policy} is gone"
        );
    }
}

#[test]
fn refreshing_200_policies_costs_a_handful_of_calls() {
    let emulator = Emulator::start();
    let Some(workspace) = workspace(&emulator) else {
        return;
    };
    let mut config = HEADER.to_owned();
    for index in 0..200 {
        let vm = emulator.seed_vm("rg-prod", &format!("vm-{index:03}"));
        config.push_str(&format!(
            r#"
resource "jit_policy" "p{index:03}" {{
  name                = "p-{index:03}"
  resource_group_name = "rg-prod"
  location            = "westeurope"
  virtual_machine {{
    id = "{}"
    port {{
      number = 22
    }}
  }}
}}
"#,
            vm.id
        ));
    }
    workspace.write("main.tf", &config);
    apply(&workspace, &["-parallelism=20"]);
    emulator.reset_requests();
    assert_eq!(plan_exit_code(&workspace).0, 0);
    let calls: u64 = emulator.requests().iter().map(|(_, _, count)| count).sum();
    // The list of the group and region, two pages of 100: nothing per policy.
    assert!(calls <= 4, "{:?}", emulator.requests());
    assert!(
        emulator.token_requests() <= 1,
        "one token for the whole run"
    );

    // Drift is still exact: one policy changed outside Terraform shows, and only it.
    let id = policy_id("rg-prod", "p-117");
    let mut held = emulator.policy(&id).expect("p-117");
    held["properties"]["virtualMachines"][0]["ports"][0]["maxRequestAccessDuration"] =
        json!("PT2H");
    held["properties"]["requests"] = json!([]);
    assert_eq!(emulator.arm("PUT", &id, Some(held)).0, 200);
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 2);
    assert!(
        plan.contains("jit_policy.p117 will be updated in-place"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
}

#[test]
fn a_trace_log_of_a_whole_apply_holds_no_secret() {
    let Some((emulator, mut workspace, _web, _ops)) = two_vms_applying_one_policy() else {
        return;
    };
    workspace.env("TF_LOG", "trace");
    let output = workspace.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("Resource Manager answered"),
        "the provider's debug logs are in the trace"
    );
    assert!(
        !log.contains(jit_emulator::auth::DEFAULT_CLIENT_SECRET),
        "the client secret leaked"
    );
    // Every token the emulator issues starts with the same header segment.
    let token = emulator.token();
    let header = token.split('.').next().expect("a JWT header");
    assert!(!log.contains(header), "a bearer token leaked");
    assert!(
        !log.to_ascii_lowercase().contains("bearer "),
        "an authorization header leaked"
    );
    let state = std::fs::read_to_string(workspace.path().join("terraform.tfstate")).expect("state");
    assert!(!state.contains(jit_emulator::auth::DEFAULT_CLIENT_SECRET));
}

#[test]
fn a_failed_login_names_the_method_and_the_settings_and_no_secret() {
    let Some((_emulator, mut workspace, _web, _ops)) = two_vms_applying_one_policy() else {
        return;
    };
    workspace.env("ARM_CLIENT_SECRET", "wrong-secret-value-123");
    let output = workspace.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("client secret authentication failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ARM_CLIENT_SECRET"),
        "the setting to fix is named: {stderr}"
    );
    assert!(!stderr.contains("wrong-secret-value-123"), "{stderr}");
}

#[test]
fn azure_reordering_sources_and_vms_is_not_a_change() {
    let Some((emulator, workspace, _web, ops)) = two_vms_applying_one_policy() else {
        return;
    };
    let id = policy_id("rg-prod", "default");
    apply(&workspace, &[]);
    // The same policy written back in another order, VM ids in another case, and the single
    // source as a one-element list.
    let mut held = emulator.policy(&id).expect("the policy");
    let vms = held["properties"]["virtualMachines"]
        .as_array_mut()
        .expect("VMs");
    vms.reverse();
    vms[0]["id"] = json!(
        ops.id
            .to_ascii_uppercase()
            .replace("/SUBSCRIPTIONS/", "/subscriptions/")
    );
    vms[0]["ports"][0]["allowedSourceAddressPrefixes"] = json!(["203.0.113.0/24"]);
    vms[0]["ports"][0]
        .as_object_mut()
        .expect("a port")
        .remove("allowedSourceAddressPrefix");
    vms[1]["ports"][0]["allowedSourceAddressPrefixes"] = json!(["198.51.100.0/24", "10.0.0.0/8"]);
    held["properties"]["requests"] = json!([]);
    let (status, body) = emulator.arm("PUT", &id, Some(held));
    assert_eq!(status, 200, "{body}");
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 0, "{plan}");
}

#[test]
fn ctrl_c_abandons_a_slow_call_at_once_and_keeps_nothing_half_applied() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let Some((emulator, workspace, _web, _ops)) = two_vms_applying_one_policy() else {
        return;
    };
    emulator.fault(
        json!({"method": "PUT", "path": "*", "count": 1, "kind": "latency", "millis": 120000}),
    );
    let mut child = workspace
        .terraform_command(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start terraform");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines = stdout.lines();
    // Terraform prints this line once it has asked the provider to create.
    for line in lines.by_ref() {
        if line
            .expect("read terraform's output")
            .contains("jit_policy.web: Creating...")
        {
            break;
        }
    }
    let started = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let output = child.wait_with_output().expect("terraform ends");
    let elapsed = started.elapsed();
    assert!(!output.status.success());
    assert!(
        elapsed < Duration::from_secs(60),
        "stopped in {elapsed:?}, not after the 120 s call"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("interrupted"),
        "{stderr}\n{}",
        rest.join("\n")
    );
    let state = workspace.terraform(&["state", "list"]);
    assert_eq!(String::from_utf8_lossy(&state.stdout).trim(), "");
}
