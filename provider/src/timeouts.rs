//! The `timeouts` block, as azurerm writes it: `timeouts { create = "30m" }`.
//!
//! Each operation's budget bounds everything the operation does, retries under throttling
//! included; when it runs out the operation fails with a message that names the budget, and
//! nothing half-applied reaches state. Durations are written as Terraform users know them
//! from every provider built on Go: `90s`, `30m`, `1h30m`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tfplugin::framework::model::Attr;
use tfplugin::framework::validator::{Invalid, from_fn};
use tfplugin::framework::{Attribute, Block, NestedBlock};

/// The `timeouts` block's model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeoutsModel {
    /// Budget of create.
    pub create: Attr<String>,
    /// Budget of read (refresh and import).
    pub read: Attr<String>,
    /// Budget of update.
    pub update: Attr<String>,
    /// Budget of delete.
    pub delete: Attr<String>,
}

/// An operation that has a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Create.
    Create,
    /// Read.
    Read,
    /// Update.
    Update,
    /// Delete.
    Delete,
}

impl Operation {
    /// The verb for messages, and its `-ing` form for the timeout's "creating ... did not finish".
    pub fn verbs(self) -> (&'static str, &'static str) {
        match self {
            Operation::Create => ("create", "creating"),
            Operation::Read => ("read", "reading"),
            Operation::Update => ("update", "updating"),
            Operation::Delete => ("delete", "deleting"),
        }
    }

    /// The default budget, azurerm's for most resources.
    pub fn default_budget(self) -> Duration {
        match self {
            Operation::Read => Duration::from_secs(5 * 60),
            _ => Duration::from_secs(30 * 60),
        }
    }
}

impl TimeoutsModel {
    /// The budget of `operation`: the configured one, or the default.
    pub fn budget(timeouts: &Attr<TimeoutsModel>, operation: Operation) -> Duration {
        let configured = timeouts.known().and_then(|timeouts| {
            let value = match operation {
                Operation::Create => &timeouts.create,
                Operation::Read => &timeouts.read,
                Operation::Update => &timeouts.update,
                Operation::Delete => &timeouts.delete,
            };
            parse_duration(value.known()?).ok()
        });
        configured.unwrap_or_else(|| operation.default_budget())
    }
}

/// The `timeouts` block of a resource's schema.
pub fn block() -> NestedBlock {
    let attribute = |operation: Operation, what: &str| {
        Attribute::string(format!(
            "How long {what} may take, retries included, e.g. `30m` or `1h30m`. Defaults to `{}`.",
            tfplugin_duration(operation.default_budget())
        ))
        .optional()
        .validate(from_fn("must be a duration such as 30m or 1h30m", |value| {
            match value.as_str() {
                Some(text) => parse_duration(text).map(|_| ()).map_err(|reason| {
                    Invalid::new(
                        "Invalid timeout",
                        format!("{text:?} {reason}: write a duration such as \"90s\", \"30m\" or \"1h30m\"."),
                    )
                }),
                None => Ok(()),
            }
        }))
    };
    NestedBlock::single(
        Block::new("Time limits of each operation.")
            .attribute("create", attribute(Operation::Create, "creating"))
            .attribute(
                "read",
                attribute(Operation::Read, "reading (refresh and import)"),
            )
            .attribute("update", attribute(Operation::Update, "updating"))
            .attribute("delete", attribute(Operation::Delete, "deleting")),
    )
}

fn tfplugin_duration(duration: Duration) -> String {
    jit_azure::error::humanize(duration)
}

/// Parses a duration of whole numbers with units `h`, `m`, `s` and `ms`, as Go's
/// `time.ParseDuration` reads the ones users write (`1h30m`, `90s`, `500ms`).
pub fn parse_duration(text: &str) -> Result<Duration, &'static str> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err("is empty");
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err("must be numbers with units h, m, s or ms");
        }
        let number: u64 = rest[..digits].parse().map_err(|_| "is too large")?;
        rest = &rest[digits..];
        let (unit, length) = if rest.starts_with("ms") {
            (Duration::from_millis(1), 2)
        } else if rest.starts_with('h') {
            (Duration::from_secs(3600), 1)
        } else if rest.starts_with('m') {
            (Duration::from_secs(60), 1)
        } else if rest.starts_with('s') {
            (Duration::from_secs(1), 1)
        } else {
            return Err("needs a unit (h, m, s or ms) after each number");
        };
        rest = &rest[length..];
        total = total
            .checked_add(
                unit.checked_mul(u32::try_from(number).map_err(|_| "is too large")?)
                    .ok_or("is too large")?,
            )
            .ok_or("is too large")?;
    }
    if total.is_zero() {
        return Err("must be longer than zero");
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_go_writes_them() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("30").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
    }

    #[test]
    fn budgets_fall_back_to_the_defaults() {
        let configured = Attr::Known(TimeoutsModel {
            create: Attr::Known("2m".into()),
            ..Default::default()
        });
        assert_eq!(
            TimeoutsModel::budget(&configured, Operation::Create),
            Duration::from_secs(120)
        );
        assert_eq!(
            TimeoutsModel::budget(&configured, Operation::Delete),
            Duration::from_secs(1800)
        );
        assert_eq!(
            TimeoutsModel::budget(&Attr::Null, Operation::Read),
            Duration::from_secs(300)
        );
    }
}
