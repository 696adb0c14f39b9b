//! Store conformance, widgets: round trips, lookup without a tenant, listing order and project
//! filter, deletion.

use std::sync::Arc;

use crate::domain::{Widget, WidgetPosition, WidgetTheme};
use crate::ids::{ProjectId, WidgetId};
use crate::store::ChatStore;

use super::fixtures::*;

/// A widget round-trips every field, is found by id alone, can be updated and deleted, and
/// its id cannot be reused.
pub async fn widgets_round_trip_every_field_and_are_found_without_a_tenant(
    store: Arc<dyn ChatStore>,
) {
    let tenant = unique_tenant();
    let mut w = widget(&tenant, &ProjectId::new("p1"), at(0));
    store.insert_widget(&w).await.expect("insert");
    assert_eq!(store.get_widget(&tenant, &w.id).await.expect("get"), w);
    assert_eq!(store.find_widget(&w.id).await.expect("find"), w);
    assert_conflict(store.insert_widget(&w).await, "inserting the same id again");

    w.name = "Sales".into();
    w.project_id = ProjectId::new("p2");
    w.allowed_domains = vec!["example.org".into()];
    w.business_hours = None;
    w.position = WidgetPosition::BottomLeft;
    w.theme = WidgetTheme::Light;
    w.typing_preview = false;
    w.auto_open_delay = None;
    w.show_agent_avatars = false;
    w.allow_file_uploads = true;
    w.require_email = false;
    w.auto_create_ticket = false;
    w.max_upload_bytes = 1024;
    w.primary_color = "#000000".into();
    w.identity_secret = "rotated".into();
    w.updated_at = at(60);
    store.update_widget(&w).await.expect("update");
    assert_eq!(
        store.get_widget(&tenant, &w.id).await.expect("get updated"),
        w
    );

    store.delete_widget(&tenant, &w.id).await.expect("delete");
    assert_not_found(store.get_widget(&tenant, &w.id).await, "deleted widget");
    assert_not_found(store.find_widget(&w.id).await, "deleted widget by id");
    assert_not_found(store.delete_widget(&tenant, &w.id).await, "deleting twice");
    assert_not_found(store.update_widget(&w).await, "updating a deleted widget");
    assert_not_found(
        store.find_widget(&WidgetId::generate()).await,
        "unknown widget",
    );
}

/// Widgets are listed oldest first, optionally only those of some projects.
pub async fn widgets_are_listed_oldest_first_and_filtered_by_project(store: Arc<dyn ChatStore>) {
    let tenant = unique_tenant();
    let (p1, p2) = (ProjectId::new("p1"), ProjectId::new("p2"));
    let w1 = widget(&tenant, &p1, at(1));
    let w2 = widget(&tenant, &p2, at(2));
    let w3 = widget(&tenant, &p1, at(3));
    for w in [&w3, &w1, &w2] {
        store.insert_widget(w).await.expect("insert");
    }
    let ids = |ws: Vec<Widget>| ws.into_iter().map(|w| w.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.list_widgets(&tenant, None).await.expect("all")),
        vec![w1.id.clone(), w2.id.clone(), w3.id.clone()]
    );
    assert_eq!(
        ids(store
            .list_widgets(&tenant, Some(std::slice::from_ref(&p1)))
            .await
            .expect("p1")),
        vec![w1.id.clone(), w3.id.clone()]
    );
    assert_eq!(
        ids(store
            .list_widgets(&tenant, Some(&[p2.clone(), p1.clone()]))
            .await
            .expect("both")),
        vec![w1.id.clone(), w2.id.clone(), w3.id.clone()]
    );
    assert!(store
        .list_widgets(&tenant, Some(&[]))
        .await
        .expect("none")
        .is_empty());
    assert!(store
        .list_widgets(&tenant, Some(&[ProjectId::new("p-unknown")]))
        .await
        .expect("unknown project")
        .is_empty());
}

/// Deleting a widget leaves its sessions and their messages in place.
pub async fn deleting_a_widget_keeps_its_sessions_and_messages(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(1)).await;
    append(&store, text(&s, "hello", None, at(2))).await;
    store
        .delete_widget(&t.tenant, &t.widget.id)
        .await
        .expect("delete widget");
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("session")
            .last_seq,
        1
    );
    assert_eq!(seqs(&store, &s, history(None, None, 10)).await, vec![1]);
}
