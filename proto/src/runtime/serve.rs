//! Running a provider process: handshake, transport, TLS, the go-plugin services and shutdown.
//!
//! [`serve_main`] is all a provider's `main` calls. It returns the process exit code instead of
//! exiting, so that the one place that decides exit codes is the binary.

use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Notify, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

use super::handshake::{self, HandshakeLine, ListenAddress};
use super::tls::AutoMtls;
use crate::generated::plugin;
use crate::generated::tfplugin6::provider_server::{Provider, ProviderServer};

/// Terraform's own limit for provider messages: large plans exceed tonic's 4 MiB default.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// How long a process may take to drain its connection after Terraform asked it to shut down.
/// Terraform itself waits two seconds before killing a plugin; we leave well before that.
const SHUTDOWN_DEADLINE: Duration = Duration::from_millis(500);

/// How long a client may take to complete the TLS handshake before its connection is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What a provider binary tells the runtime about itself.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Full source address, e.g. `registry.terraform.io/example/counter`.
    pub source_address: &'static str,
    /// `@module` of log lines, e.g. `provider.example`.
    pub log_module: &'static str,
    /// The provider's version, printed by `--version`.
    pub version: &'static str,
}

/// How the process was asked to run, from its command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Started by Terraform: handshake, AutoMTLS, exit on `Shutdown`.
    Managed,
    /// `--debug`: no TLS, prints `TF_REATTACH_PROVIDERS`, runs until interrupted.
    Debug {
        tcp: bool,
    },
    Version,
    Help,
}

fn parse_args(args: &[String]) -> Result<Mode, String> {
    let mut mode = Mode::Managed;
    let mut tcp = false;
    for arg in args {
        match arg.as_str() {
            "--debug" | "-debug" => mode = Mode::Debug { tcp: false },
            "--tcp" => tcp = true,
            "--version" | "-version" | "version" => return Ok(Mode::Version),
            "--help" | "-h" | "-help" | "help" => return Ok(Mode::Help),
            other => return Err(format!("unknown argument `{other}`; see --help")),
        }
    }
    Ok(match mode {
        Mode::Debug { .. } => Mode::Debug { tcp },
        other => other,
    })
}

