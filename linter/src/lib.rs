/*!
`jitlint`: a policy-as-code linter for Azure just-in-time (JIT) VM access in Terraform.

It reads `.tf` and `.tf.json` files and reports the JIT-specific mistakes that general scanners
miss: a JIT port open to `*`, an access window of a day, an NSG rule that exposes RDP through a
port range, an azapi body with the wrong scope. Every check on ports, prefixes and durations is
`jit_core`'s, so the linter, the provider and the emulator always agree.

# Brief overview

* [`load`] turns files into the small [`model`] (resources, attributes known or
  [`model::Unknown`], byte spans), and never fails as a whole: a broken file is a finding.
* [`eval`] evaluates each directory as a Terraform module (variables, tfvars, locals,
  functions, `count`/`for_each`, local child modules), so that rules see values, not
  expressions; [`plan`] builds the same from `terraform show -json` output.
* [`view`] reads JIT port rules and NSG rules out of the model, whichever resource declared them;
  [`topology`] relates VMs, JIT policies, network interfaces and NSGs across resources.
* [`overlap`] decides which of two findings on one value stands.
* [`rules`] holds one file per rule; [`registry::ALL`] lists them.
* [`suppress`] applies `# jitlint:ignore[CODE] reason` comments.
* [`output`] renders one set of [`Finding`]s as human, JSON, SARIF, JUnit, checkstyle, GitHub or
  compact text.

# Example

```
use jitlint::{Settings, lint_text};

let text = r#"
resource "jit_policy" "web" {
  resource_group_name = "rg"
  location            = "westeurope"
  virtual_machine {
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web"
    port {
      number                        = 22
      allowed_source_address_prefix = "*"
    }
  }
}
"#;
let outcome = lint_text("main.tf", text, &Settings::default());
assert_eq!(outcome.findings[0].code, "JIT001");
assert_eq!(outcome.findings[0].address.as_deref(), Some("jit_policy.web"));
```
*/

#![deny(missing_docs)]

pub mod config;
pub mod eval;
pub mod load;
pub mod model;
pub mod output;
pub mod overlap;
pub mod plan;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod topology;
pub mod view;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use config::Settings;
pub use rule::{Finding, Severity};

use load::{LoadError, NotText, Syntax};
use model::Document;
use rule::Reporter;
use rules::ParseError;
use source::SourceFile;

/// Why a run could not lint what it was asked to.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum LintError {
    /// A path given on the command line, or found under one, could not be read.
    #[error("cannot read {}", display_name(.path))]
    #[diagnostic(code(jitlint::io))]
    Io {
        /// The path, as given or as found under a given directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
        /// What to do about it, when the cause says.
        #[help]
        help: Option<String>,
    },
    /// A path with a Terraform name that is not a regular file: a FIFO, a socket, a device or
    /// a link to a directory. It is not opened, since reading a FIFO or a device may never end.
    #[error("cannot read {}: it is not a regular file", display_name(.path))]
    #[diagnostic(
        code(jitlint::io),
        help(
            "jitlint reads regular .tf and .tf.json files: rename it, or exclude it in .jitlint.toml"
        )
    )]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
}

impl LintError {
    /// An I/O error about `path`, with help for the usual causes.
    pub fn io(path: PathBuf, source: std::io::Error) -> LintError {
        let help = match source.kind() {
            std::io::ErrorKind::NotFound => Some(
                "check the path: it must be a .tf or .tf.json file or a directory, relative to \
                 where jitlint runs"
                    .to_owned(),
            ),
            std::io::ErrorKind::PermissionDenied => {
                let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
                let access = if is_dir {
                    "read and execute access to the directory"
                } else {
                    "read access to the file"
                };
                Some(format!(
                    "give your user {access} `{}`, or exclude it in .jitlint.toml",
                    display_name(&path)
                ))
            }
            _ => None,
        };
        LintError::Io { path, source, help }
    }

    /// The path that could not be read.
    pub fn path(&self) -> &Path {
        match self {
            LintError::Io { path, .. } | LintError::NotAFile { path } => path,
        }
    }

    /// The message with its cause, on one line: `cannot read sub: Permission denied (os error 13)`.
    pub fn describe(&self) -> String {
        match self {
            LintError::Io { source, .. } => format!("{self}: {source}"),
            LintError::NotAFile { .. } => self.to_string(),
        }
    }
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every finding, sorted by file, line, column and code.
    pub findings: Vec<Finding>,
    /// How many files were read (unreadable ones are in `io_errors`, not here).
    pub files_checked: usize,
    /// The text of files with findings, for renderers that show snippets.
    pub sources: BTreeMap<String, SourceFile>,
    /// Paths that could not be read, given or found under a given directory, each naming its
    /// own path, sorted by path.
    pub io_errors: Vec<LintError>,
}

impl Outcome {
    /// Whether any finding is at or above `level`.
    pub fn fails_at(&self, level: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= level)
    }

    /// Whether every path asked for could be read: when not, the run is incomplete and its
    /// exit code is 2 whatever the findings.
    pub fn is_complete(&self) -> bool {
        self.io_errors.is_empty()
    }

    fn finish(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.findings.dedup();
        self.io_errors.sort_by(|a, b| a.path().cmp(b.path()));
    }
}

