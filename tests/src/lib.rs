//! End-to-end test harness: runs the real `terraform` binary against the real provider binary
//! in a fresh directory per test, as ripgrep's `Dir` does for `rg`.
//!
//! Three ways to connect Terraform and the provider are covered, because users meet all three:
//! - [`Connection::Tls`]: Terraform starts the provider (through `dev_overrides`) with AutoMTLS;
//! - [`Connection::Plain`]: the same with `TF_DISABLE_PLUGIN_TLS=1`;
//! - [`Connection::Reattach`]: the provider runs in `--debug` mode and Terraform attaches to it
//!   through `TF_REATTACH_PROVIDERS`.
//!
//! Terraform is found through `TERRAFORM` or on `PATH`. When it is missing the tests fail with
//! a message saying so; set `JIT_E2E_SKIP=1` to skip them knowingly.

pub mod emulator;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The provider's source address in test configurations.
pub const SOURCE: &str = "registry.terraform.io/jit-as-code/jit";

/// A subscription id for tests; nothing is sent to Azure.
pub const SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-000000000001";

/// How Terraform reaches the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Started by Terraform, AutoMTLS on.
    Tls,
    /// Started by Terraform, `TF_DISABLE_PLUGIN_TLS=1`.
    Plain,
    /// A `--debug` provider Terraform attaches to.
    Reattach,
}

impl Connection {
    /// All three.
    pub const ALL: [Connection; 3] = [Connection::Tls, Connection::Plain, Connection::Reattach];
}

/// The terraform binary, or `None` when the tests were asked to skip (`JIT_E2E_SKIP=1`).
///
/// # Panics
/// When terraform cannot be found and skipping was not asked for: a missing tool must never
/// look like a passing test.
pub fn terraform_binary() -> Option<PathBuf> {
    if std::env::var_os("JIT_E2E_SKIP").is_some_and(|v| v == "1") {
        eprintln!("JIT_E2E_SKIP=1: skipping a test that needs terraform");
        return None;
    }
    if let Some(path) = std::env::var_os("TERRAFORM") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("terraform"))
            .find(|candidate| candidate.is_file())
    });
    match found {
        Some(path) => Some(path),
        None => panic!(
            "terraform was not found on PATH and TERRAFORM is not set: the end-to-end tests need \
             Terraform >= 1.5 (install it, or set JIT_E2E_SKIP=1 to skip these tests knowingly)"
        ),
    }
}

/// A throwaway directory holding one Terraform configuration.
pub struct Workspace {
    dir: tempfile::TempDir,
    terraform: PathBuf,
    provider_binary: PathBuf,
    connection: Connection,
    debug_provider: Option<DebugProvider>,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// A workspace where Terraform uses `provider_binary` over `connection`.
    pub fn new(terraform: PathBuf, provider_binary: &Path, connection: Connection) -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let provider_dir = provider_binary
            .parent()
            .expect("the provider binary is in a directory");
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            provider_dir.display()
        );
        std::fs::write(dir.path().join("cli.tfrc"), cli_config)
            .expect("write the CLI configuration");
        let env = vec![("ARM_SUBSCRIPTION_ID".to_owned(), SUBSCRIPTION_ID.to_owned())];
        // A debug provider reads its settings from its own environment, not Terraform's.
        let debug_provider = (connection == Connection::Reattach)
            .then(|| DebugProvider::start(provider_binary, &env));
        Workspace {
            dir,
            terraform,
            provider_binary: provider_binary.to_owned(),
            connection,
            debug_provider,
            env,
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The provider binary used.
    pub fn provider_binary(&self) -> &Path {
        &self.provider_binary
    }

    /// Writes a file into the workspace.
    pub fn write(&self, name: &str, contents: &str) {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directories");
        }
        std::fs::write(path, contents).expect("write a workspace file");
    }

    /// Copies every `.tf` file of `dir` into the workspace.
    pub fn copy_tf_files(&self, dir: &Path) {
        for entry in std::fs::read_dir(dir).expect("read the example directory") {
            let path = entry.expect("read a directory entry").path();
            if path.extension().is_some_and(|ext| ext == "tf") {
                let name = path
                    .file_name()
                    .expect("a file name")
                    .to_string_lossy()
                    .into_owned();
                self.write(
                    &name,
                    &std::fs::read_to_string(&path).expect("read an example file"),
                );
            }
        }
    }

    /// Sets an environment variable for every terraform call.
    pub fn env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// Removes an environment variable the workspace sets by default.
    pub fn remove_env(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
    }

    /// Runs terraform with `args` and returns its output, whatever the exit code.
    pub fn terraform(&self, args: &[&str]) -> Output {
        self.terraform_command(args)
            .output()
            .expect("run terraform")
    }

    /// The terraform command with `args`, its environment set, to spawn and drive by hand.
    pub fn terraform_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.terraform);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", self.dir.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("TF_DISABLE_PLUGIN_TLS");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        match self.connection {
            Connection::Tls => {}
            Connection::Plain => {
                command.env("TF_DISABLE_PLUGIN_TLS", "1");
            }
            Connection::Reattach => {
                let provider = self
                    .debug_provider
                    .as_ref()
                    .expect("a debug provider runs in reattach mode");
                command.env("TF_REATTACH_PROVIDERS", &provider.reattach);
            }
        }
        command
    }

    /// Runs terraform and returns stdout, failing the test (with both streams) unless it exits 0.
    pub fn terraform_ok(&self, args: &[&str]) -> String {
        let output = self.terraform(args);
        assert!(
            output.status.success(),
            "terraform {args:?} ({:?}) failed with {}\nstdout:\n{}\nstderr:\n{}",
            self.connection,
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs terraform and parses its stdout as JSON.
    pub fn terraform_json(&self, args: &[&str]) -> serde_json::Value {
        let output = self.terraform(args);
        serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
            panic!(
                "terraform {args:?} did not print JSON ({err})\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        })
    }
}

/// A provider running in `--debug` mode, killed when dropped.
pub struct DebugProvider {
    child: Child,
    /// The `TF_REATTACH_PROVIDERS` value it printed.
    pub reattach: String,
}

impl DebugProvider {
    /// Starts `binary --debug` with `env` and waits for its `TF_REATTACH_PROVIDERS` line.
    pub fn start(binary: &Path, env: &[(String, String)]) -> Self {
        let mut child = Command::new(binary)
            .arg("--debug")
            .envs(env.iter().map(|(key, value)| (key, value)))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the provider in debug mode");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut reattach = None;
        // Reading blocks until the provider prints; no sleeping or polling.
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read the provider's stdout");
            if let Some(value) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
                reattach = Some(value.trim_end_matches('\'').to_owned());
                break;
            }
        }
        let reattach = reattach.expect("the debug provider printed TF_REATTACH_PROVIDERS");
        DebugProvider { child, reattach }
    }
}

impl Drop for DebugProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The workspace root (the directory holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_owned()
}

/// Finds the 1-based line of the first line containing `needle` in `text`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
        .unwrap_or_else(|| panic!("{needle:?} is not in the configuration"))
}
