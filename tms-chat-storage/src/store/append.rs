//! Appending messages: group commit, gapless per-session sequence numbers and idempotent
//! `client_message_id` retries, in a constant number of statements per batch.
//!
//! A batch is one write transaction (`BEGIN IMMEDIATE` on SQLite) of four statements (five on
//! SQLite), however many messages it carries (each statement takes up to
//! [`ROWS_PER_STATEMENT`] rows):
//!
//! 1. **Lock** the batch's sessions and read their `last_seq`
//!    (`SELECT … ORDER BY id FOR UPDATE` on PostgreSQL; SQLite's write lock already covers
//!    them). Every batch locks in id order, so two batches cannot deadlock, and an append
//!    that arrives meanwhile waits here, so every number is handed out once. A session that
//!    is not in the message's tenant is `NotFound` for that message.
//! 2. **Look up retries**: the stored messages with the same
//!    `(tenant, session, sender_type, client_message_id)` as a message of the batch. Under the
//!    session locks this answer cannot change before commit. A retry is answered with the
//!    stored row and `created: false`; so is a second message with the same key in the batch
//!    (with the first one's message).
//! 3. **Insert** the new messages, numbered from each session's `last_seq` in input order;
//!    on SQLite a second multi-row insert feeds their text to the search table
//!    (`message_search`, FTS5; PostgreSQL indexes `messages.content` itself).
//! 4. **Advance** each session's `last_seq` (and `last_activity_at`) in one `UPDATE … FROM`.
//!
//! A statement that fails fails the whole batch (nothing is stored); results come back in
//! input order.

use std::collections::{BTreeMap, HashMap};

use tms_chat_core::clock::truncate_to_micros;
use tms_chat_core::domain::{Message, NewMessage};
use tms_chat_core::store::{search, Appended, StoreResult};
use tms_chat_core::StoreError;

use super::SqlStore;
use crate::codec::{self, message_columns, micros};
use crate::error::db;
use crate::sql::{ListQuery, Sql};

/// Most rows one statement carries (parameters stay far below both databases' limits).
const ROWS_PER_STATEMENT: usize = 256;

/// A session of the batch: `(session id, tenant id)`, ordered as the lock is taken.
type SessionKey<'a> = (&'a str, &'a str);

/// A retry key: `(tenant, session, sender_type, client_message_id)`.
type RetryKey = (String, String, String, String);

/// What the batch does with one message.
enum Outcome {
    /// Stored under this sequence number.
    New(i64),
    /// Answered by a stored message (a retry).
    Stored(Box<Message>),
    /// Answered by an earlier message of this batch with the same client id.
    SameAs(usize),
    /// No such session in the tenant, or a value that cannot be stored.
    Refused(StoreError),
}

/// A locked session's counter as the batch advances it.
struct Counter {
    last_seq: i64,
    active_at: i64,
    advanced: bool,
}

impl<DB: Sql> SqlStore<DB> {
    pub(super) async fn append_batch(
        &self,
        messages: Vec<NewMessage>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self
            .pool
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(db("append messages: begin"))?;
        let mut counters = lock_sessions::<DB>(&mut tx, &messages).await?;
        let stored = find_retries::<DB>(&mut tx, &messages).await?;
        let outcomes = number(&messages, &mut counters, stored);
        insert_new::<DB>(&mut tx, &messages, &outcomes).await?;
        advance_sessions::<DB>(&mut tx, &counters).await?;
        tx.commit().await.map_err(db("append messages: commit"))?;
        Ok(answers(messages, outcomes))
    }
}

/// Step 1: locks the batch's sessions (in id order) and reads their counters.
async fn lock_sessions<'m, DB: Sql>(
    conn: &mut DB::Connection,
    messages: &'m [NewMessage],
) -> StoreResult<BTreeMap<SessionKey<'m>, Counter>> {
    let mut wanted: Vec<SessionKey<'m>> = messages
        .iter()
        .map(|m| (m.session_id.as_str(), m.tenant_id.as_str()))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut counters = BTreeMap::new();
    for chunk in wanted.chunks(ROWS_PER_STATEMENT) {
        let mut query = ListQuery::<DB>::new("SELECT id, tenant_id, last_seq FROM sessions WHERE ");
        for (i, (session, tenant)) in chunk.iter().enumerate() {
            query.push(if i == 0 { "(id = " } else { " OR (id = " });
            query.push_bind(*session).push(" AND tenant_id = ");
            query.push_bind(*tenant).push(")");
        }
        query.push(" ORDER BY id").push(DB::LOCK_ROWS);
        let rows = query
            .fetch_all(&mut *conn)
            .await
            .map_err(db("append messages: lock sessions"))?;
        for row in &rows {
            let read = db("append messages: read session");
            let id = DB::text(row, "id").map_err(read)?;
            let tenant = DB::text(row, "tenant_id").map_err(db("append messages: read session"))?;
            let last_seq = DB::int(row, "last_seq").map_err(db("append messages: read session"))?;
            let found = chunk
                .iter()
                .find(|(session, owner)| *session == id && *owner == tenant);
            if let Some(key) = found {
                counters.insert(
                    *key,
                    Counter {
                        last_seq,
                        active_at: i64::MIN,
                        advanced: false,
                    },
                );
            }
        }
    }
    Ok(counters)
}

