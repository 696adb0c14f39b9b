-- Optional: trigram GIN indexes that let PostgreSQL answer the sessions search
-- (`LIKE '%…%'` on the lowercased email and name) without reading every session of the
-- tenant. Tried at every start-up; skipped when the pg_trgm extension cannot be created.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS sessions_email_trgm ON sessions USING gin (customer_email_lower gin_trgm_ops);
CREATE INDEX IF NOT EXISTS sessions_name_trgm ON sessions USING gin (customer_name_lower gin_trgm_ops);
