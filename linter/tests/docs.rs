//! `docs/rules/<name>.md` is generated from each rule's doc comment; this test fails when they
//! drift. Regenerate with `JITLINT_BLESS=1 cargo test -p jitlint --test docs`.

use std::path::PathBuf;

#[test]
fn rule_pages_match_doc_comments() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
    let bless = std::env::var_os("JITLINT_BLESS").is_some();
    let mut stale = Vec::new();
    for rule in jitlint::registry::ALL {
        let meta = rule.meta();
        let path = dir.join(format!("{}.md", meta.name));
        let expected = meta.markdown();
        if bless {
            std::fs::create_dir_all(&dir).expect("create docs/rules");
            std::fs::write(&path, &expected).expect("write rule page");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(expected.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule pages (run with JITLINT_BLESS=1): {stale:?}"
    );
}

#[test]
fn every_page_has_the_four_sections() {
    for rule in jitlint::registry::ALL {
        let page = rule.meta().markdown();
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                page.contains(heading),
                "{} lacks {heading}",
                rule.meta().name
            );
        }
    }
}
