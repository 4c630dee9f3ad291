//! Load tool: starts the release `jit-emulator`, drives GET of a policy and initiate over
//! loopback with N keep-alive connections for a fixed time per phase, and prints requests/s,
//! p50/p99 latency and the emulator's RSS. The health endpoint is the baseline (same server,
//! same connections, no JIT work), printed as a ratio.
//!
//! Run with `emulator/bench.sh` (it builds the binary). Settings: `JIT_EMULATOR_BIN`,
//! `LOAD_CONNECTIONS` (default 32), `LOAD_SECONDS` per phase (default 5).

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_owned())
            .unwrap_or_else(|| "?".into())
    };
    format!("VmRSS {} (VmHWM {})", field("VmRSS:"), field("VmHWM:"))
}

struct Phase {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        f64::from(self.latencies_us[index]) / 1000.0
    }
}

/// Runs `connections` loops for `seconds`, each sending `make()` requests on one connection.
async fn drive(
    addr: &str,
    connections: usize,
    seconds: u64,
    expected: u16,
    make: impl Fn() -> hyper::Request<Full<Bytes>> + Send + Sync + Clone + 'static,
) -> Phase {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let addr = addr.to_owned();
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connect");
            stream.set_nodelay(true).expect("nodelay");
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .expect("handshake");
            tokio::spawn(connection);
            let (mut latencies, mut errors) = (Vec::with_capacity(200_000), 0u64);
            while Instant::now() < deadline {
                let sent = Instant::now();
                match sender.send_request(make()).await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.into_body().collect().await;
                        latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                        if status != expected {
                            errors += 1;
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut phase = Phase {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    for task in tasks {
        let (latencies, errors) = task.await.expect("load task");
        phase.requests += latencies.len() as u64;
        phase.errors += errors;
        phase.latencies_us.extend(latencies);
    }
    phase.elapsed = started.elapsed();
    phase.latencies_us.sort_unstable();
    phase
}

fn request(
    method: &str,
    host: &str,
    path: &str,
    token: &str,
    body: &str,
) -> hyper::Request<Full<Bytes>> {
    hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("valid request")
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{root}/target"));
    let binary = std::env::var("JIT_EMULATOR_BIN")
        .unwrap_or_else(|_| format!("{target}/release/jit-emulator"));
    let connections: usize = env_or("LOAD_CONNECTIONS", 32);
    let seconds: u64 = env_or("LOAD_SECONDS", 5);

    let mut child = Command::new(&binary)
        .args(["--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (run emulator/bench.sh)"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("first line");
    let url = line.trim().to_owned();
    let host = url.trim_start_matches("http://").to_owned();
    let pid = child.id();
    let idle = rss(pid);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let sub = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";
        let token: serde_json::Value = http
            .post(format!("{url}/bench/oauth2/v2.0/token"))
            .form(&[("grant_type", "client_credentials"), ("client_id", jit_emulator::auth::DEFAULT_CLIENT_ID), ("client_secret", jit_emulator::auth::DEFAULT_CLIENT_SECRET)])
            .send().await.expect("token").json().await.expect("token json");
        let token = token["access_token"].as_str().expect("access_token").to_owned();
        let mut policies = Vec::new();
        for name in ["get", "initiate"] {
            let vm = format!("/subscriptions/{sub}/resourceGroups/bench/providers/Microsoft.Compute/virtualMachines/vm-{name}");
            http.post(format!("{url}/_emulator/vms")).json(&serde_json::json!({"id": vm, "location": "westeurope"})).send().await.expect("seed");
            let path = format!("/subscriptions/{sub}/resourceGroups/bench/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/{name}");
            let body = serde_json::json!({"kind": "Basic", "properties": {"virtualMachines": [{"id": vm, "ports": [
                {"number": 22, "protocol": "*", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT24H"},
                {"number": 3389, "protocol": "*", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"}]}]}});
            let put = http.put(format!("{url}{path}?api-version=2020-01-01")).bearer_auth(&token).json(&body).send().await.expect("put");
            assert_eq!(put.status(), 200, "policy PUT");
            policies.push((vm, path));
        }
        let (host_a, token_a) = (host.clone(), token.clone());
        let health = drive(&host, connections, seconds, 200, move || request("GET", &host_a, "/_emulator/health", &token_a, "")).await;
        let (host_b, token_b, get_path) = (host.clone(), token.clone(), format!("{}?api-version=2020-01-01", policies[0].1));
        let get = drive(&host, connections, seconds, 200, move || request("GET", &host_b, &get_path, &token_b, "")).await;
        let end = (time::OffsetDateTime::now_utc() + time::Duration::hours(2))
            .format(&time::format_description::well_known::Rfc3339).expect("format");
        let body = serde_json::json!({"virtualMachines": [{"id": policies[1].0, "ports": [{"number": 22, "endTimeUtc": end, "allowedSourceAddressPrefix": "203.0.113.7"}]}], "justification": "load"}).to_string();
        let (host_c, token_c, initiate_path) = (host.clone(), token.clone(), format!("{}/initiate?api-version=2020-01-01", policies[1].1));
        let initiate = drive(&host, connections, seconds, 202, move || request("POST", &host_c, &initiate_path, &token_c, &body)).await;

        println!("jit-emulator load test: {connections} keep-alive connections, {seconds} s per phase, loopback, {binary}");
        println!("{:<28} {:>10} {:>9} {:>9} {:>7} {:>16}", "phase", "req/s", "p50 ms", "p99 ms", "errors", "vs baseline");
        for (name, phase) in [("health (baseline)", &health), ("GET policy", &get), ("POST initiate", &initiate)] {
            println!(
                "{:<28} {:>10.0} {:>9.3} {:>9.3} {:>7} {:>15.2}x",
                name, phase.rate(), phase.percentile(0.5), phase.percentile(0.99), phase.errors, phase.rate() / health.rate()
            );
        }
    });
    println!("emulator RSS idle (after start): {idle}");
    println!("emulator RSS after load:         {}", rss(pid));
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
}
