-- Insurance broker hub (specs/pialang-h2h.txt, the {{urlAAP}} side): the panel directory,
-- cases bound to a panel, their status history, documents, claims and received callbacks.

-- The panel directory (configuration data): where each panel is and how to reach it.
-- The broker's password toward a panel is kept as given: it must be sent, not verified.
-- The credentials a panel calls back with live in basic_clients (realm insurance-broker-panel).
CREATE TABLE broker_panels (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    cover_type TEXT NOT NULL,
    base_url TEXT NOT NULL,
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    callback_username TEXT NOT NULL,
    timeout_ms BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One loan's case, bound to the panel its first request named.
CREATE TABLE broker_cases (
    id_loan TEXT PRIMARY KEY,
    panel_code TEXT NOT NULL,
    bank_client TEXT NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    nik TEXT NOT NULL DEFAULT '',
    nama TEXT NOT NULL DEFAULT '',
    nilai_pertanggungan BIGINT NOT NULL DEFAULT 0,
    premi BIGINT NOT NULL DEFAULT 0,
    extra_premi BIGINT NOT NULL DEFAULT 0,
    required_docs TEXT NOT NULL DEFAULT '[]',
    -- The bank's application as sent (unknown fields such as Pekerjaan included).
    request TEXT NOT NULL DEFAULT '{}',
    policy_no TEXT,
    epolicy TEXT,
    issued_on TEXT,
    refund BIGINT,
    cancellation_status TEXT,
    cancellation_round BIGINT NOT NULL DEFAULT 0,
    cancelled_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX broker_cases_issued ON broker_cases (issued_on);
CREATE INDEX broker_cases_cancelled ON broker_cases (cancelled_on);

-- Every status change and exchange of a case, in order.
CREATE TABLE broker_history (
    id BIGSERIAL PRIMARY KEY,
    id_loan TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    event TEXT NOT NULL,
    status_from TEXT NOT NULL,
    status_to TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX broker_history_loan ON broker_history (id_loan, id);

-- Documents passed to a panel (akseptasi, klaim) or received from it (pembayaran).
CREATE TABLE broker_documents (
    id BIGSERIAL PRIMARY KEY,
    id_loan TEXT NOT NULL,
    scope TEXT NOT NULL,
    kode_dokumen TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    path TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX broker_documents_loan ON broker_documents (id_loan, id);

-- Claims of a case (a refused claim closes; a new one may follow).
CREATE TABLE broker_claims (
    id BIGSERIAL PRIMARY KEY,
    id_loan TEXT NOT NULL,
    no_polis TEXT NOT NULL,
    jenis_klaim TEXT NOT NULL,
    sebab_klaim TEXT NOT NULL,
    tanggal_kejadian TEXT NOT NULL,
    estimasi BIGINT NOT NULL,
    status TEXT NOT NULL,
    keterangan TEXT NOT NULL DEFAULT '',
    tenggat TEXT NOT NULL DEFAULT '',
    required_docs TEXT NOT NULL DEFAULT '[]',
    nilai_dibayar BIGINT,
    paid_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX broker_claims_loan ON broker_claims (id_loan, id);
CREATE INDEX broker_claims_paid ON broker_claims (paid_on);

-- Callbacks received, by the identity of the event they carry: a repeat is answered
-- "00" and changes nothing.
CREATE TABLE broker_callbacks (
    event_key TEXT PRIMARY KEY,
    id_loan TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    panel_code TEXT NOT NULL,
    keterangan TEXT NOT NULL,
    received_at TEXT NOT NULL
);
