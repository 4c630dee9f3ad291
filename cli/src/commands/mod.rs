//! The commands: each reads what it needs through one [`ArmClient`] within one [`Deadline`]
//! and returns its output as text; `main` writes it.

mod audit;
mod request;
mod status;

use std::time::Duration;

use jit_azure::{ArmClient, Deadline};
use time::UtcOffset;

use crate::args::{Cli, Command};
use crate::error::CliError;
use crate::output::Progress;

/// What every command is given.
pub struct Context {
    /// The client, with the settings' credential.
    pub client: ArmClient,
    /// The subscription (`--subscription` or `ARM_SUBSCRIPTION_ID`).
    pub subscription_id: String,
    /// When the whole command must be done.
    pub deadline: Deadline,
    /// The status line.
    pub progress: Progress,
    /// The user's time zone, for end times.
    pub local_offset: UtcOffset,
}

/// Resolves the settings as the provider does, then runs the command.
pub async fn run(cli: Cli, local_offset: UtcOffset) -> Result<String, CliError> {
    let subscription = cli.subscription.clone();
    let env = move |name: &str| {
        if name == "ARM_SUBSCRIPTION_ID"
            && let Some(subscription) = &subscription
        {
            return Some(subscription.clone());
        }
        std::env::var(name).ok()
    };
    let settings =
        terraform_provider_jit::config::resolve_environment(&env).map_err(CliError::Settings)?;
    let client = ArmClient::new(&settings)?;
    let operation = match &cli.command {
        Command::Request(_) => "jit request",
        Command::Status(_) => "jit status",
        Command::Audit(_) => "jit audit",
    };
    let context = Context {
        client,
        subscription_id: settings.subscription_id.clone(),
        deadline: Deadline::after(Duration::from_secs(cli.timeout.as_secs()), operation),
        progress: Progress::new(),
        local_offset,
    };
    let output = match &cli.command {
        Command::Request(args) => request::run(&context, args).await,
        Command::Status(args) => status::run(&context, args).await,
        Command::Audit(args) => audit::run(&context, args).await,
    };
    context.progress.done();
    output
}
