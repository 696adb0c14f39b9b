//! The store conformance suite on PostgreSQL, against `TMS_CHAT_TEST_POSTGRES_URL` or
//! `DATABASE_URL`. Without either, every test prints `skipped: …` and passes — unless
//! `TMS_CHAT_REQUIRE_ALL_TESTS` is set (as in CI), where a missing database is a failure.
//! Tests use random tenant ids, so a shared database is fine.

mod support;

use sqlx::Row;
use support::database_url;
use tms_chat_storage::{connect_any, Backend, PostgresStore};

async fn postgres() -> Option<PostgresStore> {
    let url = database_url()?;
    Some(
        PostgresStore::connect(&url)
            .await
            .expect("connect to PostgreSQL"),
    )
}

tms_chat_core::chat_store_conformance!(postgres());

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_starting_together_apply_each_migration_once() {
    let Some(url) = database_url() else { return };
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { PostgresStore::connect(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for start in starts {
        stores.push(start.await.expect("task").expect("start"));
    }
    let store = &stores[0];
    let latest = <sqlx::Postgres as Backend>::MIGRATIONS
        .last()
        .map(|m| m.version);
    assert_eq!(store.schema_version().await.expect("version"), latest);
    let applied: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM tms_chat_migrations WHERE version = 1")
            .fetch_one(store.pool())
            .await
            .expect("count")
            .get("n");
    assert_eq!(applied, 1);
}

#[tokio::test]
async fn connect_any_picks_postgres_by_scheme() {
    let Some(url) = database_url() else { return };
    let store = connect_any(&url).await.expect("connect");
    store.ping().await.expect("ping");
    if let Some(rest) = url.strip_prefix("postgres://") {
        connect_any(&format!("postgresql://{rest}"))
            .await
            .expect("postgresql: scheme")
            .ping()
            .await
            .expect("ping");
    }
}

/// The append's retry lookup probes the `(session_id, sender_type, client_message_id)` index
/// once per key whatever plan PostgreSQL picks: here a generic plan, made while the schema's
/// `messages` table holds nothing of this tenant, which is what a fresh database's pooled
/// connections cache (a plan that scans the table would grow with it).
#[tokio::test]
async fn the_retry_lookup_probes_the_client_id_index_under_a_generic_plan() {
    let Some(store) = postgres().await else {
        return;
    };
    let lookup = <sqlx::Postgres as Backend>::RETRY_LOOKUP.expect("PostgreSQL has one");
    let mut conn = store.pool().acquire().await.expect("connection");
    sqlx::query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut *conn)
        .await
        .expect("generic plans");
    let keys =
        r#"[{"t":"t","s":"s","k":"customer","c":"c1"},{"t":"t","s":"s","k":"agent","c":"c2"}]"#;
    let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {lookup}")))
        .bind(keys)
        .fetch_all(&mut *conn)
        .await
        .expect("explain");
    let plan = plan.join("\n");
    sqlx::query("RESET plan_cache_mode")
        .execute(&mut *conn)
        .await
        .expect("reset");
    assert!(
        plan.contains("Index Scan using messages_client_id on messages"),
        "one index probe per key:\n{plan}"
    );
    assert!(!plan.contains("Seq Scan on messages"), "no scan:\n{plan}");
}
