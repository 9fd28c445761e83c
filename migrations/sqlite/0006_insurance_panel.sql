-- Insurance panels (specs/pialang-h2h.txt): the insurer side of the broker H2H.

-- A panel's contract as data (JSON of PanelDefinition) and its policy number sequence.
CREATE TABLE insurance_panels (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    policy_seq BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

-- One loan at one panel: the application, its underwriting, its policy and its state.
CREATE TABLE panel_loans (
    panel_code TEXT NOT NULL,
    id_loan TEXT NOT NULL,
    client TEXT NOT NULL,
    state TEXT NOT NULL,
    nik TEXT NOT NULL,
    nama TEXT NOT NULL,
    kode_cabang TEXT NOT NULL,
    produk TEXT NOT NULL,
    tanggal_lahir TEXT NOT NULL,
    tanggal_akad TEXT NOT NULL,
    tanggal_pengajuan TEXT NOT NULL,
    tanggal_akhir TEXT NOT NULL,
    tenor BIGINT NOT NULL,
    nilai_pertanggungan BIGINT NOT NULL,
    usia BIGINT NOT NULL,
    premi BIGINT NOT NULL,
    extra_premi BIGINT NOT NULL DEFAULT 0,
    underwriting TEXT NOT NULL,
    jenis_transaksi TEXT NOT NULL,
    ref_id_loan TEXT,
    request TEXT NOT NULL,
    policy_no TEXT,
    epolicy_token TEXT,
    issued_at TEXT,
    refund BIGINT,
    keterangan TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (panel_code, id_loan)
);
CREATE INDEX panel_loans_nik ON panel_loans (panel_code, nik, state, nilai_pertanggungan);
CREATE UNIQUE INDEX panel_loans_policy ON panel_loans (panel_code, policy_no);
CREATE UNIQUE INDEX panel_loans_epolicy ON panel_loans (epolicy_token);

-- Every state change of a loan, for operators and reconciliation.
CREATE TABLE panel_loan_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    panel_code TEXT NOT NULL,
    id_loan TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX panel_loan_history_loan ON panel_loan_history (panel_code, id_loan);

-- The claim of a loan (one per loan).
CREATE TABLE panel_claims (
    panel_code TEXT NOT NULL,
    id_loan TEXT NOT NULL,
    no_polis TEXT NOT NULL,
    jenis_klaim TEXT NOT NULL,
    sebab_klaim TEXT NOT NULL,
    tanggal_pengajuan TEXT NOT NULL,
    tanggal_kejadian TEXT NOT NULL,
    estimasi BIGINT NOT NULL,
    deskripsi TEXT NOT NULL,
    status TEXT NOT NULL,
    tenggat TEXT NOT NULL,
    keterangan TEXT NOT NULL DEFAULT '',
    nilai_dibayar BIGINT,
    request TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (panel_code, id_loan)
);

-- Documents received (underwriting, claim) and sent (payment proofs); files are on disk by SHA-256.
CREATE TABLE panel_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    panel_code TEXT NOT NULL,
    id_loan TEXT NOT NULL,
    scope TEXT NOT NULL,
    kode_dokumen TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    path TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX panel_documents_code ON panel_documents (panel_code, id_loan, scope, kode_dokumen);

-- The first successful answer per (panel, ID_Loan, operation): a repeat gets it back.
CREATE TABLE panel_requests (
    panel_code TEXT NOT NULL,
    id_loan TEXT NOT NULL,
    operation TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (panel_code, id_loan, operation)
);
