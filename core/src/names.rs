//! The names in a JIT policy's id: [`ResourceGroupName`], [`Location`] and [`PolicyName`].
//!
//! A policy is `.../resourceGroups/{group}/providers/Microsoft.Security/locations/{location}/
//! jitNetworkAccessPolicies/{name}`: each name becomes one segment of the URL path, so a name
//! that ARM refuses, or that splits the path, fails the request. The rules live here once so that
//! the provider's plan-time check, the emulator and the VM-id parser ([`crate::VmId`]) agree; they
//! used to disagree on a resource group name ending in `.`.

use std::fmt;
use std::str::FromStr;

use crate::error::RuleError;
use crate::limits::MAX_RESOURCE_GROUP_NAME_LEN;

/// What is wrong with a name, with the help that fixes it.
struct Problem {
    reason: String,
    help: String,
}

impl Problem {
    fn new(reason: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            reason: reason.into(),
            help: help.into(),
        }
    }
}

/// A resource group name as ARM accepts it: 1 to 90 letters (any script), digits, `_`, `-`,
/// `.`, `(` and `)`, not ending in `.`.
///
/// The spec's `resourceGroupName` parameter gives the pattern `^[-\w\._\(\)]+$` and the length
/// 1..=90. Its pattern allows a final `.`, but ARM's naming rules for `Microsoft.Resources`
/// ("period (except at end)") refuse one, so a group with such a name cannot exist and a policy
/// or VM id naming one is a mistake.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceGroupName(String);

impl ResourceGroupName {
    /// Checks `text` against ARM's rule for resource group names.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        diagnose_resource_group(text)
            .map(|()| ResourceGroupName(text.to_owned()))
            .map_err(|problem| RuleError::InvalidResourceGroupName {
                value: text.to_owned(),
                reason: problem.reason,
            })
    }

    /// The name, as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ResourceGroupName {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Self, RuleError> {
        ResourceGroupName::parse(text)
    }
}

impl fmt::Display for ResourceGroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The help sentence for a resource group name that [`ResourceGroupName::parse`] rejected.
pub(crate) fn resource_group_help(value: &str) -> String {
    match diagnose_resource_group(value) {
        Err(problem) => problem.help,
        Ok(()) => RESOURCE_GROUP_CHARS_HELP.to_owned(),
    }
}

const RESOURCE_GROUP_CHARS_HELP: &str =
    "use only letters, digits, `_`, `-`, `.`, `(` and `)`, as ARM allows in a resource group name";

fn diagnose_resource_group(text: &str) -> Result<(), Problem> {
    if text.is_empty() {
        return Err(Problem::new(
            "it is empty",
            "set the name of the resource group; an empty one usually means an unset variable",
        ));
    }
    if text.trim() != text && !text.trim().is_empty() {
        return Err(Problem::new(
            "it has leading or trailing spaces",
            format!("remove the spaces: `{}`", text.trim()),
        ));
    }
    let len = text.chars().count();
    if len > MAX_RESOURCE_GROUP_NAME_LEN {
        return Err(Problem::new(
            format!("it has {len} characters, more than {MAX_RESOURCE_GROUP_NAME_LEN}"),
            format!(
                "use the resource group's name as Azure shows it; ARM allows at most \
                 {MAX_RESOURCE_GROUP_NAME_LEN} characters"
            ),
        ));
    }
    // `\w` in ARM's (.NET) pattern: letters and digits of any script, and `_`.
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')');
    if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        return Err(Problem::new(
            format!("it has `{bad}`, which is not allowed"),
            RESOURCE_GROUP_CHARS_HELP,
        ));
    }
    if text.ends_with('.') {
        let fixed = text.trim_end_matches('.');
        let help = if fixed.is_empty() {
            "a resource group name cannot end in `.`; use letters or digits".to_owned()
        } else {
            format!("remove the final `.`: `{fixed}`; ARM does not allow it at the end")
        };
        return Err(Problem::new("it ends with `.`", help));
    }
    Ok(())
}

/// An Azure region's programmatic name as the JIT API's path takes it: lowercase ASCII letters
/// and digits, such as `westeurope`.
///
/// The spec's `ascLocation` is a free string "retrieved from Get locations", whose `name` is this
/// form. A display name such as `West Europe` is refused with help that gives `westeurope`,
/// instead of being fixed silently: the value is part of the policy's id, and what Terraform
/// stores must be what Azure returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location(String);

impl Location {
    /// Checks that `text` is a region's programmatic name.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        diagnose_location(text)
            .map(|()| Location(text.to_owned()))
            .map_err(|problem| RuleError::InvalidLocation {
                value: text.to_owned(),
                reason: problem.reason,
            })
    }

    /// The name, as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `text` as ARM compares locations: without whitespace, in lowercase (`West Europe` is
    /// `westeurope`).
    pub fn normalize(text: &str) -> String {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    }
}

