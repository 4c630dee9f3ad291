//! Attribute validators backed by `jit_core`, so that the provider at plan time, the emulator
//! and `jitlint` give the same answer for the same value.

use std::sync::Arc;

use jit_core::{
    IsoDuration, Location, MaxRequestAccessDuration, PolicyName, PortNumber, Protocol,
    ResourceGroupName, RuleError, SourcePrefix, VmId,
};
use tfplugin::framework::validator::{Invalid, Validator, from_fn};

use jit_azure::cloud::Cloud;

/// A core rule's error as a diagnostic summary and a detail that says how to fix it.
fn rule_error(summary: &str, error: &RuleError) -> Invalid {
    Invalid::new(
        summary,
        format!("{error}: {}.", error.help().trim_end_matches('.')),
    )
}

/// A string value parsed by `parse`; non-strings are left to Terraform's type checks.
fn string_rule<T>(
    description: &str,
    summary: &'static str,
    parse: impl Fn(&str) -> Result<T, RuleError> + Send + Sync + 'static,
) -> Arc<dyn Validator> {
    from_fn(description, move |value| match value.as_str() {
        Some(text) => parse(text)
            .map(|_| ())
            .map_err(|err| rule_error(summary, &err)),
        None => Ok(()),
    })
}

/// A port number, 0-65535.
pub fn port_number() -> Arc<dyn Validator> {
    from_fn("must be a whole number between 0 and 65535", |value| {
        let Some(number) = value.as_number() else {
            return Ok(());
        };
        match number.as_i64() {
            Some(int) => PortNumber::new(int)
                .map(|_| ())
                .map_err(|err| rule_error("Invalid port number", &err)),
            None => Err(Invalid::new(
                "Invalid port number".to_owned(),
                format!(
                    "port {} is not a whole number: use a port number between 0 and 65535.",
                    number.as_f64()
                ),
            )),
        }
    })
}

/// `TCP`, `UDP` or `*`.
pub fn protocol() -> Arc<dyn Validator> {
    string_rule("must be TCP, UDP or *", "Invalid protocol", |text| {
        text.parse::<Protocol>()
    })
}

/// `*`, an IP address, a CIDR block or a service tag.
pub fn source_prefix() -> Arc<dyn Validator> {
    string_rule(
        "must be *, an IP address, a CIDR block or a service tag",
        "Invalid source address prefix",
        |text| text.parse::<SourcePrefix>(),
    )
}

/// An ISO 8601 duration between PT5M and PT24H.
pub fn max_request_access_duration() -> Arc<dyn Validator> {
    string_rule(
        "must be an ISO 8601 duration between PT5M and PT24H",
        "Invalid maximum request access duration",
        MaxRequestAccessDuration::parse,
    )
}

/// An ISO 8601 duration of an access request, at most PT24H (the policy may allow less).
pub fn access_duration() -> Arc<dyn Validator> {
    string_rule(
        "must be an ISO 8601 duration between PT5M and PT24H",
        "Invalid access duration",
        |text| IsoDuration::parse(text).and_then(MaxRequestAccessDuration::new),
    )
}

/// A virtual machine's ARM resource id.
pub fn vm_id() -> Arc<dyn Validator> {
    string_rule(
        "must be a virtual machine resource id",
        "Invalid virtual machine id",
        VmId::parse,
    )
}

/// A JIT policy's ARM resource id.
pub fn policy_id() -> Arc<dyn Validator> {
    string_rule(
        "must be a JIT policy resource id",
        "Invalid JIT policy id",
        jit_core::PolicyId::parse,
    )
}

/// A resource group name as ARM accepts it: `jit_core`'s rule, which the VM-id check also uses.
pub fn resource_group_name() -> Arc<dyn Validator> {
    string_rule(
        "must be 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period",
        "Invalid resource group name",
        ResourceGroupName::parse,
    )
}

/// An Azure region's programmatic name (`westeurope`, not `West Europe`).
pub fn location() -> Arc<dyn Validator> {
    string_rule(
        "must be a region name in lowercase without spaces, e.g. westeurope",
        "Invalid location",
        Location::parse,
    )
}

/// A policy name: the last segment of the policy's ARM id.
pub fn policy_name() -> Arc<dyn Validator> {
    string_rule(
        "must be a non-empty name without /, ?, # or %",
        "Invalid policy name",
        PolicyName::parse,
    )
}

/// An RFC 3339 UTC time, e.g. `2026-11-28T18:00:00Z`.
pub fn rfc3339() -> Arc<dyn Validator> {
    from_fn(
        "must be an RFC 3339 time such as 2026-11-28T18:00:00Z",
        |value| {
            let Some(text) = value.as_str() else {
                return Ok(());
            };
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map(|_| ()).map_err(|err| {
            Invalid::new("Invalid time", format!("{text:?} is not an RFC 3339 time ({err}): write it like 2026-11-28T18:00:00Z."))
        })
        },
    )
}

/// A GUID, as subscription and client ids are.
pub fn guid() -> Arc<dyn Validator> {
    from_fn(
        "must be a GUID such as 00000000-0000-0000-0000-000000000000",
        |value| {
            let Some(text) = value.as_str() else {
                return Ok(());
            };
            if jit_core::is_guid(text) {
                Ok(())
            } else {
                Err(Invalid::new(
                    "Invalid id".to_owned(),
                    format!(
                        "{text:?} is not a GUID: ids look like 00000000-0000-0000-0000-000000000000."
                    ),
                ))
            }
        },
    )
}

