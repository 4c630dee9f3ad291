//! The client against the emulator in this process (plain HTTP on loopback, authentication
//! off, a fixed token): paging, typed errors, retries of real 429/503 answers, request ids.

use std::sync::Arc;

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use jit_azure::auth::TokenSource;
use jit_azure::client::{ArmClient, Deadline, http_client};
use jit_azure::models::{
    JitInitiatePort, JitInitiateRequest, JitInitiateVirtualMachine, JitPolicy, JitPolicyProperties,
    JitPortRule, JitVirtualMachine,
};
use jit_azure::retry::RetryPolicy;
use jit_core::PolicyId;
use std::time::Duration;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

#[derive(Debug)]
struct FixedToken;

#[async_trait::async_trait]
impl TokenCredential for FixedToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            Secret::new("fixed"),
            time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        ))
    }
}

struct Running {
    client: ArmClient,
    emulator: Arc<jit_emulator::Emulator>,
    url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(page_size: usize) -> Running {
    let emulator = jit_emulator::Emulator::new(jit_emulator::Config {
        require_auth: false,
        page_size,
        ..Default::default()
    })
    .expect("an emulator");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(jit_emulator::serve(
        listener,
        jit_emulator::app(emulator.clone()),
        None,
        async {
            let _ = stopped.await;
        },
    ));
    let client = ArmClient::with_parts(
        http_client().expect("an HTTP client"),
        &url,
        TokenSource::from_credential(Arc::new(FixedToken), "scope/.default".to_owned()),
        RetryPolicy {
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        },
    )
    .expect("a client");
    Running {
        client,
        emulator,
        url,
        _stop: stop,
    }
}

fn vm(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}"
    )
}

fn policy(vm_id: String) -> JitPolicy {
    JitPolicy {
        id: None,
        name: None,
        resource_type: None,
        kind: Some("Basic".into()),
        location: Some("westeurope".into()),
        properties: JitPolicyProperties {
            virtual_machines: vec![JitVirtualMachine {
                id: vm_id,
                ports: vec![JitPortRule {
                    number: 22,
                    protocol: "TCP".into(),
                    allowed_source_address_prefix: Some("10.0.0.0/8".into()),
                    allowed_source_address_prefixes: None,
                    max_request_access_duration: "PT1H".into(),
                }],
                public_ip_address: None,
            }],
            requests: Vec::new(),
            provisioning_state: None,
        },
    }
}

fn id(name: &str) -> PolicyId {
    PolicyId {
        subscription_id: SUB.into(),
        resource_group: "rg".into(),
        location: "westeurope".into(),
        name: name.into(),
    }
}

async fn admin(url: &str, path: &str, body: serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .json(&body)
        .send()
        .await
        .expect("an admin call");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
}

fn deadline() -> Deadline {
    Deadline::after(Duration::from_secs(30), "test")
}

#[tokio::test]
async fn create_read_list_every_page_and_delete() {
    let running = start(3).await;
    for index in 0..7 {
        let name = format!("vm-{index}");
        admin(
            &running.url,
            "/_emulator/vms",
            serde_json::json!({"id": vm(&name), "location": "westeurope"}),
        )
        .await;
        let stored = running
            .client
            .put_policy(&id(&format!("p-{index}")), &policy(vm(&name)), &deadline())
            .await
            .expect("PUT");
        assert_eq!(
            stored.properties.provisioning_state.as_deref(),
            Some("Succeeded")
        );
    }
    let listed = running
        .client
        .list_policies_in_group_and_region(SUB, "rg", "westeurope", &deadline())
        .await
        .expect("list");
    assert_eq!(listed.len(), 7, "three pages of at most 3");
    let got = running
        .client
        .get_policy(&id("p-4"), &deadline())
        .await
        .expect("GET");
    assert_eq!(
        got.expect("p-4").properties.virtual_machines[0].id,
        vm("vm-4")
    );
    assert!(
        running
            .client
            .delete_policy(&id("p-4"), &deadline())
            .await
            .expect("DELETE")
    );
    assert!(
        !running
            .client
            .delete_policy(&id("p-4"), &deadline())
            .await
            .expect("DELETE again")
    );
    assert!(
        running
            .client
            .get_policy(&id("p-4"), &deadline())
            .await
            .expect("GET")
            .is_none()
    );
}

#[tokio::test]
async fn a_cloud_error_keeps_code_message_and_target() {
    let running = start(100).await;
    // No VM seeded: the emulator refuses a policy for a VM that does not exist.
    let err = running
        .client
        .put_policy(&id("p"), &policy(vm("ghost")), &deadline())
        .await
        .expect_err("an unknown VM is refused");
    let cloud = err.cloud_error().expect("a CloudError");
    assert!(!cloud.code.is_empty() && !cloud.message.is_empty(), "{err}");
    assert!(
        (400..500).contains(&err.status().unwrap_or_default()),
        "{err}"
    );
}

