//! ISO 8601 durations as Azure reads them: [`IsoDuration`] and the bounded
//! [`MaxRequestAccessDuration`].
//!
//! Azure parses `maxRequestAccessDuration` with .NET's `XmlConvert`, which is strict: designators
//! are upper case and `T` separates days from hours. We follow it so that a duration that passes
//! here passes in Azure, and we reject years and months because they have no fixed length.

use std::fmt;
use std::str::FromStr;

use crate::error::RuleError;
use crate::limits::{
    DEFAULT_MAX_REQUEST_ACCESS_DURATION_SECS, MAX_MAX_REQUEST_ACCESS_DURATION_SECS,
    MIN_MAX_REQUEST_ACCESS_DURATION_SECS,
};

const SECS_PER_MINUTE: u64 = 60;
const SECS_PER_HOUR: u64 = 60 * SECS_PER_MINUTE;
const SECS_PER_DAY: u64 = 24 * SECS_PER_HOUR;
const SECS_PER_WEEK: u64 = 7 * SECS_PER_DAY;

/// A whole number of seconds, written as an ISO 8601 duration (`PT3H`, `P1D`, `PT1H30M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDuration {
    secs: u64,
}

impl IsoDuration {
    /// A duration of `secs` seconds.
    pub const fn from_secs(secs: u64) -> Self {
        IsoDuration { secs }
    }

    /// A duration of `mins` minutes.
    pub const fn from_mins(mins: u64) -> Self {
        IsoDuration::from_secs(mins * SECS_PER_MINUTE)
    }

    /// A duration of `hours` hours.
    pub const fn from_hours(hours: u64) -> Self {
        IsoDuration::from_secs(hours * SECS_PER_HOUR)
    }

    /// The length in seconds.
    pub const fn as_secs(self) -> u64 {
        self.secs
    }

    /// Parses `PnW` or `PnDTnHnMnS` (each part optional, at least one present).
    ///
    /// Rejected, each with its own reason: an empty string, a missing `P`, a bare `P` or `PT`,
    /// lowercase designators, negative values, fractions, years and months, designators out of
    /// order or repeated, and weeks combined with anything else.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        parse_secs(text)
            .map(IsoDuration::from_secs)
            .map_err(|reason| RuleError::InvalidDuration {
                value: text.to_owned(),
                reason,
            })
    }
}

impl FromStr for IsoDuration {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Self, RuleError> {
        IsoDuration::parse(text)
    }
}

impl fmt::Display for IsoDuration {
    /// The shortest form in hours, minutes and seconds: `PT3H`, `PT1H30M`, `PT0S`.
    ///
    /// Days are never used, so one day prints as `PT24H`, not `P1D`: Azure echoes durations back
    /// in hours, and printing what Azure returns keeps Terraform plans free of spurious diffs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.secs == 0 {
            return f.write_str("PT0S");
        }
        let hours = self.secs / SECS_PER_HOUR;
        let minutes = self.secs % SECS_PER_HOUR / SECS_PER_MINUTE;
        let seconds = self.secs % SECS_PER_MINUTE;
        f.write_str("PT")?;
        if hours > 0 {
            write!(f, "{hours}H")?;
        }
        if minutes > 0 {
            write!(f, "{minutes}M")?;
        }
        if seconds > 0 {
            write!(f, "{seconds}S")?;
        }
        Ok(())
    }
}

/// A port rule's `maxRequestAccessDuration`: between PT5M and PT24H, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MaxRequestAccessDuration(IsoDuration);

impl MaxRequestAccessDuration {
    /// The shortest allowed: PT5M.
    pub const MIN: Self =
        MaxRequestAccessDuration(IsoDuration::from_secs(MIN_MAX_REQUEST_ACCESS_DURATION_SECS));

    /// The longest allowed: PT24H.
    pub const MAX: Self =
        MaxRequestAccessDuration(IsoDuration::from_secs(MAX_MAX_REQUEST_ACCESS_DURATION_SECS));

