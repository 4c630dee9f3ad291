//! The ARM error envelope (`CloudError`) as an axum response.
//!
//! Every failure the emulator reports over ARM paths goes through [`ArmError`], so that clients
//! see exactly one error shape: `{"error":{"code","message","target"?,"details"?}}`, the
//! `CloudError` of the spec's `common/v1/types.json`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One `CloudErrorBody`: a code, a message, and where in the request the problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// ARM's machine-readable code, such as `InvalidRequestContent`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The JSON path of the offending value, such as `properties.virtualMachines[0].id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// One entry per problem when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorBody>,
}

impl ErrorBody {
    /// A body without target or details.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody {
            code: code.into(),
            message: message.into(),
            target: None,
            details: Vec::new(),
        }
    }

    /// The same body with a target.
    pub fn at(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
}

/// An error answered with ARM's `CloudError` body and an HTTP status.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {}: {}", body.code, body.message)]
pub struct ArmError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `error` member (boxed: errors travel in `Result`s on every path).
    pub body: Box<ErrorBody>,
    /// Seconds for `Retry-After` (throttling faults).
    pub retry_after: Option<u64>,
    /// A `WWW-Authenticate` challenge (401 only).
    pub www_authenticate: Option<String>,
}

impl ArmError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ArmError {
            status,
            body: Box::new(ErrorBody::new(code, message)),
            retry_after: None,
            www_authenticate: None,
        }
    }

    /// 400 for a body that breaks the schema: ARM's `InvalidRequestContent`.
    pub fn invalid_content(message: impl Into<String>, target: impl Into<String>) -> Self {
        let mut error = ArmError::new(StatusCode::BAD_REQUEST, "InvalidRequestContent", message);
        error.body.target = Some(target.into()).filter(|target: &String| !target.is_empty());
        error
    }

    /// 400 for a request that breaks a JIT rule.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ArmError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 400 with one detail per problem; the top level repeats the first problem, as ARM does.
    ///
    /// Returns `None` when `details` is empty, so callers can write `if let Some(e) = ...`.
    pub fn from_details(code: &str, details: Vec<ErrorBody>) -> Option<Self> {
        let first = details.first()?.clone();
        let message = if details.len() == 1 {
            first.message.clone()
        } else {
            format!(
                "{} (and {} more problems, see details)",
                first.message,
                details.len() - 1
            )
        };
        let mut error = ArmError::new(StatusCode::BAD_REQUEST, code, message);
        error.body.target = first.target;
        error.body.details = details;
        Some(error)
    }

    /// 404 for a policy or resource that does not exist: ARM's `ResourceNotFound`.
    pub fn resource_not_found(resource_type: &str, name: &str, resource_group: &str) -> Self {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The Resource '{resource_type}/{name}' under resource group '{resource_group}' \
                 was not found. For more details please go to \
                 https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    /// 404 for a path that names no resource type the emulator knows.
    pub fn invalid_resource_type(namespace: &str, resource_type: &str, api_version: &str) -> Self {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            format!(
                "The resource type '{resource_type}' could not be found in the namespace \
                 '{namespace}' for api version '{api_version}'."
            ),
        )
    }

    /// 404 for a path outside any ARM shape.
    pub fn not_found(path: &str) -> Self {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("The requested path '{path}' does not match any resource or operation."),
        )
    }

    /// 405 for a method the resource type does not support.
    pub fn method_not_allowed(method: &str, resource_type: &str) -> Self {
        ArmError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!(
                "The HTTP method '{method}' is not supported for resource type '{resource_type}'."
            ),
        )
    }

    /// 413 for a body above [`crate::MAX_BODY_BYTES`].
    pub fn too_large(limit: usize) -> Self {
        ArmError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!(
                "The request content size exceeds the maximum permitted size of {limit} bytes."
            ),
        )
    }

    /// 500 for a failure of the emulator itself (it should never happen; it is logged).
    pub fn internal(message: impl Into<String>) -> Self {
        ArmError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            message,
        )
    }
}

impl IntoResponse for ArmError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Envelope<'a> {
            error: &'a ErrorBody,
        }
        let mut response =
            (self.status, axum::Json(Envelope { error: &self.body })).into_response();
        let headers = response.headers_mut();
        headers.insert("x-ms-failure-cause", HeaderValue::from_static("service"));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(challenge) = self.www_authenticate
            && let Ok(value) = HeaderValue::from_str(&challenge)
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
