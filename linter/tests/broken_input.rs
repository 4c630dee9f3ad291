//! Malformed input never panics: truncated files, binary junk, deep nesting and huge files all
//! end as findings (a parse error at worst). The fuzz target in `fuzz/` explores further.

use jitlint::{Settings, lint_text};

fn fixtures() -> Vec<(String, String)> {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

/// A small deterministic generator, so that failures reproduce.
fn junk(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn lint_both(text: &str) {
    let settings = Settings::default();
    let _ = lint_text("broken.tf", text, &settings);
    let _ = lint_text("broken.tf.json", text, &settings);
}

#[test]
fn truncated_fixtures() {
    for (_, text) in fixtures() {
        let mut cut = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                lint_both(&text[..cut]);
            }
            cut += 7;
        }
    }
}

#[test]
fn binary_junk() {
    for seed in 0..200 {
        let bytes = junk(seed, 64 + (seed as usize * 37) % 4096);
        lint_both(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn junk_spliced_into_valid_files() {
    for (index, (_, text)) in fixtures().into_iter().enumerate() {
        for seed in 0..20u64 {
            let at = (seed as usize * 131) % text.len().max(1);
            let at = (0..=at)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            let noise = String::from_utf8_lossy(&junk(seed + index as u64 * 100, 16)).into_owned();
            lint_both(&format!("{}{}{}", &text[..at], noise, &text[at..]));
        }
    }
}

#[test]
fn deep_nesting() {
    for open in ["[", "{", "(", "{\"a\":", "jsonencode(", "\"${"] {
        let text = format!("a = {}", open.repeat(50_000));
        lint_both(&text);
    }
    let nested_blocks = "virtual_machine {\n".repeat(10_000);
    lint_both(&format!(
        "resource \"jit_policy\" \"x\" {{\n{nested_blocks}"
    ));
    let long_operator_chain = format!("a = {}", "1 + ".repeat(100_000));
    lint_both(&long_operator_chain);
}

#[test]
fn huge_file() {
    let (_, text) = fixtures()
        .into_iter()
        .find(|(n, _)| n.starts_with("JIT001"))
        .expect("fixture");
    let mut huge = String::new();
    for i in 0..400 {
        huge.push_str(
            &text
                .replace("\"open\"", &format!("\"open{i}\""))
                .replace("\"narrow\"", &format!("\"narrow{i}\"")),
        );
    }
    let outcome = lint_text("huge.tf", &huge, &Settings::default());
    assert_eq!(
        outcome
            .findings
            .iter()
            .filter(|f| f.code == "JIT001")
            .count(),
        400 * 13
    );
}

#[test]
fn odd_but_valid_text() {
    for text in [
        "",
        "\u{feff}resource \"jit_policy\" \"x\" {}",
        "resource \"jit_policy\" \"x\" {\r\n  virtual_machine {\r\n  }\r\n}\r\n",
        "resource \"jit_policy\" \"é\" { virtual_machine { port { number = -1 } } }",
        "resource \"jit_policy\" \"x\" { virtual_machine { port { number = 99999999999999999999999 } } }",
        "# jitlint:ignore[",
        "# jitlint:ignore[JIT001] until=9999-99-99",
        "{\"resource\": []}",
        "{\"resource\": {\"jit_policy\": {\"x\": [1, 2, null]}}}",
    ] {
        lint_both(text);
    }
}

/// Bytes that are not UTF-8, as from stdin, are one parse-error finding naming the file, with
/// no text kept for a snippet.
#[test]
fn bytes_that_are_not_text_are_named_not_parsed() {
    let outcome = jitlint::lint_bytes(
        "<stdin>.tf",
        b"resource \"x\" {\n\xc3\x28".to_vec(),
        &Settings::default(),
    );
    let found: Vec<(&str, usize, usize, &str)> = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.code,
                f.region.start.line,
                f.region.start.column,
                f.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "JIT900",
            2,
            1,
            "`<stdin>.tf` was not checked: it is not UTF-8 text: byte 0xC3 cannot start or \
             continue a character"
        )]
    );
    assert!(outcome.sources.is_empty());
    assert_eq!(outcome.files_checked, 1);
    let text = jitlint::lint_bytes("ok.tf", b"a = 1\n".to_vec(), &Settings::default());
    assert!(text.findings.is_empty());
}
