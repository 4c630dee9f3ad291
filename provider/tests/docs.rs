//! The provider's reference docs (`docs/index.md`, `docs/resources/*.md`) are generated from the
//! schemas, so they cannot drift: this test fails when they differ, and `JIT_DOCS_BLESS=1`
//! rewrites them.

use std::fmt::Write as _;

use terraform_provider_jit::JitProvider;
use tfplugin::framework::{Block, Nesting, Provider};

fn type_name(ty: &tfplugin::cty::Type) -> String {
    use tfplugin::cty::Type;
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(element) => format!("List of {}", type_name(element)),
        Type::Set(element) => format!("Set of {}", type_name(element)),
        Type::Map(element) => format!("Map of {}", type_name(element)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

/// One section per block: its arguments (required, then optional), its read-only attributes,
/// then a section per nested block.
fn render_block(out: &mut String, block: &Block, heading: &str) {
    let required: Vec<_> = block
        .attributes
        .iter()
        .filter(|(_, a)| a.required)
        .collect();
    let optional: Vec<_> = block
        .attributes
        .iter()
        .filter(|(_, a)| a.optional)
        .collect();
    let read_only: Vec<_> = block
        .attributes
        .iter()
        .filter(|(_, a)| a.computed && !a.optional)
        .collect();
    let line = |name: &str, attribute: &tfplugin::framework::Attribute| {
        let mut flags = vec![type_name(&attribute.ty)];
        if attribute.sensitive {
            flags.push("Sensitive".into());
        }
        if attribute.requires_replace() {
            flags.push("Forces replacement".into());
        }
        format!(
            "- `{name}` ({}) {}\n",
            flags.join(", "),
            attribute.description
        )
    };
    for (title, list) in [
        ("Required", &required),
        ("Optional", &optional),
        ("Read-only", &read_only),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading} {title}\n");
        for (name, attribute) in list.iter() {
            out.push_str(&line(name, attribute));
        }
        out.push('\n');
    }
    for (name, nested) in &block.blocks {
        let count = match (nested.nesting, nested.min_items) {
            (Nesting::List | Nesting::Set, 0) => "zero or more".to_owned(),
            (Nesting::List | Nesting::Set, min) => format!("{min} or more"),
            (Nesting::Single | Nesting::Group, _) => "at most one".to_owned(),
            (Nesting::Map, _) => "a map of".to_owned(),
        };
        let _ = writeln!(
            out,
            "{heading} `{name}` block ({count})\n\n{}\n",
            nested.block.description
        );
        render_block(out, &nested.block, &format!("{heading}#"));
    }
}

fn render(title: &str, subcategory: &str, block: &Block, example: Option<&str>) -> String {
    let mut out = format!(
        "---\npage_title: \"{title}\"\nsubcategory: \"{subcategory}\"\ndescription: |-\n  {}\n---\n\n# {title}\n\n{}\n\n",
        block.description.lines().next().unwrap_or_default(),
        block.description
    );
    out.push_str("<!-- Generated from the provider's schema by provider/tests/docs.rs; edit the schema, then run JIT_DOCS_BLESS=1 cargo test -p terraform-provider-jit --test docs. -->\n\n");
    if let Some(example) = example {
        let _ = writeln!(out, "## Example Usage\n\n```hcl\n{}```\n", example);
    }
    out.push_str("## Schema\n\n");
    render_block(&mut out, block, "###");
    out.trim_end().to_owned() + "\n"
}

#[test]
fn reference_docs_match_the_schemas() {
    let root = jit_e2e::workspace_root();
    let example = std::fs::read_to_string(root.join("examples/quickstart/main.tf"))
        .expect("the quickstart example");
    let mut pages = vec![(
        "docs/index.md".to_owned(),
        render("jit Provider", "", &JitProvider.schema().block, None),
    )];
    for resource in JitProvider.resources() {
        let short = resource.type_name().trim_start_matches("jit_");
        pages.push((
            format!("docs/resources/{short}.md"),
            render(
                resource.type_name(),
                "",
                &resource.schema().block,
                Some(&example),
            ),
        ));
    }
    let bless = std::env::var_os("JIT_DOCS_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, expected) in pages {
        let path = root.join(path);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != expected {
            if bless {
                std::fs::create_dir_all(path.parent().expect("docs directory"))
                    .expect("create docs directory");
                std::fs::write(&path, expected).expect("write a docs page");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs are out of date with the schemas: {stale:?}; run JIT_DOCS_BLESS=1 cargo test -p terraform-provider-jit --test docs"
    );
}
