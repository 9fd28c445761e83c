//! The hospital's references in SQL: polis (subspecialties), doctors and weekly schedules.

use crate::kernel::db::Db;

use super::wire::{JadwalDokter, RefDokter, RefPoli};

/// A poli/subspecialty of a hospital.
#[derive(Debug, Clone)]
pub struct Poli {
    /// Subspecialty code (what bookings use).
    pub kdsubspesialis: String,
    /// Subspecialty name.
    pub nmsubspesialis: String,
    /// Poli code.
    pub kdpoli: String,
    /// Poli name.
    pub nmpoli: String,
}

/// One session of a doctor's weekly schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sesi {
    /// 1 Monday .. 7 Sunday, 8 national holiday.
    pub hari: i64,
    /// `HH:mm`.
    pub buka: String,
    /// `HH:mm`.
    pub tutup: String,
}

/// Whether the poli, the doctor and the doctor's schedule on that day exist, the
/// capacity of the booked session and the day's holiday.
#[derive(Debug, Clone)]
pub struct References {
    /// The subspecialty is known to the hospital.
    pub poli: bool,
    /// The doctor is known to the hospital.
    pub dokter: bool,
    /// The doctor practises in that subspecialty on that weekday (and is not off).
    pub jadwal: bool,
    /// The capacity of the session `jampraktek` exactly, if the doctor has it that day.
    pub kapasitas: Option<i64>,
    /// The holiday on that date (the hospital's own or a national one), if any.
    pub libur: Option<String>,
}

/// Looks up the references a booking needs, in one round trip.
pub async fn references(
    db: &Db,
    ppk: &str,
    kodepoli: &str,
    kodedokter: i64,
    tanggal: chrono::NaiveDate,
    jampraktek: &str,
) -> sqlx::Result<References> {
    let hari = super::domain::hari(tanggal);
    let (buka, tutup) = jampraktek.split_once('-').unwrap_or((jampraktek, ""));
    let (poli, dokter, jadwal, kapasitas, libur): (i64, i64, i64, Option<i64>, Option<String>) = {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM queue_poli WHERE kode_ppk = $1 AND kdsubspesialis = $2), \
                    (SELECT COUNT(*) FROM queue_dokter WHERE kode_ppk = $3 AND kodedokter = $4), \
                    (SELECT COUNT(*) FROM queue_jadwal WHERE kode_ppk = $5 AND kodesubspesialis = $6 \
                        AND kodedokter = $7 AND hari = $8 AND libur = 0), \
                    (SELECT MAX(kapasitaspasien) FROM queue_jadwal WHERE kode_ppk = $9 AND kodesubspesialis = $10 \
                        AND kodedokter = $11 AND hari = $12 AND libur = 0 AND buka = $13 AND tutup = $14), \
                    (SELECT keterangan FROM queue_libur WHERE tanggal = $15 AND kode_ppk IN ('', $16) \
                        ORDER BY kode_ppk DESC LIMIT 1)",
        )
        .bind(ppk)
        .bind(kodepoli)
        .bind(ppk)
        .bind(kodedokter)
        .bind(ppk)
        .bind(kodepoli)
        .bind(kodedokter)
        .bind(hari)
        .bind(ppk)
        .bind(kodepoli)
        .bind(kodedokter)
        .bind(hari)
        .bind(buka)
        .bind(tutup)
        .bind(tanggal.format("%Y-%m-%d").to_string())
        .bind(ppk)
        .fetch_one(db)
        .await?
    };
    Ok(References {
        poli: poli > 0,
        dokter: dokter > 0,
        jadwal: jadwal > 0,
        kapasitas,
        libur,
    })
}

/// The hospital's polis, by subspecialty code.
pub async fn polis(db: &Db, ppk: &str) -> sqlx::Result<Vec<RefPoli>> {
    let rows: Vec<(String, String, String, String)> = {
        sqlx::query_as(
            "SELECT nmpoli, nmsubspesialis, kdsubspesialis, kdpoli FROM queue_poli WHERE kode_ppk = $1 ORDER BY kdsubspesialis",
        )
        .bind(ppk)
        .fetch_all(db)
        .await?
    };
    Ok(rows
        .into_iter()
        .map(|(nmpoli, nmsubspesialis, kdsubspesialis, kdpoli)| RefPoli {
            nmpoli,
            nmsubspesialis,
            kdsubspesialis,
            kdpoli,
        })
        .collect())
}

/// The hospital's doctors, by name.
pub async fn dokters(db: &Db, ppk: &str) -> sqlx::Result<Vec<RefDokter>> {
    let rows: Vec<(String, i64)> = {
        sqlx::query_as(
            "SELECT namadokter, kodedokter FROM queue_dokter WHERE kode_ppk = $1 ORDER BY namadokter, kodedokter",
        )
        .bind(ppk)
        .fetch_all(db)
        .await?
    };
    Ok(rows
        .into_iter()
        .map(|(namadokter, kodedokter)| RefDokter { namadokter, kodedokter })
        .collect())
}

