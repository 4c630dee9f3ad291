//! Attribute plan modifiers: how an attribute's planned value differs from what Terraform
//! proposed.
//!
//! The two that nearly every resource needs are here: [`requires_replace`] (the remote API cannot
//! change the attribute in place) and [`use_state_for_unknown`] (a computed value that never changes
//! after create, like an id, should not show as "known after apply" on every update).

use std::sync::Arc;

use crate::cty::Value;

/// What a plan modifier sees of one attribute.
pub struct PlanModifierRequest<'a> {
    /// The attribute's value in configuration (null when not set).
    pub config: &'a Value,
    /// The attribute's value in prior state; `None` when the object is being created.
    pub prior: Option<&'a Value>,
}

/// Changes an attribute's planned value or asks for replacement.
pub trait PlanModifier: Send + Sync {
    /// What the modifier does, e.g. "the resource is replaced when this attribute changes".
    fn description(&self) -> String;

    /// Adjusts `planned`.
    fn modify(&self, _request: &PlanModifierRequest<'_>, _planned: &mut Value) {}

    /// True if a change of this attribute replaces the resource.
    fn requires_replace(&self) -> bool {
        false
    }
}

/// A change of this attribute destroys the resource and creates a new one.
pub fn requires_replace() -> Arc<dyn PlanModifier> {
    Arc::new(RequiresReplace)
}

struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn description(&self) -> String {
        "the resource is replaced when this attribute changes".into()
    }

    fn requires_replace(&self) -> bool {
        true
    }
}

/// A computed value that stays as it is in state instead of becoming unknown on update.
pub fn use_state_for_unknown() -> Arc<dyn PlanModifier> {
    Arc::new(UseStateForUnknown)
}

struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn description(&self) -> String {
        "once set, the value of this attribute in state will not change".into()
    }

    fn modify(&self, request: &PlanModifierRequest<'_>, planned: &mut Value) {
        // Do nothing if there is no state (the object is being created).
        let Some(prior) = request.prior else { return };
        // Do nothing if there is no value in state to keep.
        if prior.is_null() {
            return;
        }
        // Do nothing if the planned value is already known (set in configuration, or not changing).
        if !planned.is_unknown() {
            return;
        }
        // Do nothing if the configuration sets a value (unknown until apply): that value wins.
        if !request.config.is_null() {
            return;
        }
        *planned = prior.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_state_for_unknown_cases() {
        let prior = Value::from("id-1");
        // (case, config, prior, planned before, planned after)
        let cases: Vec<(&str, Value, Option<Value>, Value, Value)> = vec![
            (
                "null-state",
                Value::Null,
                None,
                Value::Unknown,
                Value::Unknown,
            ),
            (
                "null-prior-value",
                Value::Null,
                Some(Value::Null),
                Value::Unknown,
                Value::Unknown,
            ),
            (
                "known-plan",
                Value::Null,
                Some(prior.clone()),
                Value::from("x"),
                Value::from("x"),
            ),
            (
                "unknown-config",
                Value::Unknown,
                Some(prior.clone()),
                Value::Unknown,
                Value::Unknown,
            ),
            (
                "keeps-state",
                Value::Null,
                Some(prior.clone()),
                Value::Unknown,
                prior.clone(),
            ),
        ];
        for (name, config, prior, mut planned, expected) in cases {
            let request = PlanModifierRequest {
                config: &config,
                prior: prior.as_ref(),
            };
            use_state_for_unknown().modify(&request, &mut planned);
            assert_eq!(planned, expected, "{name}");
        }
    }

    #[test]
    fn requires_replace_describes_itself() {
        assert!(requires_replace().requires_replace());
        assert!(!use_state_for_unknown().requires_replace());
        assert!(
            requires_replace()
                .description()
                .starts_with("the resource is replaced")
        );
    }
}
