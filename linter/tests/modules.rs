//! Module evaluation, end to end: the real binary run in a fixture module directory, as a user
//! runs it (`jitlint .`), so that tfvars files are found and child modules followed from there.
//!
//! `fixtures/modules/eval` holds one case per part of evaluation: the tfvars precedence chain,
//! a locals chain with `cidrsubnet`, `for_each` and `count` instances, functions (`jsondecode`,
//! `try`, `upper`), a cycle, unknowns with their reasons, a local child module and a registry
//! module.

use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/modules")
        .join(name)
}

/// Runs `jitlint -f compact --no-config <args> .` in fixture module `name`.
fn lint(name: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_jitlint"))
        .current_dir(fixture(name))
        .args(["-f", "compact", "--no-config"])
        .args(args)
        .arg(".")
        .env("JITLINT_TODAY", "2026-01-01")
        .env("NO_COLOR", "1")
        .output()
        .expect("jitlint runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn lines_about<'a>(report: &'a str, address: &str) -> Vec<&'a str> {
    report
        .lines()
        .filter(|l| l.ends_with(&format!("[{address}]")))
        .collect()
}

#[test]
fn a_module_is_evaluated_as_terraform_would() {
    insta::assert_snapshot!(lint("eval", &[]));
}

/// terraform.tfvars < terraform.tfvars.json < a.auto.tfvars < b.auto.tfvars.json ("*").
#[test]
fn auto_loaded_tfvars_follow_terraform_precedence() {
    let report = lint("eval", &[]);
    let admin = lines_about(&report, "jit_policy.admin");
    assert_eq!(admin.len(), 1, "{report}");
    assert!(admin[0].contains("source `*`"), "{report}");
}

/// `--var-file` overrides the auto-loaded files; `--var` and `--var-file` apply in the order
/// given, later ones winning, as in Terraform.
#[test]
fn var_file_and_var_override_the_auto_loaded_files() {
    let report = lint("eval", &["--var-file", "override.tfvars"]);
    let admin = lines_about(&report, "jit_policy.admin");
    assert!(admin.is_empty(), "a /29 is not broad: {report}");

    let report = lint(
        "eval",
        &[
            "--var-file",
            "override.tfvars",
            "--var",
            "admin_cidr=10.0.0.0/8",
        ],
    );
    let admin = lines_about(&report, "jit_policy.admin");
    assert_eq!(admin.len(), 1, "{report}");
    assert!(admin[0].contains("source `10.0.0.0/8`"), "{report}");

    let report = lint(
        "eval",
        &[
            "--var",
            "admin_cidr=10.0.0.0/8",
            "--var-file",
            "override.tfvars",
        ],
    );
    let admin = lines_about(&report, "jit_policy.admin");
    assert!(admin.is_empty(), "the later --var-file wins: {report}");
}

#[test]
fn instances_are_named_by_their_keys() {
    let report = lint("eval", &[]);
    assert_eq!(
        lines_about(&report, r#"jit_policy.web["prod"]"#).len(),
        1,
        "{report}"
    );
    assert!(
        lines_about(&report, r#"jit_policy.web["test"]"#).is_empty(),
        "{report}"
    );
    assert_eq!(
        lines_about(&report, "jit_policy.counted[0]").len(),
        1,
        "{report}"
    );
    let second = lines_about(&report, "jit_policy.counted[1]");
    assert!(second.iter().any(|l| l.contains("10.1.0.0/16")), "{report}");
}

#[test]
fn a_local_module_is_followed_with_its_inputs() {
    let report = lint("eval", &[]);
    let child = lines_about(&report, "module.jump.jit_policy.jump");
    assert_eq!(child.len(), 1, "{report}");
    assert!(
        child[0].starts_with("modules/vm/main.tf:12:39: error[JIT001]"),
        "{report}"
    );
    let output = lines_about(&report, "jit_policy.from_output");
    assert_eq!(output.len(), 1, "{report}");
    assert!(output[0].contains("source `0.0.0.0/0`"), "{report}");
    let remote = lines_about(&report, "module.remote");
    assert!(remote[0].contains("note[JIT903]"), "{report}");
}

#[test]
fn a_bad_var_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_jitlint"))
        .current_dir(fixture("eval"))
        .args(["--no-config", "--var", "no-equals-sign", "."])
        .output()
        .expect("jitlint runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-equals-sign"), "{stderr}");
}

#[test]
fn an_unreadable_var_file_is_named() {
    let report = lint("eval", &["--var-file", "missing.tfvars"]);
    assert!(
        report.contains(
            "missing.tfvars:1:1: error[JIT904] cannot read variables file `missing.tfvars`"
        ),
        "{report}"
    );
}
