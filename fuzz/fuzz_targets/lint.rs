//! Any bytes, as HCL and as Terraform JSON, through the whole pipeline: loading, rules,
//! suppressions and every renderer. The property is only that nothing panics.
#![no_main]

use jitlint::output::{Format, RenderOptions, render};
use jitlint::{Settings, lint_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let settings = Settings::default();
    for name in ["fuzz.tf", "fuzz.tf.json"] {
        let outcome = lint_text(name, &text, &settings);
        for format in [Format::Human, Format::Sarif, Format::Junit] {
            let _ = render(format, &outcome, RenderOptions::default());
        }
    }
});
