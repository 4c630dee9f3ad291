//! Access requests with the real `terraform` against the emulator: a request opens its port in
//! the NSG for its source; what the policy refuses fails at plan time without a call; expiry is
//! reported once and then kept quiet, or renewed with `renew = true`; an ephemeral request
//! lasts one run and leaves nothing in state or plan files; the data sources return what the
//! emulator holds, across pages.

use jit_e2e::Workspace;
use jit_e2e::emulator::{Emulator, SeededVm, policy_id};
use serde_json::{Value, json};

mod common;
use common::{HEADER, apply, plan_exit_code, workspace};

/// A policy for `web` on port 22 (TCP, at most PT3H) from the loopback block, where the
/// provider's calls come from, and 10.0.0.0/8.
fn policy(web: &SeededVm) -> String {
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
      allowed_source_address_prefixes = ["127.0.0.0/8", "10.0.0.0/8"]
      max_request_access_duration     = "PT3H"
    }}
  }}
}}
"#,
        web = web.id
    )
}

/// A request for `port_body` on `web` through the policy above.
fn request(web: &SeededVm, extra: &str, port_body: &str) -> String {
    format!(
        r#"
resource "jit_access_request" "ssh" {{
  policy_id     = jit_policy.web.id
  justification = "INC-1234 patching"
  {extra}
  virtual_machine {{
    id = "{web}"
    port {{
      {port_body}
    }}
  }}
}}
"#,
        web = web.id
    )
}

/// An emulator with `web-01`, and a workspace that has applied [`policy`].
fn applied_policy() -> Option<(Emulator, Workspace, SeededVm)> {
    let emulator = Emulator::start();
    let workspace = workspace(&emulator)?;
    let web = emulator.seed_vm("rg-prod", "web-01");
    workspace.write("main.tf", &policy(&web));
    apply(&workspace, &[]);
    Some((emulator, workspace, web))
}

/// The state of `address` as `terraform show -json` gives it.
fn resource_values(workspace: &Workspace, address: &str) -> Value {
    let state = workspace.terraform_json(&["show", "-json"]);
    state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|resource| resource["address"] == address)
        .map(|resource| resource["values"].clone())
        .unwrap_or(Value::Null)
}

/// The policy's request history, as `(source, status, reason)` per port.
fn history(emulator: &Emulator) -> Vec<(String, String, String)> {
    let held = emulator
        .policy(&policy_id("rg-prod", "default"))
        .expect("the policy");
    held["properties"]["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|request| {
            request["virtualMachines"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|vm| vm["ports"].as_array().cloned().unwrap_or_default())
        .map(|port| {
            let text = |key: &str| port[key].as_str().unwrap_or_default().to_owned();
            (
                text("allowedSourceAddressPrefix"),
                text("status"),
                text("statusReason"),
            )
        })
        .collect()
}

fn allow_rules(emulator: &Emulator, web: &SeededVm) -> Vec<(String, String)> {
    emulator
        .jit_rules(&web.nsg)
        .into_iter()
        .filter(|(_, access, _, _)| access == "Allow")
        .map(|(_, _, port, source)| (port, source))
        .collect()
}

#[test]
fn a_request_opens_its_port_for_the_callers_address_and_expiry_is_said_once() {
    let Some((emulator, workspace, web)) = applied_policy() else {
        return;
    };
    workspace.write(
        "main.tf",
        &(policy(&web) + &request(&web, "", "number = 22\n      duration = \"PT1H\"")),
    );
    apply(&workspace, &[]);

    // Without a source, Azure opens the port to the caller's address and records it.
    let values = resource_values(&workspace, "jit_access_request.ssh");
    let port = &values["virtual_machine"][0]["port"][0];
    assert_eq!(
        port["allowed_source_address_prefix"], "127.0.0.1",
        "{values:#}"
    );
    assert_eq!(port["status"], "Initiated");
    assert!(
        port["end_time_utc"]
            .as_str()
            .is_some_and(|end| end.ends_with('Z'))
    );
    assert!(values["requestor"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(values["id"].as_str().is_some_and(|id| id.contains('|')));
    assert_eq!(
        allow_rules(&emulator, &web),
        vec![("22".to_owned(), "127.0.0.1".to_owned())]
    );
    assert_eq!(history(&emulator).len(), 1);
    assert_eq!(
        plan_exit_code(&workspace).0,
        0,
        "a new request is not a change"
    );

    // Past the end time, Azure closes the port; refresh says so, and the plan stays quiet.
    emulator.state.clock.advance(time::Duration::hours(2));
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 0, "{plan}");
    assert!(plan.contains("JIT access ended"), "{plan}");
    assert!(allow_rules(&emulator, &web).is_empty());
    // An apply with nothing to change keeps the refreshed state: the warning is not repeated.
    let output = apply(&workspace, &[]);
    assert!(
        output.contains("0 added, 0 changed, 0 destroyed"),
        "{output}"
    );
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 0, "{plan}");
    assert!(!plan.contains("JIT access ended"), "{plan}");
    let port =
        &resource_values(&workspace, "jit_access_request.ssh")["virtual_machine"][0]["port"][0];
    assert_eq!(
        (&port["status"], &port["status_reason"]),
        (&json!("Revoked"), &json!("Expired"))
    );
    // Nothing was asked again.
    assert_eq!(history(&emulator).len(), 1);

    // Destroy forgets it (the API cannot withdraw a request) and keeps the history.
    emulator.state.clock.unfreeze();
    workspace.terraform_ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=jit_access_request.ssh",
    ]);
    assert_eq!(history(&emulator).len(), 1);
}

