//! What can go wrong talking to Resource Manager, as types a caller can act on.
//!
//! ARM answers errors with the `CloudError` envelope (`{"error": {"code", "message",
//! "target", "details"}}`); its code, message and target reach the user's diagnostic
//! unchanged, with the request id that support needs. Nothing here ever holds a token or a
//! secret.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// The `error` member of ARM's `CloudError` envelope.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct CloudErrorBody {
    /// Machine-readable code, e.g. `BadRequest`, `ResourceNotFound`.
    #[serde(default)]
    pub code: String,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// The field or resource the error is about.
    #[serde(default)]
    pub target: Option<String>,
    /// Nested errors.
    #[serde(default)]
    pub details: Vec<CloudErrorBody>,
}

#[derive(Deserialize)]
struct Envelope {
    error: CloudErrorBody,
}

impl CloudErrorBody {
    /// Parses an error body; a body that is not a `CloudError` becomes its text (cut short),
    /// so that a proxy's HTML page still says something.
    pub fn parse(status: u16, body: &[u8]) -> Self {
        if let Ok(Envelope { error }) = serde_json::from_slice::<Envelope>(body) {
            return error;
        }
        let text = String::from_utf8_lossy(body);
        let text: String = text.trim().chars().take(300).collect();
        CloudErrorBody {
            code: format!("HTTP{status}"),
            message: if text.is_empty() {
                "the response has no body".to_owned()
            } else {
                text
            },
            target: None,
            details: Vec::new(),
        }
    }
}

/// A failed call to Resource Manager.
#[derive(Debug, thiserror::Error)]
pub enum ArmError {
    /// ARM answered with an error status.
    #[error("{}", cloud_message(*status, error, request_id.as_deref()))]
    Cloud {
        /// HTTP status.
        status: u16,
        /// The `CloudError` body.
        error: CloudErrorBody,
        /// `x-ms-request-id` (or the correlation id), for support.
        request_id: Option<String>,
    },
    /// No answer: connection refused, TLS failure, reset.
    #[error("cannot reach {url}: {reason}")]
    Transport {
        /// The URL, without query.
        url: String,
        /// The cause, from the HTTP stack (never holds headers).
        reason: String,
    },
    /// The operation's time ran out (the resource's `timeouts`), retries included.
    #[error(
        "{operation} did not finish within {}; the last attempt: {last}",
        humanize(*after)
    )]
    Timeout {
        /// What was being done.
        operation: String,
        /// The budget.
        after: Duration,
        /// What the last attempt saw.
        last: String,
    },
    /// Getting a token failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// ARM answered 2xx with a body this client cannot read.
    #[error("cannot read the answer of {url}: {reason}")]
    Decode {
        /// The URL.
        url: String,
        /// What did not fit.
        reason: String,
    },
}

impl ArmError {
    /// The HTTP status, for errors ARM answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ArmError::Cloud { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for 404: the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The `CloudError` body, for errors ARM answered.
    pub fn cloud_error(&self) -> Option<&CloudErrorBody> {
        match self {
            ArmError::Cloud { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn cloud_message(status: u16, error: &CloudErrorBody, request_id: Option<&str>) -> String {
    let mut text = format!("{} (HTTP {status}): {}", error.code, error.message);
    if let Some(target) = error.target.as_deref().filter(|t| !t.is_empty()) {
        text.push_str(&format!(" [target: {target}]"));
    }
    for detail in &error.details {
        text.push_str(&format!("; {}: {}", detail.code, detail.message));
    }
    if let Some(id) = request_id {
        text.push_str(&format!(" (request id {id})"));
    }
    text
}

/// `1m30s`, `45s`, `250ms`: durations as `timeouts` blocks write them.
pub fn humanize(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        return format!("{millis}ms");
    }
    let seconds = duration.as_secs();
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut text = String::new();
    if h > 0 {
        text.push_str(&format!("{h}h"));
    }
    if m > 0 {
        text.push_str(&format!("{m}m"));
    }
    if s > 0 || text.is_empty() {
        text.push_str(&format!("{s}s"));
    }
    text
}

/// Getting a token failed: which method was tried, and which setting to look at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{method} authentication failed: {reason}. Check {settings}.")]
pub struct AuthError {
    /// The method, as users know it: `client secret`, `Azure CLI`, ...
    pub method: &'static str,
    /// The settings that choose and configure it.
    pub settings: &'static str,
    /// What went wrong, without any secret.
    pub reason: String,
}

impl fmt::Display for CloudErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_errors_keep_code_message_target_and_request_id() {
        let body = br#"{"error":{"code":"BadRequest","message":"port 22 twice","target":"properties.virtualMachines[0].ports[1]"}}"#;
        let error = ArmError::Cloud {
            status: 400,
            error: CloudErrorBody::parse(400, body),
            request_id: Some("abc".into()),
        };
        assert_eq!(
            error.to_string(),
            "BadRequest (HTTP 400): port 22 twice [target: properties.virtualMachines[0].ports[1]] (request id abc)"
        );
    }

    #[test]
    fn a_body_that_is_no_cloud_error_still_says_something() {
        let error = CloudErrorBody::parse(502, b"<html>Bad gateway</html>");
        assert_eq!(error.code, "HTTP502");
        assert_eq!(error.message, "<html>Bad gateway</html>");
        assert_eq!(
            CloudErrorBody::parse(503, b"").message,
            "the response has no body"
        );
    }

    #[test]
    fn durations_read_as_timeouts_write_them() {
        assert_eq!(humanize(Duration::from_secs(90)), "1m30s");
        assert_eq!(humanize(Duration::from_secs(3600)), "1h");
        assert_eq!(humanize(Duration::from_millis(250)), "250ms");
        assert_eq!(humanize(Duration::from_secs(0)), "0ms");
    }
}
