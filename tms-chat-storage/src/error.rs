//! Turning sqlx errors into [`StoreError`]s: a missing row is `NotFound`, a unique violation
//! is `Conflict`, a foreign-key violation (a child row whose session does not exist in the
//! tenant) is `NotFound`, a database that does not answer (connection refused or lost, the
//! pool timed out waiting for one, the server shutting down) is `Unavailable`, anything else
//! is `Backend` with context and the driver error as its source.

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
    if is_unavailable(&err) {
        return StoreError::unavailable(action, err);
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

/// Whether `err` says the database is out of reach rather than that the statement failed.
fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutting down, cannot
        // connect now).
        sqlx::Error::Database(db_err) => db_err.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
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
        let err = db("list sessions")(sqlx::Error::Protocol("bad frame".into()));
        match &err {
            StoreError::Backend { message, .. } => assert_eq!(message, "list sessions"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn a_database_out_of_reach_is_unavailable() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for err in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(refused),
        ] {
            match db("list sessions")(err) {
                StoreError::Unavailable { message, .. } => assert_eq!(message, "list sessions"),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
