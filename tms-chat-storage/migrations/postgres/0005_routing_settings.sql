-- Routing settings, added after 0004 (presence) had shipped to databases.

-- When an agent was last given a session by auto-assignment (round robin's order).
ALTER TABLE agent_presence ADD COLUMN last_routed_at BIGINT;

-- Widgets: routing settings (JSON; NULL for widgets made before: manual routing) and the
-- idle end of sessions.
ALTER TABLE widgets ADD COLUMN routing TEXT;
ALTER TABLE widgets ADD COLUMN auto_end_after_minutes BIGINT;

-- The queue: unassigned open sessions of a tenant, oldest first.
CREATE INDEX sessions_tenant_waiting ON sessions (tenant_id, created_at, id)
    WHERE assigned_agent_id IS NULL AND status <> 'ended';
