-- PPOB member API (specs/ppob-pascabayar.md).

CREATE TABLE ppob_providers (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    problem BIGINT NOT NULL DEFAULT 0,
    empty BIGINT NOT NULL DEFAULT 0,
    destination_prefixes TEXT NOT NULL DEFAULT '',
    is_kyc BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE ppob_products (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    descr TEXT NOT NULL DEFAULT '',
    postpaid BIGINT NOT NULL,
    is_inkaso BIGINT NOT NULL DEFAULT 0,
    is_facturer BIGINT NOT NULL DEFAULT 0,
    is_kyc BIGINT NOT NULL DEFAULT 0,
    is_promo BIGINT NOT NULL DEFAULT 0,
    point BIGINT NOT NULL DEFAULT 0,
    nominal BIGINT NOT NULL DEFAULT 0,
    free_denom BIGINT NOT NULL DEFAULT 0,
    minimum_qty BIGINT NOT NULL DEFAULT 1,
    maximum_qty BIGINT NOT NULL DEFAULT 1,
    product_type TEXT NOT NULL DEFAULT 'PPOB',
    active BIGINT NOT NULL DEFAULT 1,
    price BIGINT NOT NULL,
    fee BIGINT NOT NULL,
    problem BIGINT NOT NULL DEFAULT 0,
    empty BIGINT NOT NULL DEFAULT 0,
    admin BIGINT NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES ppob_providers (id),
    customer_rule TEXT NOT NULL
);

CREATE TABLE ppob_members (
    id BIGSERIAL PRIMARY KEY,
    memberid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    pass_hash TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0,
    credit_limit BIGINT NOT NULL DEFAULT 0,
    callback_url TEXT,
    callback_secret TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

CREATE TABLE ppob_ledger (
    id BIGSERIAL PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES ppob_members (id),
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    trxid TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX ppob_ledger_member ON ppob_ledger (member_id);

CREATE TABLE ppob_bills (
    id BIGSERIAL PRIMARY KEY,
    product_code TEXT NOT NULL,
    customer_no TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    periode TEXT NOT NULL,
    nilai_tagihan BIGINT NOT NULL,
    denda BIGINT NOT NULL DEFAULT 0,
    paid_trx_id BIGINT,
    paid_at TEXT,
    UNIQUE (product_code, customer_no, periode)
);

CREATE TABLE ppob_transactions (
    id BIGSERIAL PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES ppob_members (id),
    trxid TEXT NOT NULL,
    kind TEXT NOT NULL,
    kodeproduk TEXT NOT NULL,
    product_code TEXT NOT NULL,
    tujuan TEXT NOT NULL,
    status TEXT NOT NULL,
    day TEXT NOT NULL,
    bill TEXT,
    debit BIGINT NOT NULL DEFAULT 0,
    commission BIGINT NOT NULL DEFAULT 0,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (member_id, trxid)
);
CREATE INDEX ppob_transactions_inquiry ON ppob_transactions (member_id, kind, product_code, tujuan, day);
CREATE INDEX ppob_transactions_day ON ppob_transactions (member_id, day);
