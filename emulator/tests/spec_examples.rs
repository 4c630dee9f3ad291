//! Every official example (tests/azure-spec/examples, and the one variant) replayed against the
//! emulator: status codes as the example says, bodies equal after the normalisations each test
//! names. Where an example contradicts a documented rule, the rule wins and the test asserts
//! the rule (see docs/emulator.md, "Official examples").

// Test helpers: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

const EXAMPLES: &str = "examples/JitNetworkAccessPolicies";
/// The history entry of the GET/list examples: made at this time, for one hour.
const HISTORY_START: &str = "2018-05-17T08:06:45.5691611Z";
const HISTORY_END: &str = "2018-05-17T09:06:45.5691611Z";
const JUSTIFICATION: &str = "testing a new version of the product";

fn example(name: &str) -> Value {
    read_json(&format!("{EXAMPLES}/{name}"))
}

/// The examples' world: VM vm1 with an NSG, the Create example's policy, and the request
/// barbara made at 08:06:45 for port 3389 from 192.127.0.2 until 09:06:45.
async fn world_of_the_examples() -> Harness {
    let harness = Harness::new().await;
    harness.freeze(HISTORY_START).await;
    harness.seed_vm("vm1", true).await;
    let create = example("CreateJitNetworkAccessPolicy_example.json");
    let reply = harness
        .call(
            "PUT",
            &policy_path("default"),
            Some(create["parameters"]["body"].clone()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
    let mut initiate = initiate_body(&vm_id("vm1"), 3389, HISTORY_END, Some("192.127.0.2"));
    initiate["justification"] = json!(JUSTIFICATION);
    let reply = harness
        .call("POST", &initiate_path("default"), Some(initiate))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:#}", reply.body);
    harness
}

/// Builds the request path of an operation from an example's `parameters`.
fn path_of(parameters: &Value, tail: &str) -> String {
    let text = |name: &str| parameters[name].as_str().map(str::to_owned);
    let mut path = format!("/subscriptions/{}", text("subscriptionId").unwrap());
    if let Some(group) = text("resourceGroupName") {
        path += &format!("/resourceGroups/{group}");
    }
    path += "/providers/Microsoft.Security";
    if let Some(location) = text("ascLocation") {
        path += &format!("/locations/{location}");
    }
    path += "/jitNetworkAccessPolicies";
    if let Some(name) = text("jitNetworkAccessPolicyName") {
        path += &format!("/{name}");
    }
    format!("{path}{tail}?api-version={}", text("api-version").unwrap())
}

/// One list or get example: the body must equal the example's exactly.
async fn replay_read(name: &str) {
    let harness = world_of_the_examples().await;
    let example = example(name);
    let reply = harness
        .call("GET", &path_of(&example["parameters"], ""), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, example["responses"]["200"]["body"], "{name}");
}

#[tokio::test]
async fn get_policy_example() {
    replay_read("GetJitNetworkAccessPolicy_example.json").await;
}

#[tokio::test]
async fn list_by_subscription_example() {
    replay_read("GetJitNetworkAccessPoliciesSubscription_example.json").await;
}

#[tokio::test]
async fn list_by_region_example() {
    replay_read("GetJitNetworkAccessPoliciesSubscriptionLocation_example.json").await;
}

#[tokio::test]
async fn list_by_resource_group_example() {
    replay_read("GetJitNetworkAccessPoliciesResourceGroup_example.json").await;
}

#[tokio::test]
async fn list_by_resource_group_and_region_example() {
    replay_read("GetJitNetworkAccessPoliciesResourceGroupLocation_example.json").await;
}

#[tokio::test]
async fn create_example_ignores_the_forged_history() {
    let harness = Harness::new().await;
    harness.seed_vm("vm1", true).await;
    let example = example("CreateJitNetworkAccessPolicy_example.json");
    let reply = harness
        .call(
            "PUT",
            &path_of(&example["parameters"], ""),
            Some(example["parameters"]["body"].clone()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    // The rule: `requests` is server history and a PUT cannot write it. The example echoes it.
    assert_eq!(reply.body["properties"]["requests"], json!([]));
    let mut expected = example["responses"]["200"]["body"].clone();
    expected["properties"]["requests"] = json!([]);
    assert_eq!(reply.body, expected);
}

#[tokio::test]
async fn delete_example_answers_200_then_204() {
    let harness = world_of_the_examples().await;
    let example = example("DeleteJitNetworkAccessPolicy_example.json");
    let path = path_of(&example["parameters"], "");
    assert!(example["responses"].get("200").is_some() && example["responses"].get("204").is_some());
    assert_eq!(
        harness.call("DELETE", &path, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        harness.call("DELETE", &path, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        harness.call("GET", &path, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn initiate_example() {
    let harness = Harness::new().await;
    let example = example("InitiateJitNetworkAccessPolicy_example.json");
    let expected = &example["responses"]["202"]["body"];
    harness
        .freeze(expected["startTimeUtc"].as_str().unwrap())
        .await;
    harness.seed_vm("vm1", true).await;
    let create = read_json(&format!(
        "{EXAMPLES}/CreateJitNetworkAccessPolicy_example.json"
    ));
    let put = harness
        .call(
            "PUT",
            &policy_path("default"),
            Some(create["parameters"]["body"].clone()),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    let reply = harness
        .call(
            "POST",
            &path_of(&example["parameters"], "/initiate"),
            Some(example["parameters"]["body"].clone()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:#}", reply.body);
    // Rule over example: status is in the spec's enum (`Initiated`), not `Initiating`.
    assert_eq!(
        reply.body["virtualMachines"][0]["ports"][0]["status"],
        "Initiated"
    );
    // The example's response names another subscription than its request (a data error).
    let mut expected = expected.clone();
    expected["virtualMachines"][0]["id"] = json!(vm_id("vm1"));
    expected["virtualMachines"][0]["ports"][0]["status"] = json!("Initiated");
    assert_eq!(reply.body, expected);
}

#[tokio::test]
async fn initiate_variant_with_duration_is_refused_as_the_spec_requires_end_time() {
    let harness = Harness::new().await;
    let example = read_json(&format!(
        "variants/Security-layout/{EXAMPLES}/InitiateJitNetworkAccessPolicy_example.json"
    ));
    harness.freeze("2018-07-12T08:53:03.3658798Z").await;
    harness.seed_vm("vm1", true).await;
    let create = read_json(&format!(
        "{EXAMPLES}/CreateJitNetworkAccessPolicy_example.json"
    ));
    harness
        .call(
            "PUT",
            &policy_path("default"),
            Some(create["parameters"]["body"].clone()),
        )
        .await;
    let reply = harness
        .call(
            "POST",
            &path_of(&example["parameters"], "/initiate"),
            Some(example["parameters"]["body"].clone()),
        )
        .await;
    // `duration` is not in the spec and `endTimeUtc` is required: 400, naming the field.
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], "InvalidRequestContent");
    assert_eq!(
        reply.body["error"]["target"],
        "virtualMachines[0].ports[0].endTimeUtc"
    );
}

#[test]
fn every_example_the_spec_names_is_replayed_here() {
    let spec = read_json("jitNetworkAccessPolicies.json");
    let mut named = Vec::new();
    for operation in spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
    {
        for example in operation["x-ms-examples"].as_object().unwrap().values() {
            named.push(
                example["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    named.sort();
    let source = include_str!("spec_examples.rs");
    assert_eq!(named.len(), 8);
    for name in named {
        assert!(
            source.contains(&format!("\"{name}\"")),
            "{name} is not replayed"
        );
    }
}

#[test]
fn copies_match_the_shared_spec_when_it_is_present() {
    let shared = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/azure-spec"
    ));
    if !shared.exists() {
        eprintln!(
            "note: {} is absent (clean clone); the copies were not compared",
            shared.display()
        );
        return;
    }
    for relative in ["jitNetworkAccessPolicies.json", "common/v1/types.json"] {
        assert_eq!(
            std::fs::read(shared.join(relative)).unwrap(),
            std::fs::read(spec_dir().join(relative)).unwrap(),
            "{relative}"
        );
    }
}