impl FromStr for Location {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Self, RuleError> {
        Location::parse(text)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether two locations name the same region as ARM compares them: ignoring case and
/// whitespace, so a VM reported in `West Europe` is in the policy's `westeurope`.
pub fn same_location(a: &str, b: &str) -> bool {
    Location::normalize(a) == Location::normalize(b)
}

/// The help sentence for a location that [`Location::parse`] rejected.
pub(crate) fn location_help(value: &str) -> String {
    match diagnose_location(value) {
        Err(problem) => problem.help,
        Ok(()) => LOCATION_HELP.to_owned(),
    }
}

const LOCATION_HELP: &str = "use the region's programmatic name, lowercase letters and digits \
     such as `westeurope` (`az account list-locations --query [].name` lists them)";

fn is_region_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
}

fn diagnose_location(text: &str) -> Result<(), Problem> {
    if text.trim().is_empty() {
        return Err(Problem::new(
            "it is empty",
            "set the region, such as `westeurope`; an empty one usually means an unset variable",
        ));
    }
    if is_region_name(text) {
        return Ok(());
    }
    let normal = Location::normalize(text);
    if is_region_name(&normal) {
        let spaces = text.chars().any(char::is_whitespace);
        let upper = text.chars().any(char::is_uppercase);
        let reason = match (spaces, upper) {
            (true, true) => "it has spaces and upper-case letters",
            (true, false) => "it has spaces",
            _ => "it has upper-case letters",
        };
        return Err(Problem::new(
            reason,
            format!(
                "write `{normal}`: the JIT API takes the region's programmatic name, in \
                 lowercase without spaces, not its display name"
            ),
        ));
    }
    let bad = normal
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .unwrap_or(' ');
    Err(Problem::new(
        format!("it has `{bad}`, which is not in a region name"),
        LOCATION_HELP,
    ))
}

/// A JIT policy name: the last segment of the policy's id, so anything that would end or split
/// the URL path (`/`, `?`, `#`, `%`, `\`) is refused.
///
/// The spec's `jitNetworkAccessPolicyName` is a free string. The portal names its policy
/// `default` ([`crate::limits::DEFAULT_POLICY_NAME`]). The 56-character limit of the policy name
/// and a VM name together is [`crate::check_name_length`]'s, as it needs the VM.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyName(String);

impl PolicyName {
    /// Checks that `text` can be a policy name.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        diagnose_policy_name(text)
            .map(|()| PolicyName(text.to_owned()))
            .map_err(|problem| RuleError::InvalidPolicyName {
                value: text.to_owned(),
                reason: problem.reason,
            })
    }

    /// The name, as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for PolicyName {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Self, RuleError> {
        PolicyName::parse(text)
    }
}

impl fmt::Display for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The help sentence for a policy name that [`PolicyName::parse`] rejected.
pub(crate) fn policy_name_help(value: &str) -> String {
    match diagnose_policy_name(value) {
        Err(problem) => problem.help,
        Ok(()) => POLICY_NAME_HELP.to_owned(),
    }
}

const POLICY_NAME_HELP: &str = "use letters, digits, hyphens or underscores, such as `default`";

/// Characters that end or split a URL path segment.
const FORBIDDEN_IN_POLICY_NAME: [char; 5] = ['/', '?', '#', '%', '\\'];

