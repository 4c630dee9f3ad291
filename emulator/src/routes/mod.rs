//! HTTP routes: admin, token, and one dispatcher for every ARM path.
//!
//! ARM paths are matched by hand, case-insensitively (ARM treats `resourceGroups` and
//! `resourcegroups` alike), so that unknown types get ARM's 404 shape instead of axum's.
//! The order of checks is ARM's: authentication, then the path, then `api-version`, then the body.

pub mod admin;
pub mod initiate;
pub mod jit_policies;
pub mod resources;
pub mod token;

use crate::Emulator;
use crate::arm_error::ArmError;
use crate::auth::TokenError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The only api-version of the JIT API the emulator serves.
pub const JIT_API_VERSION: &str = jit_core::limits::API_VERSION;

/// Builds the router (see [`crate::router`]).
pub fn router(emulator: Arc<Emulator>) -> Router {
    Router::new()
        .route("/_emulator/health", get(admin::health))
        .route("/_emulator/reset", post(admin::reset))
        .route("/_emulator/state", get(admin::dump).put(admin::load))
        .route("/_emulator/clock", get(admin::clock).post(admin::set_clock))
        .route(
            "/_emulator/faults",
            get(admin::faults)
                .post(admin::add_fault)
                .delete(admin::clear_faults),
        )
        .route(
            "/_emulator/config",
            get(admin::config).post(admin::set_config),
        )
        .route("/_emulator/vms", post(admin::seed_vm))
        .route(
            "/_emulator/requests",
            get(admin::requests).delete(admin::clear_requests),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .fallback(arm)
        .with_state(emulator)
}

/// What the caller is: the requestor name and the source address.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's `name` claim (the requestor recorded in history).
    pub requestor: String,
    /// The peer address, used when initiate gives no source prefix.
    pub ip: IpAddr,
}

/// A JIT policy path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyPath {
    /// Subscription id.
    pub subscription: String,
    /// Resource group.
    pub resource_group: String,
    /// `ascLocation`.
    pub location: String,
    /// Policy name.
    pub name: String,
}

impl PolicyPath {
    /// The policy's ARM id.
    pub fn id(&self) -> String {
        jit_core::PolicyId {
            subscription_id: self.subscription.clone(),
            resource_group: self.resource_group.clone(),
            location: self.location.clone(),
            name: self.name.clone(),
        }
        .to_string()
    }
}

/// The Compute and Network resource types the emulator stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// `Microsoft.Compute/virtualMachines`.
    VirtualMachine,
    /// `Microsoft.Network/networkInterfaces`.
    NetworkInterface,
    /// `Microsoft.Network/networkSecurityGroups`.
    NetworkSecurityGroup,
    /// `Microsoft.Network/virtualNetworks`.
    VirtualNetwork,
}

impl ResourceKind {
    /// `Namespace/type`, canonical casing.
    pub fn type_name(self) -> &'static str {
        match self {
            ResourceKind::VirtualMachine => "Microsoft.Compute/virtualMachines",
            ResourceKind::NetworkInterface => "Microsoft.Network/networkInterfaces",
            ResourceKind::NetworkSecurityGroup => "Microsoft.Network/networkSecurityGroups",
            ResourceKind::VirtualNetwork => "Microsoft.Network/virtualNetworks",
        }
    }
}

/// An ARM path the emulator understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// One of the four list operations.
    ListPolicies {
        /// Subscription id.
        subscription: String,
        /// Resource group filter.
        resource_group: Option<String>,
        /// Location filter.
        location: Option<String>,
    },
    /// Get, create or update, delete.
    Policy(PolicyPath),
    /// `.../{name}/initiate`.
    Initiate(PolicyPath),
    /// A Compute/Network resource.
    Resource {
        /// Its type.
        kind: ResourceKind,
        /// Its canonical id.
        id: String,
        /// Its resource group.
        resource_group: String,
        /// Its name.
        name: String,
    },
    /// The list of a Compute/Network type at subscription or resource-group scope
    /// (`.../providers/Microsoft.Compute/virtualMachines`).
    ListResources {
        /// Its type.
        kind: ResourceKind,
        /// Subscription id.
        subscription: String,
        /// Resource group filter.
        resource_group: Option<String>,
    },
    /// `.../networkSecurityGroups/{nsg}/securityRules[/{rule}]`.
    SecurityRules {
        /// The NSG id.
        nsg_id: String,
        /// A rule name, or `None` to list.
        rule: Option<String>,
    },
}