/// Lints one text, as for stdin or tests. The syntax is chosen from `name`'s extension
/// (`.tf.json` is JSON, anything else HCL).
pub fn lint_text(name: &str, text: &str, settings: &Settings) -> Outcome {
    let syntax = Syntax::of(Path::new(name)).unwrap_or(Syntax::Hcl);
    let mut outcome = Outcome {
        files_checked: 1,
        ..Outcome::default()
    };
    let unit = vec![(SourceFile::new(name, text), syntax)];
    lint_module(unit, None, settings, true, &mut outcome);
    outcome.finish();
    outcome
}

/// Lints the bytes of one file, as read from stdin: [`lint_text`] when they are UTF-8 text, a
/// `parse-error` finding naming `name` (and no snippet) when they are not.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, settings: &Settings) -> Outcome {
    match load::decode(bytes) {
        Ok(text) => lint_text(name, &text, settings),
        Err((bytes, problem)) => {
            let mut outcome = Outcome {
                files_checked: 1,
                ..Outcome::default()
            };
            not_text(name.to_owned(), &bytes, problem, settings, &mut outcome);
            outcome.finish();
            outcome
        }
    }
}

/// Lints files and directories (recursively), in parallel, one module (directory) at a time.
///
/// `keep_sources` keeps the text of files with findings for snippet renderers; without it
/// memory stays flat however many files there are.
///
/// A path that cannot be read, given or found under a directory, is one entry of
/// [`Outcome::io_errors`] naming that path; everything else is still linted.
pub fn lint_paths(paths: &[PathBuf], settings: &Settings, keep_sources: bool) -> Outcome {
    let (modules, io_errors) = discover_modules(paths, settings);
    let outcome = Mutex::new(Outcome {
        io_errors,
        ..Outcome::default()
    });
    run_parallel(&modules, |files| {
        let mut local = Outcome::default();
        let mut unit = Vec::with_capacity(files.len());
        for path in files {
            match std::fs::read(path) {
                Ok(bytes) => {
                    local.files_checked += 1;
                    let name = display_name(path);
                    match load::decode(bytes) {
                        Ok(text) => {
                            let syntax = Syntax::of(path).unwrap_or(Syntax::Hcl);
                            unit.push((SourceFile::new(name, text), syntax));
                        }
                        Err((bytes, problem)) => {
                            not_text(name, &bytes, problem, settings, &mut local);
                        }
                    }
                }
                Err(source) => local.io_errors.push(LintError::io(path.clone(), source)),
            }
        }
        let dir = files.first().and_then(|f| f.parent());
        lint_module(unit, dir, settings, keep_sources, &mut local);
        if let Ok(mut shared) = outcome.lock() {
            shared.findings.append(&mut local.findings);
            shared.files_checked += local.files_checked;
            shared.sources.append(&mut local.sources);
            shared.io_errors.append(&mut local.io_errors);
        }
    });
    let mut outcome = outcome
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    outcome.finish();
    outcome
}

/// Reads and parses every file and nothing else: the floor the benchmark compares against.
pub fn parse_only(paths: &[PathBuf], settings: &Settings) -> Result<usize, LintError> {
    let (modules, errors) = discover_modules(paths, settings);
    if let Some(error) = errors.into_iter().next() {
        return Err(error);
    }
    let parsed = AtomicUsize::new(0);
    run_parallel(&modules, |files| {
        for path in files {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let ok = match Syntax::of(path) {
                Some(Syntax::Json) => load::json::load(SourceFile::new("", text)).is_ok(),
                _ => hcl_edit::parser::parse_body(&text).is_ok(),
            };
            if ok {
                parsed.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    Ok(parsed.into_inner())
}

/// The files to lint, grouped by directory (a Terraform module), largest group first so that
/// the parallel workers finish together, and the paths that could not be read.
fn discover_modules(paths: &[PathBuf], settings: &Settings) -> (Vec<Vec<PathBuf>>, Vec<LintError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        errors.extend(load::discover_excluding(path, &mut files, &|p| {
            settings.is_excluded(p)
        }));
    }
    files.retain(|f| !settings.is_excluded(f));
    files.sort();
    files.dedup();
    let mut modules: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for file in files {
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        modules.entry(dir).or_default().push(file);
    }
    let mut modules: Vec<Vec<PathBuf>> = modules.into_values().collect();
    modules.sort_by_key(|files| std::cmp::Reverse(files.len()));
    (modules, errors)
}

/// Runs `work` over the modules on every core. Each worker gets a large stack: the parser is
/// recursive, and hostile input must fail with a parse error, never a stack overflow.
fn run_parallel(modules: &[Vec<PathBuf>], work: impl Fn(&[PathBuf]) + Sync) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(modules.len().max(1));
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let spawned = std::thread::Builder::new()
                .stack_size(16 << 20)
                .spawn_scoped(scope, || {
                    while let Some(files) = modules.get(next.fetch_add(1, Ordering::Relaxed)) {
                        work(files);
                    }
                });
            if spawned.is_err() {
                // Could not start a thread: do the work on this one instead.
                while let Some(files) = modules.get(next.fetch_add(1, Ordering::Relaxed)) {
                    work(files);
                }
            }
        }
    });
}

