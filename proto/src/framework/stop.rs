//! Stopping in-flight work when Terraform calls `StopProvider` (on Ctrl-C).

use tokio::sync::watch;

/// Lets the server signal a stop to every operation in flight.
#[derive(Debug)]
pub struct StopSource(watch::Sender<bool>);

/// Held by an operation; resolves [`StopToken::stopped`] once a stop was requested.
#[derive(Debug, Clone)]
pub struct StopToken(watch::Receiver<bool>);

impl StopSource {
    /// A source that has not fired.
    pub fn new() -> Self {
        StopSource(watch::channel(false).0)
    }

    /// A token for one operation.
    pub fn token(&self) -> StopToken {
        StopToken(self.0.subscribe())
    }

    /// Fires every token.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl Default for StopSource {
    fn default() -> Self {
        Self::new()
    }
}

impl StopToken {
    /// True once a stop was requested.
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once a stop is requested; use it in `tokio::select!` beside a slow call.
    pub async fn stopped(&mut self) {
        // An error means the source is gone: nothing can stop us any more, so wait forever.
        if self.0.wait_for(|stopped| *stopped).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tokens_see_the_stop() {
        let source = StopSource::new();
        let mut token = source.token();
        assert!(!token.is_stopped());
        source.stop();
        token.stopped().await;
        assert!(token.is_stopped());
        assert!(
            source.token().is_stopped(),
            "a token taken after the stop sees it too"
        );
    }
}
