//! The `jitlint` command line: argument parsing, configuration, output and exit codes.
//!
//! Exit codes are chosen in one place, [`main`]: 0 clean, 1 findings at or above the fail
//! level, 2 a usage, configuration or I/O error. A closed pipe (`jitlint | head`) is not an
//! error.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jitlint::eval::Input;
use jitlint::output::{Format, RenderOptions};
use jitlint::{Settings, Severity, config, registry};

#[derive(Debug, Parser)]
#[command(
    name = "jitlint",
    version,
    about = "Lint Azure JIT VM access in Terraform",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint files and directories (the default command).
    Check(CheckArgs),
    /// List the rules.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// A rule code (JIT001) or name (broad-source-prefix).
        rule: String,
    },
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Files and directories to lint; `-` reads stdin. Defaults to the current directory.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    format: Format,
    /// Configuration file (default: `.jitlint.toml` here or in a parent directory).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ignore any configuration file.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Exit with 1 when a finding is at or above this severity (overrides the configuration).
    #[arg(long, value_enum)]
    fail_level: Option<Severity>,
    /// The file name to report for stdin (its extension selects HCL or JSON).
    #[arg(long, default_value = "<stdin>.tf")]
    stdin_filename: String,
    /// Only run these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Write the report to a file instead of stdout.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Set a root-module variable, as `terraform plan -var` does: `--var admin_cidr=10.0.0.0/8`.
    /// Applies to every directory linted; with `--var-file`, later ones win.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Read root-module variables from a `.tfvars` or `.tfvars.json` file, as
    /// `terraform plan -var-file` does; after the auto-loaded files, later ones winning.
    #[arg(long = "var-file", value_name = "PATH")]
    var_files: Vec<PathBuf>,
    /// For each `--var` (false) and `--var-file` (true), in command-line order: Terraform
    /// applies them in the order given, later ones winning, whichever kind they are.
    #[arg(skip)]
    input_order: Vec<bool>,
    /// Lint a plan instead of source files: the output of `terraform show -json PLAN`. The
    /// one path given, if any, is the configuration directory (default: the plan's), whose
    /// files give findings their lines and suppressions.
    #[arg(long, value_name = "PLAN_JSON")]
    plan: Option<PathBuf>,
    /// Read and parse the files and nothing else (the benchmark's floor).
    #[arg(long, hide = true)]
    parse_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Everything that makes the exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lint(#[from] jitlint::LintError),
    /// Paths that could not be read; each is reported on its own.
    #[error("{} could not be read, so the check is incomplete", paths(.0.len()))]
    #[diagnostic(code(jitlint::io))]
    Unreadable(Vec<jitlint::LintError>),
    #[error("no rule is called `{0}`")]
    #[diagnostic(code(jitlint::usage), help("`jitlint rules` lists them"))]
    UnknownRule(String),
    #[error("cannot write the report")]
    #[diagnostic(code(jitlint::io))]
    Write(#[source] std::io::Error),
    #[error("cannot write the report to {}", .path.display())]
    #[diagnostic(code(jitlint::io))]
    WriteReport {
        path: PathBuf,
        #[source]
        source: std::io::Error,
        #[help]
        help: Option<String>,
    },
    #[error("cannot read stdin")]
    #[diagnostic(code(jitlint::io))]
    Stdin(#[source] std::io::Error),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] jitlint::plan::PlanError),
    #[error("--var {0}")]
    #[diagnostic(code(jitlint::usage))]
    BadVar(String),
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let cli = match parsed {
        Ok((mut cli, matches)) => {
            let check_matches = matches.subcommand_matches("check").unwrap_or(&matches);
            let order = input_order(check_matches);
            match &mut cli.command {
                Some(Command::Check(args)) => args.input_order = order,
                _ => cli.check.input_order = order,
            }
            cli
        }
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    match run(cli) {
        Ok(true) => ExitCode::from(1),
        Ok(false) => ExitCode::SUCCESS,
        Err(CliError::Write(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(CliError::Unreadable(errors)) => {
            for error in errors {
                let report = miette::Report::new(error);
                let _ = writeln!(std::io::stderr(), "{report:?}");
            }
            ExitCode::from(2)
        }
        Err(error) => {
            let report = miette::Report::new(error);
            let _ = writeln!(std::io::stderr(), "{report:?}");
            ExitCode::from(2)
        }
    }
}

/// The kinds of `--var` (false) and `--var-file` (true) in the order they were given.
fn input_order(matches: &clap::ArgMatches) -> Vec<bool> {
    let indices = |id: &str| -> Vec<usize> {
        matches
            .indices_of(id)
            .map(Iterator::collect)
            .unwrap_or_default()
    };
    let mut order: Vec<(usize, bool)> = indices("vars")
        .into_iter()
        .map(|i| (i, false))
        .chain(indices("var_files").into_iter().map(|i| (i, true)))
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, is_file)| is_file).collect()
}

/// Runs the command; `Ok(true)` means findings at or above the fail level.
fn run(cli: Cli) -> Result<bool, CliError> {
    match cli.command {
        Some(Command::Rules) => {
            let mut out = String::new();
            for rule in registry::ALL {
                let meta = rule.meta();
                out.push_str(&format!(
                    "{}  {:<28} {:<8} {}\n",
                    meta.code, meta.name, meta.default_severity, meta.summary
                ));
            }
            write_out(None, &out)?;
            Ok(false)
        }
        Some(Command::Explain { rule }) => {
            let meta = registry::find(&rule).ok_or(CliError::UnknownRule(rule))?;
            write_out(None, &meta.markdown())?;
            Ok(false)
        }
        Some(Command::Check(args)) => check(args),
        None => check(cli.check),
    }
}

fn check(args: CheckArgs) -> Result<bool, CliError> {
    let mut settings = if args.no_config {
        Settings::default()
    } else if let Some(path) = &args.config {
        Settings::from_file(path)?
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        match config::discover(&cwd) {
            Some(path) => Settings::from_file(&path)?,
            None => Settings::default(),
        }
    };
    if let Some(level) = args.fail_level {
        settings.fail_level = level;
    }
    // JITLINT_TODAY pins the date that suppression expiry is compared with (tests, audits).
    if let Ok(today) = std::env::var("JITLINT_TODAY") {
        settings.today = today;
    }
    if !args.select.is_empty() {
        let mut codes = Vec::new();
        for name in &args.select {
            let meta = registry::find(name).ok_or_else(|| CliError::UnknownRule(name.clone()))?;
            codes.push(meta.code);
        }
        settings.select_only(&codes);
    }
    let (mut files, mut vars) = (args.var_files.iter(), args.vars.iter());
    let order = if args.input_order.len() == args.var_files.len() + args.vars.len() {
        args.input_order.clone()
    } else {
        // Not parsed from a command line (no indices): files first, then values.
        std::iter::repeat_n(true, args.var_files.len())
            .chain(std::iter::repeat_n(false, args.vars.len()))
            .collect()
    };
    for is_file in order {
        if is_file {
            if let Some(path) = files.next() {
                settings.inputs.push(Input::File(path.clone()));
            }
        } else if let Some(text) = vars.next() {
            settings
                .inputs
                .push(Input::parse_var(text).map_err(CliError::BadVar)?);
        }
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if args.parse_only {
        let parsed = jitlint::parse_only(&paths, &settings)?;
        write_out(None, &format!("parsed {parsed} files\n"))?;
        return Ok(false);
    }
    let outcome = if let Some(plan) = &args.plan {
        let config_dir = args.paths.first().map(PathBuf::as_path);
        jitlint::plan::lint_plan(plan, config_dir, &settings, args.format.needs_sources())?
    } else if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(CliError::Stdin)?;
        let mut outcome = jitlint::lint_bytes(&args.stdin_filename, bytes, &settings);
        let others: Vec<PathBuf> = paths.into_iter().filter(|p| p.as_os_str() != "-").collect();
        if !others.is_empty() {
            let rest = jitlint::lint_paths(&others, &settings, args.format.needs_sources());
            outcome.files_checked += rest.files_checked;
            outcome.findings.extend(rest.findings);
            outcome.sources.extend(rest.sources);
            outcome.io_errors.extend(rest.io_errors);
            outcome
                .findings
                .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
        outcome
    } else {
        jitlint::lint_paths(&paths, &settings, args.format.needs_sources())
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let width = if color { terminal_width() } else { 100 };
    let text = jitlint::output::render(args.format, &outcome, RenderOptions { color, width });
    write_out(args.output.as_ref(), &text)?;
    let fails = outcome.fails_at(settings.fail_level);
    if !outcome.is_complete() {
        return Err(CliError::Unreadable(outcome.io_errors));
    }
    Ok(fails)
}

/// "1 path" or "2 paths".
fn paths(count: usize) -> String {
    if count == 1 {
        "1 path".to_owned()
    } else {
        format!("{count} paths")
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

fn write_out(path: Option<&PathBuf>, text: &str) -> Result<(), CliError> {
    match path {
        Some(path) => std::fs::write(path, text).map_err(|source| CliError::WriteReport {
            help: write_help(path, &source),
            path: path.clone(),
            source,
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(CliError::Write)
        }
    }
}

/// How to fix a `--output` path that cannot be written, for the usual causes.
fn write_help(path: &Path, error: &std::io::Error) -> Option<String> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.display().to_string(),
        _ => ".".to_owned(),
    };
    match error.kind() {
        std::io::ErrorKind::NotFound => Some(format!(
            "the directory `{dir}` does not exist: create it first (`mkdir -p {dir}`), or give \
             `--output` a path in an existing directory"
        )),
        std::io::ErrorKind::PermissionDenied => Some(format!(
            "this user may not write there: give `--output` a path in a directory you can \
             write to, or fix the permissions of `{dir}`"
        )),
        std::io::ErrorKind::IsADirectory => Some(format!(
            "`{}` is a directory: give `--output` a file name, such as `{}`",
            path.display(),
            path.join("jitlint.sarif").display()
        )),
        _ => None,
    }
}
