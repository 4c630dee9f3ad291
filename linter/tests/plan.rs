//! Plan input: `jitlint --plan plan.json` gives the findings the source form gives.
//!
//! `fixtures/plan` is a configuration of the jit provider's resources (for_each, a local, a
//! child module, a request, a shared policy). Its `plan.json` was made by the real terraform
//! and the real provider with `fixtures/plan/regenerate.sh`; the second test makes a fresh one
//! the same way, so that a change in Terraform's or the provider's plan format is caught.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan")
}

/// `jitlint -f compact --no-config <args>` in `dir`: its stdout and exit code.
fn jitlint(dir: &Path, args: &[&str]) -> (String, Option<i32>) {
    let output = Command::new(env!("CARGO_BIN_EXE_jitlint"))
        .current_dir(dir)
        .args(["-f", "compact", "--no-config"])
        .args(args)
        .env("JITLINT_TODAY", "2026-01-01")
        .output()
        .expect("jitlint runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
        output.status.code(),
    )
}

fn assert_same_findings(dir: &Path) {
    let (source, source_code) = jitlint(dir, &["."]);
    let (plan, plan_code) = jitlint(dir, &["--plan", "plan.json"]);
    assert_eq!(plan, source, "plan form and source form differ");
    assert_eq!(plan_code, source_code);
    for expected in [
        r#"main.tf:32:42: error[JIT001] source `*` lets the whole internet request port 22 [jit_policy.web["prod"]]"#,
        "warning[JIT002]",
        "main.tf:59:39: error[JIT008] port 3389 is not in the JIT policy",
        "main.tf:65:39: error[JIT008] source `198.51.100.7`",
        "error[JIT010]",
        "modules/jump/main.tf:20:42: error[JIT001] source `0.0.0.0/0` lets the whole internet request port 22 [module.jump.jit_policy.jump]",
    ] {
        assert!(plan.contains(expected), "missing `{expected}` in:\n{plan}");
    }
    assert!(!plan.contains(r#"jit_policy.web["test"]"#), "{plan}");
}

#[test]
fn the_checked_in_plan_gives_the_findings_of_its_source() {
    assert_same_findings(&fixture());
}

#[test]
fn a_file_that_is_not_a_plan_is_named() {
    let (text, code) = jitlint(&fixture(), &["--plan", "main.tf"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("`main.tf` is not a Terraform plan in JSON"),
        "{text}"
    );
    let (text, code) = jitlint(&fixture(), &["--plan", "missing.json"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("cannot read plan `missing.json`"), "{text}");
}

/// Makes the plan with the real terraform and provider, as `regenerate.sh` does, and lints it.
/// Needs `terraform` on PATH and `terraform-provider-jit` in `JIT_PROVIDER_DIR` (default: the
/// workspace's `target/debug`, where `cargo test --workspace` builds it). `JIT_E2E_SKIP=1`
/// skips it, saying so.
#[test]
fn a_fresh_plan_from_real_terraform_gives_the_same_findings() {
    if std::env::var_os("JIT_E2E_SKIP").is_some_and(|v| v == "1") {
        eprintln!("skipped: JIT_E2E_SKIP=1");
        return;
    }
    let terraform_ok = Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        terraform_ok,
        "terraform is not on PATH: install Terraform 1.x, or set JIT_E2E_SKIP=1 to skip this test"
    );
    let provider_dir = std::env::var_os("JIT_PROVIDER_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug"),
        PathBuf::from,
    );
    let provider_dir = provider_dir.canonicalize().unwrap_or(provider_dir);
    assert!(
        provider_dir.join("terraform-provider-jit").is_file(),
        "no terraform-provider-jit in {}: run `cargo build -p terraform-provider-jit`, set \
         JIT_PROVIDER_DIR to the directory that holds it, or set JIT_E2E_SKIP=1 to skip this test",
        provider_dir.display()
    );

    let work = tempfile::tempdir().expect("temporary directory");
    let config = work.path().join("config");
    copy_dir(&fixture(), &config);
    std::fs::remove_file(config.join("plan.json")).expect("remove the checked-in plan");
    let cli_config = work.path().join("cli.tfrc");
    std::fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"jit-as-code/jit\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            provider_dir.display()
        ),
    )
    .expect("write the CLI configuration");
    let terraform = |args: &[&str]| {
        let output = Command::new("terraform")
            .current_dir(&config)
            .args(args)
            .env("TF_CLI_CONFIG_FILE", &cli_config)
            .env("TF_DATA_DIR", work.path().join("data"))
            .env("TF_IN_AUTOMATION", "1")
            .env("ARM_TENANT_ID", "00000000-0000-0000-0000-000000000001")
            .env("ARM_CLIENT_ID", "00000000-0000-0000-0000-000000000002")
            .env("ARM_CLIENT_SECRET", "unused")
            .output()
            .expect("terraform runs");
        assert!(
            output.status.success(),
            "terraform {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    terraform(&["get"]);
    let plan_file = work.path().join("plan.tfplan");
    let plan_arg = plan_file.to_string_lossy().into_owned();
    terraform(&["plan", "-input=false", "-lock=false", "-out", &plan_arg]);
    let json = terraform(&["show", "-json", &plan_arg]);
    std::fs::write(config.join("plan.json"), json).expect("write plan.json");
    assert_same_findings(&config);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read fixture").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy fixture file");
        }
    }
}
