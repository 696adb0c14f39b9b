-- One-time socket tickets, shared by every node on the database: a ticket issued through one
-- node opens a socket on any node, once. Only the ticket's hash is stored.
CREATE TABLE socket_tickets (
    ticket_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL,
    agent_id    TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX socket_tickets_expiry ON socket_tickets (expires_at);