    /// Azure's default when JIT is enabled from the portal: PT3H.
    pub const DEFAULT: Self = MaxRequestAccessDuration(IsoDuration::from_secs(
        DEFAULT_MAX_REQUEST_ACCESS_DURATION_SECS,
    ));

    /// Checks the bounds; the errors name the duration in canonical form.
    pub fn new(duration: IsoDuration) -> Result<Self, RuleError> {
        check_bounds(duration, &duration.to_string())
    }

    /// Parses and checks the bounds; the errors name the duration as written.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        check_bounds(IsoDuration::parse(text)?, text)
    }

    /// The duration inside.
    pub const fn get(self) -> IsoDuration {
        self.0
    }
}

impl Default for MaxRequestAccessDuration {
    fn default() -> Self {
        MaxRequestAccessDuration::DEFAULT
    }
}

impl FromStr for MaxRequestAccessDuration {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Self, RuleError> {
        MaxRequestAccessDuration::parse(text)
    }
}

impl fmt::Display for MaxRequestAccessDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<MaxRequestAccessDuration> for IsoDuration {
    fn from(duration: MaxRequestAccessDuration) -> Self {
        duration.0
    }
}

fn check_bounds(
    duration: IsoDuration,
    as_written: &str,
) -> Result<MaxRequestAccessDuration, RuleError> {
    if duration < MaxRequestAccessDuration::MIN.0 {
        Err(RuleError::DurationTooShort {
            value: as_written.to_owned(),
        })
    } else if duration > MaxRequestAccessDuration::MAX.0 {
        Err(RuleError::DurationTooLong {
            value: as_written.to_owned(),
        })
    } else {
        Ok(MaxRequestAccessDuration(duration))
    }
}

/// The help sentence for a duration that [`IsoDuration::parse`] rejected.
///
/// It tries the fixes for the usual mistakes and suggests the first one that parses.
pub(crate) fn help_for(value: &str) -> String {
    let trimmed = value.trim();
    let upper = trimmed.to_ascii_uppercase();
    let candidates = [
        (upper.clone(), "write it in upper case"),
        (format!("PT{upper}"), "start it with `PT`"),
        (format!("P{upper}"), "start it with `P`"),
        (
            upper
                .strip_prefix('P')
                .map(|rest| format!("PT{rest}"))
                .unwrap_or_default(),
            "put `T` before hours, minutes and seconds",
        ),
    ];
    for (candidate, fix) in candidates {
        if candidate != value && parse_secs(&candidate).is_ok() {
            return format!("{fix}: `{candidate}`");
        }
    }
    if upper.contains('Y') || (upper.contains('M') && !upper.contains('T')) {
        return "use days, hours or minutes instead, such as P1D or PT30M".to_owned();
    }
    "write an ISO 8601 duration such as PT30M, PT3H or P1D".to_owned()
}

