//! Provider settings: each attribute of the `provider "jit"` block, the `ARM_*` variable it
//! falls back to (as in azurerm), and how the settings resolve into one [`ArmSettings`].
//!
//! The table [`SETTINGS`] is the single source for the schema, the environment fallbacks and
//! the docs, so the three cannot drift apart.

use tfplugin::cty::Value;
use tfplugin::framework::{Attribute, Block, Diagnostics, Path};

use crate::validators;
use jit_azure::cloud::Cloud;

/// The type of a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    String,
    /// A bool; in the environment `true`/`false` (or `1`/`0`).
    Bool,
}

/// One attribute of the provider block.
#[derive(Debug)]
pub struct Setting {
    /// The attribute name.
    pub name: &'static str,
    /// Variables read when the attribute is not set, first match wins.
    pub env: &'static [&'static str],
    /// The value's type.
    pub kind: Kind,
    /// Hidden in plans and logs.
    pub sensitive: bool,
    /// Markdown description.
    pub description: &'static str,
}

/// Every provider setting, in documentation order.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "subscription_id",
        env: &["ARM_SUBSCRIPTION_ID"],
        kind: Kind::String,
        sensitive: false,
        description: "The subscription that holds the policies. Required, here or in `ARM_SUBSCRIPTION_ID`.",
    },
    Setting {
        name: "tenant_id",
        env: &["ARM_TENANT_ID"],
        kind: Kind::String,
        sensitive: false,
        description: "The Entra ID tenant to authenticate in. Falls back to `ARM_TENANT_ID`.",
    },
    Setting {
        name: "client_id",
        env: &["ARM_CLIENT_ID"],
        kind: Kind::String,
        sensitive: false,
        description: "The application (client) id of the service principal or user-assigned identity. Falls back to `ARM_CLIENT_ID`.",
    },
    Setting {
        name: "client_secret",
        env: &["ARM_CLIENT_SECRET"],
        kind: Kind::String,
        sensitive: true,
        description: "A client secret of the service principal. Falls back to `ARM_CLIENT_SECRET`. Conflicts with `client_secret_file_path`.",
    },
    Setting {
        name: "client_secret_file_path",
        env: &["ARM_CLIENT_SECRET_FILE_PATH"],
        kind: Kind::String,
        sensitive: false,
        description: "A file holding the client secret. Falls back to `ARM_CLIENT_SECRET_FILE_PATH`.",
    },
    Setting {
        name: "client_certificate",
        env: &["ARM_CLIENT_CERTIFICATE"],
        kind: Kind::String,
        sensitive: true,
        description: "A base64-encoded PKCS#12 certificate of the service principal. Falls back to `ARM_CLIENT_CERTIFICATE`. Conflicts with `client_certificate_path`.",
    },
    Setting {
        name: "client_certificate_path",
        env: &["ARM_CLIENT_CERTIFICATE_PATH"],
        kind: Kind::String,
        sensitive: false,
        description: "A PKCS#12 (.pfx) certificate file of the service principal. Falls back to `ARM_CLIENT_CERTIFICATE_PATH`.",
    },
    Setting {
        name: "client_certificate_password",
        env: &["ARM_CLIENT_CERTIFICATE_PASSWORD"],
        kind: Kind::String,
        sensitive: true,
        description: "The password of the certificate. Falls back to `ARM_CLIENT_CERTIFICATE_PASSWORD`.",
    },
    Setting {
        name: "use_oidc",
        env: &["ARM_USE_OIDC"],
        kind: Kind::Bool,
        sensitive: false,
        description: "Authenticate with an OpenID Connect token (workload identity federation, e.g. GitHub Actions). Falls back to `ARM_USE_OIDC`.",
    },
    Setting {
        name: "oidc_token",
        env: &["ARM_OIDC_TOKEN"],
        kind: Kind::String,
        sensitive: true,
        description: "An OIDC ID token. Falls back to `ARM_OIDC_TOKEN`.",
    },
    Setting {
        name: "oidc_token_file_path",
        env: &["ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE"],
        kind: Kind::String,
        sensitive: false,
        description: "A file holding an OIDC ID token. Falls back to `ARM_OIDC_TOKEN_FILE_PATH`, then `AZURE_FEDERATED_TOKEN_FILE`.",
    },
    Setting {
        name: "oidc_request_url",
        env: &[
            "ARM_OIDC_REQUEST_URL",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "SYSTEM_OIDCREQUESTURI",
        ],
        kind: Kind::String,
        sensitive: false,
        description: "The URL to request an OIDC token from. Falls back to `ARM_OIDC_REQUEST_URL`, then GitHub's `ACTIONS_ID_TOKEN_REQUEST_URL`, then Azure DevOps' `SYSTEM_OIDCREQUESTURI`.",
    },
    Setting {
        name: "oidc_request_token",
        env: &[
            "ARM_OIDC_REQUEST_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "SYSTEM_ACCESSTOKEN",
        ],
        kind: Kind::String,
        sensitive: true,
        description: "The bearer token for `oidc_request_url`. Falls back to `ARM_OIDC_REQUEST_TOKEN`, then `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, then `SYSTEM_ACCESSTOKEN`.",
    },
    Setting {
        name: "ado_pipeline_service_connection_id",
        env: &[
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
        ],
        kind: Kind::String,
        sensitive: false,
        description: "The Azure DevOps service connection to request OIDC tokens for (with `use_oidc`, in a pipeline whose `SYSTEM_ACCESSTOKEN` is mapped). Falls back to `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`, then `ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`.",
    },
    Setting {
        name: "use_msi",
        env: &["ARM_USE_MSI"],
        kind: Kind::Bool,
        sensitive: false,
        description: "Authenticate with a managed identity. Falls back to `ARM_USE_MSI`.",
    },
    Setting {
        name: "msi_endpoint",
        env: &["ARM_MSI_ENDPOINT"],
        kind: Kind::String,
        sensitive: false,
        description: "Accepted for azurerm compatibility; the managed identity credential finds its endpoint itself (the VM's instance metadata service, or `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` where App Service or Functions set them). Falls back to `ARM_MSI_ENDPOINT`.",
    },
    Setting {
        name: "use_cli",
        env: &["ARM_USE_CLI"],
        kind: Kind::Bool,
        sensitive: false,
        description: "Authenticate with the Azure CLI's login when no other method is configured. Falls back to `ARM_USE_CLI`; defaults to `true`.",
    },
    Setting {
        name: "environment",
        env: &["ARM_ENVIRONMENT"],
        kind: Kind::String,
        sensitive: false,
        description: "The Azure cloud: `public` (default), `usgovernment` or `china`. Falls back to `ARM_ENVIRONMENT`.",
    },
    Setting {
        name: "endpoint",
        env: &["ARM_RESOURCE_MANAGER_ENDPOINT"],
        kind: Kind::String,
        sensitive: false,
        description: "Overrides the cloud's Resource Manager endpoint, e.g. `https://127.0.0.1:8443` for the `jit-emulator`. Falls back to `ARM_RESOURCE_MANAGER_ENDPOINT`. Must be `https`, except on loopback.",
    },
    Setting {
        name: "authority_host",
        env: &["ARM_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"],
        kind: Kind::String,
        sensitive: false,
        description: "Overrides the cloud's Entra ID authority host. Falls back to `ARM_AUTHORITY_HOST`, then `AZURE_AUTHORITY_HOST`.",
    },
];

