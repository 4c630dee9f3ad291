//! `POST /{tenant}/oauth2/v2.0/token`: Entra ID's client-credentials grant.
//!
//! Errors use Entra ID's OAuth2 shape (`error`, `error_description` with an AADSTS code), as
//! azure_identity parses it.

use crate::Emulator;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// The form fields of a token request.
#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, code: u32, description: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}"),
            "error_codes": [code],
        })),
    )
        .into_response()
}

/// Issues a token for a configured client.
pub async fn token(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type; the emulator supports 'client_credentials'.",
        );
    }
    let client_id = form.client_id.unwrap_or_default();
    let Some(client) = emulator.authority.client(&client_id) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        );
    };
    if form.client_secret.as_deref() != Some(client.secret.as_str()) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.",
        );
    }
    let scope = form
        .scope
        .unwrap_or_else(|| "https://management.azure.com/.default".to_owned());
    let audience = scope
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches(".default")
        .to_owned();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let access_token = emulator.authority.issue(client, &tenant, &audience, now);
    tracing::info!(client_id = %client.client_id, %tenant, "token issued");
    axum::Json(json!({
        "token_type": "Bearer",
        "expires_in": crate::auth::TOKEN_LIFETIME_SECS,
        "ext_expires_in": crate::auth::TOKEN_LIFETIME_SECS,
        "access_token": access_token,
    }))
    .into_response()
}
