//! Store conformance, one-time socket tickets: redeemed once (also under concurrent
//! redemptions, which is what makes a ticket issued on one node safe on every node), never
//! after they expire.

use std::sync::Arc;

use chrono::Duration;

use crate::ids::{AgentId, TenantId};
use crate::store::{ChatStore, SocketTicketRecord};

use super::fixtures::*;

fn ticket(hash: &str, tenant: &TenantId, expires_in_seconds: i64) -> SocketTicketRecord {
    SocketTicketRecord {
        ticket_hash: hash.to_owned(),
        tenant_id: tenant.clone(),
        agent_id: AgentId::new("agent-ada"),
        expires_at: at(0) + Duration::seconds(expires_in_seconds),
    }
}

/// A ticket is answered once, with its agent; a second redemption and an unknown hash get none.
pub async fn a_socket_ticket_is_redeemed_exactly_once(store: Arc<dyn ChatStore>) {
    let tenant = unique_tenant();
    let issued = ticket(&format!("{}-hash", tenant.as_str()), &tenant, 30);
    store
        .insert_socket_ticket(&issued, at(0))
        .await
        .expect("insert");
    let first = store.redeem_socket_ticket(&issued.ticket_hash, at(1)).await;
    assert_eq!(first.expect("redeem"), Some(issued.clone()));
    let again = store.redeem_socket_ticket(&issued.ticket_hash, at(2)).await;
    assert_eq!(again.expect("redeem again"), None);
    let unknown = store.redeem_socket_ticket("no-such-hash", at(2)).await;
    assert_eq!(unknown.expect("unknown"), None);
}

/// An expired ticket is refused, and the next issue forgets expired ones.
pub async fn an_expired_socket_ticket_is_refused(store: Arc<dyn ChatStore>) {
    let tenant = unique_tenant();
    let old = ticket(&format!("{}-old", tenant.as_str()), &tenant, 5);
    store
        .insert_socket_ticket(&old, at(0))
        .await
        .expect("insert");
    let late = store.redeem_socket_ticket(&old.ticket_hash, at(6)).await;
    assert_eq!(late.expect("redeem late"), None);
    let stale = ticket(&format!("{}-stale", tenant.as_str()), &tenant, 5);
    store
        .insert_socket_ticket(&stale, at(0))
        .await
        .expect("insert stale");
    let fresh = ticket(&format!("{}-fresh", tenant.as_str()), &tenant, 60);
    store
        .insert_socket_ticket(&fresh, at(10))
        .await
        .expect("insert fresh");
    let swept = store.redeem_socket_ticket(&stale.ticket_hash, at(0)).await;
    assert_eq!(
        swept.expect("redeem swept"),
        None,
        "issuing forgets expired tickets"
    );
}

/// Of many concurrent redemptions of one ticket, exactly one gets it.
pub async fn concurrent_redemptions_of_one_socket_ticket_let_exactly_one_win(
    store: Arc<dyn ChatStore>,
) {
    let tenant = unique_tenant();
    let issued = ticket(&format!("{}-race", tenant.as_str()), &tenant, 30);
    store
        .insert_socket_ticket(&issued, at(0))
        .await
        .expect("insert");
    let tries = (0..16).map(|_| {
        let store = store.clone();
        let hash = issued.ticket_hash.clone();
        tokio::spawn(async move { store.redeem_socket_ticket(&hash, at(1)).await })
    });
    let mut winners = 0;
    for handle in tries.collect::<Vec<_>>() {
        let outcome = handle.await.expect("task").expect("redeem");
        winners += usize::from(outcome.is_some());
    }
    assert_eq!(winners, 1);
}
