//! The real `jit` binary against an emulator in this process, over TLS with authentication
//! on, reached through the `ARM_*` variables and `SSL_CERT_FILE` as a user's shell would set
//! them. What the emulator holds is read through its own API, never through `jit_azure`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::process::{Command, Output};

use jit_e2e::emulator::{Emulator, policy_id, vm_id};
use serde_json::{Value, json};

/// Runs `jit` with exactly the emulator's settings: nothing of the caller's environment (an
/// `ARM_USE_MSI` of the machine, say) leaks in.
fn jit(emulator: &Emulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jit"))
        .env_clear()
        .envs(emulator.provider_env())
        .args(args)
        .output()
        .expect("run jit")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn succeeded(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// A policy `name` in `group` for `vms`, each with the given `(port, source, max)` rules.
fn put_policy(
    emulator: &Emulator,
    group: &str,
    name: &str,
    vms: &[(&str, Option<&str>)],
    ports: &[(u16, &str, &str)],
) {
    let rules: Vec<Value> = ports
        .iter()
        .map(|(number, source, max)| {
            json!({"number": number, "protocol": "*", "allowedSourceAddressPrefix": source, "maxRequestAccessDuration": max})
        })
        .collect();
    let machines: Vec<Value> = vms
        .iter()
        .map(|(id, firewall)| {
            let mut vm = json!({"id": id, "ports": rules});
            if let Some(address) = firewall {
                vm["publicIpAddress"] = json!(address);
            }
            vm
        })
        .collect();
    let (status, body) = emulator.arm(
        "PUT",
        &policy_id(group, name),
        Some(json!({"kind": "Basic", "location": "westeurope", "properties": {"virtualMachines": machines}})),
    );
    assert_eq!(status, 200, "{body}");
}

fn initiate(
    emulator: &Emulator,
    policy: &str,
    vm: &str,
    ports: &[u16],
    end: &str,
    source: Option<&str>,
    justification: &str,
) {
    let ports: Vec<Value> = ports
        .iter()
        .map(|number| {
            let mut port = json!({"number": number, "endTimeUtc": end});
            if let Some(source) = source {
                port["allowedSourceAddressPrefix"] = json!(source);
            }
            port
        })
        .collect();
    let (status, body) = emulator.arm(
        "POST",
        &format!("{policy}/initiate"),
        Some(json!({"virtualMachines": [{"id": vm, "ports": ports}], "justification": justification})),
    );
    assert_eq!(status, 202, "{body}");
}

fn page_size(emulator: &Emulator, size: u32) {
    let (status, body) =
        emulator.admin("POST", "/_emulator/config", Some(json!({"pageSize": size})));
    assert_eq!(status, 200, "{body}");
}

fn initiate_calls(emulator: &Emulator) -> u64 {
    emulator
        .requests()
        .iter()
        .filter(|(method, path, _)| method == "POST" && path.ends_with("/initiate"))
        .map(|(_, _, count)| count)
        .sum()
}

#[test]
fn version_help_and_usage_errors() {
    let emulator = Emulator::start();
    let version = succeeded(&jit(&emulator, &["--version"]));
    assert_eq!(version.trim(), format!("jit {}", env!("CARGO_PKG_VERSION")));
    let help = succeeded(&jit(&emulator, &["--help"]));
    for command in ["request", "status", "audit", "ARM_SUBSCRIPTION_ID"] {
        assert!(help.contains(command), "{help}");
    }
    for args in [
        &["request"][..],
        &["request", "not-a-vm", "--port", "22", "--duration", "PT1H"],
        &[
            "request",
            &vm_id("rg", "vm"),
            "--port",
            "ssh",
            "--duration",
            "PT1H",
        ],
        &[
            "request",
            &vm_id("rg", "vm"),
            "--port",
            "22",
            "--duration",
            "1 hour",
        ],
        &["audit", "--since", "yesterday"],
        &["status", "--format", "yaml"],
    ] {
        let output = jit(&emulator, args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
    let output = jit(
        &emulator,
        &[
            "request",
            &vm_id("rg", "vm"),
            "--port",
            "ssh",
            "--duration",
            "PT1H",
        ],
    );
    assert!(stderr(&output).contains("--port"), "{}", stderr(&output));
    assert!(
        emulator.requests().is_empty(),
        "no usage error reaches Azure"
    );
}

#[test]
fn missing_settings_are_explained_and_no_secret_is_printed() {
    let emulator = Emulator::start();
    let output = Command::new(env!("CARGO_BIN_EXE_jit"))
        .env_clear()
        .envs(
            emulator
                .provider_env()
                .into_iter()
                .filter(|(name, _)| name != "ARM_SUBSCRIPTION_ID"),
        )
        .args(["status"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.starts_with("ERROR: "), "{text}");
    assert!(text.contains("ARM_SUBSCRIPTION_ID"), "{text}");
    assert!(
        !text.contains(jit_emulator::auth::DEFAULT_CLIENT_SECRET),
        "{text}"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn request_without_source_records_the_callers_address_and_opens_the_nsg() {
    let emulator = Emulator::start();
    let vm = emulator.seed_vm("rg-web", "web-01");
    put_policy(
        &emulator,
        "rg-web",
        "default",
        &[(vm.id.as_str(), None)],
        &[(22, "*", "PT3H"), (3389, "*", "PT3H")],
    );
    let output = succeeded(&jit(
        &emulator,
        &[
            "request",
            &vm.id,
            "--port",
            "22",
            "--duration",
            "PT1H",
            "--justification",
            "INC-42, reboot",
        ],
    ));
    assert!(
        output.contains("Access to web-01 (resource group rg-web)"),
        "{output}"
    );
    assert!(output.contains("port 22 from 127.0.0.1 until "), "{output}");
    assert!(output.contains(" UTC"), "{output}");

    let policy = emulator.policy(&policy_id("rg-web", "default")).unwrap();
    let requests = policy["properties"]["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["justification"], "INC-42, reboot");
    assert_eq!(
        requests[0]["requestor"],
        jit_emulator::auth::DEFAULT_CLIENT_NAME
    );
    let port = &requests[0]["virtualMachines"][0]["ports"][0];
    assert_eq!(port["number"], 22);
    assert_eq!(port["allowedSourceAddressPrefix"], "127.0.0.1");
    assert_eq!(port["status"], "Initiated");

    let allow: Vec<_> = emulator
        .jit_rules(&vm.nsg)
        .into_iter()
        .filter(|(_, access, _, _)| access == "Allow")
        .collect();
    assert_eq!(allow.len(), 1, "{allow:?}");
    assert_eq!(
        (allow[0].2.as_str(), allow[0].3.as_str()),
        ("22", "127.0.0.1")
    );
}

#[test]
fn refused_requests_make_no_initiate_call_and_name_the_flag() {
    let emulator = Emulator::start();
    let vm = emulator.seed_vm("rg", "db-01");
    put_policy(
        &emulator,
        "rg",
        "default",
        &[(vm.id.as_str(), None)],
        &[(22, "10.0.0.0/8", "PT1H")],
    );
    emulator.reset_requests();
    for (args, expected) in [
        (
            &["--port", "8080", "--duration", "PT1H"][..],
            "ERROR: --port 8080: port 8080 is not in the JIT policy for this VM (policy `default` opens 22)",
        ),
        (
            &["--port", "22", "--duration", "PT2H"],
            "ERROR: --duration PT2H: requested access of PT2H is longer than the maximum PT1H of port 22",
        ),
        (
            &[
                "--port",
                "22",
                "--duration",
                "PT1H",
                "--source",
                "192.0.2.1",
            ],
            "ERROR: --source 192.0.2.1: source `192.0.2.1` is not within the allowed sources of port 22 (port 22 allows 10.0.0.0/8)",
        ),
        (
            &["--port", "22", "--port", "22", "--duration", "PT1H"],
            "ERROR: --port 22: ",
        ),
    ] {
        let mut all = vec!["request", vm.id.as_str()];
        all.extend_from_slice(args);
        let output = jit(&emulator, &all);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty());
    }
    assert_eq!(initiate_calls(&emulator), 0, "{:?}", emulator.requests());
    let policy = emulator.policy(&policy_id("rg", "default")).unwrap();
    assert_eq!(policy["properties"]["requests"], json!([]));

    // The same policy lets a request inside its rules through.
    succeeded(&jit(
        &emulator,
        &[
            "request",
            &vm.id,
            "--port",
            "22",
            "--duration",
            "PT30M",
            "--source",
            "10.1.2.3",
        ],
    ));
    assert_eq!(initiate_calls(&emulator), 1);
}

/// One audit row, as the emulator holds it: every column of `jit audit`.
fn expected_rows(emulator: &Emulator, policies: &[String]) -> BTreeSet<Vec<String>> {
    let text = |value: &Value| value.as_str().map(str::to_owned).unwrap_or_default();
    let mut rows = BTreeSet::new();
    for id in policies {
        let policy = emulator.policy(id).unwrap();
        for request in policy["properties"]["requests"].as_array().unwrap() {
            for vm in request["virtualMachines"].as_array().unwrap() {
                for port in vm["ports"].as_array().unwrap() {
                    rows.insert(vec![
                        text(&request["startTimeUtc"]),
                        text(&port["endTimeUtc"]),
                        text(&request["requestor"]),
                        text(&request["justification"]),
                        text(&vm["id"]),
                        port["number"].to_string(),
                        text(&port["allowedSourceAddressPrefix"]),
                        text(&port["status"]),
                        text(&port["statusReason"]),
                        text(&policy["id"]),
                        port.get("mappedPort")
                            .map(Value::to_string)
                            .unwrap_or_default(),
                    ]);
                }
            }
        }
    }
    rows
}

/// RFC 4180, as a spreadsheet reads it.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty() && !quoted,
        "the output ends with a record"
    );
    rows
}

#[test]
fn audit_output_equals_the_requests_in_the_emulator_across_pages() {
    let emulator = Emulator::start();
    let (status, body) = emulator.admin(
        "POST",
        "/_emulator/clock",
        Some(json!({"freezeAt": "2030-01-01T10:00:00Z"})),
    );
    assert_eq!(status, 200, "{body}");
    page_size(&emulator, 2);
    let web = emulator.seed_vm("rg-a", "web");
    let app = emulator.seed_vm("rg-a", "app");
    let db = emulator.seed_vm("rg-b", "db");
    put_policy(
        &emulator,
        "rg-a",
        "web",
        &[(web.id.as_str(), None)],
        &[(22, "*", "PT3H"), (3389, "*", "PT3H")],
    );
    put_policy(
        &emulator,
        "rg-a",
        "app",
        &[(app.id.as_str(), Some("20.0.0.4"))],
        &[(22, "*", "PT3H"), (443, "*", "PT3H")],
    );
    put_policy(
        &emulator,
        "rg-b",
        "default",
        &[(db.id.as_str(), None)],
        &[(5432, "10.0.0.0/8", "PT1H")],
    );
    let advance = |seconds: u64| {
        let (status, body) = emulator.admin(
            "POST",
            "/_emulator/clock",
            Some(json!({"advanceSeconds": seconds})),
        );
        assert_eq!(status, 200, "{body}");
    };
    initiate(
        &emulator,
        &policy_id("rg-a", "web"),
        &web.id,
        &[22, 3389],
        "2030-01-01T11:00:00Z",
        Some("203.0.113.7"),
        "INC-1, \"urgent\"",
    );
    advance(600);
    initiate(
        &emulator,
        &policy_id("rg-b", "default"),
        &db.id,
        &[5432],
        "2030-01-01T10:40:00Z",
        Some("10.1.0.0/16"),
        "line one\nline two",
    );
    advance(600);
    initiate(
        &emulator,
        &policy_id("rg-a", "app"),
        &app.id,
        &[443, 22],
        "2030-01-01T12:00:00Z",
        None,
        "=HYPERLINK(\"http://x\")",
    );
    advance(600);
    initiate(
        &emulator,
        &policy_id("rg-a", "web"),
        &web.id,
        &[22],
        "2030-01-01T11:30:00Z",
        Some("198.51.100.0/24"),
        "replaces the first",
    );
    let policies = [
        policy_id("rg-a", "web"),
        policy_id("rg-a", "app"),
        policy_id("rg-b", "default"),
    ];
    let expected = expected_rows(&emulator, &policies);
    assert_eq!(expected.len(), 6);
    emulator.reset_requests();

    let output = succeeded(&jit(&emulator, &["audit", "--format", "json"]));
    let listed = emulator
        .requests()
        .into_iter()
        .filter(|(method, path, _)| {
            method == "GET"
                && path.ends_with("/providers/microsoft.security/jitnetworkaccesspolicies")
        })
        .map(|(_, _, count)| count)
        .sum::<u64>();
    assert_eq!(
        listed,
        2,
        "three policies in pages of two: {:?}",
        emulator.requests()
    );
    let entries: Vec<Value> = serde_json::from_str(&output).unwrap();
    let text = |value: &Value| value.as_str().map(str::to_owned).unwrap_or_default();
    let from_json: Vec<Vec<String>> = entries
        .iter()
        .map(|entry| {
            vec![
                text(&entry["start_time_utc"]),
                text(&entry["end_time_utc"]),
                text(&entry["requestor"]),
                text(&entry["justification"]),
                text(&entry["vm_id"]),
                entry["port"].to_string(),
                entry["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(text)
                    .collect::<Vec<_>>()
                    .join(";"),
                text(&entry["status"]),
                text(&entry["status_reason"]),
                text(&entry["policy_id"]),
                if entry["mapped_port"].is_null() {
                    String::new()
                } else {
                    entry["mapped_port"].to_string()
                },
            ]
        })
        .collect();
    assert_eq!(from_json.iter().cloned().collect::<BTreeSet<_>>(), expected);
    let starts: Vec<&String> = from_json.iter().map(|row| &row[0]).collect();
    assert!(starts.is_sorted(), "in time order: {starts:?}");
    let app_ports: Vec<(&str, &str)> = from_json
        .iter()
        .filter(|row| row[4] == app.id)
        .map(|row| (row[5].as_str(), row[10].as_str()))
        .collect();
    assert_eq!(
        app_ports,
        [("22", "50000"), ("443", "50001")],
        "behind the firewall, sorted by port"
    );
    assert!(
        from_json.iter().any(|row| row[6] == "127.0.0.1"),
        "the caller's address"
    );

    let csv = parse_csv(&succeeded(&jit(&emulator, &["audit"])));
    assert_eq!(
        csv[0],
        [
            "start_time_utc",
            "end_time_utc",
            "requestor",
            "justification",
            "vm_id",
            "port",
            "sources",
            "status",
            "status_reason",
            "policy_id",
            "mapped_port"
        ]
    );
    let mut from_csv: Vec<Vec<String>> = csv[1..].to_vec();
    for row in &mut from_csv {
        // The one field a spreadsheet would run as a formula is neutralised with a quote.
        if let Some(formula) = row[3].strip_prefix('\'') {
            row[3] = formula.to_owned();
        }
    }
    assert_eq!(from_csv, from_json, "the same rows in the same order");

    let since = parse_csv(&succeeded(&jit(
        &emulator,
        &[
            "audit",
            "--since",
            "2030-01-01T10:10:00Z",
            "--until",
            "2030-01-01T10:20:00Z",
        ],
    )));
    assert_eq!(
        since.len(),
        1 + 3,
        "the db request and the app request: {since:?}"
    );
    let by_vm: Vec<Value> = serde_json::from_str(&succeeded(&jit(
        &emulator,
        &["audit", "--vm", &web.id.to_uppercase(), "--format", "json"],
    )))
    .unwrap();
    assert_eq!(by_vm.len(), 3);
    let in_group = parse_csv(&succeeded(&jit(&emulator, &["audit", "-g", "rg-b"])));
    assert_eq!(in_group.len(), 2);
    let nobody = parse_csv(&succeeded(&jit(
        &emulator,
        &["audit", "--requestor", "nobody@contoso.com"],
    )));
    assert_eq!(nobody.len(), 1, "a header alone");
}

#[test]
fn status_shows_configured_not_configured_and_unsupported() {
    let emulator = Emulator::start();
    page_size(&emulator, 2);
    let web = emulator.seed_vm("rg-web", "web-01");
    let spare = emulator.seed_vm("rg-web", "spare");
    let (status, body) = emulator.admin(
        "POST",
        "/_emulator/vms",
        Some(json!({"id": vm_id("rg-web", "no-nsg"), "location": "westeurope", "nsg": false, "osType": "Windows"})),
    );
    assert_eq!(status, 201, "{body}");
    let other = emulator.seed_vm("rg-other", "elsewhere");
    put_policy(
        &emulator,
        "rg-web",
        "default",
        &[(web.id.as_str(), None)],
        &[(22, "*", "PT3H")],
    );
    succeeded(&jit(
        &emulator,
        &["request", &web.id, "--port", "22", "--duration", "PT1H"],
    ));

    let rows: Vec<Value> =
        serde_json::from_str(&succeeded(&jit(&emulator, &["status", "--format", "json"]))).unwrap();
    let summary: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap().to_owned(),
                row["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("elsewhere".to_owned(), "not_configured".to_owned()),
            ("no-nsg".to_owned(), "unsupported".to_owned()),
            ("spare".to_owned(), "not_configured".to_owned()),
            ("web-01".to_owned(), "configured".to_owned()),
        ],
        "four VMs over two pages, by resource group and name"
    );
    let web_row = &rows[3];
    assert_eq!(web_row["vm_id"], web.id);
    assert_eq!(web_row["policy_id"], policy_id("rg-web", "default"));
    assert_eq!(web_row["ports"], json!([22]));
    assert_eq!(web_row["approved_requests_last_7_days"], 1);
    assert_eq!(
        web_row["last_user"],
        jit_emulator::auth::DEFAULT_CLIENT_NAME
    );
    assert!(web_row["last_access_utc"].as_str().is_some());
    assert_eq!(
        rows[1]["reason"],
        "no network security group on its network interfaces or subnets"
    );
    assert!(rows[2]["reason"].is_null());
    let _ = (spare, other);

    let table = succeeded(&jit(&emulator, &["status", "--resource-group", "rg-web"]));
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("Name")
            && lines[0].contains("Status")
            && lines[0].contains("LastUser"),
        "{table}"
    );
    assert!(lines[1].starts_with("----"), "{table}");
    assert_eq!(lines.len(), 2 + 3, "rg-web only: {table}");
    assert!(
        lines.iter().any(|line| line.starts_with("no-nsg")
            && line.contains("unsupported")
            && line.contains("no network security group")),
        "{table}"
    );
    assert!(
        lines.iter().any(|line| line.starts_with("web-01")
            && line.contains("configured")
            && line.contains(jit_emulator::auth::DEFAULT_CLIENT_NAME)),
        "{table}"
    );
}
