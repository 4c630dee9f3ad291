//! The `provider "counter"` block and the resource types it serves.

use std::sync::Arc;

use serde::Deserialize;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::provider::ConfigureRequest;
use tfplugin::framework::{Attribute, Block, Diagnostics, Provider, Resource, Schema};

use crate::counter_named::CounterNamed;

/// The `counter` provider. It holds nothing itself: what differs between runs comes from the
/// `provider` block, through [`Settings`].
#[derive(Debug, Default, Clone, Copy)]
pub struct CounterProvider;

/// What `configure` builds and every resource call receives. A provider that talks to an API
/// would hold its client here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Put in front of every new counter's `id`. `None` while the `provider` block's value is
    /// still unknown: Terraform may configure during planning with values from other resources
    /// that are only known after apply, and configures again with known values before applying.
    pub prefix: Option<String>,
}

/// The `provider` block as configured: field names are the schema's attribute names.
#[derive(Deserialize)]
struct ProviderModel {
    prefix: Attr<String>,
}

#[async_trait::async_trait]
impl Provider for CounterProvider {
    type Data = Settings;

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Counters kept in Terraform state; nothing outside it is read or written.")
                .attribute(
                    "prefix",
                    Attribute::string(
                        "Put in front of the `id` of every counter created from now on, e.g. \
                         `demo-`. Counters already created keep their id.",
                    )
                    .optional(),
                ),
        )
    }

    async fn configure(
        &self,
        request: ConfigureRequest,
        diagnostics: &mut Diagnostics,
    ) -> Option<Settings> {
        match model::decode::<ProviderModel>(&request.config) {
            Ok(config) => Some(Settings {
                prefix: match config.prefix {
                    Attr::Known(prefix) => Some(prefix),
                    Attr::Null => Some(String::new()),
                    Attr::Unknown => None,
                },
            }),
            Err(err) => {
                diagnostics.error(
                    "Could not read the counter provider configuration",
                    format!(
                        "The `provider \"counter\"` block does not match its schema: {err}. \
                         Check the attribute named there."
                    ),
                );
                None
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Settings>>> {
        vec![Arc::new(CounterNamed)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::cty::Value;
    use tfplugin::grpc::ProviderService;

    #[test]
    fn schemas_follow_terraform_rules() {
        let service = ProviderService::new(CounterProvider);
        assert_eq!(service.schema_problems(), Vec::<String>::new());
    }

    #[tokio::test]
    async fn configure_reads_the_prefix_and_keeps_unknowns_apart() {
        let configure = |prefix: Value| ConfigureRequest {
            config: Value::object([("prefix", prefix)]),
            terraform_version: "1.11.4".into(),
        };
        let mut diagnostics = Diagnostics::new();
        let cases = [
            ("set", Value::from("demo-"), Some("demo-")),
            ("null", Value::Null, Some("")),
            ("unknown", Value::Unknown, None),
        ];
        for (case, prefix, expected) in cases {
            let settings = CounterProvider
                .configure(configure(prefix), &mut diagnostics)
                .await;
            assert_eq!(
                settings.map(|s| s.prefix),
                Some(expected.map(str::to_owned)),
                "{case}"
            );
        }
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }
}
