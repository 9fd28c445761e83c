-- Issue 15: insurance an insurer and a broker can audit.

-- One row per (panel, NIK) that ever applied: an application locks it (PostgreSQL
-- SELECT ... FOR UPDATE) so two concurrent applications of one NIK accumulate each other.
CREATE TABLE panel_nik_locks (
    panel_code TEXT NOT NULL,
    nik TEXT NOT NULL,
    PRIMARY KEY (panel_code, nik)
);
