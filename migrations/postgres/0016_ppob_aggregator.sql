-- Issue 14: PPOB as a real aggregator.
--
-- The ledger becomes a chain: each row carries the balance before and after it, who made
-- it (operator) and why (reason), and its kind is one of PAY, REFUND, DEPOSIT, HOLD,
-- RELEASE. `day` is the row's date in Asia/Jakarta, for the daily statement.
ALTER TABLE ppob_ledger ADD COLUMN balance_before BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ppob_ledger ADD COLUMN operator TEXT NOT NULL DEFAULT '';
ALTER TABLE ppob_ledger ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE ppob_ledger ADD COLUMN day TEXT NOT NULL DEFAULT '';
UPDATE ppob_ledger SET
    balance_before = balance_after - amount,
    reason = note,
    day = to_char(created_at::timestamptz AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD'),
    kind = CASE kind WHEN 'debit' THEN 'PAY' WHEN 'deposit' THEN 'DEPOSIT' WHEN 'refund' THEN 'REFUND' ELSE kind END;
CREATE INDEX ppob_ledger_member_day ON ppob_ledger (member_id, day, id);

-- Append-only, enforced by the database: a correction is a new row, never an edit.
CREATE FUNCTION ppob_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ppob_ledger is append-only';
END
$$;
CREATE TRIGGER ppob_ledger_no_update BEFORE UPDATE OR DELETE ON ppob_ledger
    FOR EACH ROW EXECUTE FUNCTION ppob_ledger_append_only();
CREATE TRIGGER ppob_ledger_no_truncate BEFORE TRUNCATE ON ppob_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION ppob_ledger_append_only();

-- Running totals, kept in the transaction that changes them, so /balance reads two rows.
ALTER TABLE ppob_members ADD COLUMN commission BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ppob_members ADD COLUMN in_progress BIGINT NOT NULL DEFAULT 0;
UPDATE ppob_members SET
    commission = COALESCE((SELECT SUM(t.commission) FROM ppob_transactions t
        WHERE t.member_id = ppob_members.id AND t.kind = 'PAY' AND t.status = 'Success'), 0),
    in_progress = COALESCE((SELECT COUNT(*) FROM ppob_transactions t
        WHERE t.member_id = ppob_members.id AND t.status = 'Pending'), 0);

CREATE TABLE ppob_member_days (
    member_id BIGINT NOT NULL REFERENCES ppob_members (id),
    day TEXT NOT NULL,
    trx_count BIGINT NOT NULL DEFAULT 0,
    spent BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, day)
);
INSERT INTO ppob_member_days (member_id, day, trx_count, spent)
SELECT member_id, day,
    SUM(CASE WHEN status = 'Success' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = 'Success' AND kind = 'PAY' THEN debit ELSE 0 END)
FROM ppob_transactions GROUP BY member_id, day;

-- Supplier mode: a payment routed to an upstream supplier carries Jembatan's own trxid
-- there, the supplier's name and, once known, its serial number.
ALTER TABLE ppob_transactions ADD COLUMN supplier TEXT;
ALTER TABLE ppob_transactions ADD COLUMN upstream_trxid TEXT;
ALTER TABLE ppob_transactions ADD COLUMN next_check_at TEXT;
CREATE UNIQUE INDEX ppob_transactions_upstream ON ppob_transactions (supplier, upstream_trxid);
CREATE INDEX ppob_transactions_pending ON ppob_transactions (status, next_check_at);
