//! When to try a call again, and how long to wait first.
//!
//! Resource Manager throttles per principal and region (429 with `Retry-After`) and has
//! transient failures (500/502/503/504, 408, dropped connections). A call is tried again with
//! exponential backoff and jitter, never sooner than the server asked, until it succeeds or
//! the operation's deadline (the resource's `timeouts`) would pass. Only the policy lives
//! here, as pure functions, so its timing is tested without waiting.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// Backoff settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait before the first retry.
    pub initial_delay: Duration,
    /// The longest wait between two attempts (a server's `Retry-After` may ask for more).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 1 s doubling up to 30 s, as Resource Manager's own guidance suggests for throttling.
    fn default() -> Self {
        RetryPolicy {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `retry + 1` (`retry` counts from 0): the backoff
    /// `initial * 2^retry` capped at `max_delay`, scaled by `jitter` (0.0..1.0 maps to
    /// 50%..100%, so parallel clients spread out), and never less than the server's
    /// `retry_after`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let exponential = self
            .initial_delay
            .saturating_mul(1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        let jittered = exponential.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0);
        match retry_after {
            Some(server) => jittered.max(server),
            None => jittered,
        }
    }
}

/// Statuses worth another attempt: timeouts, throttling and transient server errors.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The wait the server asked for: `x-ms-retry-after-ms`, `retry-after-ms`, then
/// `Retry-After` in seconds (ARM's form; an HTTP date is ignored and the backoff applies).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    header("x-ms-retry-after-ms")
        .or_else(|| header("retry-after-ms"))
        .map(Duration::from_millis)
        .or_else(|| header("retry-after").map(Duration::from_secs))
}

/// A number in 0.0..1.0 that differs between calls and processes, for jitter.
pub fn jitter() -> f64 {
    (uuid::Uuid::new_v4().as_u128() as u64 >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_between_half_and_all() {
        let policy = RetryPolicy::default();
        let at = |retry, jitter| policy.delay(retry, None, jitter);
        assert_eq!(at(0, 1.0), Duration::from_secs(1));
        assert_eq!(at(0, 0.0), Duration::from_millis(500));
        assert_eq!(at(3, 1.0), Duration::from_secs(8));
        assert_eq!(at(10, 1.0), Duration::from_secs(30));
        assert_eq!(at(u32::MAX, 1.0), Duration::from_secs(30));
        assert_eq!(at(10, 0.0), Duration::from_secs(15));
    }

    #[test]
    fn the_server_wait_is_a_floor() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(7)), 1.0),
            Duration::from_secs(7)
        );
        assert_eq!(
            policy.delay(5, Some(Duration::from_millis(10)), 1.0),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn server_waits_in_the_order_azure_sends_them() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert("x-ms-retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(1500)));
        let mut dated = HeaderMap::new();
        dated.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&dated), None);
    }

    #[test]
    fn retryable_statuses() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(status));
        }
        for status in [200, 400, 401, 403, 404, 409, 501] {
            assert!(!is_retryable_status(status));
        }
        let samples: Vec<f64> = (0..100).map(|_| jitter()).collect();
        assert!(samples.iter().all(|j| (0.0..1.0).contains(j)));
        assert!(samples.windows(2).any(|w| w[0] != w[1]));
    }
}