pub(crate) fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// Lints the files of one module together: evaluated as a module ([`eval`]), checked by
/// every rule at once (so that rules can relate resources across files), overlaps resolved,
/// suppressions applied per file.
fn lint_module(
    unit: Vec<(SourceFile, Syntax)>,
    dir: Option<&Path>,
    settings: &Settings,
    keep_sources: bool,
    outcome: &mut Outcome,
) {
    let mut documents: Vec<Document> = Vec::with_capacity(unit.len());
    for (file, syntax) in unit {
        match load::parse(file, syntax) {
            Ok(document) => documents.push(document),
            Err((file, LoadError::Syntax { message, span })) => {
                let mut findings = Vec::new();
                if let Some(severity) = settings.severity(ParseError::META.code) {
                    findings.push(suppress::meta_finding(
                        &file,
                        span,
                        &ParseError::META,
                        severity,
                        format!("cannot parse this file: {message}"),
                        "fix the syntax error; the rest of the file was not checked".to_owned(),
                    ));
                }
                let mut directives = suppress::scan(&file, &[]);
                suppress::apply(&file, &mut directives, &mut findings, settings);
                keep(file, findings, keep_sources, outcome);
            }
        }
    }
    let module = eval::evaluate_root(documents, dir, settings);
    check_module(module, settings, keep_sources, outcome);
}

/// Runs every rule over an evaluated module (from source or from a plan), resolves overlaps,
/// applies each file's suppressions and keeps the findings.
fn check_module(
    module: eval::Module,
    settings: &Settings,
    keep_sources: bool,
    outcome: &mut Outcome,
) {
    let mut findings = Vec::new();
    let context = rule::Context::new(&module.documents, &module.issues);
    for rule in registry::ALL {
        let meta = rule.meta();
        let Some(severity) = settings.severity(meta.code) else {
            continue;
        };
        let mut reporter =
            Reporter::new(settings, &module.documents, meta, severity, &mut findings);
        rule.check(&context, &mut reporter);
    }
    drop(context);
    overlap::resolve(&mut findings);
    let mut by_file: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for finding in findings {
        by_file
            .entry(finding.file.clone())
            .or_default()
            .push(finding);
    }
    let mut seen = std::collections::HashSet::new();
    for document in module.documents {
        // A child module called twice (or with `count`) adds its files once per call.
        if !seen.insert(document.file.name.clone()) {
            continue;
        }
        let mut findings = by_file.remove(&document.file.name).unwrap_or_default();
        let mut directives = suppress::scan(&document.file, &document.block_extents);
        suppress::apply(&document.file, &mut directives, &mut findings, settings);
        if document.from_module_call {
            findings.retain(|f| f.code != rules::UnusedSuppression::META.code);
        }
        keep(document.file, findings, keep_sources, outcome);
    }
}

/// Keeps a file's findings, and its text for snippets when asked.
///
/// **Invariant:** nothing kept can drive a terminal. Messages have their control characters
/// escaped, and the kept text has them replaced (offsets unchanged), because every renderer
/// prints what is kept here.
fn keep(file: SourceFile, mut findings: Vec<Finding>, keep_sources: bool, outcome: &mut Outcome) {
    if findings.is_empty() {
        return;
    }
    for finding in &mut findings {
        for text in [&mut finding.message, &mut finding.help, &mut finding.label] {
            if let std::borrow::Cow::Owned(escaped) = source::escape_unprintable(text) {
                *text = escaped;
            }
        }
    }
    outcome.findings.append(&mut findings);
    if keep_sources {
        let file = match source::snippet_safe(&file.text) {
            std::borrow::Cow::Owned(safe) => SourceFile::new(file.name, safe),
            std::borrow::Cow::Borrowed(_) => file,
        };
        outcome.sources.insert(file.name.clone(), file);
    }
}

/// Reports a file that is not text as a parse error at its first bad byte, and keeps no text
/// for it: a snippet of a binary file would print its raw bytes.
fn not_text(
    name: String,
    bytes: &[u8],
    problem: NotText,
    settings: &Settings,
    outcome: &mut Outcome,
) {
    let Some(severity) = settings.severity(ParseError::META.code) else {
        return;
    };
    // The text before the first bad byte is valid, so positions can be counted in it.
    let before = String::from_utf8_lossy(bytes.get(..problem.offset()).unwrap_or_default());
    let file = SourceFile::new(name, before.as_ref());
    let end = file.text.len();
    let finding = suppress::meta_finding(
        &file,
        source::Span::new(end, end),
        &ParseError::META,
        severity,
        format!("`{}` was not checked: {problem}", file.name),
        "save it as UTF-8 text, as Terraform requires; if it is not Terraform, rename it so that \
         it does not end in .tf or .tf.json, or exclude it in .jitlint.toml"
            .to_owned(),
    );
    keep(file, vec![finding], false, outcome);
}
