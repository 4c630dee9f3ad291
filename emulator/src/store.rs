//! All emulated state: JIT policies with their request history, and the Compute/Network
//! resources JIT reads (VMs, NICs, virtual networks) and writes (NSG rules).
//!
//! **Invariant:** the store changes only under the emulator's one mutex, and every change that
//! touches JIT (a PUT, a DELETE, an initiate, an expiry) ends with [`crate::nsg::reconcile`] for
//! the policy concerned, so the NSG rules always mirror the policy and its active requests.

use crate::clock::{ClockMode, azure_time};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use time::OffsetDateTime;

/// The spec's resource type of a JIT policy.
pub const POLICY_TYPE: &str = "Microsoft.Security/locations/jitNetworkAccessPolicies";

/// Everything the emulator knows, as persisted by `--state`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// JIT policies by lowercased resource id (ARM ids are case-insensitive).
    pub policies: BTreeMap<String, Policy>,
    /// Compute and Network resources by lowercased resource id, in their ARM JSON shape.
    pub resources: BTreeMap<String, Value>,
    /// The earliest end time of an `Initiated` request port; `None` when unknown or none.
    #[serde(skip)]
    pub next_expiry: Option<OffsetDateTime>,
    /// False after a change that may move [`State::next_expiry`]; the next expiry pass rescans.
    #[serde(skip)]
    pub next_expiry_known: bool,
}

/// One JIT policy as the emulator keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// The ARM id, with the casing of the PUT that created it.
    pub id: String,
    /// The policy name (last path segment).
    pub name: String,
    /// The subscription from the path.
    pub subscription_id: String,
    /// The resource group from the path.
    pub resource_group: String,
    /// The `ascLocation` from the path.
    pub location: String,
    /// `kind` as sent (`Basic` when the PUT had none).
    pub kind: String,
    /// `properties.virtualMachines` as validated.
    pub virtual_machines: Vec<PolicyVm>,
    /// `properties.requests`: the server-side history, newest last.
    pub requests: Vec<AccessRequest>,
    /// The NSG rules this policy wrote, so that an update or delete can remove exactly those.
    #[serde(default)]
    pub written_rules: Vec<WrittenRule>,
}

/// `JitNetworkAccessPolicyVirtualMachine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyVm {
    /// The VM's resource id as sent.
    pub id: String,
    /// Its port rules.
    pub ports: Vec<PortRule>,
    /// The Azure Firewall public IP, echoed when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip_address: Option<String>,
}

/// `JitNetworkAccessPortRule`, kept as the client wrote it (after validation by `jit_core`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortRule {
    /// The port.
    pub number: u16,
    /// `TCP`, `UDP` or `*`.
    pub protocol: String,
    /// A single allowed source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_source_address_prefix: Option<String>,
    /// Several allowed sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_source_address_prefixes: Option<Vec<String>>,
    /// The ISO 8601 duration as written (`PT3H`).
    pub max_request_access_duration: String,
}

impl PortRule {
    /// The allowed sources, whichever of the two exclusive fields holds them.
    pub fn allowed_sources(&self) -> Vec<&str> {
        match (
            &self.allowed_source_address_prefix,
            &self.allowed_source_address_prefixes,
        ) {
            (Some(prefix), _) => vec![prefix.as_str()],
            (None, Some(prefixes)) => prefixes.iter().map(String::as_str).collect(),
            (None, None) => vec!["*"],
        }
    }
}

/// `JitNetworkAccessRequest`: one initiate call as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRequest {
    /// The VMs and ports opened.
    pub virtual_machines: Vec<RequestVm>,
    /// When the emulator's clock said the request was made.
    #[serde(with = "azure_time")]
    pub start_time_utc: OffsetDateTime,
    /// Who asked: the name the token was issued to.
    pub requestor: String,
    /// Why, as the caller wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

/// `JitNetworkAccessRequestVirtualMachine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestVm {
    /// The VM id as the caller wrote it.
    pub id: String,
    /// The ports opened on it.
    pub ports: Vec<RequestPort>,
}

/// `JitNetworkAccessRequestPort`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestPort {
    /// The port.
    pub number: u16,
    /// The source the allow rule admits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_source_address_prefix: Option<String>,
    /// Not produced by initiate (it takes one prefix), kept for the schema's sake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_source_address_prefixes: Option<Vec<String>>,
    /// When access ends.
    #[serde(with = "azure_time")]
    pub end_time_utc: OffsetDateTime,
    /// [`STATUS_INITIATED`] or [`STATUS_REVOKED`].
    pub status: String,
    /// [`REASON_USER_REQUESTED`], [`REASON_NEWER_REQUEST`] or [`REASON_EXPIRED`].
    pub status_reason: String,
    /// Azure Firewall DNAT port, set when the policy's VM has a `publicIpAddress` (see
    /// [`crate::routes::initiate::firewall_port`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapped_port: Option<i64>,
}

