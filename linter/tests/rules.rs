//! One case per rule: its fixture has an `# ok` section that must stay clean and an `# error`
//! section whose findings are snapshotted as human output (no colour, width 100).
//!
//! Add a rule: add a fixture named `<CODE>_<name>.tf` and one line below.

use jitlint::output::{Format, RenderOptions, render};
use jitlint::{Settings, lint_text};

/// Lints `fixture` with only `codes` enabled and returns the human report.
fn check(fixture: &str, codes: &[&str]) -> String {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let mut settings = Settings::default();
    settings.today = "2026-01-01".to_owned();
    settings.select_only(codes);
    let outcome = lint_text(&format!("fixtures/{fixture}"), &text, &settings);
    let error_section = text
        .lines()
        .position(|l| l.starts_with("# error"))
        .map_or(0, |i| i + 1);
    for finding in &outcome.findings {
        assert!(
            finding.region.start.line > error_section,
            "finding in the ok section of {fixture}: {finding:?}"
        );
    }
    assert!(
        outcome.findings.iter().any(|f| f.code == codes[0]),
        "{fixture} has no {} finding",
        codes[0]
    );
    render(
        Format::Human,
        &outcome,
        RenderOptions {
            color: false,
            width: 100,
        },
    )
}

#[test]
fn jit000_unknown_value() {
    insta::assert_snapshot!(check("JIT000_unknown_value.tf", &["JIT000"]));
}

#[test]
fn jit001_broad_source_prefix() {
    insta::assert_snapshot!(check("JIT001_broad_source_prefix.tf", &["JIT001"]));
}

#[test]
fn jit002_excessive_max_request_time() {
    insta::assert_snapshot!(check("JIT002_excessive_max_request_time.tf", &["JIT002"]));
}

#[test]
fn jit003_management_port_exposed() {
    insta::assert_snapshot!(check("JIT003_management_port_exposed.tf", &["JIT003"]));
}

#[test]
fn jit004_invalid_jit_value() {
    insta::assert_snapshot!(check("JIT004_invalid_jit_value.tf", &["JIT004"]));
}

#[test]
fn jit005_azapi_jit_pitfall() {
    insta::assert_snapshot!(check("JIT005_azapi_jit_pitfall.tf", &["JIT005"]));
}

#[test]
fn jit006_invalid_nsg_rule() {
    insta::assert_snapshot!(check("JIT006_invalid_nsg_rule.tf", &["JIT006"]));
}

#[test]
fn jit007_vm_without_jit() {
    insta::assert_snapshot!(check("JIT007_vm_without_jit.tf", &["JIT007"]));
}

#[test]
fn jit008_request_exceeds_policy() {
    insta::assert_snapshot!(check("JIT008_request_exceeds_policy.tf", &["JIT008"]));
}

#[test]
fn jit009_inline_nsg_rules_on_jit_vm() {
    insta::assert_snapshot!(check("JIT009_inline_nsg_rules_on_jit_vm.tf", &["JIT009"]));
}

#[test]
fn jit010_policy_managed_twice() {
    insta::assert_snapshot!(check("JIT010_policy_managed_twice.tf", &["JIT010"]));
}

/// With JIT003 on too, the standing rules are JIT011's findings, not JIT003's (`overlap.rs`).
#[test]
fn jit011_standing_rule_defeats_jit() {
    insta::assert_snapshot!(check(
        "JIT011_standing_rule_defeats_jit.tf",
        &["JIT011", "JIT003"]
    ));
}

#[test]
fn jit900_parse_error() {
    insta::assert_snapshot!(check("JIT900_parse_error.tf", &["JIT900"]));
}

#[test]
fn jit901_unused_suppression() {
    insta::assert_snapshot!(check(
        "JIT901_unused_suppression.tf",
        &["JIT901", "JIT001", "JIT003"]
    ));
}

#[test]
fn jit902_invalid_suppression() {
    insta::assert_snapshot!(check(
        "JIT902_invalid_suppression.tf",
        &["JIT902", "JIT001", "JIT901"]
    ));
}

#[test]
fn jit903_module_not_followed() {
    insta::assert_snapshot!(check("JIT903_module_not_followed.tf", &["JIT903"]));
}

#[test]
fn jit904_evaluation_error() {
    insta::assert_snapshot!(check("JIT904_evaluation_error.tf", &["JIT904"]));
}

/// Every rule in the registry has a fixture (and so a case above).
#[test]
fn every_rule_has_a_fixture() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    for rule in jitlint::registry::ALL {
        let meta = rule.meta();
        let name = format!("{dir}/{}_{}.tf", meta.code, meta.name.replace('-', "_"));
        assert!(
            std::path::Path::new(&name).is_file(),
            "missing fixture {name}"
        );
    }
}

/// `jit_policy_virtual_machine` is one VM of a shared policy: its `port` blocks get the same
/// checks as a `jit_policy`'s, reported on its own attributes.
#[test]
fn policy_virtual_machine_ports_are_checked_like_a_policys() {
    let text = r#"
resource "jit_policy_virtual_machine" "web" {
  virtual_machine_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web"
  location           = "westeurope"
  port {
    number                        = 22
    allowed_source_address_prefix = "*"
  }
  port {
    number                          = 22
    allowed_source_address_prefixes = ["10.0.0.0/8"]
    max_request_access_duration     = "PT30H"
  }
}

resource "jit_policy_virtual_machine" "defaults" {
  virtual_machine_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/ops"
  location           = "westeurope"
}
"#;
    let outcome = jitlint::lint_text("main.tf", text, &jitlint::Settings::default());
    let found: Vec<(String, String, usize)> = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.code.to_string(),
                f.address.clone().unwrap_or_default(),
                f.region.start.line,
            )
        })
        .collect();
    let has = |code: &str, address: &str| found.iter().any(|(c, a, _)| c == code && a == address);
    assert!(has("JIT001", "jit_policy_virtual_machine.web"), "{found:?}");
    assert!(
        has("JIT004", "jit_policy_virtual_machine.web"),
        "duplicate port and PT30H: {found:?}"
    );
    assert!(
        has("JIT001", "jit_policy_virtual_machine.defaults"),
        "Azure's defaults: {found:?}"
    );
}