fn diagnose_policy_name(text: &str) -> Result<(), Problem> {
    if text.is_empty() {
        return Err(Problem::new(
            "it is empty",
            "name the policy, such as `default`, the name the Azure portal uses",
        ));
    }
    let Some(bad) = text.chars().find(|c| FORBIDDEN_IN_POLICY_NAME.contains(c)) else {
        return Ok(());
    };
    let reason = format!("it has `{bad}`, which cannot appear in a resource name");
    // Bicep and ARM templates name a child resource `{location}/{name}`; here the region is the
    // policy's location, set on its own.
    let last = text.rsplit('/').next().unwrap_or_default();
    if bad == '/' && diagnose_policy_name(last).is_ok() {
        return Err(Problem::new(
            reason,
            format!(
                "use only the last part, `{last}`: the region is the policy's location, set on \
                 its own, not part of its name"
            ),
        ));
    }
    Err(Problem::new(reason, POLICY_NAME_HELP))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Ok(())` or `Err((message, help))`, for any of the three parsers.
    fn check<T>(
        parse: fn(&str) -> Result<T, RuleError>,
        text: &str,
        expected: Result<(), (&str, &str)>,
    ) {
        let actual = parse(text)
            .map(|_| ())
            .map_err(|error| (error.to_string(), error.help()));
        let expected = expected.map_err(|(message, help)| (message.to_owned(), help.to_owned()));
        assert_eq!(actual, expected, "{text:?}");
    }

    const RG_CHARS: &str = "use only letters, digits, `_`, `-`, `.`, `(` and `)`, as ARM allows in \
                            a resource group name";

    #[test]
    fn resource_group_names() {
        let ok = |text: &str| check(ResourceGroupName::parse, text, Ok(()));
        let err = |text: &str, message: &str, help: &str| {
            check(ResourceGroupName::parse, text, Err((message, help)));
        };
        ok("rg");
        ok("rg-prod_(1).a");
        ok("Ressourcengruppe-Größe");
        ok("資源群組");
        ok("1");
        ok(&"r".repeat(90));
        ok(".rg");
        err(
            "rg.",
            "resource group name `rg.` is invalid: it ends with `.`",
            "remove the final `.`: `rg`; ARM does not allow it at the end",
        );
        err(
            "..",
            "resource group name `..` is invalid: it ends with `.`",
            "a resource group name cannot end in `.`; use letters or digits",
        );
        err(
            "",
            "resource group name `` is invalid: it is empty",
            "set the name of the resource group; an empty one usually means an unset variable",
        );
        err(
            &"r".repeat(91),
            &format!(
                "resource group name `{}` is invalid: it has 91 characters, more than 90",
                "r".repeat(91)
            ),
            "use the resource group's name as Azure shows it; ARM allows at most 90 characters",
        );
        err(
            "rg!",
            "resource group name `rg!` is invalid: it has `!`, which is not allowed",
            RG_CHARS,
        );
        err(
            "rg/prod",
            "resource group name `rg/prod` is invalid: it has `/`, which is not allowed",
            RG_CHARS,
        );
        err(
            "my rg",
            "resource group name `my rg` is invalid: it has ` `, which is not allowed",
            RG_CHARS,
        );
        err(
            " rg",
            "resource group name ` rg` is invalid: it has leading or trailing spaces",
            "remove the spaces: `rg`",
        );
    }

    #[test]
    fn resource_group_length_counts_characters() {
        assert!(ResourceGroupName::parse(&"é".repeat(90)).is_ok());
        assert!(ResourceGroupName::parse(&"é".repeat(91)).is_err());
        let parsed = ResourceGroupName::parse("rg-prod").map(|name| name.to_string());
        assert_eq!(parsed.as_deref(), Ok("rg-prod"));
    }

    #[test]
    fn locations() {
        let ok = |text: &str| check(Location::parse, text, Ok(()));
        let err = |text: &str, message: &str, help: &str| {
            check(Location::parse, text, Err((message, help)));
        };
        ok("westeurope");
        ok("eastus2");
        ok("usgovvirginia");
        err(
            "West Europe",
            "location `West Europe` is invalid: it has spaces and upper-case letters",
            "write `westeurope`: the JIT API takes the region's programmatic name, in lowercase \
             without spaces, not its display name",
        );
        err(
            "west europe",
            "location `west europe` is invalid: it has spaces",
            "write `westeurope`: the JIT API takes the region's programmatic name, in lowercase \
             without spaces, not its display name",
        );
        err(
            "WestEurope",
            "location `WestEurope` is invalid: it has upper-case letters",
            "write `westeurope`: the JIT API takes the region's programmatic name, in lowercase \
             without spaces, not its display name",
        );
        err(
            "west-europe",
            "location `west-europe` is invalid: it has `-`, which is not in a region name",
            LOCATION_HELP,
        );
        err(
            "",
            "location `` is invalid: it is empty",
            "set the region, such as `westeurope`; an empty one usually means an unset variable",
        );
        err(
            "  ",
            "location `  ` is invalid: it is empty",
            "set the region, such as `westeurope`; an empty one usually means an unset variable",
        );
    }

    #[test]
    fn locations_compare_as_arm_does() {
        assert!(same_location("West Europe", "westeurope"));
        assert!(same_location("EASTUS2", "eastus2"));
        assert!(!same_location("westeurope", "northeurope"));
        assert_eq!(Location::normalize(" North  Europe "), "northeurope");
    }

    #[test]
    fn policy_names() {
        let ok = |text: &str| check(PolicyName::parse, text, Ok(()));
        let err = |text: &str, message: &str, help: &str| {
            check(PolicyName::parse, text, Err((message, help)));
        };
        ok("default");
        ok("web-tier_01");
        ok("Policy.2");
        err(
            "",
            "policy name `` is invalid: it is empty",
            "name the policy, such as `default`, the name the Azure portal uses",
        );
        err(
            "westeurope/default",
            "policy name `westeurope/default` is invalid: it has `/`, which cannot appear in a \
             resource name",
            "use only the last part, `default`: the region is the policy's location, set on its \
             own, not part of its name",
        );
        err(
            "default/",
            "policy name `default/` is invalid: it has `/`, which cannot appear in a resource \
             name",
            POLICY_NAME_HELP,
        );
        for bad in ['?', '#', '%', '\\'] {
            err(
                &format!("a{bad}b"),
                &format!(
                    "policy name `a{bad}b` is invalid: it has `{bad}`, which cannot appear in a \
                     resource name"
                ),
                POLICY_NAME_HELP,
            );
        }
    }
}
