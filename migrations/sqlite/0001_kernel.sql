-- Kernel tables shared by every family.
CREATE TABLE journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family TEXT NOT NULL,
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    path_masked TEXT NOT NULL,
    status INTEGER NOT NULL,
    duration_us BIGINT NOT NULL,
    correlation_id TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX journal_family_created ON journal (family, created_at);
CREATE INDEX journal_correlation ON journal (correlation_id);

CREATE TABLE api_tokens (
    realm TEXT NOT NULL,
    name TEXT NOT NULL,
    token_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (realm, name)
);
CREATE INDEX api_tokens_key ON api_tokens (realm, token_key);

CREATE TABLE basic_clients (
    realm TEXT NOT NULL,
    username TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (realm, username)
);

CREATE TABLE bpjs_consumers (
    cons_id TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    user_key TEXT NOT NULL,
    kode_ppk TEXT NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family TEXT NOT NULL,
    target_url TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    headers TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