/// The provider block's schema, built from [`SETTINGS`].
pub fn schema_block() -> Block {
    let mut block = Block::new(
        "The `jit` provider manages Azure Defender for Cloud just-in-time (JIT) VM access. \
         It authenticates like the `azurerm` provider: every setting falls back to the matching `ARM_*` variable.",
    );
    for setting in SETTINGS {
        let attribute = match setting.kind {
            Kind::String => Attribute::string(setting.description),
            Kind::Bool => Attribute::bool(setting.description),
        };
        let mut attribute = attribute.optional();
        if setting.sensitive {
            attribute = attribute.sensitive();
        }
        attribute = match setting.name {
            "subscription_id" | "client_id" => attribute.validate(validators::guid()),
            "tenant_id" => attribute.validate(validators::tenant()),
            "environment" => attribute.validate(validators::cloud()),
            "endpoint" | "authority_host" | "oidc_request_url" | "msi_endpoint" => {
                attribute.validate(validators::endpoint_url())
            }
            _ => attribute,
        };
        block = block.attribute(setting.name, attribute);
    }
    block
}

pub use jit_azure::settings::{
    ArmSettings, CertificateSource, Credential, OidcTokenSource, Secret,
};

/// Settings as read from configuration and environment, before they are combined.
struct Raw<'a> {
    config: &'a Value,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Raw<'_> {
    /// The attribute's value if set, else the first non-empty variable.
    fn string(&self, name: &str) -> Option<String> {
        if let Some(value) = self.config.get_attr(name).and_then(Value::as_str) {
            return Some(value.to_owned());
        }
        let setting = SETTINGS.iter().find(|setting| setting.name == name)?;
        setting
            .env
            .iter()
            .find_map(|var| (self.env)(var).filter(|value| !value.is_empty()))
    }

    fn bool(&self, name: &str, default: bool) -> Result<bool, String> {
        if let Some(value) = self.config.get_attr(name).and_then(Value::as_bool) {
            return Ok(value);
        }
        match self
            .string(name)
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => Ok(default),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(other) => Err(format!("{other:?} is not true or false")),
        }
    }

    fn secret(&self, name: &str) -> Option<Secret> {
        self.string(name).map(Secret::new)
    }
}

