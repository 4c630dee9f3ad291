//! The counter provider under the real `terraform` binary: validate, plan, apply, a no-op
//! plan, an in-place update through `triggers`, and destroy, with AutoMTLS on and with
//! `TF_DISABLE_PLUGIN_TLS=1`.
//!
//! The harness is a few functions on purpose, so that a provider copied from this example can
//! copy its test too. Each test gets a fresh directory with its own CLI configuration whose
//! `dev_overrides` point at the provider Cargo just built: Terraform then starts that binary
//! itself, and no `terraform init`, registry or network is involved.
//!
//! Terraform is found through `TERRAFORM` or on `PATH`. When it is missing the tests fail with
//! a message saying so; set `JIT_E2E_SKIP=1` to skip them knowingly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

/// What `required_providers` and `dev_overrides` call the provider.
const SOURCE: &str = "registry.terraform.io/example/counter";

/// The provider binary Cargo built for these tests.
const PROVIDER: &str = env!("CARGO_BIN_EXE_terraform-provider-counter");

/// How Terraform talks to the provider it starts.
#[derive(Debug, Clone, Copy)]
enum Connection {
    /// AutoMTLS, as for any provider Terraform installs.
    Tls,
    /// `TF_DISABLE_PLUGIN_TLS=1`: plain gRPC on the unix socket.
    Plain,
}

/// The terraform binary, or `None` when the tests were asked to skip (`JIT_E2E_SKIP=1`).
/// A missing terraform otherwise fails the test: it must never look like a pass.
fn terraform_binary() -> Option<PathBuf> {
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
            "terraform was not found on PATH and TERRAFORM is not set: these tests need \
             Terraform >= 1.5 (install it, or set JIT_E2E_SKIP=1 to skip them knowingly)"
        ),
    }
}

/// A throwaway directory holding one configuration, and how to run terraform in it.
struct Workspace {
    dir: tempfile::TempDir,
    terraform: PathBuf,
    connection: Connection,
}

impl Workspace {
    fn new(terraform: PathBuf, connection: Connection) -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let provider_dir = Path::new(PROVIDER)
            .parent()
            .expect("the provider binary is in a directory");
        // dev_overrides name the directory; Terraform looks for terraform-provider-counter there.
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            provider_dir.display()
        );
        std::fs::write(dir.path().join("cli.tfrc"), cli_config)
            .expect("write the CLI configuration");
        Workspace {
            dir,
            terraform,
            connection,
        }
    }

    /// Writes `main.tf`: the `required_providers` block that maps `counter` to [`SOURCE`]
    /// (without it Terraform assumes `hashicorp/counter`), then `body`.
    fn write_main(&self, body: &str) {
        let required = r#"terraform {
  required_providers {
    counter = { source = "example/counter" }
  }
}
"#;
        std::fs::write(
            self.dir.path().join("main.tf"),
            format!("{required}\n{body}"),
        )
        .expect("write main.tf");
    }

    /// The provider block and one counter with `step` and `triggers`.
    fn configure(&self, step: &str, release: &str) {
        self.write_main(&format!(
            r#"provider "counter" {{
  prefix = "demo-"
}}

resource "counter_named" "visits" {{
  name     = "visits"
  initial  = 5
  step     = {step}
  triggers = {{ release = "{release}" }}
}}
"#
        ));
    }

    /// Runs terraform with `args` and returns its output, whatever the exit code.
    fn run(&self, args: &[&str]) -> Output {
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
        if let Connection::Plain = self.connection {
            command.env("TF_DISABLE_PLUGIN_TLS", "1");
        }
        command.output().expect("run terraform")
    }

    /// Runs terraform and returns stdout, failing (with both streams) unless it exits 0.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "terraform {args:?} ({:?}) failed with {}\n{}",
            self.connection,
            output.status,
            streams(&output)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The state as `terraform show -json` prints it.
    fn state(&self) -> Json {
        let stdout = self.ok(&["show", "-json", "-no-color"]);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|err| panic!("terraform show -json printed no JSON ({err}):\n{stdout}"))
    }

    /// The counter's attributes in state, or `None` when the state holds no resources.
    fn counter(&self) -> Option<Json> {
        let state = self.state();
        let resources = state.pointer("/values/root_module/resources")?.as_array()?;
        let counter = resources
            .iter()
            .find(|resource| resource["address"] == "counter_named.visits")?;
        Some(counter["values"].clone())
    }
}

fn streams(output: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn lifecycle(connection: Connection) {
    let Some(terraform) = terraform_binary() else {
        return;
    };
    let workspace = Workspace::new(terraform, connection);
    workspace.configure("2", "v1");
    workspace.ok(&["validate", "-no-color"]);

    let plan = workspace.ok(&["plan", "-input=false", "-no-color"]);
    assert!(
        plan.contains("1 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    // The plan already shows the value apply will store.
    assert!(plan.contains("+ value    = 5"), "{plan}");

    workspace.ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let counter = workspace.counter().expect("the counter is in state");
    assert_eq!(counter["value"], 5, "value == initial: {counter}");
    assert_eq!(
        counter["id"], "demo-visits",
        "id is prefix + name: {counter}"
    );
    assert_eq!(counter["step"], 2, "{counter}");

    // Nothing changed: exit code 0 (2 would mean changes, 1 an error).
    let output = workspace.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a second plan should find no changes\n{}",
        streams(&output)
    );

    // A new trigger updates in place and counts once, by step.
    workspace.configure("2", "v2");
    let plan = workspace.ok(&["plan", "-input=false", "-no-color"]);
    assert!(
        plan.contains("0 to add, 1 to change, 0 to destroy"),
        "{plan}"
    );
    workspace.ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let counter = workspace.counter().expect("the counter is in state");
    assert_eq!(counter["value"], 7, "value == initial + step: {counter}");
    assert_eq!(counter["id"], "demo-visits", "the id stays: {counter}");

    workspace.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(workspace.counter(), None, "destroy leaves no resources");
}

#[test]
fn lifecycle_with_automtls() {
    lifecycle(Connection::Tls);
}

#[test]
fn lifecycle_without_tls() {
    lifecycle(Connection::Plain);
}

#[test]
fn validate_rejects_step_zero_naming_step() {
    let Some(terraform) = terraform_binary() else {
        return;
    };
    let workspace = Workspace::new(terraform, Connection::Tls);
    workspace.configure("0", "v1");
    let output = workspace.run(&["validate", "-no-color"]);
    assert!(
        !output.status.success(),
        "step = 0 was accepted\n{}",
        streams(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Invalid step: must be at least 1")
            && stderr.contains("set step to 1 or more"),
        "the error should name step and say how to fix it\n{}",
        streams(&output)
    );
    // Terraform points at the offending line because the diagnostic carries the attribute path.
    assert!(stderr.contains("step     = 0"), "{}", streams(&output));
}

#[test]
fn import_by_name_starts_at_zero() {
    let Some(terraform) = terraform_binary() else {
        return;
    };
    let workspace = Workspace::new(terraform, Connection::Plain);
    // A configuration that matches what import stores, so the plan after it is empty.
    workspace.write_main(
        r#"resource "counter_named" "visits" {
  name = "visits"
}
"#,
    );
    workspace.ok(&[
        "import",
        "-input=false",
        "-no-color",
        "counter_named.visits",
        "visits",
    ]);
    let counter = workspace.counter().expect("the counter is in state");
    assert_eq!(counter["value"], 0, "{counter}");
    assert_eq!(counter["id"], "visits", "no prefix configured: {counter}");
    let output = workspace.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "an imported counter matches its configuration\n{}",
        streams(&output)
    );
}
