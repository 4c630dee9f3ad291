//! Tokens like Entra ID's client-credentials flow, and their check on ARM calls.
//!
//! Tokens are JWT-shaped (`header.payload.signature`, base64url) so that clients which peek
//! at claims work, and are signed with HMAC-SHA256 under a key derived from the configured
//! client credentials. That makes them verifiable without a token table, and still valid
//! after a restart with the same `--client` flags (clients cache tokens for an hour).
//! Expiry is measured on the real clock, not the emulator's: clients decide when to refresh
//! by the real clock, and moving the emulator's clock must not invalidate their tokens.

use aws_lc_rs::{digest, hmac};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How long an issued token is valid, as Entra ID's default.
pub const TOKEN_LIFETIME_SECS: i64 = 3599;

/// A client the emulator issues tokens to.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredential {
    /// The application (client) id.
    pub client_id: String,
    /// The client secret.
    pub secret: String,
    /// The identity recorded as `requestor` (defaults to the client id).
    pub name: String,
}

impl fmt::Debug for ClientCredential {
    // Written by hand so that the secret never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredential")
            .field("client_id", &self.client_id)
            .field("secret", &"<redacted>")
            .field("name", &self.name)
            .finish()
    }
}

impl std::str::FromStr for ClientCredential {
    type Err = String;

    /// Parses `ID:SECRET[:NAME]`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.splitn(3, ':');
        let client_id = parts.next().filter(|s| !s.is_empty());
        let secret = parts.next().filter(|s| !s.is_empty());
        let (Some(client_id), Some(secret)) = (client_id, secret) else {
            return Err("expected CLIENT_ID:SECRET or CLIENT_ID:SECRET:NAME".to_owned());
        };
        let name = parts.next().filter(|s| !s.is_empty()).unwrap_or(client_id);
        Ok(ClientCredential {
            client_id: client_id.to_owned(),
            secret: secret.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// The client id of the client configured when no `--client` is given.
pub const DEFAULT_CLIENT_ID: &str = "00000000-0000-0000-0000-00000000e1e1";
/// Its secret (the emulator is a local test tool; this value is documented).
pub const DEFAULT_CLIENT_SECRET: &str = "jit-emulator-secret";
/// Its requestor name.
pub const DEFAULT_CLIENT_NAME: &str = "emulator-user@jit.local";

/// The default client, used when none is configured.
pub fn default_client() -> ClientCredential {
    ClientCredential {
        client_id: DEFAULT_CLIENT_ID.to_owned(),
        secret: DEFAULT_CLIENT_SECRET.to_owned(),
        name: DEFAULT_CLIENT_NAME.to_owned(),
    }
}

/// Who a valid token was issued to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Audience (the scope's resource).
    pub aud: String,
    /// Tenant from the token endpoint path.
    pub tid: String,
    /// Client id.
    pub appid: String,
    /// Display name: the requestor.
    pub name: String,
    /// Issued at, Unix seconds (real clock).
    pub iat: i64,
    /// Expiry, Unix seconds (real clock).
    pub exp: i64,
}

/// Why a bearer token was refused, mapped to ARM's 401 codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization` header.
    #[error("Authentication failed. The 'Authorization' header is missing.")]
    Missing,
    /// Header present but not `Bearer <token>`.
    #[error("Authentication failed. The 'Authorization' header is provided in an invalid format.")]
    Malformed,
    /// Bad signature or unreadable claims.
    #[error("The access token is invalid.")]
    Invalid,
    /// Past `exp`.
    #[error("The access token expiry UTC time '{0}' is earlier than current UTC time.")]
    Expired(i64),
}

impl TokenError {
    /// ARM's error code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Missing | TokenError::Malformed => "AuthenticationFailed",
            TokenError::Invalid => "InvalidAuthenticationToken",
            TokenError::Expired(_) => "ExpiredAuthenticationToken",
        }
    }
}

/// Issues and checks tokens for the configured clients.
pub struct Authority {
    clients: Vec<ClientCredential>,
    key: hmac::Key,
}

impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authority")
            .field("clients", &self.clients)
            .finish_non_exhaustive()
    }
}

impl Authority {
    /// An authority for these clients (the key is derived from them; see the module doc).
    pub fn new(clients: Vec<ClientCredential>) -> Self {
        let mut context = digest::Context::new(&digest::SHA256);
        context.update(b"jit-emulator token key v1\0");
        for client in &clients {
            context.update(client.client_id.as_bytes());
            context.update(b"\0");
            context.update(client.secret.as_bytes());
            context.update(b"\0");
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, context.finish().as_ref());
        Authority { clients, key }
    }

    /// The configured clients.
    pub fn clients(&self) -> &[ClientCredential] {
        &self.clients
    }

    /// Finds a client by id.
    pub fn client(&self, client_id: &str) -> Option<&ClientCredential> {
        self.clients
            .iter()
            .find(|client| client.client_id == client_id)
    }

    /// Issues a token for `client` in `tenant` valid from `now_unix` (real clock).
    pub fn issue(
        &self,
        client: &ClientCredential,
        tenant: &str,
        audience: &str,
        now_unix: i64,
    ) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"HS256","kid":"jit-emulator"}"#);
        let claims = Claims {
            aud: audience.to_owned(),
            tid: tenant.to_owned(),
            appid: client.client_id.clone(),
            name: client.name.clone(),
            iat: now_unix,
            exp: now_unix + TOKEN_LIFETIME_SECS,
        };
        let payload = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&claims).expect("claims are plain strings and integers"));
        let signed = format!("{header}.{payload}");
        let signature = URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, signed.as_bytes()));
        format!("{signed}.{signature}")
    }

    /// Checks an `Authorization` header value.
    pub fn verify(&self, authorization: Option<&str>, now_unix: i64) -> Result<Claims, TokenError> {
        let header = authorization.ok_or(TokenError::Missing)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(TokenError::Malformed)?;
        let (signed, signature) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Invalid)?;
        hmac::verify(&self.key, signed.as_bytes(), &signature).map_err(|_| TokenError::Invalid)?;
        let (_, payload) = signed.split_once('.').ok_or(TokenError::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Invalid)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Invalid)?;
        if claims.exp <= now_unix {
            return Err(TokenError::Expired(claims.exp));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_forged_ones_do_not() {
        let authority = Authority::new(vec![default_client()]);
        let token = authority.issue(
            &default_client(),
            "t",
            "https://management.azure.com/",
            1000,
        );
        let claims = authority
            .verify(Some(&format!("Bearer {token}")), 1001)
            .unwrap();
        assert_eq!(claims.name, DEFAULT_CLIENT_NAME);
        let other = Authority::new(vec!["a:b".parse().unwrap()]);
        assert_eq!(
            other.verify(Some(&format!("Bearer {token}")), 1001),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            authority.verify(Some(&format!("Bearer {token}")), 1000 + TOKEN_LIFETIME_SECS),
            Err(TokenError::Expired(1000 + TOKEN_LIFETIME_SECS))
        );
        assert_eq!(authority.verify(None, 0), Err(TokenError::Missing));
    }

    #[test]
    fn debug_hides_the_secret() {
        assert!(!format!("{:?}", default_client()).contains(DEFAULT_CLIENT_SECRET));
    }
}
