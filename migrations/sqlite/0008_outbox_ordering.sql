-- Callbacks that must arrive in order (a loan's status changes) share an ordering key:
-- a message is not delivered while an earlier one with the same key is still pending.
ALTER TABLE outbox ADD COLUMN ordering_key TEXT;
CREATE INDEX outbox_ordering ON outbox (ordering_key, id);
