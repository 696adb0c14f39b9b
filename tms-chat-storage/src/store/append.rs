//! Appending messages: group commit, gapless per-session sequence numbers and idempotent
//! `client_message_id` retries, in a constant number of statements per batch.
//!
//! A batch is one write transaction (`BEGIN IMMEDIATE` on SQLite) of five steps (six on
//! SQLite), however many messages it carries (each step's rows go in statements of a
//! power-of-two size up to [`ROWS_PER_STATEMENT`] rows: [`statement_chunks`]):
//!
//! 1. **Lock** the batch's sessions and read their `last_seq`
//!    (`SELECT … ORDER BY id FOR UPDATE` on PostgreSQL; SQLite's write lock already covers
//!    them). Every batch locks in id order, so two batches cannot deadlock, and an append
//!    that arrives meanwhile waits here, so every number is handed out once. A session that
//!    is not in the message's tenant is `NotFound` for that message.
//! 2. **Look up retries**: the stored messages with the same
//!    `(tenant, session, sender_type, client_message_id)` as a message of the batch. Under the
//!    session locks this answer cannot change before commit. PostgreSQL takes every key in
//!    one statement ([`Backend::RETRY_LOOKUP`](crate::backend::Backend::RETRY_LOOKUP)), whose
//!    plan does not depend on the batch. A retry is answered with the
//!    stored row and `created: false`; so is a second message with the same key in the batch
//!    (with the first one's message).
//! 3. **Insert** the new messages, numbered from each session's `last_seq` in input order;
//!    on SQLite a second multi-row insert feeds their text to the search table
//!    (`message_search`, FTS5; PostgreSQL indexes `messages.content` itself).
//! 4. **Advance** each session's `last_seq`, `last_activity_at` and reply tracking
//!    (`awaiting_reply_since`, `last_customer_message_at`: [`ReplyClock::after`] applied to
//!    its new messages in order, from the values read under the lock in step 1) in one
//!    `UPDATE … FROM`.
//! 5. **Mark read** for each agent who wrote: their read marker moves to their newest new
//!    message of the session (never back), one multi-row upsert.
//!
//! A statement that fails fails the whole batch (nothing is stored); results come back in
//! input order.

use std::collections::{BTreeMap, HashMap};

use tms_chat_core::clock::truncate_to_micros;
use tms_chat_core::domain::{Message, NewMessage, ReadMarker, ReplyClock, SenderType};
use tms_chat_core::store::{search, Appended, StoreResult};
use tms_chat_core::StoreError;

use super::SqlStore;
use crate::codec::{self, message_columns, micros, Columns};
use crate::error::db;
use crate::sql::{query, ListQuery, Sql};

/// Most rows one statement carries (parameters stay far below both databases' limits). A
/// power of two, as [`statement_chunks`] needs.
const ROWS_PER_STATEMENT: usize = 256;

/// Splits a step's rows into statements of 256, 128, …, 2 or 1 rows, largest first: each
/// multi-row statement then has one of nine texts whatever the batch size, and stays
/// prepared on every connection (a batch of 37 is three statements of 32, 4 and 1 rows).
/// Consecutive chunks keep the rows' order, so locks are still taken in id order.
fn statement_chunks<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = ROWS_PER_STATEMENT.min(1 << rest.len().ilog2());
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
}

