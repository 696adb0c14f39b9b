//! Turning sqlx errors into [`StoreError`]s: a missing row is `NotFound`, a unique violation
//! is `Conflict`, a foreign-key violation (a child row whose session does not exist in the
//! tenant) is `NotFound`, anything else is `Backend` with context and the driver error as
//! its source.

use tms_chat_core::StoreError;

/// Maps a sqlx error; `action` says what was being done (for logs and conflict messages).
pub(crate) fn db(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |err| classify(err, action, None)
}

/// Like [`db`], with the client-facing message to use when a unique constraint is violated.
pub(crate) fn db_conflict(
    action: &'static str,
    conflict: &'static str,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |err| classify(err, action, Some(conflict))
}

fn classify(err: sqlx::Error, action: &'static str, conflict: Option<&'static str>) -> StoreError {
    if matches!(err, sqlx::Error::RowNotFound) {
        return StoreError::NotFound;
    }
    if let Some(db_err) = err.as_database_error() {
        if db_err.is_unique_violation() {
            return StoreError::Conflict(conflict.map_or_else(
                || format!("{action}: the object already exists"),
                str::to_owned,
            ));
        }
        if db_err.is_foreign_key_violation() {
            return StoreError::NotFound;
        }
    }
    StoreError::backend(action, err)
}

/// A value read from the database that the domain cannot represent.
pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::backend("decode row", what.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_not_found_is_not_found() {
        assert!(matches!(
            db("get")(sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
    }

    #[test]
    fn other_errors_keep_context_and_source() {
        let err = db("list sessions")(sqlx::Error::PoolTimedOut);
        match &err {
            StoreError::Backend { message, .. } => assert_eq!(message, "list sessions"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(std::error::Error::source(&err).is_some());
    }
}
