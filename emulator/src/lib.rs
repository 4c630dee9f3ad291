/*!
A faithful local emulator of Azure's just-in-time (JIT) VM access API.

It serves the eight operations of `Microsoft.Security/locations/jitNetworkAccessPolicies` at
api-version `2020-01-01`, enough of `Microsoft.Compute` and `Microsoft.Network` to make JIT
observable (VMs, NICs, virtual networks, NSGs and the rules JIT writes into them), an Entra
ID-like token endpoint, and admin endpoints under `/_emulator/` (reset, state dump, clock,
faults, VM seeding, request counts). It exists so that users, pipelines and this project's own tests can try
JIT without a subscription; where Azure's behaviour is undocumented, `docs/emulator.md` says
what the emulator chose.

# Brief overview

* [`Emulator`] holds the state, the [`clock::Clock`], the [`faults::Faults`] table, the
  [`requests::RequestCounter`] and the token [`auth::Authority`]; [`Config`] says how it is
  set up.
* [`router`] is the axum router; [`app`] wraps it in the fault injector; [`serve`] runs it on a
  listener, plain or TLS, until a shutdown signal.
* [`routes`] has one module per group of operations; [`store`] is the state; [`nsg`] decides
  the rules JIT writes; [`arm_error`] is the `CloudError` envelope. All JIT rules (ports,
  prefixes, durations, name lengths, VM ids) come from `jit_core`, never from here.

# Example

```no_run
use jit_emulator::{Config, Emulator};

# async fn run() -> Result<(), Box<dyn std::error::Error>> {
let emulator = Emulator::new(Config::default())?;
let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
println!("http://{}", listener.local_addr()?);
jit_emulator::serve(listener, jit_emulator::app(emulator), None, std::future::pending()).await?;
# Ok(())
# }
```
*/

#![deny(missing_docs)]

pub mod arm_error;
pub mod auth;
pub mod clock;
pub mod faults;
pub mod nsg;
pub mod requests;
pub mod routes;
pub mod store;
pub mod tls;

use crate::arm_error::ArmError;
use crate::auth::{Authority, ClientCredential};
use crate::clock::Clock;
use crate::faults::{FaultAction, Faults};
use crate::requests::RequestCounter;
use crate::store::{Persister, Snapshot, State};
use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tower::{Service, ServiceExt};

/// The largest request body accepted; ARM's documented limit is 4 MB, above it a 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How the emulator is set up (the command line maps onto this).
#[derive(Debug, Clone)]
pub struct Config {
    /// Clients the token endpoint accepts; empty means the documented default client.
    pub clients: Vec<ClientCredential>,
    /// Whether ARM calls need a valid bearer token (`--no-auth` turns it off).
    pub require_auth: bool,
    /// Where state persists (`--state`); `None` keeps it in memory.
    pub state_file: Option<PathBuf>,
    /// List operations return at most this many items per page.
    pub page_size: usize,
    /// Whether the server speaks TLS (for the scheme of `nextLink`).
    pub tls: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clients: Vec::new(),
            require_auth: true,
            state_file: None,
            page_size: 100,
            tls: false,
        }
    }
}

/// The running emulator: state, clock, faults, request counts and token authority.
#[derive(Debug)]
pub struct Emulator {
    /// The configuration it was built with.
    pub config: Config,
    /// The emulated clock.
    pub clock: Clock,
    /// Faults waiting to happen.
    pub faults: Faults,
    /// The ARM and token requests served so far.
    pub requests: RequestCounter,
    /// Issues and checks tokens.
    pub authority: Authority,
    /// The current page size (settable at run time).
    pub page_size: AtomicUsize,
    state: Mutex<State>,
    generation: AtomicU64,
    persister: Persister,
}