/// The parser behind [`IsoDuration::parse`]; the error is the reason.
fn parse_secs(text: &str) -> Result<u64, String> {
    if text.is_empty() {
        return Err("it is empty".to_owned());
    }
    if text.starts_with('-') {
        return Err("negative durations are not allowed".to_owned());
    }
    if text.chars().any(|c| c.is_ascii_lowercase()) {
        return Err("designators must be upper case (Azure's parser is case-sensitive)".to_owned());
    }
    if text.chars().any(char::is_whitespace) {
        return Err("it has spaces in it".to_owned());
    }
    let Some(rest) = text.strip_prefix('P') else {
        return Err("it must start with `P`, as in PT3H".to_owned());
    };
    if rest.is_empty() {
        return Err("`P` must be followed by at least one part, as in PT3H".to_owned());
    }
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date_part, time_part)) => (date_part, Some(time_part)),
        None => (rest, None),
    };
    let date_components = components(date_part)?;
    let time_components = match time_part {
        Some("") => {
            return Err(
                "`T` must be followed by hours, minutes or seconds, as in PT30M".to_owned(),
            );
        }
        Some(time_part) => components(time_part)?,
        None => Vec::new(),
    };

    let mut total: u64 = 0;
    let mut last_rank = None;
    for (value, designator) in date_components.iter().copied() {
        let (rank, unit) = match designator {
            'Y' => return Err("years have no fixed length".to_owned()),
            'M' => {
                return Err(
                    "months have no fixed length (minutes go after `T`, as in PT30M)".to_owned(),
                );
            }
            'W' => {
                if date_components.len() > 1 || time_part.is_some() {
                    return Err("weeks cannot be combined with other parts".to_owned());
                }
                (0, SECS_PER_WEEK)
            }
            'D' => (1, SECS_PER_DAY),
            'H' | 'S' => {
                return Err(format!("`{designator}` must come after `T`, as in PT3H"));
            }
            other => return Err(format!("`{other}` is not a duration designator")),
        };
        check_order(&mut last_rank, rank)?;
        total = add_part(total, value, unit)?;
    }
    let mut last_rank = None;
    for (value, designator) in time_components {
        let (rank, unit) = match designator {
            'H' => (0, SECS_PER_HOUR),
            'M' => (1, SECS_PER_MINUTE),
            'S' => (2, 1),
            'D' | 'W' | 'Y' => {
                return Err(format!("`{designator}` must come before `T`, as in P1DT2H"));
            }
            other => return Err(format!("`{other}` is not a duration designator")),
        };
        check_order(&mut last_rank, rank)?;
        total = add_part(total, value, unit)?;
    }
    Ok(total)
}

/// Splits `"1H30M"` into `[(1, 'H'), (30, 'M')]`.
fn components(part: &str) -> Result<Vec<(u64, char)>, String> {
    let mut parts = Vec::new();
    let mut number = String::new();
    for c in part.chars() {
        if c.is_ascii_digit() {
            number.push(c);
        } else if c == '.' || c == ',' {
            return Err("fractions are not supported; use a smaller unit, as in PT90S".to_owned());
        } else if c.is_ascii_uppercase() {
            if number.is_empty() {
                return Err(format!("`{c}` has no number before it"));
            }
            let value = number
                .parse::<u64>()
                .map_err(|_| format!("the number {number} is too large"))?;
            parts.push((value, c));
            number.clear();
        } else {
            return Err(format!("`{c}` is not allowed in a duration"));
        }
    }
    if !number.is_empty() {
        return Err(format!("the number {number} has no designator after it"));
    }
    Ok(parts)
}

fn check_order(last_rank: &mut Option<u8>, rank: u8) -> Result<(), String> {
    if last_rank.is_some_and(|last| last >= rank) {
        return Err("its parts are out of order or repeated".to_owned());
    }
    *last_rank = Some(rank);
    Ok(())
}