#[tokio::test]
async fn throttling_and_unavailability_are_retried() {
    let running = start(100).await;
    admin(
        &running.url,
        "/_emulator/vms",
        serde_json::json!({"id": vm("web"), "location": "westeurope"}),
    )
    .await;
    admin(&running.url, "/_emulator/faults", serde_json::json!({"method": "PUT", "path": "*", "count": 2, "kind": "status", "status": 503})).await;
    admin(&running.url, "/_emulator/faults", serde_json::json!({"method": "PUT", "path": "*", "count": 1, "kind": "throttle", "retryAfterSeconds": 0})).await;
    running
        .client
        .put_policy(&id("p"), &policy(vm("web")), &deadline())
        .await
        .expect("applied after the faults");
    assert_eq!(
        running.emulator.read(|state| state.policies.len()),
        1,
        "one policy, not several"
    );
}

#[tokio::test]
async fn initiate_opens_access_and_the_request_is_in_the_history() {
    let running = start(100).await;
    admin(
        &running.url,
        "/_emulator/vms",
        serde_json::json!({"id": vm("web"), "location": "westeurope"}),
    )
    .await;
    running
        .client
        .put_policy(&id("default"), &policy(vm("web")), &deadline())
        .await
        .expect("PUT");
    let end = (time::OffsetDateTime::now_utc() + time::Duration::minutes(30))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a time");
    let request = JitInitiateRequest {
        virtual_machines: vec![JitInitiateVirtualMachine {
            id: vm("web"),
            ports: vec![JitInitiatePort {
                number: 22,
                end_time_utc: end,
                allowed_source_address_prefix: Some("10.1.2.3".into()),
            }],
        }],
        justification: Some("INC-1".into()),
    };
    let answered = running
        .client
        .initiate(&id("default"), &request, &deadline())
        .await
        .expect("initiate");
    assert_eq!(answered.virtual_machines[0].ports[0].number, 22);
    let held = running
        .client
        .get_policy(&id("default"), &deadline())
        .await
        .expect("GET")
        .expect("the policy");
    let recorded = held
        .properties
        .requests
        .last()
        .expect("a request in the history");
    assert_eq!(recorded.justification.as_deref(), Some("INC-1"));
    assert_eq!(
        recorded.virtual_machines[0].ports[0]
            .allowed_source_address_prefix
            .as_deref(),
        Some("10.1.2.3")
    );
}

async fn arm_put(running: &Running, id: &str, body: serde_json::Value) {
    let response = reqwest::Client::new()
        .put(format!("{}{id}?api-version=2024-05-01", running.url))
        .json(&body)
        .send()
        .await
        .expect("a PUT");
    assert!(
        response.status().is_success(),
        "{id}: {}",
        response.status()
    );
}

fn network(kind: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/{kind}/{name}")
}

fn vm_with_nics(name: &str, nics: &[String]) -> jit_azure::compute::VirtualMachine {
    jit_azure::compute::VirtualMachine {
        id: vm(name),
        name: name.to_owned(),
        location: "westeurope".to_owned(),
        resource_group: "rg".to_owned(),
        os_type: None,
        network_interface_ids: nics.to_vec(),
    }
}

#[tokio::test]
async fn the_nsgs_of_a_vm_are_on_its_nics_and_their_subnets() {
    let running = start(100).await;
    let shared_nsg = network("networkSecurityGroups", "subnet-nsg");
    arm_put(
        &running,
        &shared_nsg,
        serde_json::json!({"location": "westeurope"}),
    )
    .await;
    let vnet = network("virtualNetworks", "net");
    arm_put(
        &running,
        &vnet,
        serde_json::json!({"location": "westeurope", "properties": {"subnets": [
            {"name": "guarded", "properties": {"networkSecurityGroup": {"id": shared_nsg}}},
            {"name": "open", "properties": {}}
        ]}}),
    )
    .await;
    let nic = |subnet: &str| {
        serde_json::json!({"location": "westeurope", "properties": {"ipConfigurations": [
            {"name": "ipconfig1", "properties": {"subnet": {"id": format!("{vnet}/subnets/{subnet}")}}}
        ]}})
    };
    arm_put(
        &running,
        &network("networkInterfaces", "in-guarded"),
        nic("guarded"),
    )
    .await;
    arm_put(
        &running,
        &network("networkInterfaces", "in-open"),
        nic("open"),
    )
    .await;
    admin(
        &running.url,
        "/_emulator/vms",
        serde_json::json!({"id": vm("seeded"), "location": "westeurope"}),
    )
    .await;

    let client = &running.client;
    let by_subnet = vm_with_nics("a", &[network("networkInterfaces", "in-guarded")]);
    assert_eq!(
        client
            .network_security_groups_of(&by_subnet, &deadline())
            .await
            .expect("read"),
        std::slice::from_ref(&shared_nsg)
    );
    let open = vm_with_nics(
        "b",
        &[
            network("networkInterfaces", "in-open"),
            network("networkInterfaces", "gone"),
        ],
    );
    assert!(
        client
            .network_security_groups_of(&open, &deadline())
            .await
            .expect("read")
            .is_empty(),
        "an open subnet and a NIC that no longer exists: no NSG"
    );
    let seeded = vm_with_nics("seeded", &[network("networkInterfaces", "seeded-nic")]);
    assert_eq!(
        client
            .network_security_groups_of(&seeded, &deadline())
            .await
            .expect("read"),
        [network("networkSecurityGroups", "seeded-nsg")]
    );
}

