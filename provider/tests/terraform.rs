//! The real `terraform` binary against the real provider binary, over AutoMTLS, plain gRPC and
//! debug/reattach: validate, plan and schema, and every invalid value reported at its line.

use jit_e2e::{Connection, Workspace, line_of, terraform_binary, workspace_root};

const PROVIDER: &str = env!("CARGO_BIN_EXE_terraform-provider-jit");

const HEADER: &str = r#"terraform {
  required_providers {
    jit = { source = "jit-as-code/jit" }
  }
}
"#;

fn workspace(connection: Connection) -> Option<Workspace> {
    let terraform = terraform_binary()?;
    Some(Workspace::new(
        terraform,
        std::path::Path::new(PROVIDER),
        connection,
    ))
}

/// A `jit_policy` with one VM (named `vm_name`) whose first `port` block has `port_body`.
fn policy(name_line: &str, vm_name: &str, port_body: &str) -> String {
    format!(
        r#"{HEADER}
resource "jit_policy" "case" {{
  {name_line}
  resource_group_name = "rg-prod"
  location            = "westeurope"
  virtual_machine {{
    id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/{vm_name}"
    port {{
{port_body}
    }}
  }}
}}
"#
    )
}

/// A `jit_policy` with one VM whose `port` blocks have the given bodies.
fn policy_with_ports(port_bodies: &[&str]) -> String {
    let ports: String = port_bodies
        .iter()
        .map(|body| format!("    port {{\n{body}\n    }}\n"))
        .collect();
    format!(
        r#"{HEADER}
resource "jit_policy" "case" {{
  resource_group_name = "rg-prod"
  location            = "westeurope"
  virtual_machine {{
    id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
{ports}  }}
}}
"#
    )
}

struct InvalidCase {
    name: &'static str,
    config: String,
    /// The diagnostic's summary.
    summary: &'static str,
    /// Text on the line the diagnostic must point at.
    line_marker: &'static str,
    /// Text the detail must contain (the bad value, or how to fix it).
    detail: &'static str,
}