fn add_part(total: u64, value: u64, unit: u64) -> Result<u64, String> {
    value
        .checked_mul(unit)
        .and_then(|secs| total.checked_add(secs))
        .ok_or_else(|| "it is too large".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `Ok((seconds, canonical display))` or `Err((reason, help))`.
    fn check(text: &str, expected: Result<(u64, &str), (&str, &str)>) {
        let actual = IsoDuration::parse(text)
            .map(|duration| (duration.as_secs(), duration.to_string()))
            .map_err(|error| match &error {
                RuleError::InvalidDuration { reason, .. } => (reason.clone(), error.help()),
                other => panic!("unexpected error {other:?}"),
            });
        let expected = expected
            .map(|(secs, display)| (secs, display.to_owned()))
            .map_err(|(reason, help)| (reason.to_owned(), help.to_owned()));
        assert_eq!(actual, expected, "duration {text:?}");
    }

    const GENERIC_HELP: &str = "write an ISO 8601 duration such as PT30M, PT3H or P1D";

    #[test]
    fn parses_what_azure_accepts() {
        check("PT3H", Ok((10800, "PT3H")));
        check("PT5M", Ok((300, "PT5M")));
        check("PT4M59S", Ok((299, "PT4M59S")));
        check("PT24H", Ok((86400, "PT24H")));
        check("P1D", Ok((86400, "PT24H")));
        check("P1DT1S", Ok((86401, "PT24H1S")));
        check("PT1H30M", Ok((5400, "PT1H30M")));
        check("PT90M", Ok((5400, "PT1H30M")));
        check("P0DT5M", Ok((300, "PT5M")));
        check("PT0S", Ok((0, "PT0S")));
        check("P0D", Ok((0, "PT0S")));
        check("P1W", Ok((604800, "PT168H")));
        check("PT1H0M1S", Ok((3601, "PT1H1S")));
        check("PT36000S", Ok((36000, "PT10H")));
    }

    #[test]
    fn rejects_with_reason_and_help() {
        check("", Err(("it is empty", GENERIC_HELP)));
        check(
            "P",
            Err((
                "`P` must be followed by at least one part, as in PT3H",
                GENERIC_HELP,
            )),
        );
        check(
            "PT",
            Err((
                "`T` must be followed by hours, minutes or seconds, as in PT30M",
                GENERIC_HELP,
            )),
        );
        check(
            "P1DT",
            Err((
                "`T` must be followed by hours, minutes or seconds, as in PT30M",
                GENERIC_HELP,
            )),
        );
        check(
            "3H",
            Err((
                "it must start with `P`, as in PT3H",
                "start it with `PT`: `PT3H`",
            )),
        );
        check(
            "1D",
            Err((
                "it must start with `P`, as in PT3H",
                "start it with `P`: `P1D`",
            )),
        );
        check(
            "-PT5M",
            Err(("negative durations are not allowed", GENERIC_HELP)),
        );
        check(
            "PT-5M",
            Err(("`-` is not allowed in a duration", GENERIC_HELP)),
        );
        check(
            "pt3h",
            Err((
                "designators must be upper case (Azure's parser is case-sensitive)",
                "write it in upper case: `PT3H`",
            )),
        );
        check(
            "PT3h",
            Err((
                "designators must be upper case (Azure's parser is case-sensitive)",
                "write it in upper case: `PT3H`",
            )),
        );
        check(
            "P3H",
            Err((
                "`H` must come after `T`, as in PT3H",
                "put `T` before hours, minutes and seconds: `PT3H`",
            )),
        );
        check(
            "P1M",
            Err((
                "months have no fixed length (minutes go after `T`, as in PT30M)",
                "put `T` before hours, minutes and seconds: `PT1M`",
            )),
        );
        check(
            "P1Y",
            Err((
                "years have no fixed length",
                "use days, hours or minutes instead, such as P1D or PT30M",
            )),
        );
        check(
            "P1Y2M",
            Err((
                "years have no fixed length",
                "use days, hours or minutes instead, such as P1D or PT30M",
            )),
        );
        check(
            "PT1.5H",
            Err((
                "fractions are not supported; use a smaller unit, as in PT90S",
                GENERIC_HELP,
            )),
        );
        check(
            "PT0,5S",
            Err((
                "fractions are not supported; use a smaller unit, as in PT90S",
                GENERIC_HELP,
            )),
        );
        check(
            "PT30M1H",
            Err(("its parts are out of order or repeated", GENERIC_HELP)),
        );
        check(
            "PT1H1H",
            Err(("its parts are out of order or repeated", GENERIC_HELP)),
        );
        check(
            "PT1D",
            Err(("`D` must come before `T`, as in P1DT2H", GENERIC_HELP)),
        );
        check(
            "P1W1D",
            Err(("weeks cannot be combined with other parts", GENERIC_HELP)),
        );
        check(
            "P1WT1H",
            Err(("weeks cannot be combined with other parts", GENERIC_HELP)),
        );
        check("PTH", Err(("`H` has no number before it", GENERIC_HELP)));
        check(
            "PT3",
            Err(("the number 3 has no designator after it", GENERIC_HELP)),
        );
        check(
            "PT3X",
            Err(("`X` is not a duration designator", GENERIC_HELP)),
        );
        check("P T3H", Err(("it has spaces in it", GENERIC_HELP)));
        check(
            "PT99999999999999999999S",
            Err(("the number 99999999999999999999 is too large", GENERIC_HELP)),
        );
        check("P999999999999999D", Err(("it is too large", GENERIC_HELP)));
    }

    /// `Ok(canonical)` or `Err(message)`.
    fn check_max(text: &str, expected: Result<&str, &str>) {
        let actual = MaxRequestAccessDuration::parse(text)
            .map(|duration| duration.to_string())
            .map_err(|error| error.to_string());
        assert_eq!(
            actual,
            expected.map(str::to_owned).map_err(str::to_owned),
            "max duration {text:?}"
        );
    }

    #[test]
    fn max_request_access_duration_bounds() {
        check_max("PT5M", Ok("PT5M"));
        check_max("PT300S", Ok("PT5M"));
        check_max(
            "PT4M59S",
            Err("duration PT4M59S is shorter than the minimum PT5M"),
        );
        check_max(
            "PT0S",
            Err("duration PT0S is shorter than the minimum PT5M"),
        );
        check_max("PT3H", Ok("PT3H"));
        check_max("PT24H", Ok("PT24H"));
        check_max("P1D", Ok("PT24H"));
        check_max(
            "PT24H1S",
            Err("duration PT24H1S is longer than the maximum PT24H"),
        );
        check_max("P2D", Err("duration P2D is longer than the maximum PT24H"));
        check_max("P1W", Err("duration P1W is longer than the maximum PT24H"));
        check_max(
            "P1M",
            Err(
                "duration `P1M` is invalid: months have no fixed length (minutes go after `T`, as in PT30M)",
            ),
        );
    }

    #[test]
    fn max_request_access_duration_help_and_constants() {
        let short = MaxRequestAccessDuration::parse("PT1M").unwrap_err();
        assert_eq!(short.help(), "use a duration of at least PT5M (5 minutes)");
        let long = MaxRequestAccessDuration::new(IsoDuration::from_hours(25)).unwrap_err();
        assert_eq!(
            long,
            RuleError::DurationTooLong {
                value: "PT25H".to_owned()
            }
        );
        assert_eq!(
            long.help(),
            "use a duration of at most PT24H (1 day); Azure accepts nothing longer"
        );
        assert_eq!(MaxRequestAccessDuration::DEFAULT.to_string(), "PT3H");
        assert_eq!(
            MaxRequestAccessDuration::default(),
            MaxRequestAccessDuration::DEFAULT
        );
        assert_eq!(
            MaxRequestAccessDuration::MIN.get(),
            IsoDuration::from_mins(5)
        );
        assert_eq!(MaxRequestAccessDuration::MAX.get().as_secs(), 86400);
    }

    proptest! {
        #[test]
        fn display_round_trips(secs in 0u64..=10 * SECS_PER_WEEK) {
            let duration = IsoDuration::from_secs(secs);
            prop_assert_eq!(IsoDuration::parse(&duration.to_string()), Ok(duration));
        }

        #[test]
        fn display_round_trips_for_huge_values(secs in any::<u64>()) {
            let duration = IsoDuration::from_secs(secs);
            prop_assert_eq!(IsoDuration::parse(&duration.to_string()), Ok(duration));
        }

        #[test]
        fn components_add_up(days in 0u64..400, hours in 0u64..100, minutes in 0u64..100, seconds in 0u64..100) {
            let text = format!("P{days}DT{hours}H{minutes}M{seconds}S");
            let expected = days * SECS_PER_DAY + hours * SECS_PER_HOUR + minutes * 60 + seconds;
            prop_assert_eq!(IsoDuration::parse(&text).map(IsoDuration::as_secs), Ok(expected));
        }

        #[test]
        fn bounds_hold(secs in 0u64..3 * SECS_PER_DAY) {
            let accepted = MaxRequestAccessDuration::new(IsoDuration::from_secs(secs)).is_ok();
            prop_assert_eq!(accepted, (300..=86400).contains(&secs));
        }

        #[test]
        fn parse_never_panics(text in "[PTDHMSWY0-9.,-]{0,20}") {
            let _ = IsoDuration::parse(&text);
        }
    }
}