impl Emulator {
    /// Builds an emulator, loading `config.state_file` when it exists and writing it back at
    /// once: a state file that cannot be written then stops the start, instead of the emulator
    /// serving and failing to save every change.
    pub fn new(mut config: Config) -> Result<Arc<Self>, store::PersistError> {
        if config.clients.is_empty() {
            config.clients.push(auth::default_client());
        }
        let persister = Persister::new(config.state_file.clone());
        let loaded = persister.load()?;
        let clock = Clock::default();
        let state = match loaded {
            Some(snapshot) => {
                clock.set(snapshot.clock);
                snapshot.state
            }
            None => State::default(),
        };
        let emulator = Arc::new(Emulator {
            authority: Authority::new(config.clients.clone()),
            page_size: AtomicUsize::new(config.page_size.max(1)),
            config,
            clock,
            faults: Faults::default(),
            requests: RequestCounter::default(),
            state: Mutex::new(state),
            generation: AtomicU64::new(0),
            persister,
        });
        emulator.flush()?;
        Ok(emulator)
    }

    /// Runs `read` on the state after applying any expiry due at the emulator's now.
    pub fn read<R>(&self, read: impl FnOnce(&State) -> R) -> R {
        let mut state = self.lock();
        let expired = state.expire(self.clock.now());
        let result = read(&state);
        if expired {
            self.persist_or_log(state);
        }
        result
    }

    /// Runs `change` on the state (after expiry) and persists the result.
    pub fn write<R>(&self, change: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self.lock();
        state.expire(self.clock.now());
        let result = change(&mut state);
        self.persist_or_log(state);
        result
    }

    /// Applies expiry now (after the clock moved) and persists if anything changed.
    pub fn apply_expiry(&self) {
        let mut state = self.lock();
        if state.expire(self.clock.now()) {
            self.persist_or_log(state);
        }
    }

    /// The state and clock as persisted, for the dump endpoint and `--state`.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        Snapshot {
            version: 1,
            clock: self.clock.mode(),
            state: state.clone(),
        }
    }

    /// Replaces everything with `snapshot` (reset and state load).
    pub fn restore(&self, snapshot: Snapshot) {
        let mut state = self.lock();
        self.clock.set(snapshot.clock);
        *state = snapshot.state;
        state.next_expiry_known = false;
        self.persist_or_log(state);
    }

    /// Writes the state file now (at start, after a clock change, at shutdown); `Ok` without a
    /// state file. The caller decides what a failure means, so it is returned, not logged.
    pub fn flush(&self) -> Result<(), store::PersistError> {
        let state = self.lock();
        self.persist(state)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-written in a way that
        // matters more than stopping the emulator would, so poisoning is ignored.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Persists after a change a request made: the request has succeeded in memory either
    /// way, so a failure to save is logged, not answered.
    fn persist_or_log(&self, state: MutexGuard<'_, State>) {
        if let Err(error) = self.persist(state) {
            tracing::error!(%error, "state not saved");
        }
    }

    /// Serialises under the lock (so snapshots are consistent), writes after releasing it.
    fn persist(&self, state: MutexGuard<'_, State>) -> Result<(), store::PersistError> {
        if !self.persister.enabled() {
            return Ok(());
        }
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let snapshot = Snapshot {
            version: 1,
            clock: self.clock.mode(),
            state: state.clone(),
        };
        drop(state);
        let bytes = serde_json::to_vec_pretty(&snapshot).map_err(store::PersistError::Serialise)?;
        self.persister.save(&bytes, generation)
    }
}

/// The axum router: admin and token endpoints, and every ARM path through one dispatcher.
pub fn router(emulator: Arc<Emulator>) -> Router {
    routes::router(emulator)
}

/// The router wrapped in the fault injector: what [`serve`] runs and what tests call.
pub fn app(emulator: Arc<Emulator>) -> EmulatorService {
    EmulatorService {
        router: router(emulator.clone()),
        emulator,
        peer: None,
    }
}

/// The error a service call returns to make the server drop the connection (a fault).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("connection dropped by an injected fault")]
pub struct DroppedConnection;

