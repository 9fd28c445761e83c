-- Credentials managed without SQL (issue 12): BPJS issues one user_key per service, so a
-- consumer has a VClaim key (the existing user_key) and an Antrean RS key; an upgraded
-- consumer keeps working on both with its one key until an operator sets a second.
-- Consumers and Basic clients can be disabled without losing their history.
ALTER TABLE bpjs_consumers ADD COLUMN antrean_user_key TEXT NOT NULL DEFAULT '';
UPDATE bpjs_consumers SET antrean_user_key = user_key;
ALTER TABLE bpjs_consumers ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE basic_clients ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
-- An outbox message names the credential to send with (family-defined reference) instead
-- of carrying it: the password is resolved when the message is sent.
ALTER TABLE outbox ADD COLUMN credential_ref TEXT;
