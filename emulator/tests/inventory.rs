//! What an inventory and an audit read from the emulator: VM lists at subscription and
//! resource-group scope, paged; a seeded VM's OS type and missing NSG; and the `mappedPort`
//! of a request behind an Azure Firewall.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

const COMPUTE: &str = "api-version=2024-07-01";

async fn seed(harness: &Harness, body: Value) -> Reply {
    harness.admin("POST", "/_emulator/vms", body).await
}

/// Every VM name of a list, following `nextLink` (which must stay on the emulator's paths).
async fn list_all(harness: &Harness, path: &str) -> (Vec<String>, usize) {
    let mut names = Vec::new();
    let mut pages = 0;
    let mut next = Some(format!("{path}?{COMPUTE}"));
    while let Some(url) = next.take() {
        let reply = harness.call("GET", &url, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {:#}", reply.body);
        pages += 1;
        for vm in reply.body["value"].as_array().unwrap() {
            assert_eq!(vm["type"], "Microsoft.Compute/virtualMachines");
            names.push(vm["name"].as_str().unwrap().to_owned());
        }
        if let Some(link) = reply.body["nextLink"].as_str() {
            assert!(
                link.contains(COMPUTE),
                "the link keeps the api-version: {link}"
            );
            let at = link.find("/subscriptions/").unwrap();
            next = Some(link[at..].to_owned());
        }
    }
    (names, pages)
}

#[tokio::test]
async fn vms_are_listed_by_subscription_and_resource_group_every_page() {
    let harness = Harness::new().await;
    let reply = harness
        .admin("POST", "/_emulator/config", json!({"pageSize": 2}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    for name in ["vm-c", "vm-a", "vm-b"] {
        harness.seed_vm(name, true).await;
    }
    let elsewhere = format!(
        "/subscriptions/{SUB}/resourceGroups/other/providers/Microsoft.Compute/virtualMachines/vm-x"
    );
    let reply = seed(&harness, json!({"id": elsewhere, "location": LOCATION})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);

    let (all, pages) = list_all(
        &harness,
        &format!("/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines"),
    )
    .await;
    assert_eq!(all, ["vm-a", "vm-b", "vm-c", "vm-x"], "in id order");
    assert_eq!(pages, 2);
    let (in_group, _) = list_all(
        &harness,
        &format!(
            "/subscriptions/{SUB}/resourceGroups/{}/providers/Microsoft.Compute/virtualMachines",
            RG.to_uppercase()
        ),
    )
    .await;
    assert_eq!(
        in_group,
        ["vm-a", "vm-b", "vm-c"],
        "the group compared without case"
    );
    let (none, _) = list_all(
        &harness,
        "/subscriptions/00000000-0000-0000-0000-000000000009/providers/Microsoft.Compute/virtualMachines",
    )
    .await;
    assert!(none.is_empty());

    let reply = harness
        .call(
            "POST",
            &format!("/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?{COMPUTE}"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    let reply = harness
        .call(
            "GET",
            &format!("/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?api-version=latest"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], "InvalidApiVersionParameter");
}

#[tokio::test]
async fn a_seeded_vm_has_an_os_type_and_may_have_no_nsg() {
    let harness = Harness::new().await;
    harness.seed_vm("linux", true).await;
    let reply = seed(
        &harness,
        json!({"id": vm_id("windows"), "location": LOCATION, "osType": "Windows", "nsg": false}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    assert!(reply.body["nsg"].is_null());
    for (name, os) in [("linux", "Linux"), ("windows", "Windows")] {
        let reply = harness
            .call("GET", &format!("{}?{COMPUTE}", vm_id(name)), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.body["properties"]["storageProfile"]["osDisk"]["osType"],
            os
        );
    }
    let nic = harness
        .call(
            "GET",
            &format!(
                "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/networkInterfaces/windows-nic?api-version=2024-05-01"
            ),
            None,
        )
        .await;
    assert!(nic.body["properties"].get("networkSecurityGroup").is_none());

    let reply = seed(
        &harness,
        json!({"id": vm_id("mac"), "location": LOCATION, "osType": "macOS"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let message = reply.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("osType `macOS`"), "{message}");
}

#[tokio::test]
async fn a_request_behind_a_firewall_records_a_mapped_port_per_port() {
    let harness = Harness::new().await;
    harness.freeze("2030-01-01T10:00:00Z").await;
    let direct = harness.seed_vm("direct", true).await;
    let behind = harness.seed_vm("behind", true).await;
    let rules = json!([
        {"number": 22, "protocol": "*", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"},
        {"number": 3389, "protocol": "*", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"}
    ]);
    let body = json!({"kind": "Basic", "properties": {"virtualMachines": [
        {"id": direct, "ports": rules},
        {"id": behind, "ports": rules, "publicIpAddress": "20.0.0.4"}
    ]}});
    let reply = harness
        .call("PUT", &policy_path("default"), Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
    let ports = json!([
        {"number": 3389, "endTimeUtc": "2030-01-01T11:00:00Z"},
        {"number": 22, "endTimeUtc": "2030-01-01T11:00:00Z"}
    ]);
    let reply = harness
        .call(
            "POST",
            &initiate_path("default"),
            Some(json!({"virtualMachines": [{"id": direct, "ports": ports}, {"id": behind, "ports": ports}]})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:#}", reply.body);
    let mapped = |vm: &Value| -> Vec<Value> {
        vm["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|port| json!([port["number"], port.get("mappedPort")]))
            .collect()
    };
    assert_eq!(
        mapped(&reply.body["virtualMachines"][0]),
        [json!([3389, null]), json!([22, null])],
        "no firewall, no mapped port"
    );
    // The second VM of the policy: 50000 + 100, plus the rule's position.
    assert_eq!(
        mapped(&reply.body["virtualMachines"][1]),
        [json!([3389, 50101]), json!([22, 50100])]
    );
    let policy = harness.call("GET", &policy_path("default"), None).await;
    assert_eq!(
        policy.body["properties"]["requests"][0]["virtualMachines"][1]["ports"][1]["mappedPort"],
        50100,
        "kept in the history"
    );
}
