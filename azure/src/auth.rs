//! Tokens for Resource Manager from `azure_identity` credentials, chosen by [`Credential`].
//!
//! One [`TokenSource`] is built per configured client and shared by every call of the
//! process; the credentials cache their tokens until shortly before expiry, so a run of
//! hundreds of resources asks Entra ID once. Every credential sends its token requests through
//! the same `reqwest` client as the ARM calls, so `SSL_CERT_FILE`, `SSL_CERT_DIR` and
//! `HTTPS_PROXY` apply to logins too.

use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret as CoreSecret, SecretBytes, TokenCredential};
use azure_core::http::{ClientMethodOptions, ClientOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzurePipelinesCredential,
    AzurePipelinesCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientCertificateCredential,
    ClientCertificateCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};
use base64::Engine;

use crate::cloud::Cloud;
use crate::error::AuthError;
use crate::settings::{ArmSettings, CertificateSource, Credential, OidcTokenSource, Secret};

/// Where ARM tokens come from, with the method's name for error messages.
#[derive(Debug, Clone)]
pub struct TokenSource {
    credential: Arc<dyn TokenCredential>,
    scope: String,
    method: &'static str,
    settings: &'static str,
}

impl TokenSource {
    /// Builds the credential the settings choose. Makes no network call: a wrong secret
    /// shows at the first token request, with the method named.
    pub fn new(settings: &ArmSettings, http: &reqwest::Client) -> Result<Self, AuthError> {
        let credential = &settings.credential;
        let fail = |reason: String| AuthError {
            method: credential.method(),
            settings: credential.settings(),
            reason,
        };
        let options = || client_options(settings.cloud, &settings.authority_host, http);
        let built: Arc<dyn TokenCredential> = match credential {
            Credential::ClientSecret {
                tenant_id,
                client_id,
                secret,
            } => ClientSecretCredential::new(
                tenant_id,
                client_id.clone(),
                CoreSecret::new(secret.expose().to_owned()),
                Some(ClientSecretCredentialOptions {
                    client_options: options(),
                }),
            )
            .map_err(|err| fail(err.to_string()))?,
            Credential::ClientCertificate {
                tenant_id,
                client_id,
                certificate,
                password,
            } => {
                let bytes = match certificate {
                    CertificateSource::Inline(text) => base64::engine::general_purpose::STANDARD
                        .decode(text.expose().trim())
                        .map_err(|_| {
                            fail("`client_certificate` is not base64-encoded PKCS#12".to_owned())
                        })?,
                    CertificateSource::File(path) => std::fs::read(path)
                        .map_err(|err| fail(format!("cannot read {path}: {err}")))?,
                };
                ClientCertificateCredential::new(
                    tenant_id.clone(),
                    client_id.clone(),
                    SecretBytes::new(bytes),
                    Some(ClientCertificateCredentialOptions {
                        client_options: options(),
                        password: password
                            .as_ref()
                            .map(|password| CoreSecret::new(password.expose().to_owned())),
                    }),
                )
                .map_err(|err| fail(err.to_string()))?
            }
            Credential::Oidc {
                tenant_id,
                client_id,
                token:
                    OidcTokenSource::AzureDevOps {
                        service_connection_id,
                        token,
                    },
            } => AzurePipelinesCredential::new(
                tenant_id.clone(),
                client_id.clone(),
                service_connection_id,
                CoreSecret::new(token.expose().to_owned()),
                Some(AzurePipelinesCredentialOptions {
                    credential_options: ClientAssertionCredentialOptions {
                        client_options: options(),
                    },
                }),
            )
            .map_err(|err| fail(err.to_string()))?,
            Credential::Oidc {
                tenant_id,
                client_id,
                token,
            } => ClientAssertionCredential::new(
                tenant_id.clone(),
                client_id.clone(),
                OidcAssertion {
                    source: token.clone(),
                    http: http.clone(),
                },
                Some(ClientAssertionCredentialOptions {
                    client_options: options(),
                }),
            )
            .map_err(|err| fail(err.to_string()))?,
            Credential::ManagedIdentity { client_id, .. } => {
                ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                    client_options: options(),
                }))
                .map_err(|err| fail(err.to_string()))?
            }
            Credential::AzureCli { tenant_id } => {
                AzureCliCredential::new(Some(AzureCliCredentialOptions {
                    tenant_id: tenant_id.clone(),
                    ..Default::default()
                }))
                .map_err(|err| fail(err.to_string()))?
            }
        };
        Ok(TokenSource {
            credential: built,
            scope: settings.cloud.scope(),
            method: credential.method(),
            settings: credential.settings(),
        })
    }

    /// A token from a credential of one's own (tests, or a caller with its own login).
    pub fn from_credential(credential: Arc<dyn TokenCredential>, scope: String) -> Self {
        TokenSource {
            credential,
            scope,
            method: "custom",
            settings: "the credential passed in",
        }
    }

    /// A bearer token for Resource Manager, from the cache while it is fresh.
    pub async fn token(&self) -> Result<Secret, AuthError> {
        match self.credential.get_token(&[&self.scope], None).await {
            Ok(token) => Ok(Secret::new(token.token.secret().to_owned())),
            Err(err) => Err(AuthError {
                method: self.method,
                settings: self.settings,
                reason: first_line(&err.to_string()),
            }),
        }
    }
}

