//! `.jitlint.toml`: rule selection, severities, limits, trusted prefixes and excluded paths.
//!
//! The file is found from the working directory upwards (like `.editorconfig` or `ruff.toml`),
//! or given with `--config`. Unknown keys are errors: a typo in a security tool's configuration
//! must not silently turn a check off.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jit_core::{IsoDuration, MaxRequestAccessDuration, SourcePrefix};
use serde::Deserialize;

use crate::registry;
use crate::rule::Severity;

/// The configuration file name searched for.
pub const FILE_NAME: &str = ".jitlint.toml";

/// Default minimum IPv4 prefix length: anything wider than a /24 (256 addresses) is broad.
// FIXME(core): jit_core::limits has no default breadth limit; kept here until it does.
pub const DEFAULT_MIN_PREFIX_LEN_V4: u8 = 24;
/// Default minimum IPv6 prefix length: a /64 is one subnet.
pub const DEFAULT_MIN_PREFIX_LEN_V6: u8 = 64;

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    #[diagnostic(code(jitlint::config::io))]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("invalid configuration in {path}: {message}")]
    #[diagnostic(
        code(jitlint::config::syntax),
        help("see docs/jitlint.md for every key")
    )]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
        /// The file's text.
        #[source_code]
        source_code: String,
        /// Where the problem is.
        #[label("here")]
        span: Option<miette::SourceSpan>,
    },
    /// A value is well-formed TOML but not a valid setting.
    #[error("invalid configuration in {path}: {message}")]
    #[diagnostic(code(jitlint::config::value))]
    Value {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ConfigFile {
    fail_level: Option<Severity>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    trusted_source_prefixes: Vec<String>,
    #[serde(default)]
    limits: LimitsFile,
    #[serde(default)]
    rules: BTreeMap<String, RuleSetting>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct LimitsFile {
    max_request_access_duration: Option<String>,
    min_prefix_length_v4: Option<u8>,
    min_prefix_length_v6: Option<u8>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RuleSetting {
    Off,
    On,
    Note,
    Warning,
    Error,
}

/// The settings in force for one run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Severity per rule code; a code that is absent is off.
    severities: BTreeMap<&'static str, Severity>,
    /// Findings at or above this level make the exit code 1.
    pub fail_level: Severity,
    /// Paths (relative to `base_dir`) that are not linted.
    pub exclude: Vec<String>,
    /// The directory excluded paths are relative to (the configuration file's).
    pub base_dir: PathBuf,
    /// Sources that are never reported as broad.
    pub trusted_source_prefixes: Vec<SourcePrefix>,
    /// Longer maximum request times are reported as warnings.
    pub max_request_access_duration: IsoDuration,
    /// IPv4 prefixes shorter than this are broad.
    pub min_prefix_length_v4: u8,
    /// IPv6 prefixes shorter than this are broad.
    pub min_prefix_length_v6: u8,
    /// Today's date as `YYYY-MM-DD`, for suppression expiry.
    pub today: String,
    /// Where the configuration came from, if a file was used.
    pub source: Option<PathBuf>,
    /// `-var` and `-var-file` values, in command-line order (later ones win, as in
    /// Terraform), applied to every directory linted as a root module.
    pub inputs: Vec<crate::eval::Input>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            severities: registry::ALL
                .iter()
                .map(|rule| (rule.meta().code, rule.meta().default_severity))
                .collect(),
            fail_level: Severity::Error,
            exclude: Vec::new(),
            base_dir: PathBuf::from("."),
            trusted_source_prefixes: Vec::new(),
            max_request_access_duration: MaxRequestAccessDuration::DEFAULT.get(),
            min_prefix_length_v4: DEFAULT_MIN_PREFIX_LEN_V4,
            min_prefix_length_v6: DEFAULT_MIN_PREFIX_LEN_V6,
            today: today_utc(),
            source: None,
            inputs: Vec::new(),
        }
    }
}

impl Settings {
    /// The configured severity of rule `code`, or `None` when it is off.
    pub fn severity(&self, code: &str) -> Option<Severity> {
        self.severities.get(code).copied()
    }

    /// Turns every rule off except `codes` (used by per-rule tests and `--select`).
    pub fn select_only(&mut self, codes: &[&str]) {
        self.severities.retain(|code, _| codes.contains(code));
    }

