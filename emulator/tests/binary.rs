//! The real `jit-emulator` binary: first stdout line, ready file, `--state` across a SIGTERM
//! restart, `--tls` with the written CA certificate, and the messages it fails to start with.
//! Waits on the first stdout line or on the process's exit, never on a sleep.

// Test helpers: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

struct Running {
    child: Child,
    url: String,
}

fn start(args: &[&str]) -> Running {
    spawn(args, Stdio::null())
}

/// Starts the binary on a free port, logging at `info` to `stderr`, and waits for its URL.
fn spawn(args: &[&str], stderr: Stdio) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jit-emulator"))
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    Running {
        child,
        url: line.trim().to_owned(),
    }
}

fn terminate(mut running: Running) {
    let status = Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        running.child.wait().unwrap().success(),
        "clean exit on SIGTERM"
    );
}

fn client(ca: Option<&std::path::Path>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder();
    if let Some(ca) = ca {
        builder = builder.add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap(),
        );
    }
    builder.build().unwrap()
}

async fn token(client: &reqwest::Client, url: &str) -> String {
    let reply: serde_json::Value = client
        .post(format!("{url}/my-tenant/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "app"),
            ("client_secret", "s3cret"),
            ("scope", "https://management.azure.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn state_survives_a_sigterm_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let ready = dir.path().join("ready");
    let args = [
        "--state",
        state.to_str().unwrap(),
        "--ready-file",
        ready.to_str().unwrap(),
        "--client",
        "app:s3cret:ops@example.com",
    ];
    let first = start(&args);
    assert_eq!(std::fs::read_to_string(&ready).unwrap().trim(), first.url);
    let http = client(None);
    let vm = "/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
    http.post(format!("{}/_emulator/vms", first.url))
        .json(&serde_json::json!({"id": vm, "location": "westeurope"}))
        .send()
        .await
        .unwrap();
    let bearer = token(&http, &first.url).await;
    let policy = format!(
        "{}/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default?api-version=2020-01-01",
        first.url
    );
    let body = serde_json::json!({"properties": {"virtualMachines": [{"id": vm, "ports": [{"number": 22, "protocol": "TCP", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT1H"}]}]}});
    let put = http
        .put(&policy)
        .bearer_auth(&bearer)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let before: serde_json::Value = http
        .get(format!("{}/_emulator/state", first.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    terminate(first);

    let second = start(&args);
    let after: serde_json::Value = http
        .get(format!("{}/_emulator/state", second.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(before, after);
    let policy = policy.replace(
        &policy[..policy.find("/subscriptions").unwrap()],
        &second.url,
    );
    assert_eq!(
        http.get(&policy)
            .bearer_auth(&bearer)
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "token still valid"
    );
    assert_eq!(http.get(&policy).send().await.unwrap().status(), 401);
    terminate(second);
}

#[tokio::test]
async fn tls_serves_with_the_written_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let running = start(&[
        "--tls",
        "--ca-cert",
        ca.to_str().unwrap(),
        "--client",
        "app:s3cret",
    ]);
    assert!(
        running.url.starts_with("https://127.0.0.1:"),
        "{}",
        running.url
    );
    let https = client(Some(&ca));
    let health = https
        .get(format!("{}/_emulator/health", running.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(!token(&https, &running.url).await.is_empty());
    terminate(running);
}

/// Runs the binary to its exit (it is expected to fail to start), with logs at `info`.
fn run_to_exit(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_jit-emulator"))
        .args(args)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_busy_port_is_named_with_the_fix() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let (code, stdout, stderr) = run_to_exit(&["--addr", &addr]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, "", "no base URL for a server that is not listening");
    assert!(
        stderr.contains(&format!("cannot listen on {addr}: ")),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "; choose another --addr (port 0 picks a free one) or stop the process using it"
        ),
        "{stderr}"
    );
    drop(busy);
}

#[test]
fn logs_to_a_pipe_have_no_colour_codes() {
    let mut running = spawn(&[], Stdio::piped());
    let mut stderr = running.child.stderr.take().unwrap();
    terminate(running);
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(logs.contains("jit-emulator listening"), "{logs}");
    assert!(logs.contains("jit-emulator stopped"), "{logs}");
    assert!(!logs.contains("\x1b["), "ANSI escape codes in {logs:?}");
}

#[test]
fn a_state_file_in_a_missing_directory_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nonexistent-dir").join("x");
    let state = missing.join("state.json");
    let (code, stdout, stderr) =
        run_to_exit(&["--addr", "127.0.0.1:0", "--state", state.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, "", "no base URL for a server that did not start");
    assert!(
        stderr.contains(&format!(
            "cannot write the state file {}: ",
            state.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "; create the directory {} or choose another --state",
            missing.display()
        )),
        "{stderr}"
    );
    assert!(!missing.exists(), "nothing created on the way");
}

#[test]
fn state_flushed_is_logged_only_when_the_state_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("state");
    std::fs::create_dir(&state_dir).unwrap();
    let state = state_dir.join("state.json");
    let args = ["--state", state.to_str().unwrap()];

    let mut saved = spawn(&args, Stdio::piped());
    assert!(state.exists(), "the state file is written at start");
    let mut stderr = saved.child.stderr.take().unwrap();
    terminate(saved);
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(logs.contains("state flushed"), "{logs}");

    let mut lost = spawn(&args, Stdio::piped());
    std::fs::remove_dir_all(&state_dir).unwrap();
    let mut stderr = lost.child.stderr.take().unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &lost.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(lost.child.wait().unwrap().code(), Some(1));
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(
        logs.contains(&format!(
            "cannot save the state at shutdown: cannot write the state file {}",
            state.display()
        )),
        "{logs}"
    );
    assert!(!logs.contains("state flushed"), "{logs}");
}