fn invalid_cases() -> Vec<InvalidCase> {
    let port = |body: &str| policy("", "web-01", body);
    vec![
        InvalidCase {
            name: "port 70000",
            config: port("      number = 70000"),
            summary: "Invalid port number",
            line_marker: "number = 70000",
            detail: "between 0 and 65535",
        },
        InvalidCase {
            name: "protocol ICMP",
            config: port("      number = 22\n      protocol = \"ICMP\""),
            summary: "Invalid protocol",
            line_marker: "\"ICMP\"",
            detail: "ICMP",
        },
        InvalidCase {
            name: "bad CIDR",
            config: port(
                "      number = 22\n      allowed_source_address_prefix = \"10.0.0.0/33\"",
            ),
            summary: "Invalid source address prefix",
            line_marker: "10.0.0.0/33",
            detail: "10.0.0.0/33",
        },
        InvalidCase {
            name: "bad CIDR in a list",
            config: port(
                "      number = 22\n      allowed_source_address_prefixes = [\n        \"10.0.0.0/8\",\n        \"300.1.2.3\",\n      ]",
            ),
            summary: "Invalid source address prefix",
            line_marker: "300.1.2.3",
            detail: "300.1.2.3",
        },
        InvalidCase {
            name: "prefix and prefixes",
            config: port(
                "      number = 22\n      allowed_source_address_prefix = \"10.0.0.1\"\n      allowed_source_address_prefixes = [\"10.0.0.0/8\"]",
            ),
            summary: "Conflicting source address prefixes",
            line_marker: "allowed_source_address_prefix = ",
            detail: "not both",
        },
        InvalidCase {
            name: "empty prefixes",
            config: port("      number = 22\n      allowed_source_address_prefixes = []"),
            summary: "Empty source address prefixes",
            line_marker: "allowed_source_address_prefixes = []",
            detail: "prefix",
        },
        InvalidCase {
            name: "PT25H",
            config: port("      number = 22\n      max_request_access_duration = \"PT25H\""),
            summary: "Invalid maximum request access duration",
            line_marker: "PT25H",
            detail: "PT24H",
        },
        InvalidCase {
            name: "PT1M",
            config: port("      number = 22\n      max_request_access_duration = \"PT1M\""),
            summary: "Invalid maximum request access duration",
            line_marker: "PT1M",
            detail: "PT5M",
        },
        InvalidCase {
            name: "policy name + VM name over 56 characters",
            config: policy(
                "name = \"policy-for-the-production-web-tier-x\"",
                "web-server-frontend-01",
                "      number = 22",
            ),
            summary: "Policy name and VM name too long",
            line_marker: "name = \"policy-for",
            detail: "56",
        },
        InvalidCase {
            name: "default policy name + long VM name",
            config: policy(
                "",
                "a-virtual-machine-name-that-is-far-too-long-for-jit-x",
                "      number = 22",
            ),
            summary: "Policy name and VM name too long",
            line_marker: "virtualMachines/a-virtual",
            detail: "56",
        },
        InvalidCase {
            name: "region with spaces",
            config: policy("", "web-01", "      number = 22")
                .replace("\"westeurope\"", "\"West Europe\""),
            summary: "Invalid location",
            line_marker: "West Europe",
            detail: "write `westeurope`",
        },
        InvalidCase {
            name: "port 22 twice",
            config: policy_with_ports(&[
                "      number = 22",
                "      number = 3389",
                "      number = 22 # again",
            ]),
            summary: "Duplicate port",
            line_marker: "number = 22 # again",
            detail: "port 22 with protocol * is listed more than once",
        },
        InvalidCase {
            name: "port 22 for any protocol and for TCP",
            config: policy_with_ports(&[
                "      number = 22\n      protocol = \"TCP\"",
                "      number = 22 # any protocol, TCP included",
            ]),
            summary: "Duplicate port",
            line_marker: "number = 22 # any protocol",
            detail: "overlaps the earlier rule for port 22 with protocol TCP",
        },
        InvalidCase {
            name: "resource group ending in a period",
            config: policy("", "web-01", "      number = 22").replace(
                "resource_group_name = \"rg-prod\"",
                "resource_group_name = \"rg-prod.\"",
            ),
            summary: "Invalid resource group name",
            line_marker: "\"rg-prod.\"",
            detail: "remove the final `.`",
        },
    ]
}

fn check_invalid_configurations(connection: Connection) {
    let Some(workspace) = workspace(connection) else {
        return;
    };
    for case in invalid_cases() {
        workspace.write("main.tf", &case.config);
        let result = workspace.terraform_json(&["validate", "-json", "-no-color"]);
        assert_eq!(result["valid"], false, "{}: {result:#}", case.name);
        let errors: Vec<&serde_json::Value> = result["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|diagnostic| diagnostic["severity"] == "error")
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "{} ({connection:?}): expected exactly one error, got {errors:#?}",
            case.name
        );
        let error = errors[0];
        assert_eq!(error["summary"], case.summary, "{}: {error:#}", case.name);
        let detail = error["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(case.detail),
            "{}: detail {detail:?} should contain {:?}",
            case.name,
            case.detail
        );
        assert_eq!(
            error["range"]["filename"], "main.tf",
            "{}: {error:#}",
            case.name
        );
        assert_eq!(
            error["range"]["start"]["line"].as_u64(),
            Some(line_of(&case.config, case.line_marker) as u64),
            "{}: the diagnostic must point at the offending attribute: {error:#}",
            case.name
        );
        assert_eq!(error["address"], "jit_policy.case", "{}", case.name);
    }
}

/// TCP and UDP of one port number are two rules, not a duplicate.
fn check_tcp_and_udp_of_one_port_validate(connection: Connection) {
    let Some(workspace) = workspace(connection) else {
        return;
    };
    workspace.write(
        "main.tf",
        &policy_with_ports(&[
            "      number = 22\n      protocol = \"TCP\"",
            "      number = 22\n      protocol = \"UDP\"",
        ]),
    );
    let result = workspace.terraform_json(&["validate", "-json", "-no-color"]);
    assert_eq!(result["valid"], true, "({connection:?}) {result:#}");
    assert_eq!(result["error_count"], 0, "({connection:?}) {result:#}");
}

