//! Azure clouds: where Resource Manager and Entra ID live in each.

use std::fmt;
use std::str::FromStr;

/// An Azure cloud, as azurerm's `environment` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// Azure (commercial).
    Public,
    /// Azure US Government.
    UsGovernment,
    /// Azure operated by 21Vianet (China).
    China,
}

impl Cloud {
    /// Every cloud, in the order the docs list them.
    pub const ALL: [Cloud; 3] = [Cloud::Public, Cloud::UsGovernment, Cloud::China];

    /// The name used in `environment` and `ARM_ENVIRONMENT`.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGovernment => "usgovernment",
            Cloud::China => "china",
        }
    }

    /// The Resource Manager endpoint.
    pub fn resource_manager(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.azure.com",
            Cloud::UsGovernment => "https://management.usgovcloudapi.net",
            Cloud::China => "https://management.chinacloudapi.cn",
        }
    }

    /// The Entra ID authority host.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::UsGovernment => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The OAuth2 scope for Resource Manager tokens.
    pub fn scope(self) -> String {
        format!("{}/.default", self.resource_manager())
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `environment` named no known cloud.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Azure environment {value:?}: use one of public, usgovernment or china")]
pub struct UnknownCloud {
    /// What was given.
    pub value: String,
}

impl FromStr for Cloud {
    type Err = UnknownCloud;

    /// Case-insensitive, like azurerm; `usgov`/`government` and `azurechinacloud` style names are
    /// not guessed at, so a typo never silently picks the wrong cloud.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let lower = value.trim().to_ascii_lowercase();
        Cloud::ALL
            .into_iter()
            .find(|cloud| cloud.name() == lower)
            .ok_or_else(|| UnknownCloud {
                value: value.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_endpoints_are_https() {
        for cloud in Cloud::ALL {
            assert_eq!(cloud.name().parse::<Cloud>(), Ok(cloud));
            assert!(cloud.resource_manager().starts_with("https://"));
            assert!(cloud.authority_host().starts_with("https://"));
            assert!(cloud.scope().ends_with("/.default"));
        }
        assert_eq!("PUBLIC".parse::<Cloud>(), Ok(Cloud::Public));
        assert!(
            "german"
                .parse::<Cloud>()
                .unwrap_err()
                .to_string()
                .contains("public, usgovernment or china")
        );
    }
}
