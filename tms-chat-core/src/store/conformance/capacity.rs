//! Store conformance, capacity: `update_session_within_limit` counts an agent's other open
//! sessions and writes in one atomic step, so concurrent assignments never take an agent
//! over their limit.

use std::sync::Arc;

use crate::domain::{EndedBy, TransferTarget};
use crate::ids::AgentId;
use crate::store::{ChatStore, LimitedUpdate};

use super::fixtures::*;

/// Ten concurrent assignments of ten waiting sessions to one agent with a limit of two:
/// exactly two are stored, the others answer `AtLimit` and stay unassigned.
pub async fn concurrent_limited_assignments_never_exceed_the_limit(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    let mut sessions = Vec::new();
    for i in 0..10 {
        sessions.push(stored_session(&store, &t.widget, at(i)).await);
    }
    let tasks: Vec<_> = sessions
        .iter()
        .map(|s| {
            let store = store.clone();
            let mut assigned = s.clone();
            assigned.assign_to(ada.clone(), at(20)).expect("assign");
            tokio::spawn(async move { store.update_session_within_limit(&assigned, 2).await })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        match task.await.expect("task").expect("limited update") {
            LimitedUpdate::Stored(s) => {
                assert_eq!(s.assigned_agent_id.as_ref(), Some(&ada));
                stored += 1;
            }
            LimitedUpdate::AtLimit => {}
        }
    }
    assert_eq!(stored, 2, "exactly the limit is stored");
    assert_eq!(
        store
            .count_open_sessions_for_agent(&t.tenant, &ada)
            .await
            .expect("count"),
        2
    );
}

/// The session being written is not counted against its own assignee (a reassignment to
/// the same agent, or a transfer of one of theirs), transferred sessions count, ended ones
/// do not, and a refused write leaves the session as it was.
pub async fn the_limit_counts_the_agents_other_open_sessions(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    let mut held = session(&t.widget, at(1));
    held.assign_to(ada.clone(), at(1)).expect("assign");
    let mut transferred = session(&t.widget, at(2));
    let to_ada = TransferTarget::Agent {
        agent_id: ada.clone(),
    };
    transferred.transfer_to(to_ada, at(2)).expect("transfer");
    let mut ended = session(&t.widget, at(3));
    ended.assign_to(ada.clone(), at(3)).expect("assign");
    ended.end(EndedBy::Agent, at(3)).expect("end");
    for s in [&held, &transferred, &ended] {
        insert(&store, s).await;
    }

    let mut again = held.clone();
    again.customer_name = Some("Renamed".into());
    let LimitedUpdate::Stored(again) = store
        .update_session_within_limit(&again, 2)
        .await
        .expect("own session")
    else {
        panic!("a session of the agent's own is not counted against them");
    };
    assert_eq!(again.version, held.version + 1);

    let waiting = stored_session(&store, &t.widget, at(4)).await;
    let mut third = waiting.clone();
    third.assign_to(ada.clone(), at(5)).expect("assign");
    assert_eq!(
        store
            .update_session_within_limit(&third, 2)
            .await
            .expect("over the limit"),
        LimitedUpdate::AtLimit
    );
    let unchanged = store
        .get_session(&t.tenant, &waiting.id)
        .await
        .expect("get");
    assert_eq!(unchanged, waiting);
    assert!(matches!(
        store
            .update_session_within_limit(&third, 3)
            .await
            .expect("under a higher limit"),
        LimitedUpdate::Stored(_)
    ));
}

/// A stale version is still `Conflict`, and another tenant's session `NotFound`.
pub async fn a_limited_update_keeps_the_version_check_and_the_tenant(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    let s = stored_session(&store, &t.widget, at(1)).await;
    let mut assigned = s.clone();
    assigned.assign_to(ada.clone(), at(2)).expect("assign");
    store.update_session(&s).await.expect("bump the version");
    assert_conflict(
        store.update_session_within_limit(&assigned, 5).await,
        "stale version",
    );
    let mut foreign = assigned.clone();
    foreign.tenant_id = unique_tenant();
    assert_not_found(
        store.update_session_within_limit(&foreign, 5).await,
        "another tenant's session",
    );
}
