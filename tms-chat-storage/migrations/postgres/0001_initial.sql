-- tms-chat schema, version 1 (PostgreSQL). Identifier columns use the "C" collation so
-- ordering and the list cursor compare bytes, exactly like SQLite.
-- Timestamps are BIGINT microseconds since the Unix epoch (UTC); enums are their wire
-- strings; lists and nested structs are JSON text. Every table carries tenant_id and every
-- query filters by it.

CREATE TABLE tenants (
    tenant_id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name      TEXT NOT NULL
);

CREATE TABLE projects (
    tenant_id TEXT COLLATE "C" NOT NULL,
    id        TEXT COLLATE "C" NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE agents (
    tenant_id               TEXT COLLATE "C" NOT NULL,
    id                      TEXT COLLATE "C" NOT NULL,
    display_name            TEXT NOT NULL,
    avatar_url              TEXT,
    roles                   TEXT NOT NULL,
    projects                TEXT NOT NULL,
    departments             TEXT NOT NULL,
    skills                  TEXT NOT NULL,
    max_concurrent_sessions BIGINT,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE widgets (
    id                 TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    tenant_id          TEXT COLLATE "C" NOT NULL,
    project_id         TEXT COLLATE "C" NOT NULL,
    name               TEXT NOT NULL,
    domain             TEXT NOT NULL,
    allowed_domains    TEXT NOT NULL,
    welcome_message    TEXT NOT NULL,
    offline_message    TEXT NOT NULL,
    primary_color      TEXT NOT NULL,
    secondary_color    TEXT NOT NULL,
    position           TEXT NOT NULL,
    auto_open_delay    BIGINT,
    show_agent_avatars BOOLEAN NOT NULL,
    allow_file_uploads BOOLEAN NOT NULL,
    require_email      BOOLEAN NOT NULL,
    business_hours     TEXT,
    max_upload_bytes   BIGINT NOT NULL,
    auto_create_ticket BOOLEAN NOT NULL,
    identity_secret    TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX widgets_tenant_created ON widgets (tenant_id, created_at, id);
CREATE INDEX widgets_tenant_project_created ON widgets (tenant_id, project_id, created_at, id);

-- Sessions have no foreign key to widgets: deleting a widget keeps its sessions.
CREATE TABLE sessions (
    id                   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    tenant_id            TEXT COLLATE "C" NOT NULL,
    project_id           TEXT COLLATE "C" NOT NULL,
    widget_id            TEXT COLLATE "C" NOT NULL,
    status               TEXT NOT NULL,
    customer_email       TEXT,
    customer_email_lower TEXT,
    customer_name        TEXT,
    customer_name_lower  TEXT,
    assigned_agent_id    TEXT COLLATE "C",
    transfer_target      TEXT,
    department           TEXT,
    started_by_agent_id  TEXT,
    ended_by             TEXT,
    last_seq             BIGINT NOT NULL DEFAULT 0,
    ticket_id            TEXT,
    customer_verified    BOOLEAN NOT NULL,
    version              BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    last_activity_at     BIGINT NOT NULL,
    ended_at             BIGINT,
    customer_token_hash  TEXT NOT NULL
);
-- Target of the (tenant_id, session_id) foreign keys below.
ALTER TABLE sessions ADD CONSTRAINT sessions_tenant_id UNIQUE (tenant_id, id);
CREATE UNIQUE INDEX sessions_token_hash ON sessions (customer_token_hash);
CREATE INDEX sessions_tenant_activity ON sessions (tenant_id, last_activity_at DESC, id DESC);
CREATE INDEX sessions_tenant_status ON sessions (tenant_id, status, last_activity_at DESC, id DESC);
CREATE INDEX sessions_tenant_agent ON sessions (tenant_id, assigned_agent_id, last_activity_at DESC, id DESC);
CREATE INDEX sessions_tenant_widget ON sessions (tenant_id, widget_id, last_activity_at DESC, id DESC);
CREATE INDEX sessions_tenant_project ON sessions (tenant_id, project_id, last_activity_at DESC, id DESC);
CREATE INDEX sessions_tenant_email ON sessions (tenant_id, customer_email_lower, created_at DESC, id DESC);
CREATE INDEX sessions_tenant_unassigned ON sessions (tenant_id, last_activity_at DESC, id DESC)
    WHERE assigned_agent_id IS NULL AND status <> 'ended';

CREATE TABLE messages (
    tenant_id         TEXT COLLATE "C" NOT NULL,
    session_id        TEXT COLLATE "C" NOT NULL,
    seq               BIGINT NOT NULL,
    id                TEXT COLLATE "C" NOT NULL,
    sender_type       TEXT NOT NULL,
    sender_agent_id   TEXT,
    kind              TEXT NOT NULL,
    content           TEXT NOT NULL,
    attachment        TEXT,
    system_event      TEXT,
    client_message_id TEXT,
    created_at        BIGINT NOT NULL,
    PRIMARY KEY (session_id, seq),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id)
);
CREATE UNIQUE INDEX messages_id ON messages (id);
CREATE UNIQUE INDEX messages_client_id ON messages (session_id, sender_type, client_message_id)
    WHERE client_message_id IS NOT NULL;

CREATE TABLE attachments (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    tenant_id    TEXT COLLATE "C" NOT NULL,
    session_id   TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    storage_key  TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id)
);
CREATE INDEX attachments_tenant_session ON attachments (tenant_id, session_id);

CREATE TABLE notes (
    id              TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    tenant_id       TEXT COLLATE "C" NOT NULL,
    session_id      TEXT COLLATE "C" NOT NULL,
    author_agent_id TEXT NOT NULL,
    content         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id)
);
CREATE INDEX notes_tenant_session ON notes (tenant_id, session_id, created_at, id);

CREATE TABLE canned_responses (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    tenant_id  TEXT COLLATE "C" NOT NULL,
    shortcut   TEXT COLLATE "C" NOT NULL,
    text       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX canned_responses_tenant_shortcut ON canned_responses (tenant_id, shortcut);

CREATE TABLE read_markers (
    tenant_id     TEXT COLLATE "C" NOT NULL,
    session_id    TEXT COLLATE "C" NOT NULL,
    participant   TEXT COLLATE "C" NOT NULL,
    last_read_seq BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, session_id, participant),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id)
);
