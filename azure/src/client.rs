//! [`ArmClient`]: one `reqwest` client, one token source and one retry policy for every call
//! to Resource Manager that a process makes.
//!
//! TLS is rustls with the platform's roots, read the way `rustls-native-certs` reads them:
//! `SSL_CERT_FILE` and `SSL_CERT_DIR` replace the system's bundle when set, as they do for Go
//! programs such as the azurerm provider (a TLS-inspecting proxy's CA goes there, or the
//! emulator's). `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are honoured. Each call carries an
//! `x-ms-client-request-id`; ARM's request and correlation ids and the remaining-quota headers
//! of each answer are logged at debug. Tokens and bodies are never logged.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::auth::TokenSource;
use crate::error::{ArmError, AuthError, CloudErrorBody};
use crate::models::Page;
use crate::retry::{RetryPolicy, is_retryable_status, jitter, retry_after};
use crate::settings::ArmSettings;

/// The JIT API's version.
pub const API_VERSION: &str = "2020-01-01";

/// How many times a transient failure (5xx, 408, a dropped connection) is tried again; a 429
/// is tried again until the deadline, since throttling always ends.
pub const MAX_TRANSIENT_RETRIES: u32 = 4;

/// When an operation must be done, and what it is (for the timeout message).
#[derive(Debug, Clone)]
pub struct Deadline {
    /// The instant.
    pub at: Instant,
    /// The whole budget, as configured.
    pub budget: Duration,
    /// E.g. `creating jit_policy "default"`.
    pub operation: String,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration, operation: impl Into<String>) -> Self {
        Deadline {
            at: Instant::now() + budget,
            budget,
            operation: operation.into(),
        }
    }

    fn expired(&self, last: impl Into<String>) -> ArmError {
        ArmError::Timeout {
            operation: self.operation.clone(),
            after: self.budget,
            last: last.into(),
        }
    }
}

/// The answer of one successful call.
#[derive(Debug)]
pub struct Answer {
    /// 2xx status.
    pub status: StatusCode,
    /// The body.
    pub body: bytes::Bytes,
}

/// What one attempt came to.
#[derive(Debug)]
pub(crate) enum Attempt<T> {
    /// Success, or a failure not worth repeating.
    Done(Result<T, ArmError>),
    /// A transient failure.
    Retry {
        /// The error, kept for the timeout message.
        error: ArmError,
        /// The server's requested wait.
        retry_after: Option<Duration>,
        /// True for throttling (429), which is retried until the deadline.
        throttled: bool,
    },
}

/// Runs `attempt` until it is done, the transient-retry budget is spent, or the deadline
/// would pass (then the last error is reported as a timeout). Each attempt is also cut off
/// at the deadline, so a hanging connection cannot outlive the resource's timeout.
pub(crate) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    deadline: &Deadline,
    mut attempt: F,
) -> Result<T, ArmError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let mut transient = 0;
    let mut retry = 0;
    let mut last = String::from("no answer yet");
    loop {
        let outcome = match tokio::time::timeout_at(deadline.at, attempt(retry)).await {
            Ok(outcome) => outcome,
            Err(_) => {
                return Err(deadline.expired(if retry == 0 {
                    "no answer before the deadline".to_owned()
                } else {
                    format!("{last}; then no answer before the deadline")
                }));
            }
        };
        match outcome {
            Attempt::Done(result) => return result,
            Attempt::Retry {
                error,
                retry_after,
                throttled,
            } => {
                if !throttled {
                    transient += 1;
                    if transient > MAX_TRANSIENT_RETRIES {
                        return Err(error);
                    }
                }
                let wait = policy.delay(retry, retry_after, jitter());
                last = error.to_string();
                if Instant::now() + wait >= deadline.at {
                    return Err(deadline.expired(last));
                }
                tracing::debug!(retry = retry + 1, wait_ms = wait.as_millis() as u64, error = %last, "retrying");
                tokio::time::sleep(wait).await;
                retry += 1;
            }
        }
    }
}

/// A Resource Manager client.
#[derive(Debug, Clone)]
pub struct ArmClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    tokens: TokenSource,
    retry: RetryPolicy,
    correlation_id: String,
}