fn retry_key(message: &NewMessage) -> Option<RetryKey> {
    let client_id = message.client_message_id.as_ref()?;
    Some((
        message.tenant_id.as_str().to_owned(),
        message.session_id.as_str().to_owned(),
        message.sender_type.as_str().to_owned(),
        client_id.clone(),
    ))
}

/// Step 2: the stored messages that messages of the batch retry.
async fn find_retries<DB: Sql>(
    conn: &mut DB::Connection,
    messages: &[NewMessage],
) -> StoreResult<HashMap<RetryKey, Message>> {
    let keyed: Vec<&NewMessage> = messages
        .iter()
        .filter(|m| m.client_message_id.is_some())
        .collect();
    let mut stored = HashMap::new();
    for chunk in keyed.chunks(ROWS_PER_STATEMENT) {
        let mut query = ListQuery::<DB>::new(concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE "
        ));
        for (i, m) in chunk.iter().enumerate() {
            query.push(if i == 0 { "(" } else { " OR (" });
            query.push("session_id = ").push_bind(m.session_id.as_str());
            query
                .push(" AND sender_type = ")
                .push_bind(m.sender_type.as_str());
            query.push(" AND client_message_id = ");
            query.push_bind(m.client_message_id.clone());
            query
                .push(" AND tenant_id = ")
                .push_bind(m.tenant_id.as_str());
            query.push(")");
        }
        let rows = query
            .fetch_all(&mut *conn)
            .await
            .map_err(db("append messages: find retries"))?;
        for row in &rows {
            let message = codec::message(row)?;
            let key = (
                message.tenant_id.as_str().to_owned(),
                message.session_id.as_str().to_owned(),
                message.sender_type.as_str().to_owned(),
                message.client_message_id.clone().unwrap_or_default(),
            );
            stored.insert(key, message);
        }
    }
    Ok(stored)
}

/// Decides every message's outcome and numbers the new ones, in input order per session.
fn number<'m>(
    messages: &'m [NewMessage],
    counters: &mut BTreeMap<SessionKey<'m>, Counter>,
    mut stored: HashMap<RetryKey, Message>,
) -> Vec<Outcome> {
    let mut claimed: HashMap<RetryKey, usize> = HashMap::new();
    let mut outcomes = Vec::with_capacity(messages.len());
    for (index, message) in messages.iter().enumerate() {
        let key = retry_key(message);
        if let Some(key) = &key {
            if let Some(found) = stored.remove(key) {
                outcomes.push(Outcome::Stored(Box::new(found)));
                claimed.insert(key.clone(), index);
                continue;
            }
            if let Some(&first) = claimed.get(key) {
                outcomes.push(Outcome::SameAs(first));
                continue;
            }
        }
        if let Err(err) = codec::opt_json(message.attachment.as_ref()) {
            outcomes.push(Outcome::Refused(err));
            continue;
        }
        let session = (message.session_id.as_str(), message.tenant_id.as_str());
        let Some(counter) = counters.get_mut(&session) else {
            outcomes.push(Outcome::Refused(StoreError::NotFound));
            continue;
        };
        counter.last_seq += 1;
        counter.active_at = counter.active_at.max(micros(message.created_at));
        counter.advanced = true;
        if let Some(key) = key {
            claimed.insert(key, index);
        }
        outcomes.push(Outcome::New(counter.last_seq));
    }
    outcomes
}

