-- Issue 13, several replicas: what each `serve` process kept for itself now lives in the
-- database, so every replica of one PostgreSQL database sees the same.

-- Files the server keeps (uploaded documents, payment proofs), by SHA-256: a document
-- stored through one replica is read through any other. Rows of panel_documents and
-- broker_documents written before this name a file on the disk of the process that
-- received it; reading such a document falls back to that file.
CREATE TABLE blobs (
    id BIGSERIAL PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TEXT NOT NULL
);

-- HR's per-client rate limit counted across replicas: one row per client, its current
-- window (epoch ms of its first request) and the requests counted in it. One upsert per
-- request increments it atomically (or opens a new window once the old one is over).
CREATE TABLE hr_rate_windows (
    client_id TEXT PRIMARY KEY,
    window_start_ms BIGINT NOT NULL,
    count BIGINT NOT NULL
);
