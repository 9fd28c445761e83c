-- Issue 12: a repeated panel operation gets its first answer back only when its body is
-- the same; the hash of the first request's body is kept beside the answer. Rows written
-- before this migration have none and still answer a repeat.
ALTER TABLE panel_requests ADD COLUMN request_hash TEXT;
