//! The service's timers: work that falls due with time rather than with a request: presence
//! grace periods, reassignment of unanswered sessions (`routing.reassign_after_seconds`), the
//! idle end of sessions (`auto_end_after_minutes`) and retention (`retention_days`, in
//! `audit`). [`ChatService::run_due_timers`] does one pass on the service's clock, so tests
//! drive it with the manual clock; [`ChatService::spawn_timers`] runs it every so often on
//! every node. Each due item is claimed in the store by one conditional write (the presence
//! row's conditional update, the session's compare-and-swap, the expired session's delete),
//! so with several nodes each fires once.

use super::session_update::{Announce, Change, LoadAs};
use super::ChatService;
use crate::domain::EndedBy;
use crate::error::ChatResult;
use std::time::Duration;

/// What one pass of the timers did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimerPass {
    /// Agents turned offline after their grace period.
    pub presence_expired: usize,
    /// Sessions ended for having had no message for their widget's `auto_end_after_minutes`.
    pub sessions_ended: usize,
    /// Sessions moved to another agent for an unanswered customer message
    /// (`routing.reassign_after_seconds`).
    pub sessions_reassigned: usize,
    /// Ended sessions deleted for being older than their widget's `retention_days`.
    pub sessions_deleted: usize,
}

/// How many idle sessions one pass ends at most.
const IDLE_BATCH: u32 = 200;

impl ChatService {
    /// Runs every timer that is due at the clock's now, once.
    pub async fn run_due_timers(&self) -> ChatResult<TimerPass> {
        Ok(TimerPass {
            presence_expired: self.expire_presence_grace().await?,
            sessions_reassigned: self.reassign_unanswered_sessions().await?,
            sessions_ended: self.end_idle_sessions().await?,
            sessions_deleted: self.delete_expired_sessions().await?,
        })
    }

    /// Ends (`ended_by: "system"`, with the usual message, events and automatic ticket) every
    /// open session idle for its widget's `auto_end_after_minutes`. A session that moved in
    /// the meantime, or that another node ended first, is left alone.
    async fn end_idle_sessions(&self) -> ChatResult<usize> {
        let now = self.clock.now();
        let mut ended = 0;
        for idle in self.store.list_idle_sessions(now, IDLE_BATCH).await? {
            let Ok(widget) = self
                .store
                .get_widget(&idle.tenant_id, &idle.widget_id)
                .await
            else {
                continue;
            };
            let Some(minutes) = widget.auto_end_after_minutes else {
                continue;
            };
            let cutoff = now - chrono::Duration::minutes(i64::from(minutes));
            let stored = self
                .update_session(
                    LoadAs::Service(&idle.tenant_id),
                    &idle.id,
                    |mut session| async move {
                        if session.status.is_final() || session.last_activity_at > cutoff {
                            return Ok(Change::Keep(session));
                        }
                        session.end(EndedBy::System, now)?;
                        Ok(Change::Write(session, Announce::Ended(EndedBy::System)))
                    },
                )
                .await?;
            if stored.ended_by == Some(EndedBy::System) && stored.ended_at == Some(now) {
                ended += 1;
                self.auto_ticket_on_end(&stored).await;
                if let Some(agent) = &stored.assigned_agent_id {
                    self.offer_quietly(&stored.tenant_id, agent).await;
                }
            }
        }
        Ok(ended)
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
