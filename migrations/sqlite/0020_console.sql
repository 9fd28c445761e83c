-- Issue 17: the operators' console. People (not partners' systems) log in with a name
-- and an Argon2id password; each has one role and, for scoped roles, one scope (a
-- hospital's kode_ppk, an HR tenant, an insurance panel code).
CREATE TABLE console_operators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL,
    password_set_at_ms BIGINT NOT NULL
);
-- Sessions live in the database so every replica knows them. The cookie carries a random
-- token; only its keyed MAC is stored, so a copy of this table opens no session.
CREATE TABLE console_sessions (
    token_mac TEXT PRIMARY KEY,
    operator_id BIGINT NOT NULL REFERENCES console_operators (id),
    csrf TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
CREATE INDEX console_sessions_operator ON console_sessions (operator_id);
