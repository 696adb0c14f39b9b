//! Store conformance, presence: changes are applied atomically per agent, rows stay in their
//! tenant, the grace timer's claim answers each due agent once, and open sessions are counted
//! per agent.

use std::sync::Arc;

use chrono::Duration;

use crate::domain::{EndedBy, Presence, PresenceChange};
use crate::ids::AgentId;
use crate::store::ChatStore;

use super::fixtures::*;

/// An unseen agent starts `offline` choosing `online`; a socket brings the choice back; the
/// rows are listed per tenant.
pub async fn presence_changes_are_stored_per_agent_and_tenant(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("ada-{}", uid()));
    let (before, after) = store
        .change_presence(&t.tenant, &ada, PresenceChange::SocketOpened, at(1))
        .await
        .expect("open");
    assert_eq!(before.presence, Presence::Offline);
    assert_eq!((after.presence, after.sockets), (Presence::Online, 1));
    let choose = PresenceChange::Choose {
        status: Presence::Away,
        grace_until: at(31),
    };
    let (_, away) = store
        .change_presence(&t.tenant, &ada, choose, at(2))
        .await
        .expect("choose");
    assert_eq!(
        (away.chosen, away.presence),
        (Presence::Away, Presence::Away)
    );
    let listed = store.list_presence(&t.tenant).await.expect("list");
    assert_eq!(listed, vec![away]);
    let other = unique_tenant();
    assert!(store.list_presence(&other).await.expect("list").is_empty());
}

/// Twenty concurrent socket openings and closings of one agent leave the count exact.
pub async fn concurrent_presence_changes_of_one_agent_all_count(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("ada-{}", uid()));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, tenant, ada) = (store.clone(), t.tenant.clone(), ada.clone());
            tokio::spawn(async move {
                store
                    .change_presence(&tenant, &ada, PresenceChange::SocketOpened, at(1))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("open");
    }
    let closed = PresenceChange::SocketClosed {
        grace_until: at(40),
    };
    for _ in 0..19 {
        store
            .change_presence(&t.tenant, &ada, closed, at(10))
            .await
            .expect("close");
    }
    let listed = store.list_presence(&t.tenant).await.expect("list");
    assert_eq!(listed[0].sockets, 1);
    assert_eq!(listed[0].grace_until, None);
}

/// Of concurrent claims, each agent whose grace period is over is answered once; an agent
/// with a socket, or still within the grace period, is not.
pub async fn an_expired_grace_period_is_claimed_exactly_once(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let (gone, back, early) = (
        AgentId::new(format!("gone-{}", uid())),
        AgentId::new(format!("back-{}", uid())),
        AgentId::new(format!("early-{}", uid())),
    );
    for (agent, grace) in [(&gone, 30), (&back, 30), (&early, 90)] {
        store
            .change_presence(&t.tenant, agent, PresenceChange::SocketOpened, at(0))
            .await
            .expect("open");
        let closed = PresenceChange::SocketClosed {
            grace_until: at(grace),
        };
        store
            .change_presence(&t.tenant, agent, closed, at(0))
            .await
            .expect("close");
    }
    store
        .change_presence(&t.tenant, &back, PresenceChange::SocketOpened, at(5))
        .await
        .expect("reopen");
    let now = at(60);
    let claims: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.expire_presence_grace(now, 100).await })
        })
        .collect();
    let mut claimed = Vec::new();
    for task in claims {
        claimed.extend(task.await.expect("task").expect("claim"));
    }
    let ours: Vec<_> = claimed.iter().filter(|p| p.tenant_id == t.tenant).collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0].agent_id, gone);
    assert_eq!(ours[0].presence, Presence::Offline);
    let later = now + Duration::seconds(60);
    let again = store
        .expire_presence_grace(later, 100)
        .await
        .expect("claim");
    let ours: Vec<_> = again.iter().filter(|p| p.tenant_id == t.tenant).collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].agent_id, early);
}

/// Open sessions are counted per agent; ended and unassigned sessions are not.
pub async fn open_sessions_are_counted_per_agent(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let (ada, bob) = (AgentId::new("a-ada"), AgentId::new("a-bob"));
    for (i, agent, ended) in [
        (1, &ada, false),
        (2, &ada, false),
        (3, &bob, false),
        (4, &bob, true),
    ] {
        let mut s = session(&t.widget, at(i));
        s.assign_to(agent.clone(), at(i)).expect("assign");
        if ended {
            s.end(EndedBy::Agent, at(i)).expect("end");
        }
        insert(&store, &s).await;
    }
    stored_session(&store, &t.widget, at(5)).await;
    let counts = store
        .open_sessions_by_agent(&t.tenant)
        .await
        .expect("counts");
    assert_eq!(counts, vec![(ada, 2), (bob, 1)]);
    assert!(store
        .open_sessions_by_agent(&unique_tenant())
        .await
        .expect("counts")
        .is_empty());
}

/// Idle sessions are those of widgets with `auto_end_after_minutes` whose activity is at least
/// that old; ended ones and widgets without the setting are left out; waiting sessions are
/// listed oldest first.
pub async fn idle_and_waiting_sessions_are_listed_oldest_first(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    // The sweep lists every tenant's sessions a page at a time: this run's lead the page.
    let shift = before_earlier_runs();
    let at = |seconds: i64| at(shift + seconds);
    // The fixture widget ends sessions after 30 minutes.
    let old = stored_session(&store, &t.widget, at(0)).await;
    let recent = stored_session(&store, &t.widget, at(1200)).await;
    let mut ended = session(&t.widget, at(0));
    ended.end(EndedBy::Agent, at(0)).expect("end");
    insert(&store, &ended).await;
    let mut taken = session(&t.widget, at(10));
    taken
        .assign_to(AgentId::new("a-ada"), at(10))
        .expect("assign");
    insert(&store, &taken).await;
    let idle = store.list_idle_sessions(at(1810), 200).await.expect("idle");
    let ours: Vec<_> = idle
        .iter()
        .filter(|s| s.tenant_id == t.tenant)
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(ours, vec![old.id.clone(), taken.id.clone()]);
    let waiting = store
        .list_waiting_sessions(&t.tenant, 200)
        .await
        .expect("waiting");
    let ids: Vec<_> = waiting.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, vec![old.id, recent.id]);
}