/// The client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The Resource Manager URL does not parse.
    #[error("the Resource Manager endpoint {url:?} is not a URL: {reason}")]
    Endpoint {
        /// What was given.
        url: String,
        /// Why not.
        reason: String,
    },
    /// The HTTP stack could not start (e.g. unreadable `SSL_CERT_FILE`).
    #[error("cannot set up HTTPS: {0}")]
    Http(String),
    /// The credential could not be built.
    #[error(transparent)]
    Auth(#[from] AuthError),
}

/// The `reqwest` client every call and every login of the process goes through.
pub fn http_client() -> Result<reqwest::Client, ClientError> {
    reqwest::Client::builder()
        .user_agent(concat!("jit-azure/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .build()
        .map_err(|err| ClientError::Http(error_chain(&err)))
}

impl ArmClient {
    /// A client for these settings. No network call is made.
    pub fn new(settings: &ArmSettings) -> Result<Self, ClientError> {
        let http = http_client()?;
        let tokens = TokenSource::new(settings, &http)?;
        Self::with_parts(
            http,
            &settings.resource_manager,
            tokens,
            RetryPolicy::default(),
        )
    }

    /// A client from its parts, e.g. with a credential or retry policy of one's own.
    pub fn with_parts(
        http: reqwest::Client,
        resource_manager: &str,
        tokens: TokenSource,
        retry: RetryPolicy,
    ) -> Result<Self, ClientError> {
        let base = Url::parse(resource_manager).map_err(|err| ClientError::Endpoint {
            url: resource_manager.to_owned(),
            reason: err.to_string(),
        })?;
        Ok(ArmClient {
            inner: Arc::new(Inner {
                http,
                base,
                tokens,
                retry,
                correlation_id: uuid::Uuid::new_v4().to_string(),
            }),
        })
    }

    /// The URL of an ARM path (segments are escaped) with the JIT API's `api-version`.
    pub fn url(&self, segments: &[&str]) -> Url {
        self.url_with_version(segments, API_VERSION)
    }

    /// The URL of an ARM path (segments are escaped) with another resource provider's
    /// `api-version`: each provider versions its API on its own (Compute, Network).
    pub fn url_with_version(&self, segments: &[&str], api_version: &str) -> Url {
        let mut url = self.inner.base.clone();
        {
            // A base URL always has a path, so this cannot fail for http(s).
            if let Ok(mut path) = url.path_segments_mut() {
                path.pop_if_empty().extend(segments);
            }
        }
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
        url
    }

    /// The URL of a resource given by its ARM id (`/subscriptions/...`), with `api_version`.
    pub fn url_of_id(&self, id: &str, api_version: &str) -> Url {
        let segments: Vec<&str> = id
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        self.url_with_version(&segments, api_version)
    }

    /// GET a JSON resource; `None` when it does not exist (404).
    pub async fn get<T: DeserializeOwned>(
        &self,
        url: Url,
        deadline: &Deadline,
    ) -> Result<Option<T>, ArmError> {
        match self
            .send(Method::GET, url.clone(), None, deadline, true)
            .await
        {
            Ok(answer) => decode(&url, &answer.body).map(Some),
            Err(err) if err.is_not_found() => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// PUT a JSON body (idempotent: it is repeated on transient failures) and read the answer.
    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        url: Url,
        body: &B,
        deadline: &Deadline,
    ) -> Result<T, ArmError> {
        self.send_json(Method::PUT, url, body, deadline, true).await
    }

    /// POST a JSON body. Not idempotent: only throttling (which ARM did not process) and
    /// failures to connect are tried again.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        url: Url,
        body: &B,
        deadline: &Deadline,
    ) -> Result<T, ArmError> {
        self.send_json(Method::POST, url, body, deadline, false)
            .await
    }

    async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: &B,
        deadline: &Deadline,
        idempotent: bool,
    ) -> Result<T, ArmError> {
        let bytes = serde_json::to_vec(body).map_err(|err| ArmError::Decode {
            url: without_query(&url),
            reason: err.to_string(),
        })?;
        let answer = self
            .send(method, url.clone(), Some(bytes), deadline, idempotent)
            .await?;
        decode(&url, &answer.body)
    }

    /// DELETE; true when something was deleted, false when it did not exist (204 or 404).
    pub async fn delete(&self, url: Url, deadline: &Deadline) -> Result<bool, ArmError> {
        match self.send(Method::DELETE, url, None, deadline, true).await {
            Ok(answer) => Ok(answer.status != StatusCode::NO_CONTENT),
            Err(err) if err.is_not_found() => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Every item of a list operation, following `nextLink` (which must stay on the same
    /// host: a token is never sent elsewhere).
    pub async fn list<T: DeserializeOwned>(
        &self,
        url: Url,
        deadline: &Deadline,
    ) -> Result<Vec<T>, ArmError> {
        let mut items = Vec::new();
        let mut next = Some(url);
        while let Some(url) = next.take() {
            let answer = self
                .send(Method::GET, url.clone(), None, deadline, true)
                .await?;
            let page: Page<T> = decode(&url, &answer.body)?;
            items.extend(page.value);
            if let Some(link) = page.next_link.filter(|link| !link.is_empty()) {
                let link = Url::parse(&link).map_err(|err| ArmError::Decode {
                    url: without_query(&url),
                    reason: format!("nextLink {link:?} is not a URL: {err}"),
                })?;
                if link.origin() != self.inner.base.origin() {
                    return Err(ArmError::Decode {
                        url: without_query(&url),
                        reason: format!(
                            "nextLink points to another host ({}); not followed",
                            link.origin().ascii_serialization()
                        ),
                    });
                }
                next = Some(link);
            }
        }
        Ok(items)
    }

    /// One call with retries. 2xx is an [`Answer`]; anything else an [`ArmError`].
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        deadline: &Deadline,
        idempotent: bool,
    ) -> Result<Answer, ArmError> {
        let request_id = uuid::Uuid::new_v4().to_string();
        let inner = &self.inner;
        with_retries(&inner.retry, deadline, |retry| {
            let method = method.clone();
            let url = url.clone();
            let body = body.clone();
            let request_id = request_id.clone();
            async move {
                let token = match inner.tokens.token().await {
                    Ok(token) => token,
                    Err(err) => return Attempt::Done(Err(err.into())),
                };
                let mut request = inner
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(token.expose())
                    .header("x-ms-client-request-id", &request_id)
                    .header("x-ms-correlation-request-id", &inner.correlation_id)
                    .header("accept", "application/json");
                if let Some(body) = body {
                    request = request
                        .header("content-type", "application/json")
                        .body(body);
                }
                let started = Instant::now();
                let response = match request.send().await {
                    Ok(response) => response,
                    Err(err) => {
                        let error = ArmError::Transport {
                            url: without_query(&url),
                            reason: error_chain(&err),
                        };
                        // A request that never connected was not processed: safe to repeat.
                        return if idempotent || err.is_connect() {
                            Attempt::Retry {
                                error,
                                retry_after: None,
                                throttled: false,
                            }
                        } else {
                            Attempt::Done(Err(error))
                        };
                    }
                };
                let status = response.status();
                let headers = response.headers().clone();
                log_answer(&method, &url, status, &headers, started, retry);
                let bytes = match response.bytes().await {
                    Ok(bytes) => bytes,
                    Err(err) => {
                        return Attempt::Retry {
                            error: ArmError::Transport {
                                url: without_query(&url),
                                reason: error_chain(&err),
                            },
                            retry_after: None,
                            throttled: false,
                        };
                    }
                };
                if status.is_success() {
                    return Attempt::Done(Ok(Answer {
                        status,
                        body: bytes,
                    }));
                }
                let error = ArmError::Cloud {
                    status: status.as_u16(),
                    error: CloudErrorBody::parse(status.as_u16(), &bytes),
                    request_id: header(&headers, "x-ms-request-id")
                        .or_else(|| header(&headers, "x-ms-correlation-request-id")),
                };
                let throttled = status == StatusCode::TOO_MANY_REQUESTS;
                if is_retryable_status(status.as_u16()) && (idempotent || throttled) {
                    Attempt::Retry {
                        error,
                        retry_after: retry_after(&headers),
                        throttled,
                    }
                } else {
                    Attempt::Done(Err(error))
                }
            }
        })
        .await
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value: &HeaderValue| value.to_str().ok())
        .map(str::to_owned)
}

fn log_answer(
    method: &Method,
    url: &Url,
    status: StatusCode,
    headers: &HeaderMap,
    started: Instant,
    retry: u32,
) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let remaining: Vec<String> = headers
        .iter()
        .filter_map(|(name, value)| {
            let name = name.as_str().strip_prefix("x-ms-ratelimit-remaining-")?;
            Some(format!("{name}={}", value.to_str().ok()?))
        })
        .collect();
    tracing::debug!(
        method = %method,
        path = url.path(),
        status = status.as_u16(),
        retry,
        elapsed_ms = started.elapsed().as_millis() as u64,
        request_id = header(headers, "x-ms-request-id").unwrap_or_default(),
        correlation_id = header(headers, "x-ms-correlation-request-id").unwrap_or_default(),
        ratelimit_remaining = remaining.join(","),
        "Resource Manager answered"
    );
}

fn decode<T: DeserializeOwned>(url: &Url, body: &[u8]) -> Result<T, ArmError> {
    serde_json::from_slice(body).map_err(|err| ArmError::Decode {
        url: without_query(url),
        reason: err.to_string(),
    })
}

fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}

/// An error and its causes on one line: reqwest's own text ("error sending request") alone
/// does not say that the certificate was not trusted.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn server_error(status: u16) -> ArmError {
        ArmError::Cloud {
            status,
            error: CloudErrorBody {
                code: "InternalServerError".into(),
                message: "boom".into(),
                ..Default::default()
            },
            request_id: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_waits_as_asked_then_succeeds() {
        let started = Instant::now();
        let times = Mutex::new(Vec::new());
        let deadline = Deadline::after(Duration::from_secs(600), "test");
        let result = with_retries(&RetryPolicy::default(), &deadline, |retry| {
            times.lock().unwrap().push(started.elapsed());
            async move {
                if retry < 3 {
                    Attempt::Retry {
                        error: server_error(429),
                        retry_after: Some(Duration::from_secs(20)),
                        throttled: true,
                    }
                } else {
                    Attempt::Done(Ok(retry))
                }
            }
        })
        .await;
        assert_eq!(result.unwrap(), 3);
        let times = times.into_inner().unwrap();
        assert_eq!(times.len(), 4);
        for pair in times.windows(2) {
            let gap = pair[1] - pair[0];
            // Never sooner than Retry-After; the backoff (at most 30 s) may ask for more.
            assert!(gap >= Duration::from_secs(20), "{gap:?}");
            assert!(gap <= Duration::from_secs(30), "{gap:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_tried_a_bounded_number_of_times() {
        let attempts = Mutex::new(0u32);
        let deadline = Deadline::after(Duration::from_secs(3600), "test");
        let started = Instant::now();
        let result: Result<(), _> = with_retries(&RetryPolicy::default(), &deadline, |_| {
            *attempts.lock().unwrap() += 1;
            async {
                Attempt::Retry {
                    error: server_error(500),
                    retry_after: None,
                    throttled: false,
                }
            }
        })
        .await;
        assert_eq!(*attempts.lock().unwrap(), MAX_TRANSIENT_RETRIES + 1);
        let err = result.unwrap_err();
        assert_eq!(err.status(), Some(500), "the server's own error: {err}");
        // 1 + 2 + 4 + 8 seconds of backoff, each jittered to between half and all of it.
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(7500) && waited <= Duration::from_secs(15),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_retries_and_hanging_attempts() {
        let deadline = Deadline::after(Duration::from_secs(10), "creating jit_policy \"default\"");
        let started = Instant::now();
        let result: Result<(), _> = with_retries(&RetryPolicy::default(), &deadline, |_| async {
            Attempt::Retry {
                error: server_error(429),
                retry_after: Some(Duration::from_secs(60)),
                throttled: true,
            }
        })
        .await;
        let err = result.unwrap_err().to_string();
        assert!(
            err.starts_with("creating jit_policy \"default\" did not finish within 10s"),
            "{err}"
        );
        assert!(err.contains("InternalServerError"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "no point waiting past the deadline"
        );

        let started = Instant::now();
        let result: Result<(), _> = with_retries(&RetryPolicy::default(), &deadline, |_| {
            std::future::pending::<Attempt<()>>()
        })
        .await;
        assert!(matches!(result, Err(ArmError::Timeout { .. })));
        let waited = started.elapsed();
        assert!(waited <= Duration::from_secs(10), "{waited:?}");
    }
}
