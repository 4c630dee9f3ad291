//! JIT006 `invalid-nsg-rule`.

use jit_core::{ManagementPort, RuleError};

use crate::model::Value;
use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::view::{NsgRule, PortValue};

declare_rule! {
    /// ## What it does
    /// Flags an NSG rule (`azurerm_network_security_rule`, or a `security_rule` block of
    /// `azurerm_network_security_group`) that Azure rejects in a way that hides what it exposes:
    ///
    /// * A comma-separated list in one `destination_port_range` string, such as `"22,24"`,
    ///   `"3387, 3389 , 3391 "` or `"21-24, 230"`, or in one item of `destination_port_ranges`.
    ///   The attribute takes one port, one range or `*`; only `destination_port_ranges` takes
    ///   several, one per item. The other rules still read the list as the union of its parts,
    ///   so a management port inside it is reported as exposed too.
    /// * A destination port that is not a port, a range or `*`: `"30-20"` (the lower port must
    ///   come first), `"ssh"`, `"70000"`. Azure rejects it, and no check can say which ports
    ///   it meant, so it is reported rather than skipped.
    /// * A rule without an attribute that Azure requires and that the checks need to judge it:
    ///   `direction`, `access`, `protocol`, a destination port (`destination_port_range` or
    ///   `destination_port_ranges`) or a source (`source_address_prefix`,
    ///   `source_address_prefixes` or `source_application_security_group_ids`). A value set to
    ///   `null` counts as missing. A value that is only known at plan time is not missing; it
    ///   is `unknown-value`'s note.
    ///
    /// ## Why is this bad?
    /// Azure refuses the rule at apply time, after review and merge. Until then the rule reads
    /// as something it is not: a list in one string looks like it opens the ports listed, and a
    /// rule without `access` or `direction` cannot be told to be an inbound Allow rule, so no
    /// other check can say whether it exposes a management port.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_network_security_group" "app" {
    ///   security_rule {
    ///     name                   = "admin"
    ///     direction              = "Inbound"
    ///     protocol               = "Tcp"
    ///     source_address_prefix  = "203.0.113.0/24"
    ///     destination_port_range = "22,3389"
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "azurerm_network_security_group" "app" {
    ///   security_rule {
    ///     name                    = "admin"
    ///     direction               = "Inbound"
    ///     access                  = "Allow"
    ///     protocol                = "Tcp"
    ///     source_address_prefix   = "203.0.113.0/24"
    ///     destination_port_ranges = ["22", "3389"]
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Move a list into `destination_port_ranges`, one range per item, and set every attribute
    /// the finding names. Then let a `jit_policy` open management ports on request instead of a
    /// standing Allow rule.
    code = "JIT006",
    name = "invalid-nsg-rule",
    severity = Error,
    summary = "An NSG rule has a port list in a single-range attribute or lacks a required attribute";
    pub struct InvalidNsgRule;
}

impl Rule for InvalidNsgRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [crate::rule::Reads]] {
        &[crate::view::NSG_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        for rule in &context.nsg_rules {
            check_missing(rule, reporter);
            for value in &rule.ports {
                check_port_list(rule, value, &rule.ports, reporter);
                check_invalid_range(rule, value, reporter);
            }
        }
    }
}

/// What Azure requires of every security rule: the attributes that can give it (any one
/// will do), what to call it in a message, and the values to suggest.
const REQUIRED: &[(&[&str], &str, &str)] = &[
    (&["direction"], "`direction`", "`Inbound` or `Outbound`"),
    (&["access"], "`access`", "`Allow` or `Deny`"),
    (
        &["protocol"],
        "`protocol`",
        "`Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*`",
    ),
    (
        &["destination_port_range", "destination_port_ranges"],
        "destination port (`destination_port_range` or `destination_port_ranges`)",
        "a port, a range such as `20-30`, or `*`",
    ),
    (
        &[
            "source_address_prefix",
            "source_address_prefixes",
            "source_application_security_group_ids",
        ],
        "source (`source_address_prefix`, `source_address_prefixes` or \
         `source_application_security_group_ids`)",
        "the addresses allowed in, such as a bastion subnet",
    ),
];

