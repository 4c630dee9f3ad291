//! The resource types, one file each, with their docs and tests beside them; `ports` is the
//! `port` block the two policy resources share.

pub mod jit_access_request;
pub mod jit_policy;
pub mod jit_policy_virtual_machine;
pub mod ports;

use std::future::Future;

use jit_azure::ArmError;
use tfplugin::framework::Diagnostics;
use tfplugin::framework::stop::StopToken;

/// Why an operation against Azure did not finish.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Azure, the network or the deadline said no.
    Arm(ArmError),
    /// Terraform asked the provider to stop (Ctrl-C).
    Stopped,
}

impl From<ArmError> for Failure {
    fn from(error: ArmError) -> Self {
        Failure::Arm(error)
    }
}

impl Failure {
    /// Reports the failure of `what` (e.g. `create jit_policy "default"`).
    pub(crate) fn report(self, what: &str, diagnostics: &mut Diagnostics) {
        match self {
            Failure::Stopped => diagnostics.error(
                format!("Could not {what}: interrupted"),
                "Terraform asked the provider to stop, so the call to Azure was abandoned. \
                 A PUT is idempotent: run `terraform apply` again to finish.",
            ),
            Failure::Arm(error) => {
                let hint = match &error {
                    ArmError::Timeout { .. } => {
                        " Raise the resource's `timeouts` if Azure is merely slow, then apply again."
                    }
                    ArmError::Cloud {
                        status: 401 | 403, ..
                    } => {
                        " Check that the identity has the role actions JIT needs (Microsoft.Security/locations/jitNetworkAccessPolicies/*) on the resource group."
                    }
                    ArmError::Cloud { status: 429, .. } => {
                        " Resource Manager throttled the calls of this identity; apply again later or with less `-parallelism`."
                    }
                    _ => "",
                };
                diagnostics.error(format!("Could not {what}"), format!("{error}.{hint}"));
            }
        }
    }
}

/// The end of a create or update: the state to store, or `None` with the failure of `what`
/// reported (a value still unknown at apply time is a provider bug: Terraform never sends one).
pub(crate) fn finish_apply<M>(
    result: Result<Option<M>, Failure>,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<M> {
    match result {
        Ok(Some(state)) => Some(state),
        Ok(None) => {
            diagnostics.error(
                format!("Could not {what}"),
                "A value is still unknown at apply time; this is a bug in the provider, please report it.",
            );
            None
        }
        Err(failure) => {
            failure.report(what, diagnostics);
            None
        }
    }
}

/// Runs `work` until it finishes or Terraform stops the provider, whichever is first;
/// dropping `work` cancels its call in flight.
pub(crate) async fn until_stopped<T>(
    mut stop: StopToken,
    work: impl Future<Output = Result<T, ArmError>>,
) -> Result<T, Failure> {
    tokio::select! {
        result = work => result.map_err(Failure::Arm),
        () = stop.stopped() => Err(Failure::Stopped),
    }
}