/// Resolves the provider block and the environment into [`ArmSettings`], or explains what is
/// missing. No Azure call is made.
pub fn resolve(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ArmSettings, Diagnostics> {
    let raw = Raw { config, env };
    let mut diagnostics = Diagnostics::new();
    let at = Path::attr_root;

    let cloud = match raw
        .string("environment")
        .map(|value| value.parse::<Cloud>())
    {
        None => Cloud::Public,
        Some(Ok(cloud)) => cloud,
        Some(Err(err)) => {
            diagnostics.attribute_error(
                at("environment"),
                "Unknown Azure environment",
                format!("{err}. Set `environment` or ARM_ENVIRONMENT."),
            );
            Cloud::Public
        }
    };
    let subscription_id = raw.string("subscription_id");
    if let Some(id) = &subscription_id
        && !jit_core::is_guid(id)
    {
        let from = if config
            .get_attr("subscription_id")
            .is_some_and(|v| !v.is_null())
        {
            "`subscription_id`"
        } else {
            "ARM_SUBSCRIPTION_ID"
        };
        diagnostics.attribute_error(
            at("subscription_id"),
            "Invalid subscription id",
            format!("{from} is {id:?}, which is not a subscription id: use the subscription's GUID, e.g. 00000000-0000-0000-0000-000000000000 (`az account show --query id`)."),
        );
    }
    if subscription_id.is_none() {
        diagnostics.attribute_error(
            at("subscription_id"),
            "Missing subscription",
            "The provider needs the subscription that holds the JIT policies: set `subscription_id` in the provider block or the ARM_SUBSCRIPTION_ID variable.",
        );
    }
    let resource_manager = raw
        .string("endpoint")
        .unwrap_or_else(|| cloud.resource_manager().to_owned());
    let authority_host = raw
        .string("authority_host")
        .unwrap_or_else(|| cloud.authority_host().to_owned());
    for (name, url) in [
        ("endpoint", &resource_manager),
        ("authority_host", &authority_host),
    ] {
        if let Err(reason) = validators::check_endpoint_url(url) {
            diagnostics.attribute_error(at(name), "Invalid endpoint", format!("{url:?} {reason}."));
        }
    }
    let flag =
        |name: &str, default: bool, diagnostics: &mut Diagnostics| match raw.bool(name, default) {
            Ok(value) => value,
            Err(reason) => {
                diagnostics.attribute_error(
                    at(name),
                    "Invalid boolean",
                    format!("`{name}`: {reason}; use true or false."),
                );
                default
            }
        };
    let use_oidc = flag("use_oidc", false, &mut diagnostics);
    let use_msi = flag("use_msi", false, &mut diagnostics);
    let use_cli = flag("use_cli", true, &mut diagnostics);

    for (a, b) in [
        ("client_secret", "client_secret_file_path"),
        ("client_certificate", "client_certificate_path"),
        ("oidc_token", "oidc_token_file_path"),
    ] {
        if config.get_attr(a).is_some_and(|v| !v.is_null())
            && config.get_attr(b).is_some_and(|v| !v.is_null())
        {
            diagnostics.attribute_error(
                at(b),
                "Conflicting settings",
                format!("Set either `{a}` or `{b}`, not both."),
            );
        }
    }

    let tenant_id = raw.string("tenant_id");
    let client_id = raw.string("client_id");
    let needs_principal = |method: &str,
                           diagnostics: &mut Diagnostics|
     -> Option<(String, String)> {
        match (&tenant_id, &client_id) {
            (Some(tenant), Some(client)) => Some((tenant.clone(), client.clone())),
            _ => {
                diagnostics.error(
                    format!("Incomplete {method} settings"),
                    format!("{method} authentication needs `tenant_id` and `client_id` (or ARM_TENANT_ID and ARM_CLIENT_ID)."),
                );
                None
            }
        }
    };

    let secret = raw.secret("client_secret").or_else(|| {
        let path = raw.string("client_secret_file_path")?;
        match std::fs::read_to_string(&path) {
            Ok(text) => Some(Secret::new(text.trim().to_owned())),
            Err(err) => {
                diagnostics.attribute_error(
                    at("client_secret_file_path"),
                    "Cannot read the client secret file",
                    format!("{path}: {err}"),
                );
                None
            }
        }
    });
    let certificate = raw
        .secret("client_certificate")
        .map(CertificateSource::Inline)
        .or_else(|| {
            raw.string("client_certificate_path")
                .map(CertificateSource::File)
        });
    let oidc_token = raw
        .secret("oidc_token")
        .map(OidcTokenSource::Token)
        .or_else(|| {
            raw.string("oidc_token_file_path")
                .map(OidcTokenSource::File)
        })
        .or_else(|| {
            let token = raw.secret("oidc_request_token")?;
            Some(match raw.string("ado_pipeline_service_connection_id") {
                Some(service_connection_id) => OidcTokenSource::AzureDevOps {
                    service_connection_id,
                    token,
                },
                None => OidcTokenSource::Request {
                    url: raw.string("oidc_request_url")?,
                    token,
                },
            })
        });

    let credential = if use_oidc {
        match oidc_token {
            Some(token) => {
                needs_principal("OIDC", &mut diagnostics).map(|(tenant_id, client_id)| {
                    Credential::Oidc {
                        tenant_id,
                        client_id,
                        token,
                    }
                })
            }
            None => {
                diagnostics.attribute_error(
                    at("use_oidc"),
                    "No OIDC token",
                    "`use_oidc` is on, but there is no token: set `oidc_token`, `oidc_token_file_path`, or `oidc_request_url` with `oidc_request_token` (GitHub Actions sets the last two when the job has `id-token: write`).",
                );
                None
            }
        }
    } else if let Some(secret) = secret {
        needs_principal("Client secret", &mut diagnostics).map(|(tenant_id, client_id)| {
            Credential::ClientSecret {
                tenant_id,
                client_id,
                secret,
            }
        })
    } else if let Some(certificate) = certificate {
        needs_principal("Client certificate", &mut diagnostics).map(|(tenant_id, client_id)| {
            Credential::ClientCertificate {
                tenant_id,
                client_id,
                certificate,
                password: raw.secret("client_certificate_password"),
            }
        })
    } else if use_msi {
        Some(Credential::ManagedIdentity {
            client_id: client_id.clone(),
            endpoint: raw.string("msi_endpoint"),
        })
    } else if use_cli {
        Some(Credential::AzureCli {
            tenant_id: tenant_id.clone(),
        })
    } else {
        diagnostics.error(
            "No way to authenticate",
            "Configure a client secret, a client certificate, OIDC (`use_oidc`), a managed identity (`use_msi`), or leave `use_cli` on to use `az login`.",
        );
        None
    };

    match (subscription_id, credential) {
        (Some(subscription_id), Some(credential)) if !diagnostics.has_errors() => Ok(ArmSettings {
            subscription_id,
            cloud,
            resource_manager,
            authority_host,
            credential,
        }),
        _ => Err(diagnostics),
    }
}

/// Resolves the settings from the environment alone, as a provider block with no attribute
/// set would: the `jit` command line reads the same `ARM_*` variables as the provider. Each
/// error is one message, its summary and how to fix it.
pub fn resolve_environment(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ArmSettings, Vec<String>> {
    let unset = Value::object(SETTINGS.iter().map(|setting| (setting.name, Value::Null)));
    resolve(&unset, env).map_err(|diagnostics| {
        diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == tfplugin::framework::Severity::Error)
            .map(|diagnostic| format!("{}: {}", diagnostic.summary, diagnostic.detail))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::object(SETTINGS.iter().map(|setting| {
            let value = pairs
                .iter()
                .find(|(name, _)| *name == setting.name)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null);
            (setting.name, value)
        }))
    }

    fn resolve_with(config: &Value, env: &[(&str, &str)]) -> Result<ArmSettings, Diagnostics> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve(config, &move |name| env.get(name).cloned())
    }

    #[test]
    fn environment_variables_fill_unset_attributes() {
        let settings = resolve_with(
            &config(&[]),
            &[
                ("ARM_SUBSCRIPTION_ID", SUB),
                ("ARM_TENANT_ID", "t"),
                ("ARM_CLIENT_ID", "c"),
                ("ARM_CLIENT_SECRET", "s3cret"),
                ("ARM_ENVIRONMENT", "china"),
            ],
        )
        .unwrap();
        assert_eq!(settings.subscription_id, SUB);
        assert_eq!(settings.cloud, Cloud::China);
        assert_eq!(
            settings.resource_manager,
            "https://management.chinacloudapi.cn"
        );
        assert_eq!(settings.authority_host, "https://login.chinacloudapi.cn");
        assert!(matches!(
            settings.credential,
            Credential::ClientSecret { .. }
        ));
    }

    #[test]
    fn attributes_win_over_environment() {
        let settings = resolve_with(
            &config(&[
                ("subscription_id", Value::from(SUB)),
                ("environment", Value::from("usgovernment")),
            ]),
            &[
                ("ARM_SUBSCRIPTION_ID", "other"),
                ("ARM_ENVIRONMENT", "china"),
            ],
        )
        .unwrap();
        assert_eq!(settings.subscription_id, SUB);
        assert_eq!(settings.cloud, Cloud::UsGovernment);
        assert_eq!(
            settings.credential,
            Credential::AzureCli { tenant_id: None },
            "the CLI is the fallback, as in azurerm"
        );
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let settings = resolve_with(
            &config(&[("client_secret", Value::from("hunter2-very-secret"))]),
            &[
                ("ARM_SUBSCRIPTION_ID", SUB),
                ("ARM_TENANT_ID", "t"),
                ("ARM_CLIENT_ID", "c"),
            ],
        )
        .unwrap();
        let debug = format!("{settings:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }

    #[test]
    fn missing_subscription_and_incomplete_principal_are_explained() {
        let diagnostics =
            resolve_with(&config(&[("client_secret", Value::from("x"))]), &[]).unwrap_err();
        let summaries: Vec<_> = diagnostics.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(
            summaries,
            vec!["Missing subscription", "Incomplete Client secret settings"]
        );
        let detail = &diagnostics.iter().next().unwrap().detail;
        assert!(detail.contains("ARM_SUBSCRIPTION_ID"), "{detail}");
    }

    #[test]
    fn oidc_from_github_actions_variables() {
        let settings = resolve_with(
            &config(&[("use_oidc", Value::Bool(true))]),
            &[
                ("ARM_SUBSCRIPTION_ID", SUB),
                ("ARM_TENANT_ID", "t"),
                ("ARM_CLIENT_ID", "c"),
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    "https://token.actions.example/x",
                ),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "tok"),
            ],
        )
        .unwrap();
        assert!(matches!(
            settings.credential,
            Credential::Oidc {
                token: OidcTokenSource::Request { .. },
                ..
            }
        ));
    }

    #[test]
    fn plain_http_endpoint_only_on_loopback() {
        let ok = resolve_with(
            &config(&[("endpoint", Value::from("http://127.0.0.1:8080"))]),
            &[("ARM_SUBSCRIPTION_ID", SUB)],
        );
        assert!(ok.is_ok());
        let err = resolve_with(
            &config(&[("endpoint", Value::from("http://example.com"))]),
            &[("ARM_SUBSCRIPTION_ID", SUB)],
        )
        .unwrap_err();
        assert_eq!(
            err.iter().next().unwrap().path,
            Some(Path::attr_root("endpoint"))
        );
    }

    #[test]
    fn bad_boolean_in_environment() {
        let err = resolve_with(
            &config(&[]),
            &[("ARM_SUBSCRIPTION_ID", SUB), ("ARM_USE_MSI", "yes")],
        )
        .unwrap_err();
        assert!(err.iter().any(|d| d.summary == "Invalid boolean"));
    }

    /// Which method each combination of settings chooses, in azurerm's order: OIDC when
    /// asked for, then a client secret, then a certificate, then a managed identity when asked
    /// for, then the Azure CLI unless it is turned off.
    #[test]
    fn the_credential_each_combination_of_settings_chooses() {
        let principal = [("ARM_TENANT_ID", "t"), ("ARM_CLIENT_ID", "c")];
        let method = |env: &[(&str, &str)]| -> Result<&'static str, Vec<String>> {
            let mut all: Vec<(&str, &str)> = vec![("ARM_SUBSCRIPTION_ID", SUB)];
            all.extend_from_slice(env);
            resolve_with(&config(&[]), &all)
                .map(|settings| settings.credential.method())
                .map_err(|d| d.iter().map(|d| d.summary.clone()).collect())
        };
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut env = principal.to_vec();
            env.extend_from_slice(extra);
            env
        };
        let secret = ("ARM_CLIENT_SECRET", "s");
        let cert = ("ARM_CLIENT_CERTIFICATE_PATH", "/c.pfx");
        let oidc = ("ARM_USE_OIDC", "true");
        let token = ("ARM_OIDC_TOKEN", "x.y.z");
        let msi = ("ARM_USE_MSI", "true");
        let no_cli = ("ARM_USE_CLI", "false");
        // Each bit of `mask` switches one setting on: all 64 combinations.
        let options = [secret, cert, oidc, token, msi, no_cli];
        for mask in 0u32..(1 << options.len()) {
            let on = |index: usize| mask & (1 << index) != 0;
            let extra: Vec<_> = (0..options.len())
                .filter(|&i| on(i))
                .map(|i| options[i])
                .collect();
            let expected = if on(2) {
                if on(3) {
                    Ok("OIDC")
                } else {
                    Err(vec!["No OIDC token".to_owned()])
                }
            } else if on(0) {
                Ok("client secret")
            } else if on(1) {
                Ok("client certificate")
            } else if on(4) {
                Ok("managed identity")
            } else if !on(5) {
                Ok("Azure CLI")
            } else {
                Err(vec!["No way to authenticate".to_owned()])
            };
            assert_eq!(method(&with(&extra)), expected, "settings {extra:?}");
        }
        // Without tenant and client, a principal method says what is missing.
        assert_eq!(
            method(&[secret]),
            Err(vec!["Incomplete Client secret settings".to_owned()])
        );
        // Azure DevOps: a service connection turns the request token into the pipelines flow.
        let settings = resolve_with(
            &config(&[]),
            &[
                ("ARM_SUBSCRIPTION_ID", SUB),
                ("ARM_TENANT_ID", "t"),
                ("ARM_CLIENT_ID", "c"),
                ("ARM_USE_OIDC", "true"),
                (
                    "SYSTEM_OIDCREQUESTURI",
                    "https://dev.azure.com/x/_apis/oidc",
                ),
                ("SYSTEM_ACCESSTOKEN", "ado"),
                ("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "sc-1"),
            ],
        )
        .unwrap();
        assert!(matches!(
            settings.credential,
            Credential::Oidc {
                token: OidcTokenSource::AzureDevOps { .. },
                ..
            }
        ));
    }

    #[test]
    fn a_subscription_that_is_no_guid_is_reported_on_subscription_id() {
        for (config, env) in [
            (config(&[]), vec![("ARM_SUBSCRIPTION_ID", "not-a-guid")]),
            (
                config(&[("subscription_id", Value::from("not-a-guid"))]),
                vec![],
            ),
        ] {
            let diagnostics = resolve_with(&config, &env).unwrap_err();
            let problem = diagnostics
                .iter()
                .find(|d| d.summary == "Invalid subscription id")
                .expect("the subscription is reported");
            assert_eq!(problem.path, Some(Path::attr_root("subscription_id")));
            assert!(
                problem.detail.contains("\"not-a-guid\""),
                "{}",
                problem.detail
            );
        }
    }
}
