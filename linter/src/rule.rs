//! What a rule is: metadata, what it reads, a check over one evaluated module, and the findings
//! it reports.
//!
//! A rule reads the model and the [`Settings`]; it never sees the CLI, the output format or
//! files of other modules. Findings are plain data so that every renderer works from the same
//! set.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::model::{Document, Resource};

use crate::source::{Region, Span};

/// How serious a finding is. Ordered so that `Error > Warning > Note`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, such as a value that cannot be checked statically.
    Note,
    /// Probably a mistake or weaker than intended.
    Warning,
    /// Unsafe, or rejected by Azure.
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's identity and documentation.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Stable code, e.g. `JIT001`. Codes are never reused.
    pub code: &'static str,
    /// Kebab-case name that reads as "allow `<name>`", e.g. `broad-source-prefix`.
    pub name: &'static str,
    /// One line for `jitlint rules` and SARIF's short description.
    pub summary: &'static str,
    /// Severity unless the configuration says otherwise.
    pub default_severity: Severity,
    /// The rule's doc comment, line by line: the source of `docs/rules/<name>.md`.
    pub doc: &'static [&'static str],
    /// The rule's page in the repository, `<repository>/blob/v<version>/docs/rules/<name>.md`, the page of this release (its tag).
    pub docs_url: &'static str,
}

impl RuleMeta {
    /// The rule's page in the repository.
    pub fn docs_url(&self) -> &'static str {
        self.docs_url
    }

    /// The Markdown page for `docs/rules/<name>.md` and `jitlint explain`.
    pub fn markdown(&self) -> String {
        let mut page = format!(
            "<!-- Generated from linter/src/rules/{}.rs; edit the doc comment there. -->\n\n# {} `{}`\n\n{}.\n\nDefault severity: **{}**.\n",
            self.name.replace('-', "_"),
            self.code,
            self.name,
            self.summary,
            self.default_severity
        );
        for line in self.doc {
            let line = line.strip_prefix(' ').unwrap_or(line);
            if line.starts_with("## ") {
                page.push('\n');
            }
            page.push_str(line);
            page.push('\n');
            if line.starts_with("## ") {
                page.push('\n');
            }
        }
        // Collapse the blank lines that the heading handling may double.
        while page.contains("\n\n\n") {
            page = page.replace("\n\n\n", "\n\n");
        }
        page
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule code, e.g. `JIT001`.
    pub code: &'static str,
    /// Rule name, e.g. `broad-source-prefix`.
    pub name: &'static str,
    /// Severity after configuration.
    pub severity: Severity,
    /// The file, as given on the command line.
    pub file: String,
    /// Lines and columns.
    pub region: Region,
    /// The resource address, with an instance key where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The ports involved, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
    /// One sentence on what is wrong.
    pub message: String,
    /// One sentence on how to fix it.
    pub help: String,
    /// Short label for the underlined span.
    #[serde(skip)]
    pub label: String,
    /// The rule's documentation page.
    pub docs_url: &'static str,
}

impl Finding {
    /// The order every output uses: file, line, column, code, then the rest for stability.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.file,
            self.region.start.line,
            self.region.start.column,
            self.code,
            &self.address,
            &self.message,
        )
    }
}

/// What a rule reads of one resource type, declared as tflint's `BodySchema` is.
///
/// The loader converts only the resource types and attributes that some rule declares, so
/// that linting stays close to the cost of parsing (most of a configuration is resources no
/// rule reads), and a rule that reads an attribute it did not declare sees nothing: the
/// fixture tests catch it. Names apply to the resource's body and to its nested blocks.
#[derive(Debug, Clone, Copy)]
pub struct Reads {
    /// The resource type, e.g. `jit_policy`.
    pub kind: &'static str,
    /// The attributes read, in the body and in nested blocks.
    pub attributes: &'static [&'static str],
}

/// A lint rule.
pub trait Rule: Sync {
    /// Identity and docs.
    fn meta(&self) -> &'static RuleMeta;

    /// What the rule reads: groups of [`Reads`], usually the views it uses
    /// ([`crate::view::JIT_READS`], [`crate::view::NSG_READS`]) and its own.
    fn reads(&self) -> &'static [&'static [Reads]] {
        &[]
    }

    /// Reports findings for one evaluated module.
    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>);
}

