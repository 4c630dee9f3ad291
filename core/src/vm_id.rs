//! [`VmId`]: the ARM resource id of a virtual machine, the key of every JIT policy entry.
//!
//! The shape is `/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}`.
//! ARM compares the fixed segment names without regard to case, so we accept any case and print
//! the canonical one. Ids are usually built by hand in HCL, so the common mistakes (a doubled
//! `/subscriptions/`, a missing leading slash, the id of a NIC or a scale set) get their own help.

use std::fmt;
use std::str::FromStr;

use crate::error::RuleError;
use crate::names::ResourceGroupName;

/// The parts of a virtual machine's ARM resource id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VmId {
    /// The subscription, a GUID, as written.
    pub subscription_id: String,
    /// The resource group name, as written.
    pub resource_group: String,
    /// The virtual machine name, as written.
    pub name: String,
}

impl VmId {
    /// Parses an id; the fixed segment names may be in any case.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        diagnose(text).map_err(|problem| RuleError::InvalidVmId {
            value: text.to_owned(),
            reason: problem.reason,
        })
    }

    /// Whether two ids name the same VM, as ARM compares them: ignoring case.
    ///
    /// The derived `PartialEq` compares exactly; use this when matching a request's VM to a
    /// policy's VM, since Azure may return a different case than the one sent.
    pub fn same_vm(&self, other: &VmId) -> bool {
        self.subscription_id
            .eq_ignore_ascii_case(&other.subscription_id)
            && self
                .resource_group
                .eq_ignore_ascii_case(&other.resource_group)
            && self.name.eq_ignore_ascii_case(&other.name)
    }
}

impl FromStr for VmId {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Self, RuleError> {
        VmId::parse(text)
    }
}

impl fmt::Display for VmId {
    /// The canonical id, with the fixed segment names in ARM's casing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Compute/virtualMachines/{}",
            self.subscription_id, self.resource_group, self.name
        )
    }
}

const EXAMPLE: &str =
    "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}";

/// What is wrong with an id, with the help that fixes it.
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

    fn shape(reason: impl Into<String>) -> Self {
        Problem::new(
            reason,
            format!("use the id of the virtual machine itself, of the form {EXAMPLE}"),
        )
    }
}

/// The help sentence for an id that [`VmId::parse`] rejected.
pub(crate) fn help_for(value: &str) -> String {
    match diagnose(value) {
        Err(problem) => problem.help,
        Ok(_) => Problem::shape("").help,
    }
}

fn diagnose(text: &str) -> Result<VmId, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::shape("it is empty"));
    }
    if text.trim() != text {
        return Err(Problem::new(
            "it has leading or trailing spaces",
            format!("remove the spaces: `{}`", text.trim()),
        ));
    }
    let lower = text.to_ascii_lowercase();
    // `"/subscriptions/${data.azurerm_subscription.current.id}"` gives the first form, a
    // hand-joined path the second; both repeat the prefix.
    let doubled = [
        ("/subscriptions//subscriptions/", "/subscriptions/"),
        ("/subscriptions/subscriptions/", "/subscriptions"),
    ]
    .into_iter()
    .find_map(|(pattern, extra)| lower.find(pattern).map(|position| (position, extra.len())));
    if let Some((position, extra_len)) = doubled {
        let fixed = format!("{}{}", &text[..position], &text[position + extra_len..]);
        return Err(Problem::new(
            "`/subscriptions/` appears twice",
            format!(
                "remove the doubled prefix (a subscription's resource id, such as \
                 data.azurerm_subscription.current.id, already starts with `/subscriptions/`; \
                 its subscription_id is the bare GUID): `{fixed}`"
            ),
        ));
    }
    if lower.starts_with("subscriptions/") {
        return Err(Problem::new(
            "it must start with `/`",
            format!("add the leading slash: `/{text}`"),
        ));
    }
    if text.len() > 1 && text.ends_with('/') {
        return Err(Problem::new(
            "it ends with `/`",
            format!(
                "remove the trailing slash: `{}`",
                text.trim_end_matches('/')
            ),
        ));
    }
    let Some(rest) = text.strip_prefix('/') else {
        return Err(Problem::shape("it must start with `/subscriptions/`"));
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let expect_segment = |index: usize, canonical: &str| -> Result<(), Problem> {
        match segments.get(index) {
            Some(segment) if segment.eq_ignore_ascii_case(canonical) => Ok(()),
            Some(segment) => Err(Problem::shape(format!(
                "segment {} is `{segment}` where `{canonical}` belongs",
                index + 1
            ))),
            None => Err(Problem::shape(format!(
                "it ends before `{canonical}`, after {index} segments"
            ))),
        }
    };
    expect_segment(0, "subscriptions")?;
    let subscription_id = segments.get(1).copied().unwrap_or_default();
    if subscription_id.is_empty() {
        return Err(Problem::new(
            "the subscription id is empty",
            "put the subscription's GUID after `/subscriptions/`; an empty one usually means an \
             unset variable",
        ));
    }
    if !is_guid(subscription_id) {
        return Err(Problem::new(
            format!("subscription `{subscription_id}` is not a GUID"),
            "use the subscription id, a GUID such as 00000000-0000-0000-0000-000000000000, not \
             the subscription's display name",
        ));
    }
    expect_segment(2, "resourceGroups")?;
    let resource_group = segments.get(3).copied().unwrap_or_default();
    // The same rule as a policy's resource group: one definition, so the two cannot disagree.
    if let Err(error) = ResourceGroupName::parse(resource_group) {
        return Err(Problem::new(error.to_string(), error.help()));
    }
    expect_segment(4, "providers")?;
    if let Some(namespace) = segments.get(5)
        && !namespace.eq_ignore_ascii_case("Microsoft.Compute")
    {
        return Err(Problem::new(
            format!("resource provider `{namespace}` is not `Microsoft.Compute`"),
            "use the id of the virtual machine itself, not of its network interface, disk or \
             another resource",
        ));
    }
    expect_segment(5, "Microsoft.Compute")?;
    if let Some(resource_type) = segments.get(6)
        && !resource_type.eq_ignore_ascii_case("virtualMachines")
    {
        return Err(Problem::new(
            format!("resource type `{resource_type}` is not `virtualMachines`"),
            "JIT protects single virtual machines; use the id of a virtual machine, not of a \
             scale set, disk or other compute resource",
        ));
    }
    expect_segment(6, "virtualMachines")?;
    let name = segments.get(7).copied().unwrap_or_default();
    if name.is_empty() {
        return Err(Problem::shape("the virtual machine name is missing"));
    }
    if segments.len() > 8 {
        let extra = segments[8..].join("/");
        let cut = segments[..8].join("/");
        return Err(Problem::new(
            format!("it goes on after the VM name with `/{extra}`"),
            format!("cut the id after the VM name: `/{cut}`"),
        ));
    }
    Ok(VmId {
        subscription_id: subscription_id.to_owned(),
        resource_group: resource_group.to_owned(),
        name: name.to_owned(),
    })
}

