-- File contents in the database (the `DatabaseBlobStore`), for deployments where every node
-- must reach every upload without a shared directory.
CREATE TABLE files (
    storage_key TEXT PRIMARY KEY NOT NULL,
    bytes       BLOB NOT NULL,
    created_at  BIGINT NOT NULL
);
