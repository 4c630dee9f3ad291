//! [`CliError`]: every way a command can fail, each message naming what to change (a flag,
//! an `ARM_*` variable, the policy). A message may span lines; `main` prints each line as one
//! `ERROR:` line. Nothing here holds a token or a secret: Azure errors carry only ARM's code,
//! message and request id.

use jit_core::RuleError;

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The `ARM_*` settings are missing or wrong (one message per problem).
    #[error("{}", .0.join("\n"))]
    Settings(Vec<String>),
    /// The Azure client could not be set up (e.g. an unreadable `SSL_CERT_FILE`).
    #[error(transparent)]
    Client(Box<jit_azure::client::ClientError>),
    /// Resource Manager refused or could not be reached (boxed: ARM's error body is large, and
    /// every result of the command line carries this type).
    #[error(transparent)]
    Arm(Box<jit_azure::ArmError>),
    /// The request breaks the JIT policy's rules; nothing was sent.
    #[error("{}", .0.iter().map(Refusal::to_string).collect::<Vec<_>>().join("\n"))]
    Refused(Vec<Refusal>),
    /// `--policy` names a policy that does not exist.
    #[error(
        "--policy {policy}: no such JIT policy; check the id, or leave --policy out to find the VM's policy"
    )]
    PolicyNotFound {
        /// The id given.
        policy: String,
    },
    /// `--policy` names a policy that does not list the VM.
    #[error(
        "--policy {policy}: the policy does not list VM {vm}; leave --policy out to find the VM's policy"
    )]
    VmNotInPolicy {
        /// The id given.
        policy: String,
        /// The VM.
        vm: String,
    },
    /// No policy of the subscription lists the VM.
    #[error(
        "VM {vm} is in no JIT policy of subscription {subscription}; enable JIT for it first (a jit_policy resource, or the portal)"
    )]
    NoPolicy {
        /// The VM.
        vm: String,
        /// Where policies were listed.
        subscription: String,
    },
    /// Several policies list the VM.
    #[error("VM {vm} is in several JIT policies ({}); choose one with --policy", .policies.join(", "))]
    SeveralPolicies {
        /// The VM.
        vm: String,
        /// Their ids.
        policies: Vec<String>,
    },
    /// Azure answered a policy this client cannot use (no id, or a rule that does not parse).
    #[error("the JIT policy {policy} cannot be used: {reason}")]
    UnreadablePolicy {
        /// Its id or name.
        policy: String,
        /// Why.
        reason: String,
    },
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
    /// The async runtime could not start.
    #[error("cannot start: {0}")]
    Runtime(std::io::Error),
}

impl From<jit_azure::ArmError> for CliError {
    fn from(error: jit_azure::ArmError) -> Self {
        CliError::Arm(Box::new(error))
    }
}

impl From<jit_azure::client::ClientError> for CliError {
    fn from(error: jit_azure::client::ClientError) -> Self {
        CliError::Client(Box::new(error))
    }
}

/// One reason a request is refused before it is sent, with the flag that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `--port`, `--duration` or `--source`.
    pub flag: &'static str,
    /// The value given.
    pub value: String,
    /// The rule it breaks.
    pub error: RuleError,
    /// What the policy allows, e.g. `the policy opens 22, 3389`.
    pub allowed: Option<String>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.flag, self.value, self.error)?;
        if let Some(allowed) = &self.allowed {
            write!(f, " ({allowed})")?;
        }
        write!(f, "; {}", self.error.help())
    }
}
