-- Issue 13: delivered means accepted. Each message states how its receiver's answer is
-- judged (`status00`: HTTP 2xx and JSON "Status":"00"; `http2xx`: any 2xx), carries one
-- event id sent on every attempt (receivers de-duplicate on it), and ends `delivered` or
-- `parked` (the dead letters an operator lists and redrives). Times used by the worker are
-- Unix milliseconds, so age and retention are plain comparisons on both backends.
ALTER TABLE outbox ADD COLUMN acceptance TEXT NOT NULL DEFAULT 'http2xx';
ALTER TABLE outbox ADD COLUMN event_id TEXT;
ALTER TABLE outbox ADD COLUMN park_reason TEXT;
-- The receiver's host:port: the delivery lane, and the operators' `--destination` filter.
ALTER TABLE outbox ADD COLUMN destination TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN created_ms BIGINT;
-- Start of the current retry window: creation, or an operator's `outbox retry`.
ALTER TABLE outbox ADD COLUMN retry_from_ms BIGINT;
ALTER TABLE outbox ADD COLUMN delivered_ms BIGINT;
-- Who holds the lease: a replica writes its verdict only while the lease is still its own.
ALTER TABLE outbox ADD COLUMN lease_token TEXT;

UPDATE outbox SET event_id = gen_random_uuid()::text;
UPDATE outbox SET created_ms = (EXTRACT(EPOCH FROM created_at::timestamptz) * 1000)::BIGINT;
UPDATE outbox SET retry_from_ms = created_ms;
UPDATE outbox SET delivered_ms = next_attempt_at WHERE status = 'delivered';
UPDATE outbox SET destination = split_part(split_part(target_url, '://', 2), '/', 1);
-- Insurance callbacks are only accepted with "Status":"00" (spec 5.2, 9.2).
UPDATE outbox SET acceptance = 'status00' WHERE family = 'insurance-panel';
-- `failed` (retries exhausted) is now `parked`.
UPDATE outbox SET status = 'parked', park_reason = COALESCE(last_error, 'retries exhausted') WHERE status = 'failed';

CREATE UNIQUE INDEX outbox_event_id ON outbox (event_id);
CREATE INDEX outbox_status_destination ON outbox (status, destination);
CREATE INDEX outbox_delivered ON outbox (status, delivered_ms);

-- Every delivery attempt: when, the HTTP status (0 when none came back), the start of the
-- receiver's answer, and the verdict (`delivered`, `retry`, `parked`).
CREATE TABLE outbox_attempts (
    id BIGSERIAL PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    http_status BIGINT NOT NULL,
    answer TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id, id);
