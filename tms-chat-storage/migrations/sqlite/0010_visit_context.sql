-- The customer context of a session (issue 10): what the widget reported last about the
-- customer's visit (page URL and title, referrer, browser and OS, language, time zone), as
-- JSON, one row per session, replaced on every page view. Agents only ever read it; erasure
-- and retention delete it with the session.
CREATE TABLE visit_contexts (
    tenant_id  TEXT NOT NULL,
    session_id TEXT NOT NULL,
    context    TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, session_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id)
);
