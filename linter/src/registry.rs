//! The code → rule table: the one place that lists every rule.

use crate::rule::{Rule, RuleMeta};
use crate::rules::{
    AzapiJitPitfall, BroadSourcePrefix, ExcessiveMaxRequestTime, InvalidJitValue, InvalidNsgRule,
    InvalidSuppression, ManagementPortExposed, ParseError, UnknownValue, UnusedSuppression,
};

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &UnknownValue,
    &BroadSourcePrefix,
    &ExcessiveMaxRequestTime,
    &ManagementPortExposed,
    &InvalidJitValue,
    &AzapiJitPitfall,
    &InvalidNsgRule,
    &ParseError,
    &UnusedSuppression,
    &InvalidSuppression,
];

/// The rule with this code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    ALL.iter()
        .map(|rule| rule.meta())
        .find(|meta| meta.code.eq_ignore_ascii_case(code_or_name) || meta.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_sorted() {
        let codes: Vec<&str> = ALL.iter().map(|r| r.meta().code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        let mut names: Vec<&str> = ALL.iter().map(|r| r.meta().name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