fn check_missing(rule: &NsgRule<'_>, reporter: &mut Reporter<'_>) {
    let is_set = |name: &str| {
        rule.body
            .attribute(name)
            .is_some_and(|node| !matches!(node.value, Value::Null))
    };
    for (names, noun, values) in REQUIRED {
        if names.iter().any(|name| is_set(name)) {
            continue;
        }
        let first = names.first().copied().unwrap_or_default();
        reporter.report(
                    rule.resource,
            Report {
                span: rule.span,
                message: format!(
                    "{} sets no {noun}, which Azure requires, so whether it exposes a management port cannot be judged",
                    rule.describe()
                ),
                help: format!("add `{first}`: {values}"),
                label: format!("no {first}"),
                ports: Vec::new(),
                rejected_by_azure: true,
            },
        );
    }
}

/// The attribute a port value came from, for messages: `destination_port_ranges[1]`.
fn attribute_of(value: &PortValue<'_>) -> String {
    match value.index {
        None => "destination_port_range".to_owned(),
        Some(index) => format!("destination_port_ranges[{index}]"),
    }
}

fn check_invalid_range(rule: &NsgRule<'_>, value: &PortValue<'_>, reporter: &mut Reporter<'_>) {
    let Some(error @ RuleError::InvalidPortRange { .. }) = &value.reading.error else {
        return;
    };
    reporter.report(
        rule.resource,
        Report {
            span: value.node.span,
            message: format!(
                "`{}` of {}: {error}; Azure rejects it, and which ports it meant cannot be judged",
                attribute_of(value),
                rule.describe()
            ),
            help: error.help(),
            label: "not a port range".to_owned(),
            ports: Vec::new(),
            rejected_by_azure: true,
        },
    );
}

fn check_port_list(
    rule: &NsgRule<'_>,
    value: &PortValue<'_>,
    values: &[PortValue<'_>],
    reporter: &mut Reporter<'_>,
) {
    let Some(RuleError::PortRangeList { parts, .. }) = &value.reading.error else {
        return;
    };
    let ports: Vec<u16> = value
        .reading
        .management_ports()
        .into_iter()
        .map(ManagementPort::number)
        .collect();
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|item| format!("\"{item}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let error = value.reading.error.as_ref().map(ToString::to_string);
    let (attribute, help) = match value.index {
        None => (
            "destination_port_range".to_owned(),
            format!(
                "only `destination_port_ranges` takes several ranges: write `destination_port_ranges = [{}]` instead",
                quoted(parts)
            ),
        ),
        Some(index) => {
            // The whole list as it should be: this item split, the others as they are.
            let mut items = Vec::new();
            for other in values.iter().filter(|v| v.index.is_some()) {
                if other.index == Some(index) {
                    items.extend(parts.iter().cloned());
                } else {
                    items.push(other.text.clone());
                }
            }
            (
                format!("destination_port_ranges[{index}]"),
                format!(
                    "give each range its own item: `destination_port_ranges = [{}]`",
                    quoted(&items)
                ),
            )
        }
    };
    reporter.report(
        rule.resource,
        Report {
            span: value.node.span,
            message: format!(
                "`{attribute}` of {}: {}; Azure rejects it",
                rule.describe(),
                error.unwrap_or_default()
            ),
            help,
            label: "a list in one range".to_owned(),
            ports,
            rejected_by_azure: true,
        },
    );
}

#[cfg(test)]
mod tests {
    use crate::{Settings, lint_text};

    fn codes_and_messages(text: &str) -> Vec<String> {
        let mut settings = Settings::default();
        settings.select_only(&["JIT006"]);
        lint_text("main.tf", text, &settings)
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.code, f.message))
            .collect()
    }

    #[test]
    fn a_complete_rule_has_no_finding() {
        let text = r#"
resource "azurerm_network_security_rule" "ok" {
  direction                               = "Inbound"
  access                                  = "Allow"
  protocol                                = "Tcp"
  source_application_security_group_ids   = [azurerm_application_security_group.ops.id]
  destination_port_ranges                 = ["22", "3389"]
}
"#;
        assert_eq!(codes_and_messages(text), Vec::<String>::new());
    }

    #[test]
    fn null_is_missing_and_unknown_is_not() {
        let text = r#"
resource "azurerm_network_security_rule" "x" {
  direction              = var.direction
  access                 = null
  protocol               = "Tcp"
  source_address_prefix  = "*"
  destination_port_range = "443"
}
"#;
        assert_eq!(
            codes_and_messages(text),
            [
                "JIT006: this rule sets no `access`, which Azure requires, so whether it exposes a management port cannot be judged"
            ]
        );
    }
}
