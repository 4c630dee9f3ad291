//! The `provider "jit"` block and the resource types it serves.

use std::sync::Arc;

use tfplugin::cty::Value;
use tfplugin::framework::data_source::DataSource;
use tfplugin::framework::ephemeral::EphemeralResource;
use tfplugin::framework::provider::ConfigureRequest;
use tfplugin::framework::{Diagnostics, Provider, Resource, Schema};

use crate::arm::Arm;
use crate::config;
use crate::{data_sources, ephemeral, resources};

/// The `jit` provider.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitProvider;

#[async_trait::async_trait]
impl Provider for JitProvider {
    type Data = Arm;

    fn schema(&self) -> Schema {
        Schema::new(0, config::schema_block())
    }

    async fn configure(
        &self,
        request: ConfigureRequest,
        diagnostics: &mut Diagnostics,
    ) -> Option<Arm> {
        // Until every value is known (e.g. it comes from another resource), there is nothing
        // to configure; Terraform configures again once it is.
        if !request.config.is_wholly_known() {
            return None;
        }
        let env = |name: &str| std::env::var(name).ok();
        match config::resolve(&request.config, &env) {
            Ok(settings) => {
                tracing::debug!(
                    cloud = %settings.cloud,
                    resource_manager = %settings.resource_manager,
                    authentication = settings.credential.method(),
                    terraform_version = %request.terraform_version,
                    "provider configured"
                );
                match jit_azure::ArmClient::new(&settings) {
                    Ok(client) => Some(Arm::new(settings, client)),
                    Err(err) => {
                        diagnostics.error("Cannot set up the Azure client", err.to_string());
                        None
                    }
                }
            }
            Err(problems) => {
                diagnostics.extend(problems);
                None
            }
        }
    }

    async fn validate_config(&self, _config: &Value, _diagnostics: &mut Diagnostics) {}

    fn resources(&self) -> Vec<Arc<dyn Resource<Arm>>> {
        vec![
            Arc::new(resources::jit_policy::JitPolicy),
            Arc::new(resources::jit_policy_virtual_machine::JitPolicyVirtualMachine),
            Arc::new(resources::jit_access_request::JitAccessRequest),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Arm>>> {
        vec![
            Arc::new(data_sources::jit_policy::JitPolicyData),
            Arc::new(data_sources::jit_policies::JitPoliciesData),
            Arc::new(data_sources::jit_access_requests::JitAccessRequestsData),
            Arc::new(data_sources::jit_virtual_machines::JitVirtualMachinesData),
            Arc::new(data_sources::jit_requester_role::JitRequesterRoleData),
        ]
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<Arm>>> {
        vec![Arc::new(
            ephemeral::jit_access_request::JitAccessRequestEphemeral,
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::grpc::ProviderService;

    #[test]
    fn schemas_follow_terraform_rules() {
        let service = ProviderService::new(JitProvider);
        assert_eq!(service.schema_problems(), Vec::<String>::new());
    }
}
