-- HR BPJS memberships (specs/hr-bpjs-memberships.txt): tables added by this family's work.
-- Ids are TEXT UUIDs; money is BIGINT rupiah; rates are BIGINT basis points; dates TEXT yyyy-mm-dd.

-- OAuth2 clients (client credentials grant). A client belongs to exactly one tenant.
CREATE TABLE hr_clients (
    client_id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    tenant TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Issued access tokens, stored as the SHA-256 of the token (never in clear).
CREATE TABLE hr_tokens (
    token_key TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    tenant TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX hr_tokens_expiry ON hr_tokens (expires_at);

CREATE TABLE hr_employees (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    employee_number TEXT NOT NULL,
    name TEXT NOT NULL,
    nik TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    join_date TEXT NOT NULL,
    salary BIGINT NOT NULL,
    minimum_wage BIGINT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant, employee_number)
);
CREATE INDEX hr_employees_tenant_name ON hr_employees (tenant, name);

-- The employer's BPJS registrations; programme is 'healthcare' or 'manpower'.
CREATE TABLE hr_providers (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    programme TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT,
    registration_number TEXT,
    report_signatory_name TEXT,
    report_signatory_job_title TEXT,
    UNIQUE (tenant, programme, code)
);

-- Templates: salary type, payroll link, JKK risk class (manpower) and the shares (JSON).
CREATE TABLE hr_templates (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    programme TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    salary_type TEXT NOT NULL,
    link_to_payroll BIGINT NOT NULL,
    jkk_risk_class BIGINT,
    shares TEXT NOT NULL,
    UNIQUE (tenant, programme, code)
);

-- Treatment classes (kelas rawat) of BPJS Kesehatan with their salary band.
CREATE TABLE hr_treatment_classes (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    min_salary BIGINT NOT NULL,
    max_salary BIGINT,
    UNIQUE (tenant, code)
);

-- Every version of every membership: a PUT appends a version, earlier ones stay readable.
CREATE TABLE hr_memberships (
    membership_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    tenant TEXT NOT NULL,
    employee_id TEXT NOT NULL REFERENCES hr_employees (id),
    programme TEXT NOT NULL,
    provider_id TEXT NOT NULL REFERENCES hr_providers (id),
    template_id TEXT NOT NULL REFERENCES hr_templates (id),
    treatment_class_id TEXT REFERENCES hr_treatment_classes (id),
    membership_number TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT,
    effective_date TEXT NOT NULL,
    pension_end TEXT,
    first_level_facility TEXT,
    dental_facility TEXT,
    family TEXT NOT NULL DEFAULT '[]',
    extra_family_members BIGINT NOT NULL DEFAULT 0,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (membership_id, version),
    UNIQUE (tenant, employee_id, programme, version)
);
CREATE INDEX hr_memberships_tenant_programme ON hr_memberships (tenant, programme, effective_date);

-- Contribution rates, caps and floors as dated data: the row with the latest valid_from
-- on or before the first day of a period is in force for that period. A new regulation
-- is a new row. Rates are basis points (1 bp = 0.01%), caps rupiah.
CREATE TABLE hr_contribution_rates (
    rate_key TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    value BIGINT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (rate_key, valid_from)
);
INSERT INTO hr_contribution_rates (rate_key, valid_from, value, source) VALUES
    ('JKN_EMPLOYER_BP', '2020-01-01', 400, 'Perpres 82/2018 jo. 64/2020'),
    ('JKN_EMPLOYEE_BP', '2020-01-01', 100, 'Perpres 82/2018 jo. 64/2020'),
    ('JKN_EXTRA_FAMILY_BP', '2020-01-01', 100, 'Perpres 82/2018: each family member beyond spouse and 3 children'),
    ('JKN_WAGE_CAP', '2020-01-01', 12000000, 'Perpres 64/2020'),
    ('JKK_CLASS_1_BP', '2020-01-01', 24, 'PP 44/2015'),
    ('JKK_CLASS_2_BP', '2020-01-01', 54, 'PP 44/2015'),
    ('JKK_CLASS_3_BP', '2020-01-01', 89, 'PP 44/2015'),
    ('JKK_CLASS_4_BP', '2020-01-01', 127, 'PP 44/2015'),
    ('JKK_CLASS_5_BP', '2020-01-01', 174, 'PP 44/2015'),
    ('JKK_JKP_PORTION_BP', '2020-01-01', 0, 'before PP 6/2025 no part of JKK is shown as JKP'),
    ('JKK_JKP_PORTION_BP', '2025-02-01', 14, 'PP 6/2025: 0.14 points of JKK fund JKP'),
    ('JKM_EMPLOYER_BP', '2020-01-01', 30, 'PP 44/2015'),
    ('JHT_EMPLOYER_BP', '2020-01-01', 370, 'PP 46/2015'),
    ('JHT_EMPLOYEE_BP', '2020-01-01', 200, 'PP 46/2015'),
    ('JP_EMPLOYER_BP', '2020-01-01', 200, 'PP 45/2015'),
    ('JP_EMPLOYEE_BP', '2020-01-01', 100, 'PP 45/2015'),
    ('JP_WAGE_CAP', '2024-03-01', 10042300, 'BPJS Ketenagakerjaan JP wage cap from March 2024'),
    ('JP_WAGE_CAP', '2025-03-01', 10547400, 'BPJS Ketenagakerjaan JP wage cap from March 2025'),
    ('JP_WAGE_CAP', '2026-03-01', 11086300, 'JP wage cap from March 2026 (uncertain: not from an official page)');
