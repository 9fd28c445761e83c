-- Issue 15: insurance an insurer and a broker can audit.

-- One row per (panel, NIK) that ever applied: an application locks it (PostgreSQL
-- SELECT ... FOR UPDATE) so two concurrent applications of one NIK accumulate each other.
CREATE TABLE panel_nik_locks (
    panel_code TEXT NOT NULL,
    nik TEXT NOT NULL,
    PRIMARY KEY (panel_code, nik)
);

-- Each panel a loan was placed with and its answer (a loan binds only on a "00"; while
-- its case is BARU, DITOLAK or DIBATALKAN the bank may place it elsewhere).
CREATE TABLE broker_attempts (
    id BIGSERIAL PRIMARY KEY,
    id_loan TEXT NOT NULL,
    panel_code TEXT NOT NULL,
    operation TEXT NOT NULL,
    status TEXT NOT NULL,
    keterangan TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX broker_attempts_loan ON broker_attempts (id_loan);

-- 1 when the bank sent no premium and the panel's calculator gave none: `premi` is unknown.
ALTER TABLE broker_cases ADD COLUMN premi_unknown BIGINT NOT NULL DEFAULT 0;

-- The documents a case or a claim requires, fixed when it opens (JSON list of
-- {Kode_Dokumen, Nama_Dokumen}): a later contract import does not change them. NULL for
-- cases opened before: the panel's current definition applies.
ALTER TABLE panel_loans ADD COLUMN required_docs TEXT;
ALTER TABLE panel_claims ADD COLUMN required_docs TEXT;

-- Every upload is kept as a version (same bytes again is the idempotent repeat).
DROP INDEX panel_documents_code;
ALTER TABLE panel_documents ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE panel_documents ADD COLUMN uploader TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX panel_documents_version ON panel_documents (panel_code, id_loan, scope, kode_dokumen, version);

-- Claims are append-only: a refused claim is kept here when the bank files again (the
-- new filing becomes the loan's current claim in panel_claims).
CREATE TABLE panel_claims_archive (
    id BIGSERIAL PRIMARY KEY,
    panel_code TEXT NOT NULL,
    id_loan TEXT NOT NULL,
    no_polis TEXT NOT NULL,
    jenis_klaim TEXT NOT NULL,
    sebab_klaim TEXT NOT NULL,
    tanggal_pengajuan TEXT NOT NULL,
    tanggal_kejadian TEXT NOT NULL,
    estimasi BIGINT NOT NULL,
    status TEXT NOT NULL,
    keterangan TEXT NOT NULL,
    nilai_dibayar BIGINT,
    request TEXT NOT NULL,
    required_docs TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    archived_at TEXT NOT NULL
);
CREATE INDEX panel_claims_archive_loan ON panel_claims_archive (panel_code, id_loan);
