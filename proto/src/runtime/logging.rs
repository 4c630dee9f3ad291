//! Provider logs as the hclog JSON lines Terraform reads from a plugin's stderr.
//!
//! Terraform parses each stderr line as JSON with `@level`, `@message`, `@timestamp` (exactly six
//! fractional digits) and `@module`, and shows it under `TF_LOG` / `TF_LOG_PROVIDER` at that
//! level. Other keys become key/value pairs. The level we emit at is taken from the same
//! variables, so that a quiet run pays nothing for trace logging.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;

/// The level named by `TF_LOG_PROVIDER`, else `TF_LOG`; `JSON` means trace, as in Terraform.
pub fn level_from_env(provider_level: Option<&str>, level: Option<&str>) -> Option<Level> {
    let name = provider_level.filter(|value| !value.is_empty()).or(level)?;
    match name.trim().to_ascii_lowercase().as_str() {
        "trace" | "json" => Some(Level::TRACE),
        "debug" => Some(Level::DEBUG),
        "info" => Some(Level::INFO),
        "warn" => Some(Level::WARN),
        "error" => Some(Level::ERROR),
        "off" => None,
        // Terraform treats any other non-empty value as trace.
        "" => None,
        _ => Some(Level::TRACE),
    }
}

/// Installs the global subscriber writing hclog JSON to stderr.
///
/// Without `TF_LOG`/`TF_LOG_PROVIDER`, Terraform discards provider logs, so only warnings and
/// errors are written (they still help when the provider is run by hand).
pub fn init(module: &'static str) {
    let level = level_from_env(
        std::env::var("TF_LOG_PROVIDER").ok().as_deref(),
        std::env::var("TF_LOG").ok().as_deref(),
    )
    .unwrap_or(Level::WARN);
    let layer = HclogLayer { module }.with_filter(filter(level));
    // A second init (tests serving several providers in one process) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// The transport crates (HTTP/2 frames, TLS records, connection pools) would write hundreds
/// of lines per call at trace level, drowning the provider's own lines in `TF_LOG=trace` and
/// costing Terraform a JSON parse each: they show warnings and errors only.
const QUIET_TARGETS: [&str; 7] = [
    "h2",
    "hyper",
    "hyper_util",
    "tower",
    "tonic",
    "rustls",
    "tokio_rustls",
];

fn filter(level: Level) -> tracing_subscriber::filter::Targets {
    let quiet = tracing_subscriber::filter::LevelFilter::from_level(level)
        .min(tracing_subscriber::filter::LevelFilter::WARN);
    QUIET_TARGETS.iter().fold(
        tracing_subscriber::filter::Targets::new().with_default(level),
        |targets, target| targets.with_target(*target, quiet),
    )
}

/// Formats each event as one hclog JSON line on stderr.
pub struct HclogLayer {
    /// The `@module` of every line, e.g. `provider.example`.
    pub module: &'static str,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let line = format_event(self.module, event, time::OffsetDateTime::now_utc());
        // stderr is unbuffered; one write per line keeps lines whole when tasks log concurrently.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

fn format_event(module: &str, event: &Event<'_>, now: time::OffsetDateTime) -> String {
    let mut fields = JsonFields::default();
    event.record(&mut fields);
    let level = match *event.metadata().level() {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    };
    let mut object = serde_json::Map::new();
    object.insert("@level".into(), level.into());
    object.insert("@message".into(), fields.message.unwrap_or_default().into());
    object.insert("@module".into(), module.into());
    object.insert("@timestamp".into(), hclog_timestamp(now).into());
    for (key, value) in fields.values {
        object.insert(key, value);
    }
    let mut line = serde_json::Value::Object(object).to_string();
    line.push('\n');
    line
}

/// `2006-01-02T15:04:05.000000Z07:00`: hclog rejects any other precision.
fn hclog_timestamp(now: time::OffsetDateTime) -> String {
    let mut out = String::with_capacity(27);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    );
    out
}

#[derive(Default)]
struct JsonFields {
    message: Option<String>,
    values: Vec<(String, serde_json::Value)>,
}

impl Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.record(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.record(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.record(field, value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record(field, format!("{value:?}").into());
    }
}

impl JsonFields {
    fn record(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            });
        } else {
            self.values.push((field.name().to_owned(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn levels_follow_terraform() {
        assert_eq!(level_from_env(None, None), None);
        assert_eq!(level_from_env(None, Some("DEBUG")), Some(Level::DEBUG));
        assert_eq!(
            level_from_env(Some("trace"), Some("error")),
            Some(Level::TRACE)
        );
        assert_eq!(level_from_env(Some(""), Some("warn")), Some(Level::WARN));
        assert_eq!(level_from_env(None, Some("JSON")), Some(Level::TRACE));
        assert_eq!(level_from_env(None, Some("1")), Some(Level::TRACE));
        assert_eq!(level_from_env(Some("off"), Some("trace")), None);
    }

    #[test]
    fn timestamp_has_exactly_six_fraction_digits() {
        let at = time::macros::datetime!(2025-01-02 03:04:05.1234567 UTC);
        assert_eq!(hclog_timestamp(at), "2025-01-02T03:04:05.123456Z");
        let at = time::macros::datetime!(2025-01-02 03:04:05 UTC);
        assert_eq!(hclog_timestamp(at), "2025-01-02T03:04:05.000000Z");
    }

    /// Captures lines as the layer formats them.
    struct Capture(Arc<Mutex<Vec<String>>>);
    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            let at = time::macros::datetime!(2025-01-02 03:04:05 UTC);
            self.0
                .lock()
                .unwrap()
                .push(format_event("provider.example", event, at));
        }
    }

    #[test]
    fn event_becomes_one_hclog_json_line() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(resource = "example_thing", count = 3, "planned change");
        });
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with('\n'));
        let json: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(json["@level"], "info");
        assert_eq!(json["@message"], "planned change");
        assert_eq!(json["@module"], "provider.example");
        assert_eq!(json["@timestamp"], "2025-01-02T03:04:05.000000Z");
        assert_eq!(json["resource"], "example_thing");
        assert_eq!(json["count"], 3);
    }

    #[test]
    fn transport_crates_stay_quiet_at_trace() {
        let targets = filter(Level::TRACE);
        assert!(targets.would_enable("h2::codec", &Level::WARN));
        assert!(!targets.would_enable("h2::codec", &Level::TRACE));
        assert!(!targets.would_enable("hyper_util::client", &Level::DEBUG));
        assert!(targets.would_enable("terraform_provider_jit::arm", &Level::TRACE));
    }
}
