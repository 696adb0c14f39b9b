//! The service's timers: work that falls due with time rather than with a request (today,
//! presence grace periods). [`ChatService::run_due_timers`] does one pass on the service's
//! clock, so tests drive it with the manual clock; [`ChatService::spawn_timers`] runs it
//! every so often on every node. Each due item is claimed in the store by one conditional
//! write, so with several nodes each fires once.

use super::ChatService;
use crate::error::ChatResult;
use std::time::Duration;

/// What one pass of the timers did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimerPass {
    /// Agents turned offline after their grace period.
    pub presence_expired: usize,
}

impl ChatService {
    /// Runs every timer that is due at the clock's now, once.
    pub async fn run_due_timers(&self) -> ChatResult<TimerPass> {
        Ok(TimerPass {
            presence_expired: self.expire_presence_grace().await?,
        })
    }

    /// Runs [`ChatService::run_due_timers`] every `every` until the returned task is
    /// aborted; a failed pass is logged and the next one runs as usual.
    pub fn spawn_timers(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let service = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(err) = service.run_due_timers().await {
                    tracing::warn!(error = %err, "a timer pass failed");
                }
            }
        })
    }
}