/// `8-4-4-4-12` hexadecimal digits, the spec's `subscriptionId` pattern (also client ids).
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";

    fn id(rest: &str) -> String {
        format!("/subscriptions/{SUB}{rest}")
    }

    /// `Ok((resource group, name, canonical))` or `Err((reason, help))`.
    fn check(text: &str, expected: Result<(&str, &str, &str), (&str, &str)>) {
        let actual = VmId::parse(text)
            .map(|vm_id| {
                assert_eq!(vm_id.subscription_id, SUB, "id {text:?}");
                (
                    vm_id.resource_group.clone(),
                    vm_id.name.clone(),
                    vm_id.to_string(),
                )
            })
            .map_err(|error| match &error {
                RuleError::InvalidVmId { reason, .. } => (reason.clone(), error.help()),
                other => panic!("unexpected error {other:?}"),
            });
        let expected = expected
            .map(|(rg, name, canonical)| (rg.to_owned(), name.to_owned(), canonical.to_owned()))
            .map_err(|(reason, help)| (reason.to_owned(), help.to_owned()));
        assert_eq!(actual, expected, "id {text:?}");
    }

    const SHAPE_HELP: &str = "use the id of the virtual machine itself, of the form \
        /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}";

    #[test]
    fn parses_vm_ids() {
        let canonical = id("/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1");
        check(&canonical, Ok(("myRg1", "vm1", &canonical)));
        check(
            &id("/resourcegroups/myRg1/providers/microsoft.compute/virtualmachines/vm1"),
            Ok(("myRg1", "vm1", &canonical)),
        );
        check(
            &format!(
                "/SUBSCRIPTIONS/{SUB}/RESOURCEGROUPS/myRg1/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/vm1"
            ),
            Ok(("myRg1", "vm1", &canonical)),
        );
        let odd_rg =
            id("/resourceGroups/rg-(test)_1.x/providers/Microsoft.Compute/virtualMachines/v");
        check(&odd_rg, Ok(("rg-(test)_1.x", "v", &odd_rg)));
        let long_rg = "r".repeat(90);
        let long = id(&format!(
            "/resourceGroups/{long_rg}/providers/Microsoft.Compute/virtualMachines/vm"
        ));
        check(&long, Ok((&long_rg, "vm", &long)));
    }

    #[test]
    fn common_mistakes_get_specific_help() {
        let good = id("/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1");
        check(
            &format!("/subscriptions/{}", good),
            Err((
                "`/subscriptions/` appears twice",
                &format!(
                    "remove the doubled prefix (a subscription's resource id, such as \
                     data.azurerm_subscription.current.id, already starts with \
                     `/subscriptions/`; its subscription_id is the bare GUID): `{good}`"
                ),
            )),
        );
        check(
            &format!("/subscriptions{}", good),
            Err((
                "`/subscriptions/` appears twice",
                &format!(
                    "remove the doubled prefix (a subscription's resource id, such as \
                     data.azurerm_subscription.current.id, already starts with \
                     `/subscriptions/`; its subscription_id is the bare GUID): `{good}`"
                ),
            )),
        );
        check(
            &good[1..],
            Err((
                "it must start with `/`",
                &format!("add the leading slash: `{good}`"),
            )),
        );
        check(
            &format!("{good}/"),
            Err((
                "it ends with `/`",
                &format!("remove the trailing slash: `{good}`"),
            )),
        );
        check(
            &format!(" {good}"),
            Err((
                "it has leading or trailing spaces",
                &format!("remove the spaces: `{good}`"),
            )),
        );
        check(
            &format!("{good}/extensions/ext1"),
            Err((
                "it goes on after the VM name with `/extensions/ext1`",
                &format!("cut the id after the VM name: `{good}`"),
            )),
        );
        check(
            "/subscriptions//resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
            Err((
                "the subscription id is empty",
                "put the subscription's GUID after `/subscriptions/`; an empty one usually means \
                 an unset variable",
            )),
        );
        check(
            "/subscriptions/my-sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
            Err((
                "subscription `my-sub` is not a GUID",
                "use the subscription id, a GUID such as 00000000-0000-0000-0000-000000000000, \
                 not the subscription's display name",
            )),
        );
        check(
            &id("/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1"),
            Err((
                "resource provider `Microsoft.Network` is not `Microsoft.Compute`",
                "use the id of the virtual machine itself, not of its network interface, disk or \
                 another resource",
            )),
        );
        check(
            &id("/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss1"),
            Err((
                "resource type `virtualMachineScaleSets` is not `virtualMachines`",
                "JIT protects single virtual machines; use the id of a virtual machine, not of a \
                 scale set, disk or other compute resource",
            )),
        );
    }

    #[test]
    fn rejects_malformed_ids() {
        check("", Err(("it is empty", SHAPE_HELP)));
        check(
            "vm1",
            Err(("it must start with `/subscriptions/`", SHAPE_HELP)),
        );
        check(
            "/resourceGroups/rg",
            Err((
                "segment 1 is `resourceGroups` where `subscriptions` belongs",
                SHAPE_HELP,
            )),
        );
        check(
            &id(""),
            Err((
                "it ends before `resourceGroups`, after 2 segments",
                SHAPE_HELP,
            )),
        );
        check(
            &id("/resourceGroups/rg"),
            Err(("it ends before `providers`, after 4 segments", SHAPE_HELP)),
        );
        check(
            &id("/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"),
            Err(("the virtual machine name is missing", SHAPE_HELP)),
        );
        check(
            &id("/resourceGroups//providers/Microsoft.Compute/virtualMachines/vm"),
            Err((
                "resource group name `` is invalid: it is empty",
                "set the name of the resource group; an empty one usually means an unset variable",
            )),
        );
        check(
            &id("/resourceGroups/rg!/providers/Microsoft.Compute/virtualMachines/vm"),
            Err((
                "resource group name `rg!` is invalid: it has `!`, which is not allowed",
                "use only letters, digits, `_`, `-`, `.`, `(` and `)`, as ARM allows in a \
                 resource group name",
            )),
        );
        // ARM refuses a resource group name ending in `.`, as `ResourceGroupName` does.
        check(
            &id("/resourceGroups/rg./providers/Microsoft.Compute/virtualMachines/vm"),
            Err((
                "resource group name `rg.` is invalid: it ends with `.`",
                "remove the final `.`: `rg`; ARM does not allow it at the end",
            )),
        );
        let long_rg = "r".repeat(91);
        check(
            &id(&format!(
                "/resourceGroups/{long_rg}/providers/Microsoft.Compute/virtualMachines/vm"
            )),
            Err((
                &format!(
                    "resource group name `{long_rg}` is invalid: it has 91 characters, more than 90"
                ),
                "use the resource group's name as Azure shows it; ARM allows at most 90 characters",
            )),
        );
        check(
            &id("/resourceGroup/rg/providers/Microsoft.Compute/virtualMachines/vm"),
            Err((
                "segment 3 is `resourceGroup` where `resourceGroups` belongs",
                SHAPE_HELP,
            )),
        );
    }

    #[test]
    fn same_vm_ignores_case() {
        let a = VmId::parse(&id(
            "/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1",
        ))
        .unwrap();
        let b = VmId::parse(&id(
            "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
        ))
        .unwrap();
        assert_ne!(a, b);
        assert!(a.same_vm(&b));
    }

    #[test]
    fn guids() {
        assert!(is_guid(SUB));
        assert!(is_guid("20FF7FC3-E762-44DD-BD96-B71116DCDC23"));
        assert!(!is_guid("20ff7fc3e76244ddbd96b71116dcdc23"));
        assert!(!is_guid("20ff7fc3-e762-44dd-bd96-b71116dcdc2g"));
        assert!(!is_guid("{20ff7fc3-e762-44dd-bd96-b71116dcdc23}"));
    }
}
