//! Counts the ARM requests the emulator serves, per method and path, and the token requests.
//!
//! ARM holds every caller to a request quota, so a client that is cheap against the emulator
//! is cheap against Azure only if someone counts its calls: `GET /_emulator/requests` lets a
//! test assert a call budget, and the token count shows whether a client caches its tokens.
//! Faulted requests count too, as ARM counts throttled calls against the quota.

use axum::http::Method;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a request is, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A call to an admin endpoint (`/_emulator/...`): not counted.
    Admin,
    /// A call to the token endpoint (`/{tenant}/oauth2/v2.0/token`).
    Token,
    /// Anything else: what ARM would count.
    Arm,
}

impl RequestKind {
    /// Classifies a request path the way the router does (the token route matches exactly,
    /// with the case it is declared in).
    pub fn of(path: &str) -> RequestKind {
        if path.starts_with("/_emulator/") {
            return RequestKind::Admin;
        }
        let mut segments = path.split('/');
        let is_token = segments.next() == Some("")
            && segments.next().is_some_and(|tenant| !tenant.is_empty())
            && segments.next() == Some("oauth2")
            && segments.next() == Some("v2.0")
            && segments.next() == Some("token")
            && segments.next().is_none();
        if is_token {
            RequestKind::Token
        } else {
            RequestKind::Arm
        }
    }
}

/// The counts of one method on one path, as `GET /_emulator/requests` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCount {
    /// The HTTP method.
    pub method: String,
    /// The path without query, ASCII-lower-cased (ARM paths are case-insensitive).
    pub path: String,
    /// How many requests.
    pub count: u64,
}

/// The body of `GET /_emulator/requests`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCounts {
    /// ARM requests, sorted by path, then method.
    pub requests: Vec<RequestCount>,
    /// Requests to the token endpoint.
    pub token_requests: u64,
}

/// The counters.
#[derive(Debug, Default)]
pub struct RequestCounter {
    arm: Mutex<ArmCounts>,
    tokens: AtomicU64,
}

#[derive(Debug, Default)]
struct ArmCounts {
    /// Per lower-cased path, the count per method (a path sees few methods: a list beats a map).
    by_path: HashMap<String, Vec<(Method, u64)>>,
    /// The lower-cased path of the request being counted; reused so that counting a request
    /// on a path already seen allocates nothing.
    scratch: String,
}

impl RequestCounter {
    /// Counts one request, unless it is an admin request.
    pub fn count(&self, method: &Method, path: &str) {
        match RequestKind::of(path) {
            RequestKind::Admin => {}
            RequestKind::Token => {
                self.tokens.fetch_add(1, Ordering::Relaxed);
            }
            RequestKind::Arm => self.count_arm(method, path),
        }
    }

    fn count_arm(&self, method: &Method, path: &str) {
        let mut counts = self.lock();
        let ArmCounts { by_path, scratch } = &mut *counts;
        scratch.clear();
        scratch.push_str(path);
        scratch.make_ascii_lowercase();
        let Some(methods) = by_path.get_mut(scratch.as_str()) else {
            by_path.insert(scratch.clone(), vec![(method.clone(), 1)]);
            return;
        };
        match methods.iter_mut().find(|(known, _)| known == method) {
            Some((_, count)) => *count += 1,
            None => methods.push((method.clone(), 1)),
        }
    }

    /// The counts so far, sorted by path, then method.
    pub fn snapshot(&self) -> RequestCounts {
        let mut requests: Vec<RequestCount> = {
            let counts = self.lock();
            counts
                .by_path
                .iter()
                .flat_map(|(path, methods)| {
                    methods.iter().map(|(method, count)| RequestCount {
                        method: method.as_str().to_owned(),
                        path: path.clone(),
                        count: *count,
                    })
                })
                .collect()
        };
        requests.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.method.cmp(&b.method)));
        RequestCounts {
            requests,
            token_requests: self.tokens.load(Ordering::Relaxed),
        }
    }

    /// Zeroes every counter.
    pub fn clear(&self) {
        self.lock().by_path.clear();
        self.tokens.store(0, Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ArmCounts> {
        // Counts cannot be left inconsistent by a panic in between (each update is one
        // increment or one insert), so poisoning is ignored.
        self.arm
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(RequestKind::of("/_emulator/health"), RequestKind::Admin);
        assert_eq!(RequestKind::of("/t/oauth2/v2.0/token"), RequestKind::Token);
        // What the router does not send to the token handler is not a token request.
        assert_eq!(RequestKind::of("//oauth2/v2.0/token"), RequestKind::Arm);
        assert_eq!(RequestKind::of("/t/oauth2/v2.0/token/"), RequestKind::Arm);
        assert_eq!(RequestKind::of("/t/OAuth2/v2.0/token"), RequestKind::Arm);
        assert_eq!(RequestKind::of("/a/t/oauth2/v2.0/token"), RequestKind::Arm);
        assert_eq!(RequestKind::of("/_emulator"), RequestKind::Arm);
        assert_eq!(RequestKind::of("/subscriptions/x"), RequestKind::Arm);
    }

    #[test]
    fn counts_by_lower_cased_path_then_method() {
        let counter = RequestCounter::default();
        counter.count(&Method::PUT, "/B/X");
        counter.count(&Method::GET, "/b/x");
        counter.count(&Method::GET, "/B/x");
        counter.count(&Method::DELETE, "/a");
        counter.count(&Method::GET, "/_emulator/requests");
        counter.count(&Method::POST, "/t/oauth2/v2.0/token");
        let count = |method: &str, path: &str, count| RequestCount {
            method: method.to_owned(),
            path: path.to_owned(),
            count,
        };
        assert_eq!(
            counter.snapshot(),
            RequestCounts {
                requests: vec![
                    count("DELETE", "/a", 1),
                    count("GET", "/b/x", 2),
                    count("PUT", "/b/x", 1),
                ],
                token_requests: 1,
            }
        );
        counter.clear();
        assert_eq!(counter.snapshot(), RequestCounts::default());
    }
}