/// What rules read: one evaluated module (its documents, with `count`, `for_each`, dynamic
/// blocks and local child modules expanded) and its views, built once and shared by every
/// rule.
#[derive(Debug)]
pub struct Context<'a> {
    /// The module's documents: its files, its child modules' files and its tfvars files.
    pub documents: &'a [Document],
    /// What evaluation could not do: cycles, modules not followed, inputs that do not parse.
    pub issues: &'a [crate::eval::Issue],
    /// The JIT VM entries (policies, requests, azapi bodies).
    pub vms: Vec<crate::view::JitVm<'a>>,
    /// The NSG rules.
    pub nsg_rules: Vec<crate::view::NsgRule<'a>>,
    /// How VMs, JIT entries, network interfaces and NSGs relate.
    pub topology: crate::topology::Topology<'a>,
}

impl<'a> Context<'a> {
    /// Builds the views of an evaluated module.
    pub fn new(documents: &'a [Document], issues: &'a [crate::eval::Issue]) -> Context<'a> {
        let vms = crate::view::jit_vms(documents);
        let resources: Vec<&'a Resource> =
            documents.iter().flat_map(|d| d.resources.iter()).collect();
        let topology = crate::topology::Topology::build(&resources, &vms);
        Context {
            documents,
            issues,
            vms,
            nsg_rules: crate::view::nsg_rules(documents),
            topology,
        }
    }

    /// Every resource of the module, in file and source order.
    pub fn resources(&self) -> impl Iterator<Item = &'a Resource> + 'a {
        self.documents.iter().flat_map(|d| d.resources.iter())
    }

    /// The document that declares `resource`.
    pub fn document_of(&self, resource: &Resource) -> Option<&'a Document> {
        self.documents.get(resource.file)
    }
}

/// Collects one rule's findings for one module, applying the configured severity.
pub struct Reporter<'a> {
    /// The settings in force, for limits and trusted prefixes.
    pub settings: &'a Settings,
    documents: &'a [Document],
    meta: &'static RuleMeta,
    severity: Severity,
    findings: &'a mut Vec<Finding>,
}

/// What a rule says about one span.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// Label under the span.
    pub label: String,
    /// Ports involved.
    pub ports: Vec<u16>,
    /// Report at error level whatever the rule's severity: Azure would reject the value.
    pub rejected_by_azure: bool,
}

impl<'a> Reporter<'a> {
    /// A reporter for `meta` at `severity`, appending to `findings`.
    pub fn new(
        settings: &'a Settings,
        documents: &'a [Document],
        meta: &'static RuleMeta,
        severity: Severity,
        findings: &'a mut Vec<Finding>,
    ) -> Reporter<'a> {
        Reporter {
            settings,
            documents,
            meta,
            severity,
            findings,
        }
    }

    /// Reports a finding about `resource` (its instance, when expanded), in its file.
    pub fn report(&mut self, resource: &Resource, report: Report) {
        let address = resource.address();
        self.report_in(resource.file, Some(address), report);
    }

    /// Reports a finding in the module's document `file`, about `address` if any.
    pub fn report_in(&mut self, file: usize, address: Option<String>, report: Report) {
        let Some(document) = self.documents.get(file) else {
            return;
        };
        let severity = if report.rejected_by_azure {
            Severity::Error
        } else {
            self.severity
        };
        let mut ports = report.ports;
        ports.sort_unstable();
        ports.dedup();
        let finding = Finding {
            code: self.meta.code,
            name: self.meta.name,
            severity,
            file: document.file.name.clone(),
            region: document.file.region(report.span),
            address,
            ports,
            message: report.message,
            help: report.help,
            label: report.label,
            docs_url: self.meta.docs_url(),
        };
        self.findings.push(finding);
    }
}

/// Declares a rule struct whose doc comment is also its documentation page.
///
/// `macro_rules` sees `///` lines as `#[doc = "..."]` attributes, so the same text becomes the
/// rustdoc, `jitlint explain` and `docs/rules/<name>.md` (a test keeps the files in sync).
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        code = $code:literal,
        name = $name:literal,
        severity = $severity:ident,
        summary = $summary:literal;
        pub struct $rule:ident;
    ) => {
        $(#[doc = $doc])*
        pub struct $rule;

        impl $rule {
            /// The rule's identity and documentation.
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                code: $code,
                name: $name,
                summary: $summary,
                default_severity: $crate::rule::Severity::$severity,
                doc: &[$($doc),*],
                docs_url: concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/v", env!("CARGO_PKG_VERSION"), "/docs/rules/", $name, ".md"),
            };
        }
    };
}
pub(crate) use declare_rule;
