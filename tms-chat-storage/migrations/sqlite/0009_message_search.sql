-- The session search over message text (issue 10): an FTS5 table of each message's words
-- with its tenant and session, fed by the batch append (one multi-row insert per batch).
-- Sealed content (encryption at rest, `tmsenc1:` prefix) is never indexed. Diacritics are
-- kept so SQLite and PostgreSQL ('simple' configuration) match the same words.
CREATE VIRTUAL TABLE message_search USING fts5(
    content,
    tenant_id UNINDEXED,
    session_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO message_search (content, tenant_id, session_id)
    SELECT content, tenant_id, session_id FROM messages WHERE content NOT LIKE 'tmsenc1:%';
