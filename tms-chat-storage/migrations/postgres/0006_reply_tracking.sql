-- Reply tracking, reassignment and wait estimates (after 0005 had shipped to databases).

-- Sessions: since when the customer waits for an agent's answer (the oldest customer message
-- with no later agent message; NULL when answered) and when they last wrote, both moved by
-- the batch append in the statement that moves last_seq; when the current assignee got the
-- session (the reassignment timer restarts there) and when it first left the queue (the
-- wait estimates read it).
ALTER TABLE sessions ADD COLUMN awaiting_reply_since BIGINT;
ALTER TABLE sessions ADD COLUMN last_customer_message_at BIGINT;
ALTER TABLE sessions ADD COLUMN assigned_at BIGINT;
ALTER TABLE sessions ADD COLUMN first_assigned_at BIGINT;

-- Widgets: `routing.reassign_after_seconds` copied into a column, so that the reassignment
-- timer finds due sessions of every tenant with one query (the JSON stays the source).
ALTER TABLE widgets ADD COLUMN reassign_after_seconds BIGINT;
UPDATE widgets SET reassign_after_seconds = (routing::jsonb ->> 'reassign_after_seconds')::BIGINT
WHERE routing IS NOT NULL;

-- Sessions open before this migration: the same fields from their stored messages.
UPDATE sessions SET
    last_customer_message_at = (
        SELECT MAX(m.created_at) FROM messages m
        WHERE m.tenant_id = sessions.tenant_id AND m.session_id = sessions.id
          AND m.sender_type = 'customer'),
    awaiting_reply_since = (
        SELECT MIN(m.created_at) FROM messages m
        WHERE m.tenant_id = sessions.tenant_id AND m.session_id = sessions.id
          AND m.sender_type = 'customer'
          AND m.seq > COALESCE((
              SELECT MAX(a.seq) FROM messages a
              WHERE a.tenant_id = sessions.tenant_id AND a.session_id = sessions.id
                AND a.sender_type = 'agent'), 0))
WHERE status <> 'ended';

-- The console's "Needs reply" list: a tenant's waiting customers, oldest wait first.
CREATE INDEX sessions_tenant_awaiting_reply ON sessions (tenant_id, awaiting_reply_since, id)
    WHERE awaiting_reply_since IS NOT NULL;
-- Recent waits (queue estimates): a tenant's sessions by when they first got an agent.
CREATE INDEX sessions_tenant_first_assigned ON sessions (tenant_id, first_assigned_at DESC)
    WHERE first_assigned_at IS NOT NULL;
-- The reassignment timer: assigned open sessions whose customer waits.
CREATE INDEX sessions_reply_overdue ON sessions (last_customer_message_at)
    WHERE awaiting_reply_since IS NOT NULL AND assigned_agent_id IS NOT NULL AND status <> 'ended';