impl Route {
    fn is_jit(&self) -> bool {
        matches!(
            self,
            Route::ListPolicies { .. } | Route::Policy(_) | Route::Initiate(_)
        )
    }
}

/// Parses an ARM path, or says why it is not one the emulator serves.
pub fn parse_route(path: &str, api_version: &str) -> Result<Route, ArmError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let is = |segment: &str, expected: &str| segment.eq_ignore_ascii_case(expected);
    let not_found = || ArmError::not_found(path);
    if segments.len() < 2
        || !is(segments[0], "subscriptions")
        || segments.iter().any(|s| s.is_empty())
    {
        return Err(not_found());
    }
    let subscription = segments[1].to_owned();
    if !jit_core::is_guid(&subscription) {
        return Err(ArmError::new(
            StatusCode::BAD_REQUEST,
            "InvalidSubscriptionId",
            format!(
                "The provided subscription identifier '{subscription}' is malformed or invalid."
            ),
        ));
    }
    let (resource_group, rest) = match &segments[2..] {
        [group, name, rest @ ..] if is(group, "resourceGroups") => (Some(name.to_string()), rest),
        rest => (None, rest),
    };
    let [providers, namespace, tail @ ..] = rest else {
        return Err(not_found());
    };
    if !is(providers, "providers") {
        return Err(not_found());
    }
    let unknown_type = || {
        let type_name = tail.first().copied().unwrap_or("");
        ArmError::invalid_resource_type(namespace, type_name, api_version)
    };
    if is(namespace, "Microsoft.Security") {
        let (location, tail) = match tail {
            [locations, location, tail @ ..] if is(locations, "locations") => {
                (Some(location.to_string()), tail)
            }
            tail => (None, tail),
        };
        let [kind, tail @ ..] = tail else {
            return Err(unknown_type());
        };
        if !is(kind, "jitNetworkAccessPolicies") {
            return Err(unknown_type());
        }
        let policy = |name: &str| -> Result<PolicyPath, ArmError> {
            match (&resource_group, &location) {
                (Some(group), Some(location)) => Ok(PolicyPath {
                    subscription: subscription.clone(),
                    resource_group: group.clone(),
                    location: location.clone(),
                    name: name.to_owned(),
                }),
                _ => Err(not_found()),
            }
        };
        return match tail {
            [] => Ok(Route::ListPolicies {
                subscription,
                resource_group,
                location,
            }),
            [name] => Ok(Route::Policy(policy(name)?)),
            [name, action] if is(action, jit_core::limits::INITIATE_ACTION) => {
                Ok(Route::Initiate(policy(name)?))
            }
            _ => Err(not_found()),
        };
    }
    let kind = match (
        namespace.to_ascii_lowercase().as_str(),
        tail.first().map(|t| t.to_ascii_lowercase()),
    ) {
        ("microsoft.compute", Some(t)) if t == "virtualmachines" => ResourceKind::VirtualMachine,
        ("microsoft.network", Some(t)) if t == "networkinterfaces" => {
            ResourceKind::NetworkInterface
        }
        ("microsoft.network", Some(t)) if t == "networksecuritygroups" => {
            ResourceKind::NetworkSecurityGroup
        }
        ("microsoft.network", Some(t)) if t == "virtualnetworks" => ResourceKind::VirtualNetwork,
        _ => return Err(unknown_type()),
    };
    if let [_] = tail {
        return Ok(Route::ListResources {
            kind,
            subscription,
            resource_group,
        });
    }
    let Some(group) = resource_group else {
        return Err(unknown_type());
    };
    let id = |name: &str| {
        format!(
            "/subscriptions/{subscription}/resourceGroups/{group}/providers/{}/{name}",
            kind.type_name()
        )
    };
    match tail {
        [_, name] => Ok(Route::Resource {
            kind,
            id: id(name),
            resource_group: group.clone(),
            name: name.to_string(),
        }),
        [_, name, rules]
            if kind == ResourceKind::NetworkSecurityGroup && is(rules, "securityRules") =>
        {
            Ok(Route::SecurityRules {
                nsg_id: id(name),
                rule: None,
            })
        }
        [_, name, rules, rule]
            if kind == ResourceKind::NetworkSecurityGroup && is(rules, "securityRules") =>
        {
            Ok(Route::SecurityRules {
                nsg_id: id(name),
                rule: Some(rule.to_string()),
            })
        }
        _ => Err(not_found()),
    }
}

