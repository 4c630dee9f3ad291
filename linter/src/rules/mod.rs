//! The rules, one file each: documentation, metadata and check together.

pub mod azapi_jit_pitfall;
pub mod broad_source_prefix;
pub mod evaluation_error;
pub mod excessive_max_request_time;
pub mod invalid_jit_value;
pub mod invalid_nsg_rule;
pub mod invalid_suppression;
pub mod management_port_exposed;
pub mod module_not_followed;
pub mod parse_error;
pub mod unknown_value;
pub mod unused_suppression;

pub use azapi_jit_pitfall::AzapiJitPitfall;
pub use broad_source_prefix::BroadSourcePrefix;
pub use evaluation_error::EvaluationError;
pub use excessive_max_request_time::ExcessiveMaxRequestTime;
pub use invalid_jit_value::InvalidJitValue;
pub use invalid_nsg_rule::InvalidNsgRule;
pub use invalid_suppression::InvalidSuppression;
pub use management_port_exposed::ManagementPortExposed;
pub use module_not_followed::ModuleNotFollowed;
pub use parse_error::ParseError;
pub use unknown_value::UnknownValue;
pub use unused_suppression::UnusedSuppression;
pub mod inline_nsg_rules_on_jit_vm;
pub use inline_nsg_rules_on_jit_vm::InlineNsgRulesOnJitVm;
pub mod policy_managed_twice;
pub use policy_managed_twice::PolicyManagedTwice;
pub mod request_exceeds_policy;
pub use request_exceeds_policy::RequestExceedsPolicy;
pub mod standing_rule_defeats_jit;
pub use standing_rule_defeats_jit::StandingRuleDefeatsJit;
pub mod vm_without_jit;
pub use vm_without_jit::VmWithoutJit;