/// Serves `provider` the way Terraform expects and returns the process exit code.
pub fn serve_main<P: Provider>(
    options: ServeOptions,
    make_provider: impl FnOnce() -> P,
) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match parse_args(&args) {
        Ok(mode) => mode,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match mode {
        Mode::Version => {
            println!("{} {}", options.source_address, options.version);
            return ExitCode::SUCCESS;
        }
        Mode::Help => {
            println!(
                "{source} {version}\n\n\
                 A Terraform provider. Terraform starts it; it is not meant to be run by hand.\n\n\
                 Options:\n  --debug      serve without Terraform and print TF_REATTACH_PROVIDERS\n  \
                 --tcp        with --debug: listen on 127.0.0.1 instead of a unix socket\n  \
                 --version    print the version\n",
                source = options.source_address,
                version = options.version
            );
            return ExitCode::SUCCESS;
        }
        Mode::Managed => {
            if let Err(err) = handshake::check_magic_cookie(
                std::env::var(handshake::MAGIC_COOKIE_KEY).ok().as_deref(),
                options.source_address,
            ) {
                eprintln!("{err}");
                return ExitCode::FAILURE;
            }
        }
        Mode::Debug { .. } => {}
    }

    let protocol_version = match handshake::negotiate_protocol(
        std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref(),
    ) {
        Ok(version) => version,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    super::logging::init(options.log_module);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("could not start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(serve(options, mode, protocol_version, make_provider()));
    // Blocking tasks (e.g. a stuck DNS lookup) must not keep a finished provider alive.
    runtime.shutdown_timeout(Duration::from_millis(50));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "provider server failed");
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listener could not be created.
    #[error("could not listen on {what}: {source}")]
    Listen {
        /// What we tried to listen on.
        what: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// AutoMTLS could not be set up.
    #[error(transparent)]
    Tls(#[from] super::tls::TlsSetupError),
    /// The gRPC server stopped with an error.
    #[error("gRPC server error: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// stdout could not be written.
    #[error("could not write the handshake line: {0}")]
    Stdout(std::io::Error),
}

async fn serve<P: Provider>(
    options: ServeOptions,
    mode: Mode,
    protocol_version: u32,
    provider: P,
) -> Result<(), ServeError> {
    let debug = matches!(mode, Mode::Debug { .. });
    let listener = Listener::bind(matches!(mode, Mode::Debug { tcp: true })).await?;
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !debug && !pem.trim().is_empty() => Some(AutoMtls::new(&pem)?),
        _ => None,
    };

    let shutdown = Arc::new(Notify::new());
    let incoming = accept_loop(
        listener.clone_handle(),
        tls.as_ref().map(|tls| tls.config.clone()),
    );

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let router = tonic::transport::Server::builder()
        .add_service(
            ProviderServer::new(provider)
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(plugin::grpc_controller_server::GrpcControllerServer::new(
            Controller {
                shutdown: shutdown.clone(),
                ignore_shutdown: debug,
            },
        ))
        .add_service(plugin::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(plugin::grpc_broker_server::GrpcBrokerServer::new(Broker))
        .add_service(health_service);

    {
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        if debug {
            let reattach = handshake::reattach_json(
                options.source_address,
                &listener.address,
                std::process::id(),
            );
            writeln!(
                stdout,
                "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment \
                 variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n"
            )
            .map_err(ServeError::Stdout)?;
        } else {
            let line = HandshakeLine {
                protocol_version,
                address: &listener.address,
                server_certificate_der: tls
                    .as_ref()
                    .map(|tls| tls.server_certificate_der.as_slice()),
            };
            writeln!(stdout, "{line}").map_err(ServeError::Stdout)?;
        }
        stdout.flush().map_err(ServeError::Stdout)?;
    }
    tracing::debug!(address = %listener.address.address(), tls = tls.is_some(), "serving");

    let stop_signal = {
        let shutdown = shutdown.clone();
        async move {
            if debug {
                wait_for_termination().await;
            } else {
                ignore_interrupts();
                shutdown.notified().await;
                // Terraform closes its connection once Shutdown returns; if it does not, we
                // still leave before its two-second kill timer fires.
                std::thread::spawn(|| {
                    std::thread::sleep(SHUTDOWN_DEADLINE);
                    std::process::exit(0);
                });
            }
        }
    };
    let result = router
        .serve_with_incoming_shutdown(incoming, stop_signal)
        .await;
    listener.cleanup();
    result.map_err(ServeError::from)
}

/// go-plugin servers ignore SIGINT: Ctrl-C reaches the whole process group, and Terraform wants
/// its providers alive to finish (it stops them with `StopProvider`, then `Shutdown`).
fn ignore_interrupts() {
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("interrupt ignored: Terraform stops the provider itself");
        }
    });
}

async fn wait_for_termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The listening socket: a unix socket (as go-plugin uses on unix) or loopback TCP.
struct Listener {
    address: ListenAddress,
    inner: Arc<ListenerInner>,
}

enum ListenerInner {
    #[cfg(unix)]
    Unix(tokio::net::UnixListener),
    Tcp(tokio::net::TcpListener),
}

impl Listener {
    async fn bind(tcp: bool) -> Result<Self, ServeError> {
        #[cfg(unix)]
        if !tcp {
            let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(std::env::temp_dir);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.subsec_nanos())
                .unwrap_or_default();
            let path = dir.join(format!("plugin-{}-{nanos}", std::process::id()));
            let listener =
                tokio::net::UnixListener::bind(&path).map_err(|source| ServeError::Listen {
                    what: path.display().to_string(),
                    source,
                })?;
            return Ok(Listener {
                address: ListenAddress::Unix(path),
                inner: Arc::new(ListenerInner::Unix(listener)),
            });
        }
        let _ = tcp;
        let (min, max) = port_range();
        let mut last_error = None;
        for port in min..=max {
            match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                Ok(listener) => {
                    let local = listener.local_addr().map_err(|source| ServeError::Listen {
                        what: format!("127.0.0.1:{port}"),
                        source,
                    })?;
                    return Ok(Listener {
                        address: ListenAddress::Tcp(local),
                        inner: Arc::new(ListenerInner::Tcp(listener)),
                    });
                }
                Err(err) => last_error = Some(err),
            }
        }
        Err(ServeError::Listen {
            what: format!("127.0.0.1 ports {min}-{max}"),
            source: last_error.unwrap_or_else(|| std::io::Error::other("empty port range")),
        })
    }

    fn clone_handle(&self) -> Arc<ListenerInner> {
        self.inner.clone()
    }

    fn cleanup(&self) {
        if let ListenAddress::Unix(path) = &self.address {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `PLUGIN_MIN_PORT`..`PLUGIN_MAX_PORT` as go-plugin reads them; port 0 (any free port) if unset.
fn port_range() -> (u16, u16) {
    let read = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse::<u16>().ok())
    };
    match (read("PLUGIN_MIN_PORT"), read("PLUGIN_MAX_PORT")) {
        (Some(min), Some(max)) if min <= max && min > 0 => (min, max),
        _ => (0, 0),
    }
}

