-- Routing: each agent's presence, shared by every node on the database. `sockets` counts the
-- agent's open console sockets on every node; `grace_until` is when an agent without one
-- turns offline (the timer claims due rows with one conditional UPDATE, so it fires once).
CREATE TABLE agent_presence (
    tenant_id   TEXT COLLATE "C" NOT NULL,
    agent_id    TEXT COLLATE "C" NOT NULL,
    chosen      TEXT NOT NULL,
    presence    TEXT NOT NULL,
    sockets     BIGINT NOT NULL,
    grace_until BIGINT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
);
CREATE INDEX agent_presence_grace ON agent_presence (grace_until) WHERE grace_until IS NOT NULL;