/// The poli (by poli code or subspecialty code) exists at the hospital.
pub async fn poli_known(db: &Db, ppk: &str, kode: &str) -> sqlx::Result<bool> {
    let n: i64 = {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM queue_poli WHERE kode_ppk = $1 AND (kdpoli = $2 OR kdsubspesialis = $3)",
        )
        .bind(ppk)
        .bind(kode)
        .bind(kode)
        .fetch_one(db)
        .await?
    };
    Ok(n > 0)
}

/// The subspecialty belongs to the poli at the hospital.
pub async fn subspesialis_of(db: &Db, ppk: &str, kdpoli: &str, kdsub: &str) -> sqlx::Result<bool> {
    let n: i64 = {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM queue_poli WHERE kode_ppk = $1 AND kdpoli = $2 AND kdsubspesialis = $3",
        )
        .bind(ppk)
        .bind(kdpoli)
        .bind(kdsub)
        .fetch_one(db)
        .await?
    };
    Ok(n > 0)
}

/// The doctor exists at the hospital.
pub async fn dokter_known(db: &Db, ppk: &str, kodedokter: i64) -> sqlx::Result<bool> {
    let n: i64 = {
        sqlx::query_scalar("SELECT COUNT(*) FROM queue_dokter WHERE kode_ppk = $1 AND kodedokter = $2")
            .bind(ppk)
            .bind(kodedokter)
            .fetch_one(db)
            .await?
    };
    Ok(n > 0)
}

type JadwalRow = (
    String,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);

/// The schedules on weekday `hari` of the poli `kode` (poli or subspecialty code).
pub async fn jadwal(db: &Db, ppk: &str, kode: &str, hari: i64) -> sqlx::Result<Vec<JadwalDokter>> {
    let rows: Vec<JadwalRow> = {
        sqlx::query_as(
            "SELECT j.kodesubspesialis, j.hari, j.kapasitaspasien, j.libur, j.buka, j.tutup, p.nmsubspesialis, \
                    d.namadokter, p.kdpoli, p.nmpoli, j.kodedokter \
             FROM queue_jadwal j \
             JOIN queue_poli p ON p.kode_ppk = j.kode_ppk AND p.kdsubspesialis = j.kodesubspesialis \
             JOIN queue_dokter d ON d.kode_ppk = j.kode_ppk AND d.kodedokter = j.kodedokter \
             WHERE j.kode_ppk = $1 AND (p.kdpoli = $2 OR p.kdsubspesialis = $3) AND j.hari = $4 \
             ORDER BY j.kodesubspesialis, j.buka, d.namadokter",
        )
        .bind(ppk)
        .bind(kode)
        .bind(kode)
        .bind(hari)
        .fetch_all(db)
        .await?
    };
    Ok(rows
        .into_iter()
        .map(
            |(
                kodesubspesialis,
                hari,
                kapasitaspasien,
                libur,
                buka,
                tutup,
                namasubspesialis,
                namadokter,
                kodepoli,
                namapoli,
                kodedokter,
            )| {
                JadwalDokter {
                    kodesubspesialis,
                    hari,
                    kapasitaspasien,
                    libur,
                    namahari: super::domain::nama_hari(hari).to_string(),
                    jadwal: format!("{buka}-{tutup}"),
                    namasubspesialis,
                    namadokter,
                    kodepoli,
                    namapoli,
                    kodedokter,
                }
            },
        )
        .collect())
}

