//! `jit-emulator`: binds, prints its base URL on the first stdout line, serves until SIGINT
//! or SIGTERM, then flushes state. Exit codes are chosen here only: 0 after a clean shutdown,
//! 2 for a bad command line (clap), 1 for any other failure to start and for a state file that
//! cannot be saved at shutdown.

use clap::Parser;
use jit_emulator::auth::ClientCredential;
use jit_emulator::store::PersistError;
use jit_emulator::tls::TlsError;
use jit_emulator::{Config, Emulator};
use std::io::{IsTerminal, Write};
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
        .with_writer(std::io::stderr)
        .with_ansi(colour_logs());
    if args.log_json {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)
        .and_then(|runtime| runtime.block_on(run(args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error @ (RunError::Serve(_) | RunError::Flush(_))) => {
            tracing::error!(%error, "jit-emulator stopped");
            ExitCode::FAILURE
        }
        Err(error) => {
            tracing::error!(%error, "jit-emulator cannot start");
            ExitCode::FAILURE
        }
    }
}

/// Whether logs are coloured: only on a terminal, since a log file or a CI log shows the escape
/// codes as noise, and never with `NO_COLOR` set to anything but the empty string (its
/// definition at no-color.org). `with_ansi` overrides tracing-subscriber's own `NO_COLOR`
/// check, hence the check here.
fn colour_logs() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// Why the emulator exits 1. Every message names what failed and, where there is one, the
/// fix, so that a user need not read the source to get going again.
#[derive(Debug, thiserror::Error)]
enum RunError {
    /// Tokio could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// `--state` could not be read or written.
    #[error(transparent)]
    State(#[from] PersistError),
    /// `--tls` could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// `--addr` could not be bound (the common case: another process has the port).
    #[error("cannot listen on {addr}: {source}; {hint}", hint = listen_hint(.source))]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// `--ready-file` could not be written.
    #[error("cannot write the ready file {path}: {source}")]
    ReadyFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The base URL could not be written to stdout (closed by whoever started us).
    #[error("cannot write the base URL to stdout: {0}")]
    Stdout(std::io::Error),
    /// Serving failed after start.
    #[error("serving failed: {0}")]
    Serve(std::io::Error),
    /// The state could not be written at shutdown: the last changes may be lost.
    #[error("cannot save the state at shutdown: {0}")]
    Flush(PersistError),
}

/// What to do about a bind failure, by its cause.
fn listen_hint(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => {
            "choose another --addr (port 0 picks a free one) or stop the process using it"
        }
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges; choose another --addr (port 0 picks a free one)"
        }
        std::io::ErrorKind::AddrNotAvailable => {
            "the address is not one of this machine's; choose another --addr, such as 127.0.0.1:0"
        }
        _ => "choose another --addr (port 0 picks a free one)",
    }
}

async fn run(args: Args) -> Result<(), RunError> {
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
    let listen = |source| RunError::Listen {
        addr: args.addr,
        source,
    };
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(listen)?;
    let local = listener.local_addr().map_err(listen)?;
    let scheme = if args.tls { "https" } else { "http" };
    let host = if local.ip().is_ipv6() {
        format!("[{}]", local.ip())
    } else {
        local.ip().to_string()
    };
    let base_url = format!("{scheme}://{host}:{}", local.port());
    let shutdown = shutdown_signal();
    // The ready file first, then stdout: whoever saw the stdout line can read the file.
    if let Some(path) = &args.ready_file {
        jit_emulator::store::write_atomically(path, format!("{base_url}\n").as_bytes()).map_err(
            |source| RunError::ReadyFile {
                path: path.clone(),
                source,
            },
        )?;
    }
    {
        // The first stdout line is the contract with scripts and tests: flush it at once.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{base_url}")
            .and_then(|()| stdout.flush())
            .map_err(RunError::Stdout)?;
    }
    tracing::info!(%base_url, tls = args.tls, auth = emulator.config.require_auth, "jit-emulator listening");
    jit_emulator::serve(listener, jit_emulator::app(emulator.clone()), tls, shutdown)
        .await
        .map_err(RunError::Serve)?;
    match &emulator.config.state_file {
        Some(path) => {
            emulator.flush().map_err(RunError::Flush)?;
            tracing::info!(state = %path.display(), "jit-emulator stopped; state flushed");
        }
        None => tracing::info!("jit-emulator stopped"),
    }
    Ok(())
}

/// Listens for SIGINT and SIGTERM from now on; the future completes on the first of them.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    // The handlers are installed here, before the URL is printed: a SIGTERM sent as soon as a
    // script has read the URL must stop the emulator cleanly, not kill it with the default action.
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                (interrupt, terminate) => {
                    if let Err(error) = interrupt.as_ref().and(terminate.as_ref()) {
                        tracing::warn!(%error, "cannot listen for SIGINT or SIGTERM");
                    }
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