/// Prepared statements each connection keeps, on both databases: the append path's nine
/// texts per step (see [`statement_chunks`]) and every other query of the store, with room
/// to spare. A statement prepared again costs far more than running it (a prepare of a
/// 64-row statement is about a million instructions on SQLite; `scripts/instructions.sh`).
pub(crate) const STATEMENT_CACHE: usize = 1024;

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
    reply: ReplyClock,
    /// Read-marker participant of each agent who wrote -> their newest new message's seq.
    agent_reads: BTreeMap<String, i64>,
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
            .writer
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(db("append messages: begin"))?;
        let mut counters = lock_sessions::<DB>(&mut tx, &messages).await?;
        let stored = find_retries::<DB>(&mut tx, &messages).await?;
        let outcomes = number(&messages, &mut counters, stored);
        insert_new::<DB>(&mut tx, &messages, &outcomes).await?;
        advance_sessions::<DB>(&mut tx, &counters).await?;
        mark_read_by_writers::<DB>(&mut tx, &counters, &messages).await?;
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
    for chunk in statement_chunks(&wanted) {
        let mut query = ListQuery::<DB>::new(
            "SELECT id, tenant_id, last_seq, awaiting_reply_since, last_customer_message_at \
             FROM sessions WHERE ",
        );
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
            let reply = ReplyClock {
                awaiting_reply_since: row.opt_time("awaiting_reply_since")?,
                last_customer_message_at: row.opt_time("last_customer_message_at")?,
            };
            let found = chunk
                .iter()
                .find(|(session, owner)| *session == id && *owner == tenant);
            if let Some(key) = found {
                counters.insert(
                    *key,
                    Counter {
                        last_seq,
                        active_at: i64::MIN,
                        reply,
                        agent_reads: BTreeMap::new(),
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
    if keyed.is_empty() {
        return Ok(stored);
    }
    if let Some(lookup) = DB::RETRY_LOOKUP {
        let rows = query::<DB>(lookup)
            .bind(retry_keys_json(&keyed)?)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("append messages: find retries"))?;
        collect_stored(&rows, &mut stored)?;
        return Ok(stored);
    }
    for chunk in statement_chunks(&keyed) {
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
        collect_stored(&rows, &mut stored)?;
    }
    Ok(stored)
}

/// The keys of [`Backend::RETRY_LOOKUP`](crate::backend::Backend::RETRY_LOOKUP)'s JSON
/// parameter.
fn retry_keys_json(keyed: &[&NewMessage]) -> StoreResult<String> {
    #[derive(serde::Serialize)]
    struct Key<'a> {
        t: &'a str,
        s: &'a str,
        k: &'a str,
        c: Option<&'a str>,
    }
    let keys: Vec<Key<'_>> = keyed
        .iter()
        .map(|m| Key {
            t: m.tenant_id.as_str(),
            s: m.session_id.as_str(),
            k: m.sender_type.as_str(),
            c: m.client_message_id.as_deref(),
        })
        .collect();
    serde_json::to_string(&keys)
        .map_err(|err| StoreError::backend("append messages: retry keys", err.to_string()))
}

/// Files the retry lookup's rows under their keys.
fn collect_stored<R>(rows: &[R], stored: &mut HashMap<RetryKey, Message>) -> StoreResult<()>
where
    R: Columns,
{
    for row in rows {
        let message = codec::message(row)?;
        let key = (
            message.tenant_id.as_str().to_owned(),
            message.session_id.as_str().to_owned(),
            message.sender_type.as_str().to_owned(),
            message.client_message_id.clone().unwrap_or_default(),
        );
        stored.insert(key, message);
    }
    Ok(())
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
        counter.reply = counter
            .reply
            .after(message.sender_type, truncate_to_micros(message.created_at));
        counter.advanced = true;
        if let (SenderType::Agent, Some(agent)) = (message.sender_type, &message.sender_agent_id) {
            counter
                .agent_reads
                .insert(ReadMarker::agent_key(agent), counter.last_seq);
        }
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
    for chunk in statement_chunks(&new) {
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
    for chunk in statement_chunks(&advanced) {
        let mut query = ListQuery::<DB>::new(
            "WITH advanced (id, tenant_id, last_seq, active_at, awaiting_since, customer_at) \
             AS (VALUES ",
        );
        for (i, ((session, tenant), counter)) in chunk.iter().enumerate() {
            query.push(if i == 0 { "(" } else { ", (" });
            query.push_list([
                (*session).into(),
                (*tenant).into(),
                counter.last_seq.into(),
                counter.active_at.into(),
                counter.reply.awaiting_reply_since.map(micros).into(),
                counter.reply.last_customer_message_at.map(micros).into(),
            ] as [crate::sql::Param<'_>; 6]);
            query.push(")");
        }
        query.push(
            ") UPDATE sessions SET last_seq = advanced.last_seq, \
             last_activity_at = CASE WHEN sessions.last_activity_at < advanced.active_at \
             THEN advanced.active_at ELSE sessions.last_activity_at END, \
             awaiting_reply_since = advanced.awaiting_since, \
             last_customer_message_at = advanced.customer_at \
             FROM advanced WHERE sessions.id = advanced.id AND sessions.tenant_id = advanced.tenant_id",
        );
        query
            .execute(&mut *conn)
            .await
            .map_err(db("append messages: advance sessions"))?;
    }
    Ok(())
}

/// Step 5: moves the read marker of every agent who wrote to their newest new message.
async fn mark_read_by_writers<DB: Sql>(
    conn: &mut DB::Connection,
    counters: &BTreeMap<SessionKey<'_>, Counter>,
    messages: &[NewMessage],
) -> StoreResult<()> {
    let reads: Vec<(&SessionKey<'_>, &String, i64)> = counters
        .iter()
        .flat_map(|(key, c)| c.agent_reads.iter().map(move |(who, seq)| (key, who, *seq)))
        .collect();
    let at = messages
        .iter()
        .map(|m| micros(m.created_at))
        .max()
        .unwrap_or_default();
    for chunk in statement_chunks(&reads) {
        let mut query = ListQuery::<DB>::new(
            "INSERT INTO read_markers (tenant_id, session_id, participant, last_read_seq, \
             updated_at) VALUES ",
        );
        for (i, ((session, tenant), who, seq)) in chunk.iter().enumerate() {
            query.push(if i == 0 { "(" } else { ", (" });
            query.push_list([
                (*tenant).into(),
                (*session).into(),
                who.as_str().into(),
                (*seq).into(),
                at.into(),
            ] as [crate::sql::Param<'_>; 5]);
            query.push(")");
        }
        query.push(
            " ON CONFLICT (tenant_id, session_id, participant) DO UPDATE SET \
             last_read_seq = CASE WHEN excluded.last_read_seq > read_markers.last_read_seq \
             THEN excluded.last_read_seq ELSE read_markers.last_read_seq END, \
             updated_at = CASE WHEN excluded.last_read_seq > read_markers.last_read_seq \
             THEN excluded.updated_at ELSE read_markers.updated_at END",
        );
        query
            .execute(&mut *conn)
            .await
            .map_err(db("append messages: mark read"))?;
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

#[cfg(test)]
mod tests {
    use super::statement_chunks;

    fn sizes(n: usize) -> Vec<usize> {
        let rows: Vec<usize> = (0..n).collect();
        let chunks: Vec<&[usize]> = statement_chunks(&rows).collect();
        assert_eq!(chunks.concat(), rows, "every row once, in order");
        chunks.iter().map(|c| c.len()).collect()
    }

    #[test]
    fn statements_carry_a_power_of_two_rows_largest_first() {
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(37), [32, 4, 1]);
        assert_eq!(sizes(128), [128]);
        assert_eq!(sizes(600), [256, 256, 64, 16, 8]);
    }
}