/// The emulator as a tower service: counting, then faults, then the router.
#[derive(Debug, Clone)]
pub struct EmulatorService {
    router: Router,
    emulator: Arc<Emulator>,
    peer: Option<SocketAddr>,
}

impl EmulatorService {
    /// The same service, with the peer address that requests on one connection come from.
    pub fn with_peer(&self, peer: SocketAddr) -> Self {
        EmulatorService {
            peer: Some(peer),
            ..self.clone()
        }
    }
}

impl<B> Service<axum::http::Request<B>> for EmulatorService
where
    B: HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = DroppedConnection;
    type Future = Pin<Box<dyn Future<Output = Result<Response, DroppedConnection>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let mut request: Request = request.map(Body::new);
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        // Counted before the fault injector, so faulted requests count, as in ARM's quota.
        self.emulator
            .requests
            .count(request.method(), request.uri().path());
        let fault = self
            .emulator
            .faults
            .take(request.method().as_str(), request.uri().path());
        let router = self.router.clone();
        Box::pin(async move {
            let method = request.method().clone();
            let path = request.uri().path().to_owned();
            let response = match fault {
                None => router.oneshot(request).await.into_ok_response(),
                Some(FaultAction::Latency { millis }) => {
                    tokio::time::sleep(Duration::from_millis(millis)).await;
                    router.oneshot(request).await.into_ok_response()
                }
                Some(FaultAction::Drop) => {
                    tracing::info!(%method, %path, "fault: dropping the connection");
                    return Err(DroppedConnection);
                }
                Some(FaultAction::Throttle {
                    retry_after_seconds,
                }) => {
                    let mut error = ArmError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "TooManyRequests",
                        "The request is being throttled as the limit has been reached for \
                         operation type (injected fault).",
                    );
                    error.retry_after = Some(retry_after_seconds);
                    error.into_response()
                }
                Some(FaultAction::Status {
                    status,
                    retry_after_seconds,
                }) => {
                    let status =
                        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    let code = match status {
                        StatusCode::SERVICE_UNAVAILABLE => "ServiceUnavailable",
                        StatusCode::TOO_MANY_REQUESTS => "TooManyRequests",
                        StatusCode::INTERNAL_SERVER_ERROR => "InternalServerError",
                        _ => "InjectedFault",
                    };
                    let mut error =
                        ArmError::new(status, code, "The service is unavailable (injected fault).");
                    error.retry_after = retry_after_seconds;
                    error.into_response()
                }
            };
            tracing::debug!(%method, %path, status = response.status().as_u16(), "request");
            Ok(response)
        })
    }
}

/// `Result<Response, Infallible>` to `Response`, without a panic path.
trait IntoOkResponse {
    fn into_ok_response(self) -> Response;
}

impl IntoOkResponse for Result<Response, std::convert::Infallible> {
    fn into_ok_response(self) -> Response {
        match self {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

/// Serves `service` on `listener` (TLS when `tls` is set) until `shutdown` completes, then
/// stops accepting and lets open requests finish (at most five seconds).
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: EmulatorService,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Running out of descriptors must not stop the server; back off a little.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = service.with_peer(peer);
        match &tls {
            None => {
                let connection = hyper::server::conn::http1::Builder::new().serve_connection(
                    TokioIo::new(stream),
                    hyper_util::service::TowerToHyperService::new(service),
                );
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, %peer, "connection ended with an error");
                    }
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let stream = match acceptor.accept(stream).await {
                        Ok(stream) => stream,
                        Err(error) => {
                            tracing::debug!(%error, %peer, "TLS handshake failed");
                            return;
                        }
                    };
                    let connection = hyper::server::conn::http1::Builder::new().serve_connection(
                        TokioIo::new(stream),
                        hyper_util::service::TowerToHyperService::new(service),
                    );
                    if let Err(error) = watcher.watch(connection).await {
                        tracing::debug!(%error, %peer, "connection ended with an error");
                    }
                });
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(5)) => {
            tracing::warn!("open connections did not finish within 5 s");
        }
    }
    Ok(())
}
