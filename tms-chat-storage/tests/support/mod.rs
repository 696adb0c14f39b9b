//! What the PostgreSQL test files share: where the database is, and the skip rule.

/// `TMS_CHAT_TEST_POSTGRES_URL` or `DATABASE_URL`. Without either, prints `skipped: …` and
/// answers `None` — unless `TMS_CHAT_REQUIRE_ALL_TESTS` is set (as in CI), where a missing
/// database is a failure.
pub(crate) fn database_url() -> Option<String> {
    let url = ["TMS_CHAT_TEST_POSTGRES_URL", "DATABASE_URL"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|url| !url.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_none(),
            "TMS_CHAT_REQUIRE_ALL_TESTS is set but DATABASE_URL is not"
        );
        eprintln!("skipped: DATABASE_URL not set (PostgreSQL tests)");
    }
    url
}
