//! The Compute and Network resources JIT reads and writes, with ARM paths and shapes.
//!
//! Bodies are stored as sent, plus the read-only `id`, `name`, `type` and
//! `properties.provisioningState`. A PUT replaces the whole resource, as ARM does: re-PUT an
//! NSG without JIT's rules and they are gone, which is what happens in Azure when
//! infrastructure-as-code redeploys an NSG.

use super::{Page, ResourceKind, json_response};
use crate::Emulator;
use crate::arm_error::ArmError;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

fn to_json(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serialises")
}

/// GET of a VM, NIC, NSG or virtual network.
pub fn get(
    emulator: &Emulator,
    kind: ResourceKind,
    id: &str,
    group: &str,
    name: &str,
) -> Result<Response, ArmError> {
    emulator
        .read(|state| state.resource(id).map(to_json))
        .map(|bytes| json_response(StatusCode::OK, bytes))
        .ok_or_else(|| ArmError::resource_not_found(kind.type_name(), name, group))
}

/// GET of the list of one type at subscription or resource-group scope, a page at a time
/// with ARM's `nextLink` (the same paging as the JIT lists, see `/_emulator/config`).
///
/// Resources are listed in the order of their lower-cased ids, so pages are stable.
pub fn list(
    emulator: &Emulator,
    kind: ResourceKind,
    subscription: &str,
    resource_group: Option<&str>,
    page: &Page,
) -> Response {
    let bytes = emulator.read(|state| {
        let matching: Vec<&Value> = state
            .resources
            .values()
            .filter(|resource| {
                resource
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case(kind.type_name()))
            })
            .filter(|resource| {
                let id = resource.get("id").and_then(Value::as_str).unwrap_or("");
                in_scope(id, subscription, resource_group)
            })
            .collect();
        let more = matching.len() > page.skip.saturating_add(page.size);
        let value: Vec<&Value> = matching
            .into_iter()
            .skip(page.skip)
            .take(page.size)
            .collect();
        let mut list = json!({ "value": value });
        if more {
            list["nextLink"] = json!(page.next_link());
        }
        to_json(&list)
    });
    json_response(StatusCode::OK, bytes)
}

/// Whether an ARM id is in the subscription (and resource group), ignoring case as ARM does.
fn in_scope(id: &str, subscription: &str, resource_group: Option<&str>) -> bool {
    let segments: Vec<&str> = id.split('/').collect();
    let is = |index: usize, expected: &str| {
        segments
            .get(index)
            .is_some_and(|segment| segment.eq_ignore_ascii_case(expected))
    };
    is(1, "subscriptions")
        && is(2, subscription)
        && resource_group.is_none_or(|group| is(3, "resourceGroups") && is(4, group))
}

/// PUT: 201 when created, 200 when replaced.
pub fn put(
    emulator: &Emulator,
    kind: ResourceKind,
    id: &str,
    name: &str,
    body: &Value,
) -> Result<Response, ArmError> {
    let Some(object) = body.as_object() else {
        return Err(ArmError::invalid_content(
            "The request content must be a JSON object.",
            "",
        ));
    };
    let Some(location) = object.get("location").and_then(Value::as_str) else {
        return Err(ArmError::new(
            StatusCode::BAD_REQUEST,
            "LocationRequired",
            "The location property is required for this definition.",
        ));
    };
    let mut resource = body.clone();
    resource["id"] = json!(id);
    resource["name"] = json!(name);
    resource["type"] = json!(kind.type_name());
    resource["location"] = json!(location);
    if !resource.get("properties").is_some_and(Value::is_object) {
        resource["properties"] = json!({});
    }
    resource["properties"]["provisioningState"] = json!("Succeeded");
    if kind == ResourceKind::NetworkSecurityGroup {
        let rules = resource["properties"]["securityRules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let rules: Vec<Value> = rules
            .into_iter()
            .map(|rule| complete_rule(id, rule))
            .collect();
        resource["properties"]["securityRules"] = json!(rules);
    }
    let (created, bytes) = emulator.write(|state| {
        let created = state
            .resources
            .insert(id.to_ascii_lowercase(), resource.clone())
            .is_none();
        (created, to_json(&resource))
    });
    tracing::info!(%id, created, "resource written");
    Ok(json_response(
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        bytes,
    ))
}

/// Gives an inline security rule its id and type, as ARM returns them.
fn complete_rule(nsg_id: &str, mut rule: Value) -> Value {
    if let Some(name) = rule.get("name").and_then(Value::as_str).map(str::to_owned) {
        rule["id"] = json!(format!("{nsg_id}/securityRules/{name}"));
        rule["type"] = json!("Microsoft.Network/networkSecurityGroups/securityRules");
    }
    rule
}

/// DELETE: 200 when it existed, 204 when not.
pub fn delete(emulator: &Emulator, id: &str) -> Response {
    let existed =
        emulator.write(|state| state.resources.remove(&id.to_ascii_lowercase()).is_some());
    json_response(
        if existed {
            StatusCode::OK
        } else {
            StatusCode::NO_CONTENT
        },
        Vec::new(),
    )
}

/// GET of an NSG's `securityRules` (list) or of one rule.
pub fn security_rules(
    emulator: &Emulator,
    nsg_id: &str,
    rule: Option<&str>,
) -> Result<Response, ArmError> {
    let nsg_name = crate::nsg::last_segment(nsg_id).to_owned();
    let found = emulator.read(|state| {
        let rules = state
            .resource(nsg_id)?
            .pointer("/properties/securityRules")
            .cloned()
            .unwrap_or(json!([]));
        Some(match rule {
            None => Some(json!({ "value": rules })),
            Some(name) => rules
                .as_array()?
                .iter()
                .find(|r| {
                    r.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
                .cloned(),
        })
    });
    match found {
        Some(Some(value)) => Ok(json_response(StatusCode::OK, to_json(&value))),
        Some(None) => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!(
                "Resource {nsg_id}/securityRules/{} not found.",
                rule.unwrap_or("")
            ),
        )),
        None => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The Resource 'Microsoft.Network/networkSecurityGroups/{nsg_name}' was not found."
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::in_scope;

    #[test]
    fn scope_is_compared_without_case() {
        let id =
            "/subscriptions/ABC/resourceGroups/Web/providers/Microsoft.Compute/virtualMachines/vm1";
        assert!(in_scope(id, "abc", None));
        assert!(in_scope(id, "abc", Some("WEB")));
        assert!(!in_scope(id, "abc", Some("web2")));
        assert!(!in_scope(id, "other", None));
        assert!(!in_scope("", "abc", None));
    }
}