#[test]
fn renew_asks_again_once_a_newer_request_revoked_it() {
    let Some((emulator, workspace, web)) = applied_policy() else {
        return;
    };
    workspace.write(
        "main.tf",
        &(policy(&web)
            + &request(
                &web,
                "renew = true",
                "number = 22\n      allowed_source_address_prefix = \"10.1.2.3\"\n      duration = \"PT1H\"",
            )),
    );
    apply(&workspace, &[]);
    let first = resource_values(&workspace, "jit_access_request.ssh")["start_time_utc"].clone();
    assert_eq!(plan_exit_code(&workspace).0, 0);

    // Someone else asks for the same port: Azure revokes ours.
    let end =
        jit_emulator::clock::format_azure(emulator.state.clock.now() + time::Duration::minutes(30));
    let (status, body) = emulator.arm(
        "POST",
        &format!("{}/initiate", policy_id("rg-prod", "default")),
        Some(json!({"virtualMachines": [{"id": web.id, "ports": [{"number": 22, "endTimeUtc": end, "allowedSourceAddressPrefix": "10.9.9.9"}]}]})),
    );
    assert_eq!(status, 202, "{body}");
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 2, "{plan}");
    assert!(
        plan.contains("jit_access_request.ssh must be replaced"),
        "{plan}"
    );
    apply(&workspace, &[]);
    let values = resource_values(&workspace, "jit_access_request.ssh");
    assert_ne!(values["start_time_utc"], first);
    assert_eq!(
        values["virtual_machine"][0]["port"][0]["status"],
        "Initiated"
    );
    assert_eq!(
        history(&emulator)
            .iter()
            .filter(|(source, _, _)| source == "10.1.2.3")
            .count(),
        2
    );
    let (code, plan) = plan_exit_code(&workspace);
    assert_eq!(code, 0, "{plan}");
}

