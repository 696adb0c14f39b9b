-- The session search over message text (issue 10): a GIN index over the 'simple' text
-- search vector of each message's content. Sealed content (encryption at rest, `tmsenc1:`
-- prefix) is left out by the partial predicate; building the index covers existing rows.
CREATE INDEX messages_content_search ON messages
    USING gin (to_tsvector('simple', content))
    WHERE content NOT LIKE 'tmsenc1:%';