/// azure_identity's errors end with a troubleshooting link on its own lines; the first line
/// says what happened.
fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("no reason given")
        .to_owned()
}

/// The credential's pipeline: our `reqwest` client (roots, proxy) and the login host of the
/// chosen cloud, or the override when one is set.
fn client_options(cloud: Cloud, authority_host: &str, http: &reqwest::Client) -> ClientOptions {
    let configuration = if authority_host.trim_end_matches('/') == cloud.authority_host() {
        match cloud {
            Cloud::Public => CloudConfiguration::AzurePublic,
            Cloud::UsGovernment => CloudConfiguration::AzureGovernment,
            Cloud::China => CloudConfiguration::AzureChina,
        }
    } else {
        let mut custom = CustomConfiguration::default();
        custom.authority_host = authority_host.to_owned();
        custom.into()
    };
    ClientOptions {
        transport: Some(Transport::new(Arc::new(http.clone()))),
        cloud: Some(Arc::new(configuration)),
        ..Default::default()
    }
}

/// The OIDC ID token a federated credential exchanges for an access token.
#[derive(Debug)]
struct OidcAssertion {
    source: OidcTokenSource,
    http: reqwest::Client,
}

#[async_trait::async_trait]
impl ClientAssertion for OidcAssertion {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        let fail = |message: String| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, message)
        };
        match &self.source {
            OidcTokenSource::Token(token) => Ok(token.expose().to_owned()),
            OidcTokenSource::File(path) => std::fs::read_to_string(path)
                .map(|text| text.trim().to_owned())
                .map_err(|err| fail(format!("cannot read the OIDC token file {path}: {err}"))),
            OidcTokenSource::Request { url, token } => {
                #[derive(serde::Deserialize)]
                struct Answer {
                    value: String,
                }
                let response = self
                    .http
                    .get(url)
                    .query(&[("audience", "api://AzureADTokenExchange")])
                    .bearer_auth(token.expose())
                    .send()
                    .await
                    .map_err(|err| fail(format!("cannot request an OIDC token: {err}")))?;
                let status = response.status();
                if !status.is_success() {
                    return Err(fail(format!(
                        "the OIDC token request answered HTTP {status}"
                    )));
                }
                let answer: Answer = response.json().await.map_err(|err| {
                    fail(format!(
                        "the OIDC token answer is not {{\"value\": ...}}: {err}"
                    ))
                })?;
                Ok(answer.value)
            }
            OidcTokenSource::AzureDevOps { .. } => Err(fail(
                "Azure DevOps tokens are requested by the pipelines credential".to_owned(),
            )),
        }
    }
}