#[test]
fn requests_the_policy_refuses_fail_at_plan_time_without_a_call() {
    let Some((emulator, workspace, web)) = applied_policy() else {
        return;
    };
    emulator.reset_requests();
    assert_eq!(plan_exit_code(&workspace).0, 0);
    let baseline = emulator.requests();
    for (port_body, summary, attribute) in [
        (
            "number = 3389\n      duration = \"PT1H\"",
            "Port not in the JIT policy",
            "number",
        ),
        (
            "number = 22\n      duration = \"PT4H\"",
            "Request longer than the JIT policy allows",
            "duration",
        ),
        (
            "number = 22\n      duration = \"PT1H\"\n      allowed_source_address_prefix = \"192.0.2.7\"",
            "Source not allowed by the JIT policy",
            "allowed_source_address_prefix",
        ),
    ] {
        let asked = request(&web, "", port_body);
        workspace.write("main.tf", &(policy(&web) + &asked));
        emulator.reset_requests();
        let output = workspace.terraform(&["plan", "-input=false", "-no-color"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{port_body}: the plan must fail");
        assert!(stderr.contains(summary), "{stderr}");
        // The diagnostic points at the offending line of the configuration.
        let line =
            policy(&web).lines().count() + jit_e2e::line_of(&asked, &format!("{attribute} "));
        assert!(
            stderr.contains(&format!("on main.tf line {line}")),
            "{stderr}"
        );
        // The same calls as the plan without the request (the policy's refresh): none to ask.
        assert_eq!(emulator.requests(), baseline, "{port_body}");
    }
    assert!(history(&emulator).is_empty());
}

#[test]
fn an_ephemeral_request_lasts_one_run_and_leaves_nothing_behind() {
    let Some((emulator, workspace, web)) = applied_policy() else {
        return;
    };
    let config = policy(&web)
        + &format!(
            r#"
ephemeral "jit_access_request" "ssh" {{
  policy_id          = jit_policy.web.id
  virtual_machine_id = "{web}"
  port               = 22
  duration           = "PT10M"
  justification      = "release-42"
}}

resource "terraform_data" "deploy" {{
  provisioner "local-exec" {{
    command = "echo ${{ephemeral.jit_access_request.ssh.address}}:${{ephemeral.jit_access_request.ssh.connect_port}} ${{ephemeral.jit_access_request.ssh.source}} > connected.txt"
  }}
}}
"#,
            web = web.id
        );
    workspace.write("main.tf", &config);
    workspace.terraform_ok(&["plan", "-input=false", "-no-color", "-out=run.tfplan"]);
    let plan = workspace
        .terraform_json(&["show", "-json", "run.tfplan"])
        .to_string();
    // Its values are nowhere in the plan (its name is, in the provisioner's references).
    assert!(
        !plan.contains("10.0.0.4") && !plan.contains("127.0.0.1") && !plan.contains("release-42"),
        "{plan}"
    );
    workspace.terraform_ok(&["apply", "-input=false", "-no-color", "run.tfplan"]);

    // The provisioner had what it needed to connect.
    let connected = std::fs::read_to_string(workspace.path().join("connected.txt"))
        .expect("the provisioner ran");
    assert_eq!(connected.trim(), "10.0.0.4:22 127.0.0.1");
    // Nothing of it reached state: no resource, no value (its name is, in a dependency list).
    let state = std::fs::read_to_string(workspace.path().join("terraform.tfstate")).expect("state");
    assert!(
        !state.contains("\"type\": \"jit_access_request\""),
        "{state}"
    );
    assert!(
        !state.contains("10.0.0.4")
            && !state.contains("127.0.0.1")
            && !state.contains("release-42"),
        "{state}"
    );
    // Its access has ended: every request from the caller is revoked, by a closing request
    // from an address no host has (the network address of the allowed 127.0.0.0/8).
    let requests = history(&emulator);
    let from_caller: Vec<_> = requests
        .iter()
        .filter(|(source, _, _)| source == "127.0.0.1")
        .collect();
    assert!(!from_caller.is_empty(), "{requests:?}");
    assert!(
        from_caller
            .iter()
            .all(|(_, status, reason)| status == "Revoked" && reason == "NewerRequestInitiated"),
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|(source, _, _)| source == "127.0.0.0"),
        "{requests:?}"
    );
    assert!(
        allow_rules(&emulator, &web)
            .iter()
            .all(|(_, source)| source == "127.0.0.0"),
        "{:?}",
        allow_rules(&emulator, &web)
    );
}

#[test]
fn policy_data_sources_return_what_the_emulator_holds_across_pages() {
    let emulator = Emulator::start_with(jit_emulator::Config {
        page_size: 2,
        ..jit_emulator::Config::default()
    });
    let Some(workspace) = workspace(&emulator) else {
        return;
    };
    for (group, name) in [
        ("rg-a", "default"),
        ("rg-a", "p2"),
        ("rg-a", "p3"),
        ("rg-b", "default"),
        ("rg-b", "p5"),
    ] {
        let vm = emulator.seed_vm(group, &format!("{name}-vm"));
        let body = json!({"kind": "Basic", "location": "westeurope", "properties": {"virtualMachines": [
            {"id": vm.id, "ports": [{"number": 22, "protocol": "TCP", "allowedSourceAddressPrefix": "10.0.0.0/8", "maxRequestAccessDuration": "PT2H"}]}
        ]}});
        let (status, answer) = emulator.arm("PUT", &policy_id(group, name), Some(body));
        assert_eq!(status, 200, "{answer}");
    }
    workspace.write(
        "main.tf",
        &format!(
            r#"{HEADER}
data "jit_policies" "all" {{}}

data "jit_policies" "a" {{
  resource_group_name = "rg-a"
  location            = "westeurope"
}}

data "jit_policy" "portal" {{
  resource_group_name = "rg-b"
  location            = "westeurope"
}}

output "all" {{ value = [for p in data.jit_policies.all.policies : "${{p.resource_group_name}}/${{p.name}}"] }}
output "a" {{ value = [for p in data.jit_policies.a.policies : p.name] }}
output "portal" {{ value = data.jit_policy.portal }}
"#
        ),
    );
    apply(&workspace, &[]);
    let outputs = workspace.terraform_json(&["output", "-json"]);
    assert_eq!(
        outputs["all"]["value"],
        json!([
            "rg-a/default",
            "rg-a/p2",
            "rg-a/p3",
            "rg-b/default",
            "rg-b/p5"
        ])
    );
    assert_eq!(outputs["a"]["value"], json!(["default", "p2", "p3"]));
    let portal = &outputs["portal"]["value"];
    assert_eq!(portal["id"], json!(policy_id("rg-b", "default")));
    assert_eq!(portal["name"], "default");
    assert_eq!(
        portal["virtual_machine"][0]["port"][0],
        json!({"number": 22, "protocol": "TCP", "allowed_source_address_prefixes": ["10.0.0.0/8"], "max_request_access_duration": "PT2H"})
    );

    // A policy that is not there is an error on the name.
    workspace.write(
        "main.tf",
        &format!("{HEADER}\ndata \"jit_policy\" \"none\" {{\n  name = \"missing\"\n  resource_group_name = \"rg-a\"\n  location = \"westeurope\"\n}}\n"),
    );
    let output = workspace.terraform(&["plan", "-input=false", "-no-color"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("JIT policy not found") && stderr.contains("\"missing\""),
        "{stderr}"
    );
}

#[test]
fn audit_and_inventory_data_sources_return_what_the_emulator_holds_across_pages() {
    let emulator = Emulator::start_with(jit_emulator::Config {
        page_size: 2,
        ..jit_emulator::Config::default()
    });
    let Some(workspace) = workspace(&emulator) else {
        return;
    };
    // Three policies (two pages of the list) in two groups, one VM each; a fourth VM no policy
    // covers, and a fifth without an NSG.
    let mut vms = Vec::new();
    for (group, name) in [("rg-a", "default"), ("rg-a", "second"), ("rg-b", "default")] {
        let vm = emulator.seed_vm(group, &format!("{name}-vm"));
        let body = json!({"kind": "Basic", "location": "westeurope", "properties": {"virtualMachines": [
            {"id": vm.id, "ports": [{"number": 22, "protocol": "TCP", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"}]}
        ]}});
        assert_eq!(
            emulator.arm("PUT", &policy_id(group, name), Some(body)).0,
            200
        );
        vms.push((group, name, vm));
    }
    emulator.seed_vm("rg-a", "loose-vm");
    let (status, body) = emulator.admin(
        "POST",
        "/_emulator/vms",
        Some(json!({"id": jit_e2e::emulator::vm_id("rg-b", "bare-vm"), "location": "westeurope", "nsg": false})),
    );
    assert!(status < 300, "{body}");
    // Two requests on each policy's VM, with sources and justifications of their own.
    for (round, source) in ["10.0.0.1", "10.0.0.2"].into_iter().enumerate() {
        for (group, name, vm) in &vms {
            let end = jit_emulator::clock::format_azure(
                emulator.state.clock.now() + time::Duration::minutes(30),
            );
            let (status, body) = emulator.arm(
                "POST",
                &format!("{}/initiate", policy_id(group, name)),
                Some(json!({"justification": format!("ticket-{round}"), "virtualMachines": [{"id": vm.id, "ports": [{"number": 22, "endTimeUtc": end, "allowedSourceAddressPrefix": source}]}]})),
            );
            assert_eq!(status, 202, "{body}");
        }
    }
    workspace.write(
        "main.tf",
        &format!(
            r#"{HEADER}
data "jit_access_requests" "all" {{}}

data "jit_access_requests" "one_vm" {{
  virtual_machine_id = "{vm}"
  since              = "PT1H"
}}

data "jit_virtual_machines" "all" {{}}

data "jit_requester_role" "portal" {{}}

output "all" {{ value = data.jit_access_requests.all.requests }}
output "one_vm" {{ value = data.jit_access_requests.one_vm.requests }}
output "vms" {{ value = {{ for vm in data.jit_virtual_machines.all.virtual_machines : "${{vm.resource_group_name}}/${{vm.name}}" => [vm.status, vm.reason, vm.approved_requests_last_7_days] }} }}
output "actions" {{ value = data.jit_requester_role.portal.actions }}
"#,
            vm = vms[0].2.id
        ),
    );
    apply(&workspace, &[]);
    let outputs = workspace.terraform_json(&["output", "-json"]);

    // The audit trail is every port of every request the emulator holds, whatever page its
    // policy is on.
    let mut expected: Vec<(String, String, String, String)> = Vec::new();
    for (group, name, _) in &vms {
        let held = emulator
            .policy(&policy_id(group, name))
            .expect("the policy");
        for request in held["properties"]["requests"].as_array().expect("requests") {
            for vm in request["virtualMachines"].as_array().expect("VMs") {
                for port in vm["ports"].as_array().expect("ports") {
                    expected.push((
                        vm["id"].as_str().unwrap_or_default().to_owned(),
                        request["justification"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        port["allowedSourceAddressPrefix"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        port["status"].as_str().unwrap_or_default().to_owned(),
                    ));
                }
            }
        }
    }
    let all = outputs["all"]["value"].as_array().expect("a list");
    let mut got: Vec<(String, String, String, String)> = all
        .iter()
        .map(|entry| {
            (
                entry["virtual_machine_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                entry["justification"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                entry["sources"][0].as_str().unwrap_or_default().to_owned(),
                entry["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got.len(), 6);
    assert_eq!(got, expected);
    assert!(
        all.iter()
            .all(|entry| entry["requestor"].as_str().is_some_and(|r| !r.is_empty()))
    );
    let one_vm = outputs["one_vm"]["value"].as_array().expect("a list");
    assert_eq!(one_vm.len(), 2, "{one_vm:#?}");
    assert!(
        one_vm
            .iter()
            .all(|entry| entry["virtual_machine_id"] == json!(vms[0].2.id))
    );

    // The inventory: three protected, one not, one that cannot be.
    let inventory = &outputs["vms"]["value"];
    assert_eq!(
        inventory["rg-a/default-vm"],
        json!(["configured", null, 2]),
        "{inventory:#}"
    );
    assert_eq!(inventory["rg-a/second-vm"], json!(["configured", null, 2]));
    assert_eq!(inventory["rg-b/default-vm"], json!(["configured", null, 2]));
    assert_eq!(
        inventory["rg-a/loose-vm"],
        json!(["not_configured", null, 0])
    );
    assert_eq!(inventory["rg-b/bare-vm"][0], "unsupported");
    assert!(
        inventory["rg-b/bare-vm"][1]
            .as_str()
            .is_some_and(|reason| reason.contains("network security group"))
    );
    assert!(
        outputs["actions"]["value"]
            .as_array()
            .expect("actions")
            .contains(&json!(
                "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action"
            ))
    );
}

#[test]
fn behind_an_azure_firewall_the_ephemeral_request_gives_the_firewall_and_its_mapped_port() {
    let emulator = Emulator::start();
    let Some(workspace) = workspace(&emulator) else {
        return;
    };
    let web = emulator.seed_vm("rg-prod", "web-01");
    let policy = format!(
        r#"{HEADER}
resource "jit_policy" "web" {{
  resource_group_name = "rg-prod"
  location            = "westeurope"
  virtual_machine {{
    id                = "{web}"
    public_ip_address = "52.174.10.20"
    port {{
      number = 3389
    }}
  }}
}}
"#,
        web = web.id
    );
    workspace.write("main.tf", &policy);
    apply(&workspace, &[]);
    workspace.write(
        "main.tf",
        &(policy
            + &format!(
                r#"
ephemeral "jit_access_request" "rdp" {{
  policy_id          = jit_policy.web.id
  virtual_machine_id = "{web}"
  port               = 3389
}}

resource "terraform_data" "connect" {{
  provisioner "local-exec" {{
    command = "echo ${{ephemeral.jit_access_request.rdp.address}}:${{ephemeral.jit_access_request.rdp.connect_port}} ${{ephemeral.jit_access_request.rdp.mapped_port}} ${{ephemeral.jit_access_request.rdp.end_time_utc}} > connected.txt"
  }}
}}
"#,
                web = web.id
            )),
    );
    apply(&workspace, &[]);
    let connected = std::fs::read_to_string(workspace.path().join("connected.txt"))
        .expect("the provisioner ran");
    let fields: Vec<&str> = connected.split_whitespace().collect();
    // The firewall's address and its DNAT port for the VM's first rule.
    assert_eq!(fields[..2], ["52.174.10.20:50000", "50000"], "{connected}");
    // Without `duration`: an hour (the port's maximum is PT3H), renewed if the run lasts.
    let end =
        time::OffsetDateTime::parse(fields[2], &time::format_description::well_known::Rfc3339)
            .expect("an end time");
    let left = end - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::minutes(55) && left <= time::Duration::minutes(60),
        "{left}"
    );
}
