-- Issue 12: brute-force lockouts and revocable HR tokens.

-- One row per failed authentication of a subject (`ppob:ZH0001`, `addr:127.0.0.1`) within
-- the counting window; older rows are deleted as new ones arrive.
CREATE TABLE auth_failures (
    subject TEXT NOT NULL,
    failed_at_ms BIGINT NOT NULL
);
CREATE INDEX auth_failures_subject ON auth_failures (subject, failed_at_ms);

-- The last lockout of a subject; `level` doubles the next one's length.
CREATE TABLE auth_lockouts (
    subject TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    locked_until_ms BIGINT NOT NULL,
    level BIGINT NOT NULL,
    locked_at_ms BIGINT NOT NULL
);

-- A client's epoch: tokens carry the epoch they were issued under and die when it moves
-- (rotate, disable). A disabled client gets no tokens.
ALTER TABLE hr_clients ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
ALTER TABLE hr_clients ADD COLUMN disabled_at TEXT;
ALTER TABLE hr_tokens ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
