-- Issue 16: HR contributions that reproduce the past; Antrean RS quotas per practice
-- session and holidays.

-- HR: every salary an employee has had, from the date it took effect. A month's
-- contributions use the version in force on the month's first day. The first version of
-- an existing employee is the salary known now, from the join date.
CREATE TABLE hr_salary_versions (
    employee_id TEXT NOT NULL REFERENCES hr_employees (id),
    effective_date TEXT NOT NULL,
    salary BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (employee_id, effective_date)
);
INSERT INTO hr_salary_versions (employee_id, effective_date, salary, recorded_at)
    SELECT id, join_date, salary, updated_at FROM hr_employees;

-- HR: every version of a template's shares and JKK risk class, from the date it took
-- effect. Templates that exist already are taken as in force since 2015-01-01 (the first
-- month with rate data), as the demo templates are.
CREATE TABLE hr_template_versions (
    template_id TEXT NOT NULL REFERENCES hr_templates (id),
    effective_date TEXT NOT NULL,
    salary_type TEXT NOT NULL,
    jkk_risk_class BIGINT,
    shares TEXT NOT NULL,
    PRIMARY KEY (template_id, effective_date)
);
INSERT INTO hr_template_versions (template_id, effective_date, salary_type, jkk_risk_class, shares)
    SELECT id, '2015-01-01', salary_type, jkk_risk_class, shares FROM hr_templates;

-- HR: treatment-class salary bands, dated the same way.
CREATE TABLE hr_treatment_class_versions (
    treatment_class_id TEXT NOT NULL REFERENCES hr_treatment_classes (id),
    effective_date TEXT NOT NULL,
    min_salary BIGINT NOT NULL,
    max_salary BIGINT,
    PRIMARY KEY (treatment_class_id, effective_date)
);
INSERT INTO hr_treatment_class_versions (treatment_class_id, effective_date, min_salary, max_salary)
    SELECT id, '2015-01-01', min_salary, max_salary FROM hr_treatment_classes;

-- HR: the rates, caps and shares from 2015 (domain/hr-bpjs.md "Caps and shares through
-- time"). JP starts in July 2015: before that month no JP key is in force and no JP is due.
INSERT INTO hr_contribution_rates (rate_key, valid_from, value, source) VALUES
    ('JKN_EMPLOYER_BP', '2015-01-01', 400, 'Perpres 111/2013'),
    ('JKN_EMPLOYEE_BP', '2015-01-01', 50, 'Perpres 111/2013: 0.5% until June 2015'),
    ('JKN_EMPLOYEE_BP', '2015-07-01', 100, 'Perpres 111/2013: 1% from July 2015'),
    ('JKN_EXTRA_FAMILY_BP', '2015-01-01', 100, 'Perpres 111/2013: each family member beyond spouse and 3 children'),
    ('JKN_WAGE_CAP', '2015-01-01', 4725000, 'Perpres 111/2013'),
    ('JKN_WAGE_CAP', '2016-04-01', 8000000, 'Perpres 19/2016'),
    ('JKK_CLASS_1_BP', '2015-01-01', 24, 'PP 44/2015'),
    ('JKK_CLASS_2_BP', '2015-01-01', 54, 'PP 44/2015'),
    ('JKK_CLASS_3_BP', '2015-01-01', 89, 'PP 44/2015'),
    ('JKK_CLASS_4_BP', '2015-01-01', 127, 'PP 44/2015'),
    ('JKK_CLASS_5_BP', '2015-01-01', 174, 'PP 44/2015'),
    ('JKK_JKP_PORTION_BP', '2015-01-01', 0, 'before PP 6/2025 no part of JKK is shown as JKP'),
    ('JKM_EMPLOYER_BP', '2015-01-01', 30, 'PP 44/2015'),
    ('JHT_EMPLOYER_BP', '2015-01-01', 370, 'PP 46/2015'),
    ('JHT_EMPLOYEE_BP', '2015-01-01', 200, 'PP 46/2015'),
    ('JP_EMPLOYER_BP', '2015-07-01', 200, 'PP 45/2015: JP from July 2015'),
    ('JP_EMPLOYEE_BP', '2015-07-01', 100, 'PP 45/2015: JP from July 2015'),
    ('JP_WAGE_CAP', '2015-07-01', 7000000, 'PP 45/2015'),
    ('JP_WAGE_CAP', '2016-03-01', 7335300, 'BPJS Ketenagakerjaan JP wage cap from March 2016'),
    ('JP_WAGE_CAP', '2017-03-01', 7703500, 'BPJS Ketenagakerjaan JP wage cap from March 2017'),
    ('JP_WAGE_CAP', '2018-03-01', 8094000, 'BPJS Ketenagakerjaan JP wage cap from March 2018'),
    ('JP_WAGE_CAP', '2019-03-01', 8512400, 'BPJS Ketenagakerjaan JP wage cap from March 2019'),
    ('JP_WAGE_CAP', '2020-03-01', 8754600, 'BPJS Ketenagakerjaan JP wage cap from March 2020'),
    ('JP_WAGE_CAP', '2021-03-01', 8939700, 'BPJS Ketenagakerjaan JP wage cap from March 2021'),
    ('JP_WAGE_CAP', '2022-03-01', 9077600, 'BPJS Ketenagakerjaan JP wage cap from March 2022'),
    ('JP_WAGE_CAP', '2023-03-01', 9559600, 'BPJS Ketenagakerjaan JP wage cap from March 2023');

-- Antrean: the quota of one practice session (jampraktek) of a doctor on a day. Its
-- capacity is the session's kapasitaspasien in the schedule, read at each booking, so a
-- schedule change moves the capacity of future bookings and never drops one taken.
-- terisi_* count the places taken per patient kind; the declared kuota of each kind
-- bounds its own count, the session's capacity bounds their sum.
CREATE TABLE queue_quota_sesi (
    kode_ppk TEXT NOT NULL,
    kodepoli TEXT NOT NULL,
    kodedokter BIGINT NOT NULL,
    tanggal TEXT NOT NULL,
    jampraktek TEXT NOT NULL,
    terisi_jkn BIGINT NOT NULL,
    terisi_nonjkn BIGINT NOT NULL,
    PRIMARY KEY (kode_ppk, kodepoli, kodedokter, tanggal, jampraktek)
);
INSERT INTO queue_quota_sesi (kode_ppk, kodepoli, kodedokter, tanggal, jampraktek, terisi_jkn, terisi_nonjkn)
    SELECT kode_ppk, kodepoli, kodedokter, tanggalperiksa, jampraktek,
           SUM(CASE WHEN jenispasien = 'JKN' THEN 1 ELSE 0 END),
           SUM(CASE WHEN jenispasien = 'JKN' THEN 0 ELSE 1 END)
    FROM queue_booking WHERE batal = 0
    GROUP BY kode_ppk, kodepoli, kodedokter, tanggalperiksa, jampraktek;
DROP TABLE queue_quota;

-- Antrean: holidays. kode_ppk '' is a national holiday, otherwise the hospital's own.
CREATE TABLE queue_libur (
    kode_ppk TEXT NOT NULL,
    tanggal TEXT NOT NULL,
    keterangan TEXT NOT NULL,
    PRIMARY KEY (kode_ppk, tanggal)
);
CREATE INDEX queue_libur_tanggal ON queue_libur (tanggal);
