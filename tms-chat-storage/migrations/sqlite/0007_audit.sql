-- The audit log and retention (issue 11).

-- One row per agent or admin action, written in the change's own transaction. No foreign
-- keys: an entry outlives the session, widget or quick response it is about (an erased
-- customer's sessions are gone, the record of the erasure stays).
CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY NOT NULL,
    tenant_id  TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    action     TEXT NOT NULL,
    target_id  TEXT NOT NULL,
    session_id TEXT,
    details    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- The log, newest first, and its two filters.
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, created_at DESC, id DESC);
CREATE INDEX audit_log_tenant_actor_time ON audit_log (tenant_id, actor_id, created_at DESC, id DESC);
CREATE INDEX audit_log_tenant_session_time ON audit_log (tenant_id, session_id, created_at DESC, id DESC);

-- Widgets: days after its end an ended session is deleted (NULL: kept).
ALTER TABLE widgets ADD COLUMN retention_days BIGINT;

-- The retention timer: ended sessions by end time.
CREATE INDEX sessions_ended_at ON sessions (ended_at) WHERE status = 'ended';
