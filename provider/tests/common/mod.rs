//! What the end-to-end test files share: a workspace whose provider talks to an emulator, and
//! the terraform commands they run.
#![allow(dead_code)] // Each test file uses its own part.

use jit_e2e::emulator::Emulator;
use jit_e2e::{Connection, Workspace, terraform_binary};

pub const PROVIDER: &str = env!("CARGO_BIN_EXE_terraform-provider-jit");

pub const HEADER: &str = r#"terraform {
  required_providers {
    jit = { source = "jit-as-code/jit" }
  }
}

provider "jit" {}
"#;

/// A workspace whose provider talks to `emulator` (settings from `ARM_*` variables).
pub fn workspace(emulator: &Emulator) -> Option<Workspace> {
    let terraform = terraform_binary()?;
    let mut workspace = Workspace::new(terraform, std::path::Path::new(PROVIDER), Connection::Tls);
    for (key, value) in emulator.provider_env() {
        workspace.env(&key, &value);
    }
    Some(workspace)
}

/// `plan -detailed-exitcode`: 0 no changes, 2 changes; anything else fails the test.
pub fn plan_exit_code(workspace: &Workspace) -> (i32, String) {
    let output = workspace.terraform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        code == 0 || code == 2,
        "plan failed ({code}):\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (code, stdout)
}

pub fn apply(workspace: &Workspace, extra: &[&str]) -> String {
    let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
    args.extend_from_slice(extra);
    workspace.terraform_ok(&args)
}