/// Step 3: one multi-row insert per chunk of new messages.
async fn insert_new<DB: Sql>(
    conn: &mut DB::Connection,
    messages: &[NewMessage],
    outcomes: &[Outcome],
) -> StoreResult<()> {
    let new: Vec<(&NewMessage, i64)> = messages
        .iter()
        .zip(outcomes)
        .filter_map(|(m, outcome)| match outcome {
            Outcome::New(seq) => Some((m, *seq)),
            _ => None,
        })
        .collect();
    for chunk in new.chunks(ROWS_PER_STATEMENT) {
        let mut query = ListQuery::<DB>::new(concat!(
            "INSERT INTO messages (",
            message_columns!(),
            ") VALUES "
        ));
        for (i, (m, seq)) in chunk.iter().enumerate() {
            query.push(if i == 0 { "(" } else { ", (" });
            query.push_list(message_values(m, *seq)?).push(")");
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(db("append messages: insert"))?;
        index_text::<DB>(conn, chunk).await?;
    }
    Ok(())
}

/// Step 3b, where the database does not index message text itself (SQLite's FTS5 table): one
/// multi-row insert of the chunk's content that may be indexed (never sealed content; see
/// `tms_chat_core::store::search`).
async fn index_text<DB: Sql>(
    conn: &mut DB::Connection,
    chunk: &[(&NewMessage, i64)],
) -> StoreResult<()> {
    let Some(insert) = DB::MESSAGE_INDEX_INSERT else {
        return Ok(());
    };
    let mut indexable = chunk.iter().filter(|(m, _)| search::indexable(&m.content));
    let Some(first) = indexable.next() else {
        return Ok(());
    };
    let mut query = ListQuery::<DB>::new(insert);
    for (i, (m, _)) in std::iter::once(first).chain(indexable).enumerate() {
        query.push(if i == 0 { "(" } else { ", (" });
        query.push_list([
            m.content.as_str().into(),
            m.tenant_id.as_str().into(),
            m.session_id.as_str().into(),
        ] as [crate::sql::Param<'_>; 3]);
        query.push(")");
    }
    query
        .execute(&mut *conn)
        .await
        .map_err(db("append messages: index text"))
}

/// The values of [`message_columns`] for a new message numbered `seq`.
fn message_values(m: &NewMessage, seq: i64) -> StoreResult<[crate::sql::Param<'_>; 12]> {
    Ok([
        m.id.as_str().into(),
        m.tenant_id.as_str().into(),
        m.session_id.as_str().into(),
        seq.into(),
        m.sender_type.as_str().into(),
        m.sender_agent_id
            .as_ref()
            .map(|a| a.as_str().to_owned())
            .into(),
        m.kind.as_str().into(),
        m.content.as_str().into(),
        codec::opt_json(m.attachment.as_ref())?.into(),
        m.system_event.map(|e| e.as_str().to_owned()).into(),
        m.client_message_id.clone().into(),
        micros(m.created_at).into(),
    ])
}

/// Step 4: moves every session that got messages to its new `last_seq`.
async fn advance_sessions<DB: Sql>(
    conn: &mut DB::Connection,
    counters: &BTreeMap<SessionKey<'_>, Counter>,
) -> StoreResult<()> {
    let advanced: Vec<(&SessionKey<'_>, &Counter)> =
        counters.iter().filter(|(_, c)| c.advanced).collect();
    for chunk in advanced.chunks(ROWS_PER_STATEMENT) {
        let mut query =
            ListQuery::<DB>::new("WITH advanced (id, tenant_id, last_seq, active_at) AS (VALUES ");
        for (i, ((session, tenant), counter)) in chunk.iter().enumerate() {
            query.push(if i == 0 { "(" } else { ", (" });
            query.push_list([
                (*session).into(),
                (*tenant).into(),
                counter.last_seq.into(),
                counter.active_at.into(),
            ] as [crate::sql::Param<'_>; 4]);
            query.push(")");
        }
        query.push(
            ") UPDATE sessions SET last_seq = advanced.last_seq, \
             last_activity_at = CASE WHEN sessions.last_activity_at < advanced.active_at \
             THEN advanced.active_at ELSE sessions.last_activity_at END \
             FROM advanced WHERE sessions.id = advanced.id AND sessions.tenant_id = advanced.tenant_id",
        );
        query
            .execute(&mut *conn)
            .await
            .map_err(db("append messages: advance sessions"))?;
    }
    Ok(())
}

/// Each message's result, in input order.
fn answers(messages: Vec<NewMessage>, outcomes: Vec<Outcome>) -> Vec<StoreResult<Appended>> {
    let mut results: Vec<StoreResult<Appended>> = Vec::with_capacity(messages.len());
    for (message, outcome) in messages.into_iter().zip(outcomes) {
        let result = match outcome {
            Outcome::New(seq) => {
                let mut stored = message.into_message(seq);
                // As a later read returns it: the database keeps microseconds.
                stored.created_at = truncate_to_micros(stored.created_at);
                Ok(Appended {
                    message: stored,
                    created: true,
                })
            }
            Outcome::Stored(found) => Ok(Appended {
                message: *found,
                created: false,
            }),
            Outcome::SameAs(first) => match results.get(first) {
                Some(Ok(earlier)) => Ok(Appended {
                    message: earlier.message.clone(),
                    created: false,
                }),
                _ => Err(StoreError::backend(
                    "append messages",
                    "retry of a refused message",
                )),
            },
            Outcome::Refused(err) => Err(err),
        };
        results.push(result);
    }
    results
}
