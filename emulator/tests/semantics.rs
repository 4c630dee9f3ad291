//! JIT semantics, validation, authentication, faults, request counting and bad input, in process.

// Test helpers: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{Value, json};
use tower::ServiceExt;

const NOW: &str = "2030-01-01T10:00:00Z";

async fn enabled(ports: &[(u16, &str, &str)]) -> (Harness, String) {
    let harness = Harness::new().await;
    harness.freeze(NOW).await;
    let vm = harness.seed_vm("vm1", true).await;
    let reply = harness
        .call(
            "PUT",
            &policy_path("default"),
            Some(policy_body(&vm, ports)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
    (harness, vm)
}

fn rule<'a>(rules: &'a [Value], suffix: &str) -> Option<&'a Value> {
    rules
        .iter()
        .find(|r| r["name"].as_str().unwrap().ends_with(suffix))
}

fn priority(rule: &Value) -> i64 {
    rule["properties"]["priority"].as_i64().unwrap()
}

#[test]
fn schema_check_is_not_vacuous() {
    let result =
        std::panic::catch_unwind(|| assert_schema("JitNetworkAccessPolicy", &json!({"id": "x"})));
    assert!(
        result.is_err(),
        "a policy without properties must fail the schema"
    );
}

#[tokio::test]
async fn enabling_writes_deny_rules_and_initiate_an_allow_rule_that_expires() {
    let (harness, vm) = enabled(&[(22, "*", "PT3H"), (3389, "*", "PT1H")]).await;
    let rules = harness.rules("vm1").await;
    let deny22 = rule(&rules, "-22-Deny").expect("deny rule for 22");
    assert_eq!(deny22["properties"]["access"], "Deny");
    assert_eq!(priority(deny22), 1000);
    assert_eq!(priority(rule(&rules, "-3389-Deny").unwrap()), 1001);

    let reply = harness
        .call(
            "POST",
            &initiate_path("default"),
            Some(initiate_body(
                &vm,
                22,
                "2030-01-01T11:00:00Z",
                Some("203.0.113.7"),
            )),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:#}", reply.body);
    assert_eq!(reply.body["requestor"], "barbara@contoso.com");
    let rules = harness.rules("vm1").await;
    let allow = rule(&rules, "-22-Allow").expect("allow rule");
    assert_eq!(allow["properties"]["sourceAddressPrefix"], "203.0.113.7");
    assert!(
        priority(allow) < 1000,
        "allow rule must be evaluated before the deny rule"
    );

    harness.advance(3600).await;
    assert!(
        rule(&harness.rules("vm1").await, "-22-Allow").is_none(),
        "allow rule removed at end time"
    );
    let policy = harness.call("GET", &policy_path("default"), None).await;
    let port = &policy.body["properties"]["requests"][0]["virtualMachines"][0]["ports"][0];
    assert_eq!(
        (port["status"].as_str(), port["statusReason"].as_str()),
        (Some("Revoked"), Some("Expired"))
    );
}

#[tokio::test]
async fn a_newer_request_revokes_the_older_one() {
    let (harness, vm) = enabled(&[(22, "*", "PT3H")]).await;
    for source in ["203.0.113.7", "203.0.113.8"] {
        let reply = harness
            .call(
                "POST",
                &initiate_path("default"),
                Some(initiate_body(&vm, 22, "2030-01-01T11:00:00Z", Some(source))),
            )
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
    }
    let policy = harness.call("GET", &policy_path("default"), None).await;
    let requests = policy.body["properties"]["requests"].as_array().unwrap();
    assert_eq!(
        requests[0]["virtualMachines"][0]["ports"][0]["status"],
        "Revoked"
    );
    assert_eq!(
        requests[0]["virtualMachines"][0]["ports"][0]["statusReason"],
        "NewerRequestInitiated"
    );
    assert_eq!(
        requests[1]["virtualMachines"][0]["ports"][0]["status"],
        "Initiated"
    );
    let rules = harness.rules("vm1").await;
    assert_eq!(
        rule(&rules, "-22-Allow").unwrap()["properties"]["sourceAddressPrefix"],
        "203.0.113.8"
    );
}

async fn refused(harness: &Harness, body: Value, target: &str) -> Value {
    let reply = harness
        .call("POST", &initiate_path("default"), Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:#}", reply.body);
    assert_eq!(reply.body["error"]["target"], target, "{:#}", reply.body);
    reply.body
}

#[tokio::test]
async fn initiate_refuses_what_the_policy_does_not_allow() {
    let (harness, vm) = enabled(&[(22, "10.0.0.0/8", "PT1H")]).await;
    refused(
        &harness,
        initiate_body(&vm, 3389, "2030-01-01T10:30:00Z", Some("10.1.1.1")),
        "virtualMachines[0].ports[0].number",
    )
    .await;
    refused(
        &harness,
        initiate_body(&vm, 22, "2030-01-01T11:00:01Z", Some("10.1.1.1")),
        "virtualMachines[0].ports[0].endTimeUtc",
    )
    .await;
    refused(
        &harness,
        initiate_body(&vm, 22, "2030-01-01T09:00:00Z", Some("10.1.1.1")),
        "virtualMachines[0].ports[0].endTimeUtc",
    )
    .await;
    refused(
        &harness,
        initiate_body(&vm, 22, "2030-01-01T10:30:00Z", Some("192.168.1.1")),
        "virtualMachines[0].ports[0].allowedSourceAddressPrefix",
    )
    .await;
    // No source: the caller's address (127.0.0.1 in process) is outside 10.0.0.0/8.
    refused(
        &harness,
        initiate_body(&vm, 22, "2030-01-01T10:30:00Z", None),
        "virtualMachines[0].ports[0].allowedSourceAddressPrefix",
    )
    .await;
    refused(
        &harness,
        initiate_body(&vm_id("other"), 22, "2030-01-01T10:30:00Z", None),
        "virtualMachines[0].id",
    )
    .await;
    // Exactly the maximum is allowed.
    let reply = harness
        .call(
            "POST",
            &initiate_path("default"),
            Some(initiate_body(
                &vm,
                22,
                "2030-01-01T11:00:00Z",
                Some("10.1.0.0/16"),
            )),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:#}", reply.body);
}

#[tokio::test]
async fn without_a_source_the_callers_address_is_recorded() {
    let (harness, vm) = enabled(&[(22, "*", "PT1H")]).await;
    let reply = harness
        .call(
            "POST",
            &initiate_path("default"),
            Some(initiate_body(&vm, 22, "2030-01-01T10:30:00Z", None)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(
        reply.body["virtualMachines"][0]["ports"][0]["allowedSourceAddressPrefix"],
        "127.0.0.1"
    );
}

#[tokio::test]
async fn a_vm_without_an_nsg_is_unsupported() {
    let harness = Harness::new().await;
    let vm = harness.seed_vm("bare", false).await;
    let reply = harness
        .call(
            "PUT",
            &policy_path("default"),
            Some(policy_body(&vm, &[(22, "*", "PT3H")])),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not supported"),
        "{:#}",
        reply.body
    );
    let missing = harness
        .call(
            "PUT",
            &policy_path("default"),
            Some(policy_body(&vm_id("ghost"), &[(22, "*", "PT3H")])),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(
        missing.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not found")
    );
}

#[tokio::test]
async fn put_reports_every_rule_finding_with_its_path() {
    let harness = Harness::new().await;
    let vm = harness.seed_vm("vm1", true).await;
    let body = json!({"properties": {"virtualMachines": [{"id": vm, "ports": [
        {"number": 22, "protocol": "*", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"},
        {"number": 70000, "protocol": "tcp", "allowedSourceAddressPrefix": "*", "allowedSourceAddressPrefixes": ["10.0.0.0/8"], "maxRequestAccessDuration": "PT25H"}
    ]}]}});
    let reply = harness
        .call("PUT", &policy_path("default"), Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], "BadRequest");
    let targets: Vec<&str> = reply.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["target"].as_str().unwrap())
        .collect();
    let port = "properties.virtualMachines[0].ports[1]";
    for field in [
        "number",
        "protocol",
        "allowedSourceAddressPrefix",
        "maxRequestAccessDuration",
    ] {
        assert!(
            targets.contains(&format!("{port}.{field}").as_str()),
            "{field} missing from {targets:?}"
        );
    }
    assert_eq!(reply.body["error"]["target"], format!("{port}.number"));

    let long_name = "p".repeat(60);
    let path = policy_path(&long_name);
    let reply = harness
        .call("PUT", &path, Some(policy_body(&vm, &[(22, "*", "PT3H")])))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["target"], "name");
}

/// Azure refuses a policy that lists one port twice for a VM; the refusal must leave the
/// store as it was, neither creating the policy nor replacing the previous one.
#[tokio::test]
async fn put_refuses_a_port_listed_twice_for_one_vm() {
    let harness = Harness::new().await;
    let vm = harness.seed_vm("vm1", true).await;
    let twice = json!({"kind": "Basic", "properties": {"virtualMachines": [{"id": vm, "ports": [
        {"number": 22, "protocol": "TCP", "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"},
        {"number": 22, "protocol": "TCP", "allowedSourceAddressPrefix": "10.0.0.0/8", "maxRequestAccessDuration": "PT1H"}
    ]}]}});
    let refused = |reply: &Reply| {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:#}", reply.body);
        assert_eq!(
            reply.body["error"]["code"], "BadRequest",
            "{:#}",
            reply.body
        );
        assert_eq!(
            reply.body["error"]["target"], "properties.virtualMachines[0].ports[1].number",
            "{:#}",
            reply.body
        );
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("port 22 with protocol TCP is listed more than once"),
            "{message}"
        );
    };

    let reply = harness
        .call("PUT", &policy_path("default"), Some(twice.clone()))
        .await;
    refused(&reply);
    let missing = harness.call("GET", &policy_path("default"), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{:#}", missing.body);
    assert!(harness.rules("vm1").await.is_empty());

    let previous = policy_body(&vm, &[(3389, "*", "PT3H")]);
    let stored = harness
        .call("PUT", &policy_path("default"), Some(previous))
        .await;
    assert_eq!(stored.status, StatusCode::OK, "{:#}", stored.body);
    let before = harness.call("GET", &policy_path("default"), None).await;
    let rules_before = harness.rules("vm1").await;
    let reply = harness
        .call("PUT", &policy_path("default"), Some(twice))
        .await;
    refused(&reply);
    let after = harness.call("GET", &policy_path("default"), None).await;
    assert_eq!(after.status, StatusCode::OK, "{:#}", after.body);
    assert_eq!(after.body, before.body);
    assert_eq!(harness.rules("vm1").await, rules_before);
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_invalid_content() {
    let harness = Harness::new().await;
    let vm = harness.seed_vm("vm1", true).await;
    let body = json!({"properties": {"virtualMachines": [{"id": vm, "ports": [{"number": "twenty-two", "protocol": "*"}]}]}});
    let reply = harness
        .call("PUT", &policy_path("default"), Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], "InvalidRequestContent");
    let targets: Vec<&str> = reply.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "properties.virtualMachines[0].ports[0].number",
            "properties.virtualMachines[0].ports[0].maxRequestAccessDuration"
        ]
    );
    for body in [json!([]), json!({"properties": 3}), json!({})] {
        let reply = harness
            .call("PUT", &policy_path("default"), Some(body))
            .await;
        assert_eq!(reply.body["error"]["code"], "InvalidRequestContent");
    }
    // Unknown fields are ignored.
    let mut body = policy_body(&vm, &[(22, "*", "PT3H")]);
    body["properties"]["somethingNew"] = json!(true);
    assert_eq!(
        harness
            .call("PUT", &policy_path("default"), Some(body))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn removing_a_port_or_the_policy_removes_its_rules() {
    let (harness, vm) = enabled(&[(22, "*", "PT3H"), (3389, "*", "PT3H")]).await;
    harness
        .call(
            "POST",
            &initiate_path("default"),
            Some(initiate_body(
                &vm,
                3389,
                "2030-01-01T11:00:00Z",
                Some("203.0.113.7"),
            )),
        )
        .await;
    assert_eq!(harness.rules("vm1").await.len(), 3);
    harness
        .call(
            "PUT",
            &policy_path("default"),
            Some(policy_body(&vm, &[(22, "*", "PT3H")])),
        )
        .await;
    let rules = harness.rules("vm1").await;
    assert_eq!(rules.len(), 1);
    assert!(rule(&rules, "-22-Deny").is_some());
    harness.call("DELETE", &policy_path("default"), None).await;
    assert!(harness.rules("vm1").await.is_empty());
}

#[tokio::test]
async fn existing_user_rules_keep_precedence_over_the_deny_rule() {
    let harness = Harness::new().await;
    let vm = harness.seed_vm("vm1", true).await;
    let nsg = format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/networkSecurityGroups/vm1-nsg?api-version=2024-05-01"
    );
    let body = json!({"location": LOCATION, "properties": {"securityRules": [{"name": "user-ssh", "properties": {
        "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "22", "sourceAddressPrefix": "10.0.0.0/8",
        "destinationAddressPrefix": "*", "access": "Allow", "priority": 2000, "direction": "Inbound"}}]}});
    assert_eq!(
        harness.call("PUT", &nsg, Some(body)).await.status,
        StatusCode::OK
    );
    harness
        .call(
            "PUT",
            &policy_path("default"),
            Some(policy_body(&vm, &[(22, "*", "PT3H")])),
        )
        .await;
    assert_eq!(
        priority(rule(&harness.rules("vm1").await, "-22-Deny").unwrap()),
        2001
    );
}

#[tokio::test]
async fn lists_page_with_next_link() {
    let harness = Harness::new().await;
    harness
        .admin("POST", "/_emulator/config", json!({"pageSize": 1}))
        .await;
    let vm = harness.seed_vm("vm1", true).await;
    for name in ["a", "b"] {
        assert_eq!(
            harness
                .call(
                    "PUT",
                    &policy_path(name),
                    Some(policy_body(&vm, &[(22, "*", "PT3H")]))
                )
                .await
                .status,
            StatusCode::OK
        );
    }
    let first = harness.call("GET", &format!("/subscriptions/{SUB}/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01"), None).await;
    assert_eq!(first.body["value"].as_array().unwrap().len(), 1);
    let next = first.body["nextLink"].as_str().unwrap();
    let path = &next[next.find("/subscriptions").unwrap()..];
    let second = harness.call("GET", path, None).await;
    assert_eq!(second.body["value"][0]["name"], "b");
    assert!(second.body.get("nextLink").is_none());
}

#[tokio::test]
async fn authentication_like_arm() {
    let harness = Harness::new().await;
    let path = policy_path("default");
    let missing = harness.call_with("GET", &path, None, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.body["error"]["code"], "AuthenticationFailed");
    assert!(missing.headers.contains_key("www-authenticate"));
    let forged = harness
        .call_with("GET", &path, None, Some("eyJhbGciOiJub25lIn0.e30.c2ln"))
        .await;
    assert_eq!(forged.body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(
        harness.get_token("barbara-app", "wrong").await.unwrap_err()["error"],
        "invalid_client"
    );
    assert_eq!(
        harness.get_token("nobody", "x").await.unwrap_err()["error"],
        "unauthorized_client"
    );
}

#[tokio::test]
async fn api_versions_like_arm() {
    let harness = Harness::new().await;
    let base = policy_path("default");
    let without = base.split('?').next().unwrap();
    assert_eq!(
        harness.call("GET", without, None).await.body["error"]["code"],
        "MissingApiVersionParameter"
    );
    let wrong = harness
        .call("GET", &format!("{without}?api-version=2019-01-01"), None)
        .await;
    assert_eq!(
        (wrong.status, wrong.body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidApiVersionParameter"))
    );
}

#[tokio::test]
async fn bad_input_never_panics() {
    let harness = Harness::new().await;
    let path = policy_path("default");
    let malformed = harness
        .call_with(
            "PUT",
            &path,
            Some("{\"properties\": ".to_owned()),
            harness.token.as_deref(),
        )
        .await;
    assert_eq!(malformed.body["error"]["code"], "InvalidRequestContent");
    let huge = "x".repeat(jit_emulator::MAX_BODY_BYTES + 1);
    let huge = harness
        .call_with("PUT", &path, Some(huge), harness.token.as_deref())
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    for unknown in [
        "/nothing/here",
        "/subscriptions",
        &format!("/subscriptions/{SUB}/providers/Microsoft.Unknown/things?api-version=2020-01-01"),
        &format!(
            "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Security/locations/{LOCATION}/jitNetworkAccessPolicies/x/revoke?api-version=2020-01-01"
        ),
    ] {
        let reply = harness.call("GET", unknown, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{unknown}");
    }
    let missing = harness.call("GET", &path, None).await;
    assert_eq!(
        (missing.status, missing.body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("ResourceNotFound"))
    );
    let bad_sub = harness.call("GET", "/subscriptions/not-a-guid/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01", None).await;
    assert_eq!(bad_sub.status, StatusCode::BAD_REQUEST);
    let patch = harness.call("PATCH", &path, Some(json!({}))).await;
    assert_eq!(patch.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn faults_are_injected_and_then_recover() {
    let harness = Harness::new().await;
    let path = policy_path("default");
    let arm = |spec: Value| harness.admin("POST", "/_emulator/faults", spec);
    assert_eq!(arm(json!({"method": "GET", "path": "/subscriptions/*", "count": 2, "kind": "throttle", "retryAfterSeconds": 7})).await.status, StatusCode::CREATED);
    for _ in 0..2 {
        let reply = harness.call("GET", &path, None).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(reply.headers["retry-after"], "7");
    }
    assert_eq!(
        harness.call("GET", &path, None).await.status,
        StatusCode::NOT_FOUND,
        "recovered"
    );

    arm(json!({"path": "*jitNetworkAccessPolicies/*", "kind": "status", "status": 503})).await;
    assert_eq!(
        harness.call("GET", &path, None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );

    arm(json!({"path": "*", "kind": "drop"})).await;
    let request = Request::get(path.clone()).body(Body::empty()).unwrap();
    assert!(
        harness.service.clone().oneshot(request).await.is_err(),
        "connection dropped"
    );

    arm(json!({"path": "*", "kind": "latency", "millis": 1})).await;
    assert_eq!(
        harness.call("GET", &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        harness
            .admin("GET", "/_emulator/faults", json!({}))
            .await
            .body["value"],
        json!([])
    );
}

#[tokio::test]
async fn state_is_identical_after_a_restart_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let config = jit_emulator::Config {
        clients: vec![BARBARA.parse().unwrap()],
        state_file: Some(dir.path().join("state.json")),
        ..Default::default()
    };
    let before = {
        let harness = Harness::with_config(config.clone()).await;
        harness.freeze(NOW).await;
        let vm = harness.seed_vm("vm1", true).await;
        harness
            .call(
                "PUT",
                &policy_path("default"),
                Some(policy_body(&vm, &[(22, "*", "PT3H")])),
            )
            .await;
        harness
            .call(
                "POST",
                &initiate_path("default"),
                Some(initiate_body(
                    &vm,
                    22,
                    "2030-01-01T11:00:00Z",
                    Some("203.0.113.7"),
                )),
            )
            .await;
        harness
            .admin("GET", "/_emulator/state", json!({}))
            .await
            .body
    };
    let harness = Harness::with_config(config).await;
    assert_eq!(
        harness
            .admin("GET", "/_emulator/state", json!({}))
            .await
            .body,
        before
    );
    // The token issued before the restart is still valid (same clients, same key).
    assert_eq!(
        harness
            .call("GET", &policy_path("default"), None)
            .await
            .status,
        StatusCode::OK
    );
}

async fn request_counts(harness: &Harness) -> Value {
    let reply = harness.admin("GET", "/_emulator/requests", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

fn no_requests(token_requests: u64) -> Value {
    json!({"requests": [], "tokenRequests": token_requests})
}

#[tokio::test]
async fn arm_requests_are_counted_by_lower_cased_path_and_method() {
    // The harness has fetched one token; seeding is an admin call and is not counted.
    let harness = Harness::new().await;
    let vm = harness.seed_vm("vm1", true).await;
    assert_eq!(request_counts(&harness).await, no_requests(1));

    let path = policy_path("default");
    let put = harness
        .call("PUT", &path, Some(policy_body(&vm, &[(22, "*", "PT3H")])))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:#}", put.body);
    assert_eq!(
        harness.call("GET", &path, None).await.status,
        StatusCode::OK
    );
    let shouting = path.replace("resourceGroups/myRg1", "RESOURCEGROUPS/MYRG1");
    assert_eq!(
        harness.call("GET", &shouting, None).await.status,
        StatusCode::OK
    );
    let list = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01"
    );
    assert_eq!(
        harness.call("GET", &list, None).await.status,
        StatusCode::OK
    );
    harness
        .get_token("barbara-app", "barbara-secret")
        .await
        .unwrap();

    let policy = format!(
        "/subscriptions/{SUB}/resourcegroups/myrg1/providers/microsoft.security/locations/westeurope/jitnetworkaccesspolicies/default"
    );
    let list =
        format!("/subscriptions/{SUB}/providers/microsoft.security/jitnetworkaccesspolicies");
    assert_eq!(
        request_counts(&harness).await,
        json!({
            "requests": [
                {"method": "GET", "path": list, "count": 1},
                {"method": "GET", "path": policy, "count": 2},
                {"method": "PUT", "path": policy, "count": 1},
            ],
            "tokenRequests": 2,
        })
    );
}

#[tokio::test]
async fn faulted_requests_are_counted() {
    let harness = Harness::new().await;
    let path = policy_path("default");
    for spec in [
        json!({"method": "GET", "path": "/subscriptions/*", "kind": "throttle"}),
        json!({"method": "DELETE", "path": "/subscriptions/*", "kind": "drop"}),
    ] {
        let reply = harness.admin("POST", "/_emulator/faults", spec).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    assert_eq!(
        harness.call("GET", &path, None).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let request = Request::delete(path.clone()).body(Body::empty()).unwrap();
    assert!(harness.service.clone().oneshot(request).await.is_err());
    let policy = path.split('?').next().unwrap().to_ascii_lowercase();
    assert_eq!(
        request_counts(&harness).await,
        json!({
            "requests": [
                {"method": "DELETE", "path": policy, "count": 1},
                {"method": "GET", "path": policy, "count": 1},
            ],
            "tokenRequests": 1,
        })
    );
}

#[tokio::test]
async fn request_counters_are_zeroed_by_delete_and_by_reset() {
    let harness = Harness::new().await;
    let path = policy_path("default");
    harness.call("GET", &path, None).await;
    let reply = harness
        .admin("DELETE", "/_emulator/requests", json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(request_counts(&harness).await, no_requests(0));

    harness.call("GET", &path, None).await;
    harness
        .get_token("barbara-app", "barbara-secret")
        .await
        .unwrap();
    let counts = request_counts(&harness).await;
    assert_eq!(counts["requests"].as_array().unwrap().len(), 1, "{counts}");
    assert_eq!(counts["tokenRequests"], 1);
    let reply = harness.admin("POST", "/_emulator/reset", json!({})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(request_counts(&harness).await, no_requests(0));
}

#[tokio::test]
async fn admin_bodies_are_json_whatever_the_content_type() {
    let harness = Harness::new().await;
    let post = |path: &str, content_type: Option<&str>, body: &str| {
        let mut request = Request::post(path);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        harness.send(request.body(Body::from(body.to_owned())).unwrap())
    };
    // What `curl -d` sends.
    let form = Some("application/x-www-form-urlencoded");
    let vm = json!({"id": vm_id("vm1"), "location": LOCATION}).to_string();
    for content_type in [form, Some("text/plain"), None] {
        let reply = post("/_emulator/vms", content_type, &vm).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{content_type:?}: {:?}",
            reply.body
        );
    }
    let path = format!("{}?api-version=2024-05-01", vm_id("vm1"));
    assert_eq!(
        harness.call("GET", &path, None).await.status,
        StatusCode::OK
    );
    let clock = post(
        "/_emulator/clock",
        form,
        &json!({"freezeAt": NOW}).to_string(),
    )
    .await;
    assert_eq!(clock.status, StatusCode::OK, "{:?}", clock.body);
    assert_eq!(clock.body["now"], "2030-01-01T10:00:00.0000000Z");

    let refused = |reply: Reply| {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
        assert_eq!(reply.body["error"]["code"], "InvalidRequestContent");
        reply.body["error"]["message"].as_str().unwrap().to_owned()
    };
    let broken = refused(
        post(
            "/_emulator/vms",
            form,
            "{\"id\": \"x\",\n \"location\" \"x\"}",
        )
        .await,
    );
    assert!(
        broken.starts_with("the request body is not valid JSON: expected `:` at line 2 column "),
        "{broken}"
    );
    let shape = refused(post("/_emulator/vms", form, "{\"id\": \"x\"}").await);
    assert_eq!(
        shape,
        "the request body does not have the expected fields: missing field `location` at line 1 column 11"
    );
    let empty = refused(post("/_emulator/faults", form, " ").await);
    assert_eq!(empty, "the request body is empty; send a JSON object");
}
