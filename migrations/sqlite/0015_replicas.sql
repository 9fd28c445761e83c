-- Issue 13, several replicas: what each `serve` process kept for itself now lives in the
-- database (the same schema as on PostgreSQL, where several replicas share one database).

-- Files the server keeps (uploaded documents, payment proofs), by SHA-256. Rows of
-- panel_documents and broker_documents written before this name a file on disk; reading
-- such a document falls back to that file.
CREATE TABLE blobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- HR's per-client rate limit window. On SQLite (one process by nature) the server counts
-- in memory and leaves this table empty; it exists so both schemas stay alike.
CREATE TABLE hr_rate_windows (
    client_id TEXT PRIMARY KEY,
    window_start_ms BIGINT NOT NULL,
    count BIGINT NOT NULL
);
