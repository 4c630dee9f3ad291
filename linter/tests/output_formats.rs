//! Every output format renders the same shared set of findings (all rule fixtures together).
//! Each format has a snapshot; SARIF is validated against the SARIF 2.1.0 schema, JSON must
//! parse, and JUnit and checkstyle must be well-formed XML with one entry per finding.

use jitlint::output::{Format, RenderOptions, render};
use jitlint::{Outcome, Settings, lint_paths};

/// The shared findings: every fixture, linted from the crate directory so paths are stable.
fn shared() -> Outcome {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(&dir).expect("cd to the crate");
    let mut settings = Settings::default();
    settings.today = "2026-01-01".to_owned();
    let outcome = lint_paths(&["tests/fixtures".into()], &settings, true);
    assert!(outcome.is_complete(), "fixtures are readable");
    outcome
}

fn out(format: Format) -> String {
    render(
        format,
        &shared(),
        RenderOptions {
            color: false,
            width: 100,
        },
    )
}

#[test]
fn json() {
    let text = out(Format::Json);
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(
        value["findings"].as_array().map(Vec::len),
        Some(shared().findings.len())
    );
    insta::assert_snapshot!(text);
}

#[test]
fn sarif_is_valid_against_the_schema() {
    let text = out(Format::Sarif);
    let instance: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).expect("schema parses");
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    let results = instance["runs"][0]["results"].as_array().map(Vec::len);
    assert_eq!(results, Some(shared().findings.len()));
    insta::assert_snapshot!(text);
}

#[test]
fn junit_is_xml_with_one_failure_per_finding() {
    let text = out(Format::Junit);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, shared().findings.len());
    insta::assert_snapshot!(text);
}

#[test]
fn junit_of_a_clean_run_has_one_passing_case() {
    let text = render(Format::Junit, &Outcome::default(), RenderOptions::default());
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        1
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        0
    );
}

#[test]
fn checkstyle_is_xml_with_one_error_per_finding() {
    let text = out(Format::Checkstyle);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let errors = doc
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .count();
    assert_eq!(errors, shared().findings.len());
    insta::assert_snapshot!(text);
}

#[test]
fn github() {
    let text = out(Format::Github);
    assert_eq!(text.lines().count(), shared().findings.len());
    insta::assert_snapshot!(text);
}

#[test]
fn compact() {
    let text = out(Format::Compact);
    assert_eq!(text.lines().count(), shared().findings.len());
    insta::assert_snapshot!(text);
}

#[test]
fn human_has_no_escape_codes_without_colour() {
    let text = out(Format::Human);
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("JIT003 management-port-exposed"));
}

/// Output order is file, line, column, code, whatever order the workers finished in.
#[test]
fn order_is_deterministic() {
    let first = shared().findings;
    for _ in 0..3 {
        assert_eq!(shared().findings, first);
    }
    let keys: Vec<_> = first
        .iter()
        .map(|f| (f.file.clone(), f.region.start, f.code))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

/// The shared findings plus a path that could not be read.
fn incomplete() -> Outcome {
    let mut outcome = shared();
    outcome.io_errors.push(jitlint::LintError::io(
        "locked".into(),
        std::io::Error::from(std::io::ErrorKind::PermissionDenied),
    ));
    outcome
}

#[test]
fn an_incomplete_run_is_never_reported_as_clean() {
    let render = |format| render(format, &incomplete(), RenderOptions::default());

    let sarif: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).expect("JSON");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).expect("schema parses");
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );

    let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).expect("JSON");
    assert_eq!(json["summary"]["complete"], false);
    assert_eq!(json["unreadable"][0]["path"], "locked");

    for format in [Format::Junit, Format::Checkstyle] {
        let text = render(format);
        let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
        let named = doc.descendants().any(|n| {
            n.has_tag_name("error")
                && n.attribute("message")
                    .is_some_and(|m| m.starts_with("cannot read locked"))
        });
        assert!(named, "{format:?}: {text}");
    }

    let human = render(Format::Human);
    let last = human.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Incomplete: 1 path could not be read (`locked`); ")
            && last.contains(" errors, "),
        "{last}"
    );
    assert!(!human.contains("\nFound "), "{last}");
}
