//! The repository's own `examples/` must lint clean at the default fail level (intended
//! findings carry a `# jitlint:ignore[...] reason` comment), so that the examples teach what
//! the linter accepts.

use std::path::PathBuf;

#[test]
fn examples_lint_clean() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut files = Vec::new();
    if examples.is_dir() {
        let errors = jitlint::load::discover(&examples, &mut files);
        assert!(errors.is_empty(), "examples are readable: {errors:?}");
    }
    if files.is_empty() {
        // Say so rather than pass silently: there is nothing to check yet.
        eprintln!(
            "examples_lint_clean: no .tf files under {}",
            examples.display()
        );
        return;
    }
    let settings = match jitlint::config::discover(&examples) {
        Some(path) => jitlint::Settings::from_file(&path).expect("valid .jitlint.toml"),
        None => jitlint::Settings::default(),
    };
    let outcome = jitlint::lint_paths(&[examples], &settings, false);
    assert!(outcome.is_complete(), "examples are readable");
    let failing: Vec<String> = outcome
        .findings
        .iter()
        .filter(|f| f.severity >= settings.fail_level)
        .map(|f| {
            format!(
                "{}:{}: {} {}",
                f.file, f.region.start.line, f.code, f.message
            )
        })
        .collect();
    assert!(
        failing.is_empty(),
        "examples/ has findings:\n{}",
        failing.join("\n")
    );
}
