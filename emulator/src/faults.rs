//! Faults on demand: for the next N requests matching a method and a path pattern, answer
//! 429 with `Retry-After`, 500/503, add latency, or drop the connection.
//!
//! This is how the provider's retry policy is tested. Faults never apply to `/_emulator/`
//! paths, so a test can always clear them.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// One fault rule as posted to `/_emulator/faults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultSpec {
    /// HTTP method to match (`*` or absent: any), case-insensitive.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern; `*` matches any run of characters, `/` included. Case-insensitive.
    pub path: String,
    /// How many matching requests get the fault.
    #[serde(default = "one")]
    pub count: u32,
    /// What happens to them.
    #[serde(flatten)]
    pub action: FaultAction,
}

fn one() -> u32 {
    1
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FaultAction {
    /// 429 `TooManyRequests` with `Retry-After`.
    Throttle {
        /// Seconds in `Retry-After`.
        #[serde(default = "one_u64", rename = "retryAfterSeconds")]
        retry_after_seconds: u64,
    },
    /// An error status (500 or 503 in practice; any 4xx/5xx is accepted).
    Status {
        /// The HTTP status.
        status: u16,
        /// Optional `Retry-After` seconds.
        #[serde(default, rename = "retryAfterSeconds")]
        retry_after_seconds: Option<u64>,
    },
    /// Waits, then serves the request normally.
    Latency {
        /// Milliseconds to wait.
        millis: u64,
    },
    /// Closes the connection without an answer.
    Drop,
}

fn one_u64() -> u64 {
    1
}

/// A fault with its id and remaining count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveFault {
    /// Id for listing.
    pub id: u64,
    /// Requests left to affect.
    pub remaining: u32,
    /// The rule.
    #[serde(flatten)]
    pub spec: FaultSpec,
}

/// The fault table.
#[derive(Debug, Default)]
pub struct Faults {
    faults: Mutex<Vec<ActiveFault>>,
    /// Lets the hot path skip the mutex when no fault is set.
    any: AtomicBool,
    next_id: AtomicU64,
}

impl Faults {
    /// Adds a fault; returns it with its id.
    pub fn add(&self, spec: FaultSpec) -> ActiveFault {
        let fault = ActiveFault {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            remaining: spec.count,
            spec,
        };
        let mut faults = self.lock();
        faults.push(fault.clone());
        self.any.store(true, Ordering::Release);
        fault
    }

    /// The faults still armed.
    pub fn list(&self) -> Vec<ActiveFault> {
        self.lock().clone()
    }

    /// Removes all faults.
    pub fn clear(&self) {
        let mut faults = self.lock();
        faults.clear();
        self.any.store(false, Ordering::Release);
    }

    /// Takes one use of the first fault matching this request, if any.
    pub fn take(&self, method: &str, path: &str) -> Option<FaultAction> {
        if !self.any.load(Ordering::Acquire) || path.starts_with("/_emulator/") {
            return None;
        }
        let mut faults = self.lock();
        let index = faults.iter().position(|fault| {
            fault
                .spec
                .method
                .as_deref()
                .is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(method))
                && glob_matches(
                    &fault.spec.path.to_ascii_lowercase(),
                    &path.to_ascii_lowercase(),
                )
        })?;
        let action = faults[index].spec.action.clone();
        faults[index].remaining = faults[index].remaining.saturating_sub(1);
        if faults[index].remaining == 0 {
            faults.remove(index);
        }
        self.any.store(!faults.is_empty(), Ordering::Release);
        Some(action)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ActiveFault>> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    if parts.is_empty() {
        return rest.is_empty();
    }
    for (index, part) in parts.iter().enumerate() {
        if index == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches(
            "/subscriptions/*/initiate",
            "/subscriptions/a/b/initiate"
        ));
        assert!(glob_matches("*", "/x"));
        assert!(!glob_matches("/a/*/c", "/a/b/d"));
        assert!(glob_matches("/a", "/a"));
        assert!(!glob_matches("/a", "/ab"));
    }

    #[test]
    fn faults_run_out() {
        let faults = Faults::default();
        faults.add(FaultSpec {
            method: Some("GET".into()),
            path: "/x*".into(),
            count: 2,
            action: FaultAction::Drop,
        });
        assert_eq!(faults.take("POST", "/x"), None);
        assert_eq!(faults.take("get", "/x1"), Some(FaultAction::Drop));
        assert_eq!(faults.take("GET", "/x2"), Some(FaultAction::Drop));
        assert_eq!(faults.take("GET", "/x3"), None);
    }
}
