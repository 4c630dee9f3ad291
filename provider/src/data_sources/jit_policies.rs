//! Data source `jit_policies`: every JIT policy of the subscription, narrowed by resource group
//! and/or region, every page of the list.

use serde::{Deserialize, Serialize};

use jit_azure::Deadline;
use tfplugin::cty::Type;
use tfplugin::framework::data_source::*;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::{Attribute, Block, Schema, TypeDefinition};

use super::{PolicyView, policy_type};
use crate::arm::Arm;
use crate::resources::until_stopped;
use crate::timeouts::Operation;
use crate::validators;

/// The `jit_policies` data source.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitPoliciesData;

/// Its type name.
pub const TYPE_NAME: &str = "jit_policies";

/// The configuration and the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoliciesDataModel {
    /// Resource group filter.
    pub resource_group_name: Attr<String>,
    /// Region filter.
    pub location: Attr<String>,
    /// The subscription listed.
    pub id: Attr<String>,
    /// The policies.
    pub policies: Attr<Vec<PolicyView>>,
}

#[async_trait::async_trait]
impl TypeDefinition for JitPoliciesData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Lists the JIT policies of the provider's subscription, optionally only those of one resource group and/or region.")
                .attribute("resource_group_name", Attribute::string("Only the policies of this resource group.").optional().validate(validators::resource_group_name()))
                .attribute("location", Attribute::string("Only the policies of this region, e.g. `westeurope`.").optional().validate(validators::location()))
                .attribute("id", Attribute::string("The scope listed, as a resource id.").computed())
                .attribute("policies", Attribute::new(Type::list(policy_type()), "The policies, each with `id`, `name`, `resource_group_name`, `location`, `provisioning_state` and `virtual_machine` (as the `jit_policy` data source returns it).").computed()),
        )
    }
}

#[async_trait::async_trait]
impl DataSource<Arm> for JitPoliciesData {
    async fn read(
        &self,
        request: DataSourceReadRequest<Arm>,
        response: &mut DataSourceReadResponse,
    ) {
        let Some(mut model) = model::read::<PoliciesDataModel>(
            &request.config,
            "jit_policies data source configuration",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let group = model.resource_group_name.known().cloned();
        let location = model.location.known().cloned();
        let subscription = request.provider.settings.subscription_id.clone();
        let deadline = Deadline::after(
            Operation::Read.default_budget(),
            format!("listing data source {TYPE_NAME}"),
        );
        let work = request.provider.client.list_policies(
            &subscription,
            group.as_deref(),
            location.as_deref(),
            &deadline,
        );
        let policies = match until_stopped(request.stop, work).await {
            Ok(policies) => policies,
            Err(failure) => {
                failure.report(
                    &format!("read data source {TYPE_NAME}"),
                    &mut response.diagnostics,
                );
                return;
            }
        };
        let mut views: Vec<PolicyView> = policies.iter().filter_map(PolicyView::of).collect();
        views.sort_by_key(|view| view.id.to_ascii_lowercase());
        let mut scope = format!("/subscriptions/{subscription}");
        if let Some(group) = &group {
            scope.push_str(&format!("/resourceGroups/{group}"));
        }
        scope.push_str("/providers/Microsoft.Security");
        if let Some(location) = &location {
            scope.push_str(&format!("/locations/{location}"));
        }
        scope.push_str("/jitNetworkAccessPolicies");
        model.id = Attr::Known(scope);
        model.policies = Attr::Known(views);
        response.write_state(&model);
    }
}
