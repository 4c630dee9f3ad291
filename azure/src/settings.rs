//! What a client of Resource Manager is configured with: the subscription, the cloud's
//! endpoints, and how to get tokens. Resolving these from a provider block or the `ARM_*`
//! variables is the caller's job (the provider and the command line do it the same way).

use std::fmt;

use crate::cloud::Cloud;

/// A secret that never shows in `Debug`, `Display` or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How to authenticate, chosen as azurerm chooses: explicit methods first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A service principal with a client secret.
    ClientSecret {
        /// Tenant.
        tenant_id: String,
        /// Application id.
        client_id: String,
        /// The secret.
        secret: Secret,
    },
    /// A service principal with a PKCS#12 certificate (inline base64 or a file path).
    ClientCertificate {
        /// Tenant.
        tenant_id: String,
        /// Application id.
        client_id: String,
        /// Where the certificate comes from.
        certificate: CertificateSource,
        /// Its password, if any.
        password: Option<Secret>,
    },
    /// Workload identity federation with an OIDC token.
    Oidc {
        /// Tenant.
        tenant_id: String,
        /// Application id.
        client_id: String,
        /// Where the token comes from.
        token: OidcTokenSource,
    },
    /// A managed identity (system-assigned, or user-assigned when `client_id` is set).
    ManagedIdentity {
        /// A user-assigned identity's client id.
        client_id: Option<String>,
        /// A custom endpoint.
        endpoint: Option<String>,
    },
    /// The Azure CLI's current login.
    AzureCli {
        /// The tenant to ask the CLI for, when set.
        tenant_id: Option<String>,
    },
}

impl Credential {
    /// The method's name, as the docs and error messages call it.
    pub fn method(&self) -> &'static str {
        match self {
            Credential::ClientSecret { .. } => "client secret",
            Credential::ClientCertificate { .. } => "client certificate",
            Credential::Oidc { .. } => "OIDC",
            Credential::ManagedIdentity { .. } => "managed identity",
            Credential::AzureCli { .. } => "Azure CLI",
        }
    }

    /// The settings a user looks at when this method fails.
    pub fn settings(&self) -> &'static str {
        match self {
            Credential::ClientSecret { .. } => {
                "`tenant_id`, `client_id` and `client_secret` (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET)"
            }
            Credential::ClientCertificate { .. } => {
                "`tenant_id`, `client_id`, `client_certificate_path` or `client_certificate`, and `client_certificate_password` (ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_CERTIFICATE_PASSWORD)"
            }
            Credential::Oidc { .. } => {
                "`tenant_id`, `client_id` and the OIDC token settings (ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH, ARM_OIDC_REQUEST_URL/ARM_OIDC_REQUEST_TOKEN) and the federated credential of the application"
            }
            Credential::ManagedIdentity { .. } => {
                "`use_msi` and `client_id` (ARM_USE_MSI, ARM_CLIENT_ID); the identity must be assigned to this machine"
            }
            Credential::AzureCli { .. } => {
                "that `az login` was run and `az account get-access-token` works, or configure another method"
            }
        }
    }
}

/// Where a certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateSource {
    /// Base64 PKCS#12 given inline.
    Inline(Secret),
    /// A file path.
    File(String),
}

/// Where an OIDC token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcTokenSource {
    /// Given directly.
    Token(Secret),
    /// Read from a file before each exchange (refreshed by the platform, e.g. Kubernetes).
    File(String),
    /// Requested from GitHub Actions' token endpoint.
    Request {
        /// The URL.
        url: String,
        /// The bearer token for it.
        token: Secret,
    },
    /// Requested from an Azure DevOps pipeline for a service connection.
    AzureDevOps {
        /// The service connection's id.
        service_connection_id: String,
        /// `SYSTEM_ACCESSTOKEN`.
        token: Secret,
    },
}

/// Everything a client needs to talk to Resource Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmSettings {
    /// The subscription.
    pub subscription_id: String,
    /// The cloud.
    pub cloud: Cloud,
    /// Resource Manager base URL (the cloud's, or the override).
    pub resource_manager: String,
    /// Entra ID authority host (the cloud's, or the override).
    pub authority_host: String,
    /// How to get tokens.
    pub credential: Credential,
}