#[tokio::test]
async fn virtual_machines_are_listed_every_page_with_their_os_and_nics() {
    let running = start(2).await;
    for (name, os) in [("vm-a", "Linux"), ("vm-b", "Windows"), ("vm-c", "Linux")] {
        admin(
            &running.url,
            "/_emulator/vms",
            serde_json::json!({"id": vm(name), "location": "westeurope", "osType": os}),
        )
        .await;
    }
    admin(
        &running.url,
        "/_emulator/vms",
        serde_json::json!({"id": vm("vm-d").replace("/rg/", "/other/"), "location": "northeurope"}),
    )
    .await;
    let all = running
        .client
        .list_virtual_machines(SUB, None, &deadline())
        .await
        .expect("list");
    let names: Vec<&str> = all.iter().map(|vm| vm.name.as_str()).collect();
    assert_eq!(
        names,
        ["vm-d", "vm-a", "vm-b", "vm-c"],
        "two pages, in id order"
    );
    let vm_b = &all[2];
    assert_eq!(vm_b.os_type.as_deref(), Some("Windows"));
    assert_eq!(vm_b.resource_group, "rg");
    assert_eq!(vm_b.location, "westeurope");
    assert_eq!(
        vm_b.network_interface_ids,
        [network("networkInterfaces", "vm-b-nic")]
    );
    let in_group = running
        .client
        .list_virtual_machines(SUB, Some("other"), &deadline())
        .await
        .expect("list");
    assert_eq!(in_group.len(), 1);
    assert_eq!(in_group[0].location, "northeurope");
}

#[tokio::test]
async fn the_inventory_reads_the_network_only_for_vms_no_policy_lists() {
    let running = start(2).await;
    for name in ["web", "spare", "spare-2"] {
        admin(
            &running.url,
            "/_emulator/vms",
            serde_json::json!({"id": vm(name), "location": "westeurope"}),
        )
        .await;
    }
    admin(
        &running.url,
        "/_emulator/vms",
        serde_json::json!({"id": vm("legacy"), "location": "westeurope", "nsg": false}),
    )
    .await;
    running
        .client
        .put_policy(&id("default"), &policy(vm("web")), &deadline())
        .await
        .expect("PUT");
    let end = (time::OffsetDateTime::now_utc() + time::Duration::minutes(30))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a time");
    running
        .client
        .initiate(
            &id("default"),
            &JitInitiateRequest {
                virtual_machines: vec![JitInitiateVirtualMachine {
                    id: vm("web"),
                    ports: vec![JitInitiatePort {
                        number: 22,
                        end_time_utc: end,
                        allowed_source_address_prefix: Some("10.0.0.1".into()),
                    }],
                }],
                justification: None,
            },
            &deadline(),
        )
        .await
        .expect("initiate");
    running.emulator.requests.clear();

    let rows = jit_azure::inventory::inventory(
        &running.client,
        SUB,
        Some("rg"),
        Some("West Europe"),
        time::OffsetDateTime::now_utc(),
        &deadline(),
    )
    .await
    .expect("inventory");
    let summary: Vec<(&str, &str)> = rows
        .iter()
        .map(|row| (row.name.as_str(), row.status.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("legacy", "unsupported"),
            ("spare", "not_configured"),
            ("spare-2", "not_configured"),
            ("web", "configured")
        ]
    );
    assert_eq!(rows[3].approved_requests_last_7_days, 1);
    assert_eq!(rows[3].last_user.as_deref(), Some("anonymous"));
    assert_eq!(rows[3].ports, [22]);

    let calls = running.emulator.requests.snapshot();
    let count = |fragment: &str| -> u64 {
        calls
            .requests
            .iter()
            .filter(|entry| entry.path.contains(fragment))
            .map(|entry| entry.count)
            .sum()
    };
    assert_eq!(
        count("/jitnetworkaccesspolicies"),
        1,
        "one page of policies"
    );
    assert_eq!(count("/virtualmachines"), 2, "two pages of VMs");
    assert_eq!(
        count("/networkinterfaces/"),
        3,
        "one NIC per VM no policy lists"
    );
    assert_eq!(
        count("/networkinterfaces/web-nic"),
        0,
        "none for the configured VM"
    );
}
