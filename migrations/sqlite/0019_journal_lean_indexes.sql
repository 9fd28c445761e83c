-- The journal keeps only the indexes its readers use: `journal search` filters by actor
-- (journal_actor_created) and an operator follows one request by its correlation id
-- (journal_correlation). Nothing reads by (family, created_at), and every index costs
-- pages written on every batch of the hottest insert of the server.
DROP INDEX IF EXISTS journal_family_created;