/// Every directory under `examples/` (at any depth) holding `.tf` files.
fn example_dirs(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read an examples directory")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    if entries
        .iter()
        .any(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "tf"))
    {
        found.push(dir.to_owned());
    }
    for path in entries {
        if path.is_dir() {
            example_dirs(&path, found);
        }
    }
}

fn check_examples_validate(connection: Connection) {
    let examples = workspace_root().join("examples");
    let mut dirs = Vec::new();
    example_dirs(&examples, &mut dirs);
    for dir in &dirs {
        let Some(workspace) = workspace(connection) else {
            return;
        };
        workspace.copy_tf_files(dir);
        let result = workspace.terraform_json(&["validate", "-json", "-no-color"]);
        assert_eq!(
            result["valid"],
            true,
            "{} ({connection:?}): {result:#}",
            dir.display()
        );
        assert_eq!(result["error_count"], 0, "{}: {result:#}", dir.display());
        // The one warning allowed is the harness's own: `dev_overrides` is in effect.
        let warnings: Vec<&serde_json::Value> = result["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| {
                d["severity"] == "warning"
                    && d["summary"] != "Provider development overrides are in effect"
            })
            .collect();
        assert!(warnings.is_empty(), "{}: {warnings:#?}", dir.display());
    }
    for expected in [
        "quickstart",
        "emulator",
        "resources/jit_policy",
        "resources/jit_policy_virtual_machine",
        "resources/jit_access_request",
        "data-sources/jit_policy",
        "data-sources/jit_policies",
        "data-sources/jit_access_requests",
        "data-sources/jit_virtual_machines",
        "data-sources/jit_requester_role",
        "ephemeral-resources/jit_access_request",
    ] {
        assert!(
            dirs.contains(&examples.join(expected)),
            "examples/{expected} holds no .tf file"
        );
    }
}

