//! The emulator's clock: the real clock by default, frozen or moved forward by tests.
//!
//! Expiry of access requests is computed against this clock only, never against timers, so a
//! test that moves the clock sees expiry applied on its next request, deterministically.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// How the clock reads the time; persisted with the state so a restart keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum ClockMode {
    /// Real time plus an offset that only grows (advancing moves the offset).
    Real {
        /// Added to the system time, in whole nanoseconds.
        #[serde(rename = "offsetNanos")]
        offset_nanos: i64,
    },
    /// A fixed instant that only moves when a test advances it.
    Frozen {
        /// The instant the clock shows.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

/// A thread-safe clock that tests can freeze and advance through the admin API.
#[derive(Debug)]
pub struct Clock {
    mode: Mutex<ClockMode>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            mode: Mutex::new(ClockMode::Real { offset_nanos: 0 }),
        }
    }
}

impl Clock {
    /// A clock in the given mode.
    pub fn with_mode(mode: ClockMode) -> Self {
        Clock {
            mode: Mutex::new(mode),
        }
    }

    /// The current emulated time, in UTC.
    pub fn now(&self) -> OffsetDateTime {
        match self.mode() {
            ClockMode::Real { offset_nanos } => {
                OffsetDateTime::now_utc() + Duration::nanoseconds(offset_nanos)
            }
            ClockMode::Frozen { at } => at,
        }
    }

    /// The mode, for persistence and the admin endpoint.
    pub fn mode(&self) -> ClockMode {
        *self
            .mode
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Freezes the clock at `at` (tests that replay examples with fixed timestamps).
    pub fn freeze(&self, at: OffsetDateTime) {
        self.set(ClockMode::Frozen {
            at: at.to_offset(time::UtcOffset::UTC),
        });
    }

    /// Back to real time, keeping no offset.
    pub fn unfreeze(&self) {
        self.set(ClockMode::Real { offset_nanos: 0 });
    }

    /// Moves the clock forward; a negative amount is refused by the caller, not here.
    pub fn advance(&self, by: Duration) {
        let mut mode = self
            .mode
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *mode = match *mode {
            ClockMode::Real { offset_nanos } => ClockMode::Real {
                offset_nanos: offset_nanos
                    .saturating_add(i64::try_from(by.whole_nanoseconds()).unwrap_or(i64::MAX)),
            },
            ClockMode::Frozen { at } => ClockMode::Frozen {
                at: at.saturating_add(by),
            },
        };
    }

    /// Replaces the mode (state load and reset).
    pub fn set(&self, mode: ClockMode) {
        *self
            .mode
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = mode;
    }
}

/// Formats a time as Azure does in JIT bodies: UTC, seven fractional digits, `Z`.
pub fn format_azure(at: OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Parses an RFC 3339 date-time as clients send it (`endTimeUtc`).
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|at| at.to_offset(time::UtcOffset::UTC))
}

/// Serde helpers for storing times in Azure's format.
pub mod azure_time {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Writes Azure's seven-digit format.
    pub fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_azure(*at))
    }

    /// Reads any RFC 3339 date-time.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_rfc3339(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not an RFC 3339 date-time"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_format_round_trips_seven_digits() {
        let at = parse_rfc3339("2018-05-17T09:06:45.5691611Z").unwrap();
        assert_eq!(format_azure(at), "2018-05-17T09:06:45.5691611Z");
    }

    #[test]
    fn frozen_clock_advances_only_when_told() {
        let clock = Clock::default();
        let at = parse_rfc3339("2020-01-01T00:00:00Z").unwrap();
        clock.freeze(at);
        assert_eq!(clock.now(), at);
        clock.advance(Duration::hours(2));
        assert_eq!(clock.now(), at + Duration::hours(2));
    }
}
