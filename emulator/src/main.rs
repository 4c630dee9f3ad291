//! `jit-emulator`: binds, prints its base URL on the first stdout line, serves until SIGINT
//! or SIGTERM, then flushes state. Exit codes are chosen here only: 0 after a clean shutdown,
//! 2 for a bad command line (clap), 1 for any other failure to start.

use clap::Parser;
use jit_emulator::auth::ClientCredential;
use jit_emulator::{Config, Emulator};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// A local emulator of Azure's JIT VM access API (Microsoft.Security jitNetworkAccessPolicies).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "JIT_EMULATOR_ADDR", default_value = "127.0.0.1:8717")]
    addr: SocketAddr,
    /// Write the base URL to this file once listening (written atomically).
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// Persist all state to this file (atomically, after every change) and load it at start.
    #[arg(long, env = "JIT_EMULATOR_STATE")]
    state: Option<PathBuf>,
    /// Serve HTTPS with a generated certificate; the CA certificate goes to --ca-cert.
    #[arg(long)]
    tls: bool,
    /// Where --tls writes the CA certificate (PEM).
    #[arg(long, default_value = "jit-emulator-ca.pem")]
    ca_cert: PathBuf,
    /// A client the token endpoint accepts, as CLIENT_ID:SECRET[:NAME]; NAME is recorded as
    /// the requestor. Repeatable. Without any, a documented default client is configured.
    #[arg(long = "client", env = "JIT_EMULATOR_CLIENT", value_delimiter = ',')]
    clients: Vec<ClientCredential>,
    /// Accept ARM calls without a token (requestor "anonymous" unless a valid token is sent).
    #[arg(long)]
    no_auth: bool,
    /// Items per page in list operations (nextLink paging).
    #[arg(long, default_value_t = 100)]
    page_size: usize,
    /// Log as JSON lines instead of text (logs go to stderr; filter with RUST_LOG).
    #[arg(long)]
    log_json: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if args.log_json {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "jit-emulator stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config {
        clients: args.clients,
        require_auth: !args.no_auth,
        state_file: args.state,
        page_size: args.page_size,
        tls: args.tls,
    };
    let emulator = Emulator::new(config)?;
    let tls = if args.tls {
        Some(jit_emulator::tls::acceptor(&args.ca_cert, &[])?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let local = listener.local_addr()?;
    let scheme = if args.tls { "https" } else { "http" };
    let host = if local.ip().is_ipv6() {
        format!("[{}]", local.ip())
    } else {
        local.ip().to_string()
    };
    let base_url = format!("{scheme}://{host}:{}", local.port());
    // The ready file first, then stdout: whoever saw the stdout line can read the file.
    if let Some(path) = &args.ready_file {
        jit_emulator::store::write_atomically(path, format!("{base_url}\n").as_bytes())?;
    }
    {
        // The first stdout line is the contract with scripts and tests: flush it at once.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{base_url}")?;
        stdout.flush()?;
    }
    tracing::info!(%base_url, tls = args.tls, auth = emulator.config.require_auth, "jit-emulator listening");
    jit_emulator::serve(
        listener,
        jit_emulator::app(emulator.clone()),
        tls,
        shutdown_signal(),
    )
    .await?;
    emulator.flush();
    tracing::info!("jit-emulator stopped; state flushed");
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM");
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