/// Whether `version` looks like an ARM api-version (`2024-05-01`, `2024-05-01-preview`).
fn is_date_version(version: &str) -> bool {
    let date = version.strip_suffix("-preview").unwrap_or(version);
    let bytes = date.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

fn check_api_version(route: &Route, version: Option<&str>) -> Result<(), ArmError> {
    let Some(version) = version else {
        return Err(ArmError::new(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let supported = if route.is_jit() {
        version == JIT_API_VERSION
    } else {
        is_date_version(version)
    };
    if supported {
        return Ok(());
    }
    let expected = if route.is_jit() {
        JIT_API_VERSION
    } else {
        "any date-shaped version, such as 2024-05-01"
    };
    Err(ArmError::new(
        StatusCode::BAD_REQUEST,
        "InvalidApiVersionParameter",
        format!("The api-version '{version}' is invalid. The supported versions are '{expected}'."),
    ))
}

/// The caller's identity from the `Authorization` header, or ARM's 401.
fn authenticate(emulator: &Emulator, request: &Request) -> Result<String, ArmError> {
    let header = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    match emulator.authority.verify(header, now) {
        Ok(claims) => Ok(claims.name),
        Err(_) if !emulator.config.require_auth => Ok("anonymous".to_owned()),
        Err(error) => {
            let mut arm = ArmError::new(StatusCode::UNAUTHORIZED, error.code(), error.to_string());
            let description = match error {
                TokenError::Missing | TokenError::Malformed => None,
                _ => Some("error=\"invalid_token\", "),
            };
            arm.www_authenticate = Some(format!(
                "Bearer authorization_uri=\"/common/oauth2/authorize\", {}error_description=\"{}\"",
                description.unwrap_or(""),
                error.code()
            ));
            Err(arm)
        }
    }
}

/// The fallback handler: every ARM path.
async fn arm(State(emulator): State<Arc<Emulator>>, request: Request) -> Response {
    match dispatch(&emulator, request).await {
        Ok(response) => response,
        Err(error) => {
            if error.status.is_server_error() {
                tracing::error!(%error, "request failed");
            }
            error.into_response()
        }
    }
}

async fn dispatch(emulator: &Arc<Emulator>, request: Request) -> Result<Response, ArmError> {
    let requestor = authenticate(emulator, &request)?;
    let query: HashMap<String, String> = Query::try_from_uri(request.uri())
        .map(|Query(query)| query)
        .unwrap_or_default();
    let api_version = query.get("api-version").map(String::as_str);
    let route = parse_route(request.uri().path(), api_version.unwrap_or(""))?;
    check_api_version(&route, api_version)?;
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |ConnectInfo(peer)| {
            peer.ip()
        });
    let caller = Caller {
        requestor,
        ip: ip.to_canonical(),
    };
    let method = request.method().clone();
    let page = Page::from_request(emulator, &request, &query);
    let body = read_body(request).await?;
    match (route, method) {
        (
            Route::ListPolicies {
                subscription,
                resource_group,
                location,
            },
            Method::GET,
        ) => Ok(jit_policies::list(
            emulator,
            &subscription,
            resource_group.as_deref(),
            location.as_deref(),
            &page,
        )),
        (Route::Policy(path), Method::GET) => jit_policies::get(emulator, &path),
        (Route::Policy(path), Method::PUT) => {
            jit_policies::put(emulator, &path, &parse_json(&body)?)
        }
        (Route::Policy(path), Method::DELETE) => Ok(jit_policies::delete(emulator, &path)),
        (Route::Initiate(path), Method::POST) => {
            initiate::initiate(emulator, &path, &parse_json(&body)?, &caller)
        }
        (
            Route::Resource {
                kind,
                id,
                resource_group,
                name,
            },
            method,
        ) => match method {
            Method::GET => resources::get(emulator, kind, &id, &resource_group, &name),
            Method::PUT => resources::put(emulator, kind, &id, &name, &parse_json(&body)?),
            Method::DELETE => Ok(resources::delete(emulator, &id)),
            method => Err(ArmError::method_not_allowed(
                method.as_str(),
                kind.type_name(),
            )),
        },
        (
            Route::ListResources {
                kind,
                subscription,
                resource_group,
            },
            Method::GET,
        ) => Ok(resources::list(
            emulator,
            kind,
            &subscription,
            resource_group.as_deref(),
            &page,
        )),
        (Route::ListResources { kind, .. }, method) => Err(ArmError::method_not_allowed(
            method.as_str(),
            kind.type_name(),
        )),
        (Route::SecurityRules { nsg_id, rule }, Method::GET) => {
            resources::security_rules(emulator, &nsg_id, rule.as_deref())
        }
        (Route::SecurityRules { .. }, method) => Err(ArmError::method_not_allowed(
            method.as_str(),
            "Microsoft.Network/networkSecurityGroups/securityRules",
        )),
        (_, method) => Err(ArmError::method_not_allowed(
            method.as_str(),
            jit_core::limits::RESOURCE_TYPE,
        )),
    }
}

/// Paging parameters of a list call.
#[derive(Debug, Clone)]
pub struct Page {
    /// Index of the first item.
    pub skip: usize,
    /// Items per page.
    pub size: usize,
    /// The URL of this list without query, for `nextLink`.
    pub base_url: String,
    /// The request's `api-version`, which `nextLink` repeats (ARM's links carry the version
    /// of the call that made them, and Compute's differs from JIT's).
    pub api_version: String,
}

impl Page {
    fn from_request(
        emulator: &Emulator,
        request: &Request,
        query: &HashMap<String, String>,
    ) -> Self {
        let host = request
            .headers()
            .get(axum::http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("localhost");
        let scheme = if emulator.config.tls { "https" } else { "http" };
        Page {
            skip: query
                .get("$skipToken")
                .and_then(|token| token.parse().ok())
                .unwrap_or(0),
            size: emulator
                .page_size
                .load(std::sync::atomic::Ordering::Relaxed)
                .max(1),
            base_url: format!("{scheme}://{host}{}", request.uri().path()),
            api_version: query
                .get("api-version")
                .cloned()
                .unwrap_or_else(|| JIT_API_VERSION.to_owned()),
        }
    }

    /// `nextLink` for the page after this one.
    pub fn next_link(&self) -> String {
        format!(
            "{}?api-version={}&%24skipToken={}",
            self.base_url,
            self.api_version,
            self.skip + self.size
        )
    }
}

async fn read_body(request: Request) -> Result<Bytes, ArmError> {
    axum::body::to_bytes(request.into_body(), crate::MAX_BODY_BYTES)
        .await
        .map_err(|_| ArmError::too_large(crate::MAX_BODY_BYTES))
}

/// Parses a JSON body, answering ARM's `InvalidRequestContent` for bad JSON.
fn parse_json(body: &[u8]) -> Result<Value, ArmError> {
    if body.is_empty() {
        return Err(ArmError::invalid_content(
            "The request content was invalid and could not be deserialized: the body is empty.",
            "",
        ));
    }
    serde_json::from_slice(body).map_err(|error| {
        ArmError::invalid_content(
            format!("The request content was invalid and could not be deserialized: '{error}'."),
            "",
        )
    })
}

/// A JSON response with a status.
pub fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )],
        bytes,
    )
        .into_response()
}