fn check_plan(connection: Connection) {
    let Some(workspace) = workspace(connection) else {
        return;
    };
    workspace.copy_tf_files(&workspace_root().join("examples/quickstart"));
    workspace.terraform_ok(&["plan", "-input=false", "-no-color", "-out=plan.tfplan"]);
    let plan = workspace.terraform_json(&["show", "-json", "plan.tfplan"]);
    let changes = plan["resource_changes"]
        .as_array()
        .expect("resource_changes");
    let actions: Vec<(String, String)> = changes
        .iter()
        .map(|change| {
            (
                change["address"].as_str().unwrap_or_default().to_owned(),
                change["change"]["actions"][0]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            (
                "jit_access_request.patching".to_owned(),
                "create".to_owned()
            ),
            ("jit_policy.prod".to_owned(), "create".to_owned())
        ]
    );
    let policy = &changes
        .iter()
        .find(|change| change["address"] == "jit_policy.prod")
        .expect("the policy")["change"];
    let after = &policy["after"];
    // Defaults are filled in the plan, and the id is known before apply.
    assert_eq!(after["name"], "default");
    assert_eq!(
        after["id"],
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"
    );
    assert_eq!(
        after["virtual_machine"][0]["port"][0]["max_request_access_duration"],
        "PT3H"
    );
    let effective: Vec<u64> = after["virtual_machine"][1]["effective_port"]
        .as_array()
        .expect("effective ports are known at plan time")
        .iter()
        .map(|port| port["number"].as_u64().unwrap_or_default())
        .collect();
    assert_eq!(effective, vec![3389, 5986]);
    assert_eq!(policy["after_unknown"]["provisioning_state"], true);
    let request = &changes
        .iter()
        .find(|change| change["address"] == "jit_access_request.patching")
        .expect("the request")["change"];
    assert_eq!(request["after_unknown"]["requestor"], true);
    assert_eq!(
        request["after"]["virtual_machine"][0]["port"][0]["duration"],
        "PT1H"
    );
}

fn check_defaults_for_a_vm_without_ports(connection: Connection) {
    let Some(workspace) = workspace(connection) else {
        return;
    };
    workspace.write(
        "main.tf",
        &format!(
            "{HEADER}\nresource \"jit_policy\" \"p\" {{\n  resource_group_name = \"rg\"\n  location = \"westeurope\"\n  virtual_machine {{\n    id = \"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm\"\n  }}\n}}\n"
        ),
    );
    workspace.terraform_ok(&["plan", "-input=false", "-no-color", "-out=plan.tfplan"]);
    let plan = workspace.terraform_json(&["show", "-json", "plan.tfplan"]);
    let ports = &plan["planned_values"]["root_module"]["resources"][0]["values"]["virtual_machine"]
        [0]["effective_port"];
    let summary: Vec<(u64, String, String)> = ports
        .as_array()
        .expect("effective ports")
        .iter()
        .map(|port| {
            (
                port["number"].as_u64().unwrap_or_default(),
                port["allowed_source_address_prefixes"][0]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                port["max_request_access_duration"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let expected: Vec<(u64, String, String)> = [22, 3389, 5985, 5986]
        .into_iter()
        .map(|n| (n, "*".to_owned(), "PT3H".to_owned()))
        .collect();
    assert_eq!(summary, expected);
}

fn check_schema(connection: Connection) {
    let Some(workspace) = workspace(connection) else {
        return;
    };
    workspace.write("main.tf", HEADER);
    let schema = workspace.terraform_json(&["providers", "schema", "-json"]);
    let provider = &schema["provider_schemas"][jit_e2e::SOURCE];
    let resources: Vec<&String> = provider["resource_schemas"]
        .as_object()
        .expect("resource schemas")
        .keys()
        .collect();
    assert_eq!(
        resources,
        vec![
            "jit_access_request",
            "jit_policy",
            "jit_policy_virtual_machine"
        ]
    );
    let kinds = |key: &str| -> Vec<String> {
        provider[key]
            .as_object()
            .map(|schemas| schemas.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(
        kinds("data_source_schemas"),
        vec![
            "jit_access_requests",
            "jit_policies",
            "jit_policy",
            "jit_requester_role",
            "jit_virtual_machines"
        ]
    );
    assert_eq!(
        kinds("ephemeral_resource_schemas"),
        vec!["jit_access_request"]
    );
    let policy = &provider["resource_schemas"]["jit_policy"]["block"];
    assert_eq!(policy["attributes"]["location"]["required"], true);
    assert!(
        policy["attributes"]["location"]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    assert_eq!(policy["block_types"]["virtual_machine"]["min_items"], 1);
    let port = &policy["block_types"]["virtual_machine"]["block"]["block_types"]["port"]["block"]["attributes"];
    assert_eq!(port["number"]["type"], "number");
    assert_eq!(
        provider["provider"]["block"]["attributes"]["client_secret"]["sensitive"],
        true
    );
}

/// A `jit_access_request` whose create cannot reach Azure (no credentials here) fails with the
/// operation named, and nothing half-created reaches state.
fn check_failed_apply_stores_nothing(connection: Connection) {
    let Some(workspace) = workspace(connection) else {
        return;
    };
    workspace.write(
        "main.tf",
        &format!(
            r#"{HEADER}
resource "jit_access_request" "patching" {{
  policy_id     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"
  justification = "INC-1234 patching"
  virtual_machine {{
    id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
    port {{
      number   = 22
      duration = "PT1H"
    }}
  }}
}}
"#
        ),
    );
    let output = workspace.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Could not create jit_access_request"),
        "{stderr}"
    );
    // Nothing half-created reached state.
    let state = workspace.terraform_json(&["show", "-json"]);
    assert!(
        state["values"].is_null() || state["values"]["root_module"]["resources"].is_null(),
        "{state:#}"
    );
}

macro_rules! for_each_connection {
    ($($check:ident),* $(,)?) => {
        mod tls {
            $(#[test] fn $check() { super::$check(super::Connection::Tls) })*
        }
        mod plain {
            $(#[test] fn $check() { super::$check(super::Connection::Plain) })*
        }
        mod reattach {
            $(#[test] fn $check() { super::$check(super::Connection::Reattach) })*
        }
    };
}

for_each_connection!(
    check_invalid_configurations,
    check_tcp_and_udp_of_one_port_validate,
    check_examples_validate,
    check_plan,
    check_defaults_for_a_vm_without_ports,
    check_schema,
    check_failed_apply_stores_nothing,
    check_plans_against_existing_state,
    check_provider_configuration,
);

/// Terraform asks the provider to shut down; without `GRPCController/Shutdown` every provider
/// process costs a two-second kill and a warning in the log.
#[test]
fn provider_exits_when_terraform_is_done() {
    let Some(mut workspace) = workspace(Connection::Tls) else {
        return;
    };
    workspace.env("TF_LOG", "trace");
    workspace.write("main.tf", &policy("", "web-01", "      number = 22"));
    let output = workspace.terraform(&["plan", "-input=false", "-no-color"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("plugin process exited"), "no exit recorded");
    assert!(
        !log.contains("plugin failed to exit gracefully"),
        "the provider had to be killed"
    );
    assert!(
        !log.contains("signal: killed"),
        "the provider had to be killed"
    );
    // Provider logs reach Terraform's log as hclog lines under the provider's name.
    assert!(
        log.contains("provider.terraform-provider-jit"),
        "provider logs are missing from TF_LOG output"
    );
}

/// `scripts/install-provider.sh` puts the provider in a filesystem mirror from which
/// `terraform init` installs it offline, checksum in the lock file, like any provider.
#[test]
fn installed_provider_is_found_by_terraform_init_offline() {
    let Some(terraform) = terraform_binary() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let mirror = dir.path().join("mirror");
    let status = std::process::Command::new("bash")
        .arg(workspace_root().join("scripts/install-provider.sh"))
        .args([
            "--mirror",
            mirror.to_str().expect("utf-8 path"),
            "--binary",
            PROVIDER,
        ])
        .status()
        .expect("run the install script");
    assert!(status.success());
    let config = dir.path().join("cli.tfrc");
    std::fs::write(
        &config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n    include = [\"registry.terraform.io/jit-as-code/*\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/jit-as-code/*\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .expect("write the CLI configuration");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("create the work directory");
    std::fs::write(
        work.join("main.tf"),
        policy("", "web-01", "      number = 22"),
    )
    .expect("write main.tf");
    let run = |args: &[&str]| {
        std::process::Command::new(&terraform)
            .args(args)
            .current_dir(&work)
            .env("TF_CLI_CONFIG_FILE", &config)
            .env("ARM_SUBSCRIPTION_ID", jit_e2e::SUBSCRIPTION_ID)
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_REATTACH_PROVIDERS")
            .output()
            .expect("run terraform")
    };
    let init = run(&["init", "-input=false", "-no-color"]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let lock = std::fs::read_to_string(work.join(".terraform.lock.hcl")).expect("a lock file");
    assert!(
        lock.contains("registry.terraform.io/jit-as-code/jit") && lock.contains("h1:"),
        "{lock}"
    );
    let plan = run(&["plan", "-input=false", "-no-color"]);
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    assert!(String::from_utf8_lossy(&plan.stdout).contains("1 to add"));
}

/// A state written earlier (JSON, as Terraform stores it) goes through `UpgradeResourceState`;
/// then a changed location plans a replacement and a changed port an in-place update. The plans
/// do not refresh (which would read the policy from Azure): Terraform upgrades the prior state
/// all the same.
fn check_plans_against_existing_state(connection: Connection) {
    let Some(workspace) = workspace(connection) else {
        return;
    };
    let vm = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01";
    let id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default";
    let port = serde_json::json!({
        "number": 22, "protocol": "TCP", "allowed_source_address_prefix": null,
        "allowed_source_address_prefixes": ["203.0.113.0/24"], "max_request_access_duration": "PT3H"
    });
    let attributes = serde_json::json!({
        "id": id, "name": "default", "resource_group_name": "rg-prod", "location": "westeurope",
        "provisioning_state": "Succeeded",
        "virtual_machine": [{
            "id": vm, "public_ip_address": null, "port": [port],
            "effective_port": [{"number": 22, "protocol": "TCP", "allowed_source_address_prefixes": ["203.0.113.0/24"], "max_request_access_duration": "PT3H"}]
        }]
    });
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "5f1c7b0e-0000-4000-8000-000000000001",
        "outputs": {}, "check_results": null,
        "resources": [{
            "mode": "managed", "type": "jit_policy", "name": "case",
            "provider": "provider[\"registry.terraform.io/jit-as-code/jit\"]",
            "instances": [{"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}]
        }]
    });
    workspace.write("terraform.tfstate", &state.to_string());
    let config = |location: &str, duration: &str| {
        policy("", "web-01", &format!("      number = 22\n      protocol = \"TCP\"\n      allowed_source_address_prefixes = [\"203.0.113.0/24\"]\n      max_request_access_duration = \"{duration}\""))
            .replace("\"westeurope\"", &format!("\"{location}\""))
    };
    let plan_actions = |location: &str, duration: &str| {
        workspace.write("main.tf", &config(location, duration));
        workspace.terraform_ok(&[
            "plan",
            "-input=false",
            "-no-color",
            // Refreshing would ask Azure; this check is about the stored state and the plan.
            "-refresh=false",
            "-out=plan.tfplan",
        ]);
        let plan = workspace.terraform_json(&["show", "-json", "plan.tfplan"]);
        let change = &plan["resource_changes"][0];
        let actions: Vec<String> = change["change"]["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .map(|a| a.as_str().unwrap_or_default().to_owned())
            .collect();
        (
            actions,
            change["change"]["replace_paths"].clone(),
            change["change"]["after"].clone(),
        )
    };
    let (actions, _, _) = plan_actions("westeurope", "PT3H");
    assert_eq!(
        actions,
        vec!["no-op"],
        "({connection:?}) unchanged configuration must plan no change"
    );
    let (actions, replace_paths, _) = plan_actions("northeurope", "PT3H");
    assert_eq!(
        actions,
        vec!["delete", "create"],
        "({connection:?}) a new location replaces the policy"
    );
    assert_eq!(replace_paths, serde_json::json!([["location"]]));
    let (actions, _, after) = plan_actions("westeurope", "PT1H");
    assert_eq!(
        actions,
        vec!["update"],
        "({connection:?}) a port change is an in-place update"
    );
    assert_eq!(after["id"], id, "the id stays known on update");
    assert_eq!(
        after["virtual_machine"][0]["effective_port"][0]["max_request_access_duration"],
        "PT1H"
    );
}

/// The provider block is validated without calling Azure: a bad value points at its line, and
/// a missing subscription says where to set it.
fn check_provider_configuration(connection: Connection) {
    let Some(mut workspace) = workspace(connection) else {
        return;
    };
    let config = format!(
        "{HEADER}\nprovider \"jit\" {{\n  environment = \"german\"\n}}\n\n{}",
        &policy("", "web-01", "      number = 22")[HEADER.len()..]
    );
    workspace.write("main.tf", &config);
    let result = workspace.terraform_json(&["validate", "-json", "-no-color"]);
    let errors: Vec<&serde_json::Value> = result["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{result:#}");
    assert_eq!(errors[0]["summary"], "Unknown Azure environment");
    assert_eq!(
        errors[0]["range"]["start"]["line"].as_u64(),
        Some(line_of(&config, "german") as u64)
    );

    if connection == Connection::Reattach {
        // A debug provider reads ARM_* from its own environment, which this test does not change.
        return;
    }
    workspace.write("main.tf", &policy("", "web-01", "      number = 22"));
    workspace.remove_env("ARM_SUBSCRIPTION_ID");
    let output = workspace.terraform(&["plan", "-input=false", "-no-color"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Missing subscription") && stderr.contains("ARM_SUBSCRIPTION_ID"),
        "{stderr}"
    );
}