/// Access is open.
pub const STATUS_INITIATED: &str = "Initiated";
/// Access was closed (expired or replaced).
pub const STATUS_REVOKED: &str = "Revoked";
/// Opened at the user's request.
pub const REASON_USER_REQUESTED: &str = "UserRequested";
/// Closed because a newer request for the same VM and port replaced it.
pub const REASON_NEWER_REQUEST: &str = "NewerRequestInitiated";
/// Closed because its end time passed.
pub const REASON_EXPIRED: &str = "Expired";

/// A rule a policy wrote into an NSG.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WrittenRule {
    /// Lowercased NSG id.
    pub nsg_key: String,
    /// The rule name.
    pub name: String,
}

impl State {
    /// Marks every `Initiated` port whose end time has passed as `Revoked`/`Expired` and
    /// removes its allow rule. Returns whether anything changed.
    ///
    /// Cheap when nothing is due: the earliest end time is cached, so the GET hot path does
    /// not walk the history.
    pub fn expire(&mut self, now: OffsetDateTime) -> bool {
        if self.next_expiry_known && self.next_expiry.is_none_or(|due| now < due) {
            return false;
        }
        let mut changed_policies = Vec::new();
        let mut next: Option<OffsetDateTime> = None;
        for (key, policy) in &mut self.policies {
            let mut changed = false;
            for port in policy
                .requests
                .iter_mut()
                .flat_map(|request| request.virtual_machines.iter_mut())
                .flat_map(|vm| vm.ports.iter_mut())
                .filter(|port| port.status == STATUS_INITIATED)
            {
                if port.end_time_utc <= now {
                    port.status = STATUS_REVOKED.to_owned();
                    port.status_reason = REASON_EXPIRED.to_owned();
                    changed = true;
                } else {
                    next = Some(next.map_or(port.end_time_utc, |n| n.min(port.end_time_utc)));
                }
            }
            if changed {
                changed_policies.push(key.clone());
            }
        }
        self.next_expiry = next;
        self.next_expiry_known = true;
        for key in &changed_policies {
            crate::nsg::reconcile(self, key);
        }
        !changed_policies.is_empty()
    }

    /// Notes a new end time without a rescan.
    pub fn note_end_time(&mut self, end: OffsetDateTime) {
        if self.next_expiry_known {
            self.next_expiry = Some(self.next_expiry.map_or(end, |n| n.min(end)));
        }
    }

    /// Looks up a Compute/Network resource by id, case-insensitively.
    pub fn resource(&self, id: &str) -> Option<&Value> {
        self.resources.get(&id.to_ascii_lowercase())
    }
}

/// What `--state` files hold: the state and the clock, so a restart is indistinguishable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Format version, for later migrations.
    pub version: u32,
    /// The clock's mode.
    pub clock: ClockMode,
    /// The state.
    pub state: State,
}

/// Errors reading or writing the `--state` file.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// The file could not be read.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file could not be written (a temporary file beside it, or the rename over it).
    #[error("cannot write the state file {path}: {source}; {hint}", hint = write_hint(.path, .source))]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The state could not be serialised.
    #[error("cannot serialise the state: {0}")]
    Serialise(serde_json::Error),
    /// The file is not a snapshot this version can read.
    #[error("state file {path} is not a jit-emulator snapshot: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

/// What to do about a state file that cannot be written, by its cause.
fn write_hint(path: &Path, error: &std::io::Error) -> String {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.display().to_string(),
        _ => ".".to_owned(),
    };
    match error.kind() {
        std::io::ErrorKind::NotFound => {
            format!("create the directory {directory} or choose another --state")
        }
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            format!("make the directory {directory} writable or choose another --state")
        }
        _ => "choose another --state".to_owned(),
    }
}

/// Writes snapshots to the `--state` file atomically, newest generation wins.
#[derive(Debug)]
pub struct Persister {
    path: Option<PathBuf>,
    /// The generation last written; an older snapshot arriving late is dropped.
    written: Mutex<u64>,
}

impl Persister {
    /// A persister for `path` (`None`: in memory only).
    pub fn new(path: Option<PathBuf>) -> Self {
        Persister {
            path,
            written: Mutex::new(0),
        }
    }

    /// Whether a file is configured.
    pub fn enabled(&self) -> bool {
        self.path.is_some()
    }

    /// Reads the snapshot at the configured path, if there is a file there.
    pub fn load(&self) -> Result<Option<Snapshot>, PersistError> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(PersistError::Io {
                    path: path.clone(),
                    source,
                });
            }
        };
        let mut snapshot: Snapshot =
            serde_json::from_slice(&bytes).map_err(|source| PersistError::Format {
                path: path.clone(),
                source,
            })?;
        snapshot.state.next_expiry_known = false;
        Ok(Some(snapshot))
    }

    /// Writes `bytes` (a serialised [`Snapshot`] of generation `generation`) by writing a
    /// temporary file beside the target and renaming it over, so a reader or a crash never
    /// sees half a file.
    pub fn save(&self, bytes: &[u8], generation: u64) -> Result<(), PersistError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if generation < *written {
            return Ok(());
        }
        write_atomically(path, bytes).map_err(|source| PersistError::Write {
            path: path.clone(),
            source,
        })?;
        *written = generation;
        Ok(())
    }
}

/// Writes `bytes` to `path` through a temporary sibling and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("state");
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)
}
