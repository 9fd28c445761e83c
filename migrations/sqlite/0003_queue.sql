-- BPJS Antrean RS (specs/antrean-rs.txt): references, schedules, bookings, task times, quotas.
-- Every table is scoped by the hospital (kode_ppk of the BPJS consumer).

CREATE TABLE queue_hospital (
    kode_ppk TEXT PRIMARY KEY,
    nama TEXT NOT NULL
);

-- Poli and subspecialty references (ref/poli); bookings use the subspecialty code.
CREATE TABLE queue_poli (
    kode_ppk TEXT NOT NULL,
    kdsubspesialis TEXT NOT NULL,
    nmsubspesialis TEXT NOT NULL,
    kdpoli TEXT NOT NULL,
    nmpoli TEXT NOT NULL,
    PRIMARY KEY (kode_ppk, kdsubspesialis)
);

CREATE TABLE queue_dokter (
    kode_ppk TEXT NOT NULL,
    kodedokter BIGINT NOT NULL,
    namadokter TEXT NOT NULL,
    PRIMARY KEY (kode_ppk, kodedokter)
);

-- Weekly schedules: hari 1 (Monday) .. 7 (Sunday), 8 national holiday.
CREATE TABLE queue_jadwal (
    kode_ppk TEXT NOT NULL,
    kodesubspesialis TEXT NOT NULL,
    kodedokter BIGINT NOT NULL,
    hari BIGINT NOT NULL,
    buka TEXT NOT NULL,
    tutup TEXT NOT NULL,
    kapasitaspasien BIGINT NOT NULL,
    libur BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (kode_ppk, kodesubspesialis, kodedokter, hari, buka)
);

CREATE TABLE queue_booking (
    kode_ppk TEXT NOT NULL,
    kodebooking TEXT NOT NULL,
    jenispasien TEXT NOT NULL,
    nomorkartu TEXT NOT NULL,
    nik TEXT NOT NULL,
    nohp TEXT NOT NULL,
    kodepoli TEXT NOT NULL,
    namapoli TEXT NOT NULL,
    pasienbaru BIGINT NOT NULL,
    norm TEXT NOT NULL,
    tanggalperiksa TEXT NOT NULL,
    kodedokter BIGINT NOT NULL,
    namadokter TEXT NOT NULL,
    jampraktek TEXT NOT NULL,
    jeniskunjungan BIGINT NOT NULL,
    nomorreferensi TEXT NOT NULL,
    nomorantrean TEXT NOT NULL,
    angkaantrean BIGINT NOT NULL,
    estimasidilayani BIGINT NOT NULL,
    sisakuotajkn BIGINT NOT NULL,
    kuotajkn BIGINT NOT NULL,
    sisakuotanonjkn BIGINT NOT NULL,
    kuotanonjkn BIGINT NOT NULL,
    keterangan TEXT NOT NULL,
    -- 1 once cancelled (antrean/batal or task 99); a cancelled booking takes no further task.
    batal BIGINT NOT NULL DEFAULT 0,
    keterangan_batal TEXT,
    farmasi_jenisresep TEXT,
    farmasi_nomorantrean BIGINT,
    farmasi_keterangan TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kode_ppk, kodebooking)
);
CREATE INDEX queue_booking_tanggal ON queue_booking (kode_ppk, tanggalperiksa);

-- Task times: waktu as the hospital gave it (RS time), waktu_server when we received it (epoch ms).
CREATE TABLE queue_task (
    kode_ppk TEXT NOT NULL,
    kodebooking TEXT NOT NULL,
    taskid BIGINT NOT NULL,
    waktu BIGINT NOT NULL,
    waktu_server BIGINT NOT NULL,
    jenisresep TEXT,
    PRIMARY KEY (kode_ppk, kodebooking, taskid)
);

-- Remaining quota per doctor, poli and day, taken with a conditional UPDATE.
CREATE TABLE queue_quota (
    kode_ppk TEXT NOT NULL,
    kodepoli TEXT NOT NULL,
    kodedokter BIGINT NOT NULL,
    tanggal TEXT NOT NULL,
    kuota_jkn BIGINT NOT NULL,
    sisa_jkn BIGINT NOT NULL,
    kuota_nonjkn BIGINT NOT NULL,
    sisa_nonjkn BIGINT NOT NULL,
    PRIMARY KEY (kode_ppk, kodepoli, kodedokter, tanggal)
);