/// Replaces the weekly schedule of a doctor in a subspecialty. A session keeps the
/// capacity it had (the update carries none), a session at a new hour takes the day's,
/// new days get `default_kapasitas`. Bookings and their session quotas are untouched: a
/// booking's place stays taken, later bookings meet the new capacity.
pub async fn replace_jadwal(
    db: &Db,
    ppk: &str,
    kdsub: &str,
    kodedokter: i64,
    sesi: &[Sesi],
    default_kapasitas: i64,
) -> sqlx::Result<()> {
    let mut tx = db.begin_write().await?;
    let old: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT hari, buka, kapasitaspasien FROM queue_jadwal WHERE kode_ppk = $1 AND kodesubspesialis = $2 AND kodedokter = $3",
        )
        .bind(ppk)
        .bind(kdsub)
        .bind(kodedokter)
        .fetch_all(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM queue_jadwal WHERE kode_ppk = $1 AND kodesubspesialis = $2 AND kodedokter = $3")
        .bind(ppk)
        .bind(kdsub)
        .bind(kodedokter)
        .execute(&mut *tx)
        .await?;
    for s in sesi {
        // The same session keeps its capacity; a moved one takes its day's first.
        let kapasitas = old
            .iter()
            .find(|(hari, buka, _)| *hari == s.hari && *buka == s.buka)
            .or_else(|| old.iter().find(|(hari, _, _)| *hari == s.hari))
            .map(|(_, _, k)| *k)
            .unwrap_or(default_kapasitas);
        sqlx::query(
                "INSERT INTO queue_jadwal (kode_ppk, kodesubspesialis, kodedokter, hari, buka, tutup, kapasitaspasien, libur) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0) \
                 ON CONFLICT (kode_ppk, kodesubspesialis, kodedokter, hari, buka) DO UPDATE SET tutup = excluded.tutup",
            )
            .bind(ppk)
            .bind(kdsub)
            .bind(kodedokter)
            .bind(s.hari)
            .bind(&s.buka)
            .bind(&s.tutup)
            .bind(kapasitas)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Registers (or renames) a hospital.
pub async fn upsert_hospital(db: &Db, ppk: &str, nama: &str) -> sqlx::Result<()> {
    db.execute_write(
sqlx::query("INSERT INTO queue_hospital (kode_ppk, nama) VALUES ($1, $2) ON CONFLICT (kode_ppk) DO UPDATE SET nama = excluded.nama")
            .bind(ppk)
            .bind(nama)
            )
            .await
            .map(|_| ())
}

/// Registers (or renames) a poli/subspecialty.
pub async fn upsert_poli(db: &Db, ppk: &str, poli: &Poli) -> sqlx::Result<()> {
    db.execute_write(
sqlx::query(
            "INSERT INTO queue_poli (kode_ppk, kdsubspesialis, nmsubspesialis, kdpoli, nmpoli) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kode_ppk, kdsubspesialis) DO UPDATE SET nmsubspesialis = excluded.nmsubspesialis, \
             kdpoli = excluded.kdpoli, nmpoli = excluded.nmpoli",
        )
        .bind(ppk)
        .bind(&poli.kdsubspesialis)
        .bind(&poli.nmsubspesialis)
        .bind(&poli.kdpoli)
        .bind(&poli.nmpoli)
        )
        .await
        .map(|_| ())
}

/// Registers (or renames) a doctor.
pub async fn upsert_dokter(db: &Db, ppk: &str, kodedokter: i64, nama: &str) -> sqlx::Result<()> {
    db.execute_write(
        sqlx::query(
            "INSERT INTO queue_dokter (kode_ppk, kodedokter, namadokter) VALUES ($1, $2, $3) \
             ON CONFLICT (kode_ppk, kodedokter) DO UPDATE SET namadokter = excluded.namadokter",
        )
        .bind(ppk)
        .bind(kodedokter)
        .bind(nama),
    )
    .await
    .map(|_| ())
}

/// Adds a schedule session if the doctor has none at that day and hour (demo).
pub async fn insert_sesi(
    db: &Db,
    ppk: &str,
    kdsub: &str,
    kodedokter: i64,
    sesi: &Sesi,
    kapasitas: i64,
) -> sqlx::Result<()> {
    write_sesi(db, ppk, kdsub, kodedokter, sesi, kapasitas, "DO NOTHING").await
}

/// Adds or updates (closing time, capacity) a schedule session (import).
pub async fn upsert_sesi(
    db: &Db,
    ppk: &str,
    kdsub: &str,
    kodedokter: i64,
    sesi: &Sesi,
    kapasitas: i64,
) -> sqlx::Result<()> {
    write_sesi(
        db,
        ppk,
        kdsub,
        kodedokter,
        sesi,
        kapasitas,
        "DO UPDATE SET tutup = excluded.tutup, kapasitaspasien = excluded.kapasitaspasien",
    )
    .await
}

async fn write_sesi(
    db: &Db,
    ppk: &str,
    kdsub: &str,
    kodedokter: i64,
    sesi: &Sesi,
    kapasitas: i64,
    on_conflict: &str,
) -> sqlx::Result<()> {
    let sql = format!(
        "INSERT INTO queue_jadwal (kode_ppk, kodesubspesialis, kodedokter, hari, buka, tutup, kapasitaspasien, libur) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0) ON CONFLICT (kode_ppk, kodesubspesialis, kodedokter, hari, buka) {on_conflict}"
    );
    db.execute_write(
        sqlx::query(&sql)
            .bind(ppk)
            .bind(kdsub)
            .bind(kodedokter)
            .bind(sesi.hari)
            .bind(&sesi.buka)
            .bind(&sesi.tutup)
            .bind(kapasitas),
    )
    .await
    .map(|_| ())
}