/// A tenant: a GUID or a domain name such as `contoso.onmicrosoft.com`.
pub fn tenant() -> Arc<dyn Validator> {
    from_fn("must be a GUID or a domain name", |value| {
        let Some(text) = value.as_str() else {
            return Ok(());
        };
        let domain = text.contains('.')
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if jit_core::is_guid(text) || domain {
            Ok(())
        } else {
            Err(Invalid::new(
                "Invalid tenant".to_owned(),
                format!(
                    "{text:?} is neither a tenant GUID nor a domain name such as contoso.onmicrosoft.com."
                ),
            ))
        }
    })
}

/// `public`, `usgovernment` or `china`.
pub fn cloud() -> Arc<dyn Validator> {
    from_fn(
        "must be public, usgovernment or china",
        |value| match value.as_str() {
            Some(text) => text
                .parse::<Cloud>()
                .map(|_| ())
                .map_err(|err| Invalid::new("Unknown Azure environment", format!("{err}."))),
            None => Ok(()),
        },
    )
}

/// An https URL (plain http only on loopback, for the local emulator).
pub fn endpoint_url() -> Arc<dyn Validator> {
    from_fn(
        "must be an https URL (http only on loopback)",
        |value| match value.as_str() {
            Some(text) => check_endpoint_url(text)
                .map_err(|reason| Invalid::new("Invalid endpoint", format!("{text:?} {reason}."))),
            None => Ok(()),
        },
    )
}

/// Why `url` cannot be an endpoint.
pub fn check_endpoint_url(url: &str) -> Result<(), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("is not a URL: write it like https://management.azure.com")?;
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host_name = host
        .rsplit_once(':')
        .map_or(host, |(name, _)| name)
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host_name.is_empty() {
        return Err("has no host".to_owned());
    }
    let loopback = host_name == "localhost"
        || host_name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(
            "uses plain http: credentials would cross the network unencrypted; use https"
                .to_owned(),
        ),
        other => Err(format!("has scheme {other:?}; use https")),
    }
}

/// Runs `validator` on `value` and returns the diagnostics' summaries, for tests.
#[cfg(test)]
fn summaries(validator: &Arc<dyn Validator>, value: tfplugin::cty::Value) -> Vec<String> {
    let mut diagnostics = tfplugin::framework::Diagnostics::new();
    validator.validate(
        &value,
        &tfplugin::framework::Path::attr_root("x"),
        &mut diagnostics,
    );
    diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::cty::Value;

    fn ok(validator: Arc<dyn Validator>, value: impl Into<Value>) {
        let value = value.into();
        assert_eq!(
            summaries(&validator, value.clone()),
            Vec::<String>::new(),
            "{value:?}"
        );
    }

    fn err(validator: Arc<dyn Validator>, value: impl Into<Value>, contains: &str) {
        let value = value.into();
        let found = summaries(&validator, value.clone());
        assert_eq!(found.len(), 1, "{value:?}: {found:?}");
        assert!(
            found[0].contains(contains),
            "{value:?}: {found:?} should contain {contains:?}"
        );
    }

    #[test]
    fn ports() {
        ok(port_number(), 22);
        ok(port_number(), 0);
        ok(port_number(), 65535);
        err(port_number(), 70000, "70000");
        err(port_number(), -1, "Invalid port number");
        err(port_number(), 22.5, "whole number");
    }

    #[test]
    fn protocols_prefixes_durations() {
        ok(protocol(), "TCP");
        ok(protocol(), "*");
        err(protocol(), "ICMP", "ICMP");
        ok(source_prefix(), "203.0.113.0/24");
        ok(source_prefix(), "Internet");
        err(
            source_prefix(),
            "10.0.0.0/33",
            "Invalid source address prefix",
        );
        ok(max_request_access_duration(), "PT3H");
        err(max_request_access_duration(), "PT25H", "PT25H");
        err(max_request_access_duration(), "PT1M", "PT1M");
        ok(access_duration(), "PT1H");
    }

    #[test]
    fn names_and_ids() {
        ok(location(), "westeurope");
        err(location(), "West Europe", "write `westeurope`");
        err(location(), "West Europe", "Invalid location");
        ok(resource_group_name(), "rg-prod_(1).a");
        err(resource_group_name(), "rg.", "Invalid resource group name");
        err(resource_group_name(), "rg.", "remove the final `.`: `rg`");
        err(
            resource_group_name(),
            "r".repeat(91).as_str(),
            "more than 90",
        );
        ok(policy_name(), "default");
        err(policy_name(), "", "Invalid policy name");
        err(policy_name(), "westeurope/default", "`default`");
        ok(guid(), "00000000-0000-0000-0000-000000000001");
        err(guid(), "nope", "GUID");
        ok(tenant(), "contoso.onmicrosoft.com");
        ok(rfc3339(), "2026-11-28T18:00:00Z");
        err(rfc3339(), "tomorrow", "RFC 3339");
        ok(
            vm_id(),
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
        );
        err(vm_id(), "vm1", "Invalid virtual machine id");
        ok(
            policy_id(),
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default",
        );
        err(policy_id(), "default", "jitNetworkAccessPolicies");
    }

    #[test]
    fn endpoints() {
        assert!(check_endpoint_url("https://management.azure.com").is_ok());
        assert!(check_endpoint_url("http://127.0.0.1:8080").is_ok());
        assert!(check_endpoint_url("http://[::1]:8080/").is_ok());
        assert!(check_endpoint_url("http://localhost").is_ok());
        assert!(
            check_endpoint_url("http://example.com")
                .unwrap_err()
                .contains("plain http")
        );
        assert!(check_endpoint_url("management.azure.com").is_err());
    }
}
