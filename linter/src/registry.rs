//! The code → rule table: the one place that lists every rule, and the union of what they
//! read.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::rule::{Rule, RuleMeta};
use crate::rules::{
    AzapiJitPitfall, BroadSourcePrefix, EvaluationError, ExcessiveMaxRequestTime,
    InlineNsgRulesOnJitVm, InvalidJitValue, InvalidNsgRule, InvalidSuppression,
    ManagementPortExposed, ModuleNotFollowed, ParseError, PolicyManagedTwice, RequestExceedsPolicy,
    StandingRuleDefeatsJit, UnknownValue, UnusedSuppression, VmWithoutJit,
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
    &VmWithoutJit,
    &RequestExceedsPolicy,
    &InlineNsgRulesOnJitVm,
    &PolicyManagedTwice,
    &StandingRuleDefeatsJit,
    &ParseError,
    &UnusedSuppression,
    &InvalidSuppression,
    &ModuleNotFollowed,
    &EvaluationError,
];

/// The rule with this code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    ALL.iter()
        .map(|rule| rule.meta())
        .find(|meta| meta.code.eq_ignore_ascii_case(code_or_name) || meta.name == code_or_name)
}

/// Attributes read in every resource whatever the rules declare: the meta-arguments that
/// decide how many instances there are, and the parts of `dynamic` blocks.
const META_ATTRIBUTES: &[&str] = &["count", "for_each", "iterator"];

/// Which attributes of one resource type the loader converts.
#[derive(Debug)]
pub enum AttributeFilter {
    /// Every attribute (`module` blocks: any input may reach a resource).
    All,
    /// The attributes some rule declares, and [`META_ATTRIBUTES`].
    Only(HashSet<&'static str>),
}

impl AttributeFilter {
    /// Whether attribute `name` is converted.
    pub fn reads(&self, name: &str) -> bool {
        match self {
            AttributeFilter::All => true,
            AttributeFilter::Only(names) => names.contains(name) || META_ATTRIBUTES.contains(&name),
        }
    }
}

/// The union of every rule's [`crate::rule::Reads`].
#[derive(Debug, Default)]
pub struct Schema {
    by_kind: HashMap<&'static str, AttributeFilter>,
}

impl Schema {
    /// What is read of resource type `kind`, or `None` when no rule reads it.
    pub fn filter(&self, kind: &str) -> Option<&AttributeFilter> {
        self.by_kind.get(kind)
    }
}

/// What the loader converts: every rule's declared reads, merged once per process.
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut by_kind: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
        for rule in ALL {
            for reads in rule.reads().iter().flat_map(|group| group.iter()) {
                by_kind
                    .entry(reads.kind)
                    .or_default()
                    .extend(reads.attributes.iter().copied());
            }
        }
        Schema {
            by_kind: by_kind
                .into_iter()
                .map(|(kind, names)| (kind, AttributeFilter::Only(names)))
                .collect(),
        }
    })
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
