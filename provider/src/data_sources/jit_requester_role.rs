//! Data source `jit_requester_role`: the least-privileged role actions a JIT requester needs,
//! as the portal's `Set-JitLeastPrivilegedRole` script grants them, ready for an
//! `azurerm_role_definition`. No call: the actions are fixed.

use serde::{Deserialize, Serialize};

use jit_azure::roles::{DEFAULT_ROLE_NAME, ROLE_DESCRIPTION, requester_role_actions};
use tfplugin::framework::data_source::*;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::{Attribute, Block, Schema, TypeDefinition};

use crate::arm::Arm;

/// The `jit_requester_role` data source.
#[derive(Debug, Default, Clone, Copy)]
pub struct JitRequesterRoleData;

/// Its type name.
pub const TYPE_NAME: &str = "jit_requester_role";

/// The configuration and the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequesterRoleModel {
    /// Only what the API needs.
    pub api_only: Attr<bool>,
    /// The role's name.
    pub name: Attr<String>,
    /// The role's description.
    pub description: Attr<String>,
    /// The actions.
    pub actions: Attr<Vec<String>>,
    /// `/subscriptions/{id}`.
    pub assignable_scopes: Attr<Vec<String>>,
}

#[async_trait::async_trait]
impl TypeDefinition for JitRequesterRoleData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("The role actions a person or pipeline needs to request JIT access, and no more: what Defender for Cloud's `Set-JitLeastPrivilegedRole` script grants.")
                .attribute("api_only", Attribute::bool("Only what requesting through the API needs (the script's `-forApiOnly`): leaves out reading VMs and networks, which the portal's pages (and the ephemeral `jit_access_request`'s `address`) need. Defaults to `false`.").optional())
                .attribute("name", Attribute::string("`JIT Access Role`, the script's default name.").computed())
                .attribute("description", Attribute::string("The script's description of the role.").computed())
                .attribute("actions", Attribute::string_list("The role actions, for `permissions { actions = ... }`.").computed())
                .attribute("assignable_scopes", Attribute::string_list("The provider's subscription, where the script makes the role assignable.").computed()),
        )
    }
}

#[async_trait::async_trait]
impl DataSource<Arm> for JitRequesterRoleData {
    async fn read(
        &self,
        request: DataSourceReadRequest<Arm>,
        response: &mut DataSourceReadResponse,
    ) {
        let Some(mut model) = model::read::<RequesterRoleModel>(
            &request.config,
            "jit_requester_role data source configuration",
            &mut response.diagnostics,
        ) else {
            return;
        };
        let api_only = model.api_only.known() == Some(&true);
        model.name = Attr::Known(DEFAULT_ROLE_NAME.to_owned());
        model.description = Attr::Known(ROLE_DESCRIPTION.to_owned());
        model.actions = Attr::Known(
            requester_role_actions(api_only)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        );
        model.assignable_scopes = Attr::Known(vec![format!(
            "/subscriptions/{}",
            request.provider.settings.subscription_id
        )]);
        response.write_state(&model);
    }
}
