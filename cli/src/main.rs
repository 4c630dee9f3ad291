//! `jit`: just-in-time VM access from a terminal, on the same Azure client, settings and
//! rules as the Terraform provider.
//!
//! - `jit request VM_ID --port 22 --duration PT1H` opens access now (from the caller's own
//!   address unless `--source` says otherwise) and prints when it ends.
//! - `jit status` lists every VM as configured, not configured or unsupported.
//! - `jit audit` exports the request history as CSV or JSON.
//!
//! This file is the one place that chooses exit codes and writes errors, as `az` does:
//! `ERROR: ...` on stderr and exit code 1 for a failure, clap's usage message and exit code 2
//! for a command line that does not parse, and 0 otherwise (a closed stdout, as in
//! `jit audit | head`, counts as success: the reader has what it wanted).

mod args;
mod commands;
mod error;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Read while the process has one thread: the platform's time zone functions are not
    // thread-safe, so the `time` crate refuses to read the offset once others exist.
    let local_offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&CliError::Runtime(error)),
    };
    match runtime.block_on(commands::run(cli, local_offset)) {
        Ok(text) => match std::io::stdout().lock().write_all(text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(error) => fail(&CliError::Output(error)),
        },
        Err(error) => fail(&error),
    }
}

/// Writes the error as `az` does, one `ERROR:` line per problem, and chooses exit code 1.
fn fail(error: &CliError) -> ExitCode {
    output::clear_progress();
    let mut stderr = std::io::stderr().lock();
    for line in error.to_string().lines() {
        let _ = writeln!(stderr, "ERROR: {line}");
    }
    ExitCode::from(1)
}