    /// Parses a configuration text; `path` is used for messages and relative excludes.
    pub fn from_toml(text: &str, path: &Path) -> Result<Settings, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|error| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: error.message().to_owned(),
            source_code: text.to_owned(),
            span: error
                .span()
                .map(|r| miette::SourceSpan::from(r.start..r.end)),
        })?;
        let value_error = |message: String| ConfigError::Value {
            path: path.to_path_buf(),
            message,
        };
        let mut settings = Settings {
            base_dir: path
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            source: Some(path.to_path_buf()),
            exclude: file.exclude,
            ..Settings::default()
        };
        if let Some(level) = file.fail_level {
            settings.fail_level = level;
        }
        for text in &file.trusted_source_prefixes {
            let prefix = text
                .parse::<SourcePrefix>()
                .map_err(|e| value_error(format!("trusted-source-prefixes: {e}")))?;
            settings.trusted_source_prefixes.push(prefix);
        }
        if let Some(text) = &file.limits.max_request_access_duration {
            let duration = MaxRequestAccessDuration::parse(text)
                .map_err(|e| value_error(format!("limits.max-request-access-duration: {e}")))?;
            settings.max_request_access_duration = duration.get();
        }
        if let Some(len) = file.limits.min_prefix_length_v4 {
            if len > 32 {
                return Err(value_error(format!(
                    "limits.min-prefix-length-v4: {len} is over 32"
                )));
            }
            settings.min_prefix_length_v4 = len;
        }
        if let Some(len) = file.limits.min_prefix_length_v6 {
            if len > 128 {
                return Err(value_error(format!(
                    "limits.min-prefix-length-v6: {len} is over 128"
                )));
            }
            settings.min_prefix_length_v6 = len;
        }
        for (key, setting) in file.rules {
            let meta = registry::find(&key)
                .ok_or_else(|| value_error(format!("rules: no rule is called `{key}`")))?;
            match setting {
                RuleSetting::Off => {
                    settings.severities.remove(meta.code);
                }
                RuleSetting::On => {
                    settings.severities.insert(meta.code, meta.default_severity);
                }
                RuleSetting::Note => {
                    settings.severities.insert(meta.code, Severity::Note);
                }
                RuleSetting::Warning => {
                    settings.severities.insert(meta.code, Severity::Warning);
                }
                RuleSetting::Error => {
                    settings.severities.insert(meta.code, Severity::Error);
                }
            }
        }
        Ok(settings)
    }

    /// Reads a configuration file.
    pub fn from_file(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Settings::from_toml(&text, path)
    }

    /// Whether `trusted-source-prefixes` covers `prefix`.
    pub fn is_trusted(&self, prefix: &SourcePrefix) -> bool {
        self.trusted_source_prefixes
            .iter()
            .any(|trusted| trusted.covers(prefix))
    }

    /// Whether `path` is excluded: a pattern matches the path relative to the configuration
    /// directory or one of its parent directories; a pattern without `/` matches a name at any
    /// depth. `*` matches within one name, `**` across names, `?` one character.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let relative = relative_to(path, &self.base_dir);
        let components: Vec<&str> = relative.split('/').filter(|c| !c.is_empty()).collect();
        self.exclude.iter().any(|pattern| {
            let pattern = pattern.trim_end_matches('/');
            if !pattern.contains('/') {
                return components.iter().any(|name| glob_match(pattern, name));
            }
            let pattern = pattern.trim_start_matches("./");
            (1..=components.len()).any(|n| glob_match(pattern, &components[..n].join("/")))
        })
    }
}

/// Looks for [`FILE_NAME`] in `start` and its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

fn relative_to(path: &Path, base: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let path_abs = absolute(path);
    let base_abs = absolute(base);
    let relative = path_abs
        .strip_prefix(&base_abs)
        .map_or(path_abs.as_path(), |r| r);
    relative.to_string_lossy().replace('\\', "/")
}

/// Matches `text` against a glob with `*`, `**` and `?`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) if rest.first() == Some(&b'*') => {
                let rest = rest.get(1..).unwrap_or_default();
                let rest = rest.strip_prefix(b"/").unwrap_or(rest);
                (0..=t.len()).any(|i| go(rest, t.get(i..).unwrap_or_default()))
            }
            Some((b'*', rest)) => {
                let limit = t.iter().position(|c| *c == b'/').unwrap_or(t.len());
                (0..=limit).any(|i| go(rest, t.get(i..).unwrap_or_default()))
            }
            Some((b'?', rest)) => t.first().is_some_and(|c| *c != b'/') && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

/// Today's UTC date, from the system clock (no time-zone database needed for a date).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("examples/**", "examples/a/b.tf"));
        assert!(glob_match("**/legacy", "a/b/legacy"));
        assert!(glob_match("*.tf", "main.tf"));
        assert!(!glob_match("*.tf", "a/main.tf"));
        assert!(glob_match("mod?", "mod1"));
    }

    #[test]
    fn today_looks_like_a_date() {
        let today = today_utc();
        assert_eq!(today.len(), 10);
        assert!(today.as_str() > "2024-01-01");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let error = Settings::from_toml("fail-levl = \"error\"", Path::new(".jitlint.toml"));
        assert!(matches!(error, Err(ConfigError::Syntax { .. })));
    }

    #[test]
    fn rules_by_code_or_name() {
        let text = "[rules]\nJIT000 = \"off\"\nbroad-source-prefix = \"warning\"\n";
        let settings = Settings::from_toml(text, Path::new(".jitlint.toml")).expect("valid");
        assert_eq!(settings.severity("JIT000"), None);
        assert_eq!(settings.severity("JIT001"), Some(Severity::Warning));
    }
}
