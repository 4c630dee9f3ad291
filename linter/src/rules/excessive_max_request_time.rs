//! JIT002 `excessive-max-request-time`.

use jit_core::{IsoDuration, MaxRequestAccessDuration};

use crate::rule::{Context, Report, Reporter, Rule, RuleMeta, declare_rule};
use crate::view::Origin;

declare_rule! {
    /// ## What it does
    /// Flags a maximum request access duration (`max_request_access_duration`, or
    /// `maxRequestAccessDuration` in an azapi body) or a request's `duration` that is longer
    /// than the configured limit (by default PT3H, Azure's own default). A duration over PT24H
    /// or under PT5M is always an error, because the API rejects it.
    ///
    /// ## Why is this bad?
    /// Every approved request keeps the port open for up to this long. A day-long window is
    /// close to a standing rule, and a long window outlives the task it was opened for.
    ///
    /// ## Example
    /// ```hcl
    /// port {
    ///   number                          = 3389
    ///   allowed_source_address_prefixes = ["203.0.113.0/24"]
    ///   max_request_access_duration     = "PT12H"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Use the shortest window that fits the work, such as `PT1H`, and request again when it
    /// ends. To allow longer windows on purpose, raise `limits.max-request-access-duration` in
    /// `.jitlint.toml`.
    code = "JIT002",
    name = "excessive-max-request-time",
    severity = Warning,
    summary = "A JIT access window is longer than the limit, or outside what Azure accepts";
    pub struct ExcessiveMaxRequestTime;
}

impl Rule for ExcessiveMaxRequestTime {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn reads(&self) -> &'static [&'static [crate::rule::Reads]] {
        &[crate::view::JIT_READS]
    }

    fn check(&self, context: &Context<'_>, reporter: &mut Reporter<'_>) {
        let limit = reporter.settings.max_request_access_duration;
        for vm in &context.vms {
            for port in &vm.ports {
                let Some(node) = port.duration else { continue };
                let Some(text) = node.as_str() else { continue };
                // Unparsable durations are invalid-jit-value's finding.
                let Ok(duration) = IsoDuration::parse(text) else {
                    continue;
                };
                let name = vm.origin.name(jit_core::Field::MaxRequestAccessDuration);
                let what = if vm.origin == Origin::Request {
                    "access window"
                } else {
                    "maximum request time"
                };
                let report = match MaxRequestAccessDuration::new(duration) {
                    Err(error) => Report {
                        span: node.span,
                        message: format!("`{name}`: {error}; Azure rejects it"),
                        help: error.help(),
                        label: "rejected by Azure".to_owned(),
                        ports: port.ports(),
                        rejected_by_azure: true,
                    },
                    Ok(_) if duration.as_secs() > limit.as_secs() => Report {
                        span: node.span,
                        message: format!(
                            "{what} {duration} for {} is longer than the limit {limit}",
                            port.describe()
                        ),
                        help: format!(
                            "use {limit} or less, or raise `limits.max-request-access-duration` in .jitlint.toml"
                        ),
                        label: format!("over {limit}"),
                        ports: port.ports(),
                        rejected_by_azure: false,
                    },
                    Ok(_) => continue,
                };
                reporter.report(vm.resource, report);
            }
        }
    }
}