/// Accepts connections and, with TLS, completes each handshake off the accept path, so that a
/// slow or hostile client cannot stall Terraform's own connection.
fn accept_loop(
    listener: Arc<ListenerInner>,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> ReceiverStream<Result<PluginConnection, std::io::Error>> {
    let (sender, receiver) = mpsc::channel(16);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::spawn(async move {
        loop {
            let accepted: std::io::Result<Box<dyn Io>> = match &*listener {
                #[cfg(unix)]
                ListenerInner::Unix(listener) => listener
                    .accept()
                    .await
                    .map(|(stream, _)| Box::new(stream) as Box<dyn Io>),
                ListenerInner::Tcp(listener) => listener
                    .accept()
                    .await
                    .map(|(stream, _)| Box::new(stream) as Box<dyn Io>),
            };
            let stream = match accepted {
                Ok(stream) => stream,
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed");
                    continue;
                }
            };
            let sender = sender.clone();
            match &acceptor {
                None => {
                    if sender
                        .send(Ok(PluginConnection(Box::pin(stream))))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                            .await
                        {
                            Ok(Ok(tls_stream)) => {
                                let _ = sender
                                    .send(Ok(PluginConnection(Box::pin(tls_stream))))
                                    .await;
                            }
                            Ok(Err(err)) => {
                                tracing::warn!(error = %err, "refused a connection that did not present Terraform's client certificate");
                            }
                            Err(_) => {
                                tracing::warn!("refused a connection: TLS handshake timed out")
                            }
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(receiver)
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// One accepted connection, plain or TLS, over unix or TCP.
struct PluginConnection(Pin<Box<dyn Io>>);

impl Connected for PluginConnection {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for PluginConnection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for PluginConnection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.0.as_mut().poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.0.as_mut().poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// `plugin.GRPCController`: Terraform's "you are done" call.
struct Controller {
    shutdown: Arc<Notify>,
    /// Debug servers outlive the Terraform commands that attach to them.
    ignore_shutdown: bool,
}

#[tonic::async_trait]
impl plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: Request<plugin::Empty>,
    ) -> Result<Response<plugin::Empty>, Status> {
        if self.ignore_shutdown {
            tracing::debug!("shutdown ignored in debug mode");
        } else {
            tracing::debug!("shutdown requested by Terraform");
            self.shutdown.notify_one();
        }
        Ok(Response::new(plugin::Empty {}))
    }
}

/// `plugin.GRPCStdio`: the provider writes nothing to stdout after the handshake and logs go to
/// stderr directly, so the stream stays open and empty.
struct Stdio;

#[tonic::async_trait]
impl plugin::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = tokio_stream::Pending<Result<plugin::StdioData, Status>>;
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(tokio_stream::pending()))
    }
}

/// `plugin.GRPCBroker`: Terraform opens it and ignores it; the provider needs no side channels.
struct Broker;

#[tonic::async_trait]
impl plugin::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = tokio_stream::Empty<Result<plugin::ConnInfo, Status>>;
    async fn start_stream(
        &self,
        _request: Request<tonic::Streaming<plugin::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(tokio_stream::empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_args(&args(&[])), Ok(Mode::Managed));
        assert_eq!(
            parse_args(&args(&["--debug"])),
            Ok(Mode::Debug { tcp: false })
        );
        assert_eq!(
            parse_args(&args(&["--debug", "--tcp"])),
            Ok(Mode::Debug { tcp: true })
        );
        assert_eq!(parse_args(&args(&["--version"])), Ok(Mode::Version));
        assert!(
            parse_args(&args(&["--bogus"]))
                .unwrap_err()
                .contains("--bogus")
        );
    }
}
