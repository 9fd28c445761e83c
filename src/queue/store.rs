//! Antrean RS bookings, tasks and quotas in SQL. Every query is scoped by the hospital (kode PPK).

use crate::kernel::db::Db;

use super::domain::{JenisPasien, KodeBooking, NewBooking, Refusal};
use super::tasks::{check_task, check_waktu_bounds, BookingProgress};
use crate::kernel::ids::NomorKartu;

/// Message for a booking the consumer's hospital does not have.
pub const MSG_BOOKING_NOT_FOUND: &str = "Kode Booking tidak ditemukan";

/// What became of an `antrean/add`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// Stored, and a place taken from the quota.
    Added,
    /// The hospital already has this kodebooking; nothing changed.
    Duplicate,
    /// No place left in the patient's quota; nothing changed.
    QuotaFull,
}

/// Takes one place of the session's quota for a JKN patient: creates the session's row
/// with this place taken, or adds it to the existing row while the patient's kind is under
/// its declared kuota ($8) and the session under its capacity ($9). `rows_affected` is 0
/// exactly when no place is left.
const TAKE_JKN: &str = "INSERT INTO queue_quota_sesi (kode_ppk, kodepoli, kodedokter, tanggal, jampraktek, terisi_jkn, terisi_nonjkn) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) \
    ON CONFLICT (kode_ppk, kodepoli, kodedokter, tanggal, jampraktek) DO UPDATE SET terisi_jkn = queue_quota_sesi.terisi_jkn + 1 \
    WHERE queue_quota_sesi.terisi_jkn < $8 AND queue_quota_sesi.terisi_jkn + queue_quota_sesi.terisi_nonjkn < $9";

/// [`TAKE_JKN`] for a non-JKN patient.
const TAKE_NONJKN: &str = "INSERT INTO queue_quota_sesi (kode_ppk, kodepoli, kodedokter, tanggal, jampraktek, terisi_jkn, terisi_nonjkn) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) \
    ON CONFLICT (kode_ppk, kodepoli, kodedokter, tanggal, jampraktek) DO UPDATE SET terisi_nonjkn = queue_quota_sesi.terisi_nonjkn + 1 \
    WHERE queue_quota_sesi.terisi_nonjkn < $8 AND queue_quota_sesi.terisi_jkn + queue_quota_sesi.terisi_nonjkn < $9";

/// Stores a booking and takes its place from the remaining quota, in one transaction.
///
/// The quota is the practice session's (`jampraktek`) of the doctor on that day: at most
/// `kapasitas` places (the session's capacity in the schedule, read by the caller), and of
/// them at most the declared kuota of the patient's kind (a later booking declaring another
/// kuota moves the bound). The conditional upsert (`ON CONFLICT ... DO UPDATE ... WHERE sisa > 0`) is
/// what keeps concurrent bookings from overshooting: on PostgreSQL it waits for the row
/// lock and re-checks, on SQLite the write transaction is exclusive.
pub async fn add_booking(db: &Db, ppk: &str, b: &NewBooking, kapasitas: i64, now_ms: i64) -> sqlx::Result<AddOutcome> {
    let tanggal = b.tanggalperiksa.format("%Y-%m-%d").to_string();
    // A new quota row starts with this booking's place taken.
    let (take, kuota, jkn, nonjkn) = match b.jenispasien {
        JenisPasien::Jkn => (TAKE_JKN, b.kuotajkn, 1i64, 0i64),
        JenisPasien::NonJkn => (TAKE_NONJKN, b.kuotanonjkn, 0, 1),
    };
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
            "INSERT INTO queue_booking (kode_ppk, kodebooking, jenispasien, nomorkartu, nik, nohp, kodepoli, namapoli, \
             pasienbaru, norm, tanggalperiksa, kodedokter, namadokter, jampraktek, jeniskunjungan, nomorreferensi, \
             nomorantrean, angkaantrean, estimasidilayani, sisakuotajkn, kuotajkn, sisakuotanonjkn, kuotanonjkn, \
             keterangan, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) \
             ON CONFLICT (kode_ppk, kodebooking) DO NOTHING",
        )
        .bind(ppk)
        .bind(&b.kodebooking)
        .bind(b.jenispasien.as_str())
        .bind(b.nomorkartu.as_ref().map_or("", NomorKartu::as_str))
        .bind(b.nik.as_str())
        .bind(&b.nohp)
        .bind(&b.kodepoli)
        .bind(&b.namapoli)
        .bind(i64::from(b.pasienbaru))
        .bind(&b.norm)
        .bind(&tanggal)
        .bind(b.kodedokter)
        .bind(&b.namadokter)
        .bind(&b.jampraktek)
        .bind(b.jeniskunjungan)
        .bind(&b.nomorreferensi)
        .bind(&b.nomorantrean)
        .bind(b.angkaantrean)
        .bind(b.estimasidilayani)
        .bind(b.sisakuotajkn)
        .bind(b.kuotajkn)
        .bind(b.sisakuotanonjkn)
        .bind(b.kuotanonjkn)
        .bind(&b.keterangan)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if inserted == 0 {
        tx.rollback().await?;
        return Ok(AddOutcome::Duplicate);
    }
    if kuota < 1 || kapasitas < 1 {
        // A declared kuota (or a capacity) of 0: no place, whatever was taken before.
        tx.rollback().await?;
        return Ok(AddOutcome::QuotaFull);
    }
    let taken = sqlx::query(take)
        .bind(ppk)
        .bind(&b.kodepoli)
        .bind(b.kodedokter)
        .bind(&tanggal)
        .bind(&b.jampraktek)
        .bind(jkn)
        .bind(nonjkn)
        .bind(kuota)
        .bind(kapasitas)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if taken == 0 {
        tx.rollback().await?;
        return Ok(AddOutcome::QuotaFull);
    }
    tx.commit().await?;
    Ok(AddOutcome::Added)
}

/// The booking columns the task and cancel rules need.
#[derive(Debug, Clone, sqlx::FromRow)]
struct BookingHead {
    pasienbaru: i64,
    batal: i64,
    jenispasien: String,
    kodepoli: String,
    kodedokter: i64,
    tanggalperiksa: String,
    jampraktek: String,
    farmasi_jenisresep: Option<String>,
}

fn head_sql(db: &Db) -> String {
    // PostgreSQL: lock the booking so two task updates of one booking apply one after the
    // other (SQLite's write transaction is exclusive already).
    let lock = if db.is_postgres() { " FOR UPDATE" } else { "" };
    format!(
        "SELECT pasienbaru, batal, jenispasien, kodepoli, kodedokter, tanggalperiksa, jampraktek, farmasi_jenisresep \
         FROM queue_booking WHERE kode_ppk = $1 AND kodebooking = $2{lock}"
    )
}

const RELEASE_JKN: &str = "UPDATE queue_quota_sesi SET terisi_jkn = terisi_jkn - 1 \
    WHERE kode_ppk = $1 AND kodepoli = $2 AND kodedokter = $3 AND tanggal = $4 AND jampraktek = $5 AND terisi_jkn > 0";
const RELEASE_NONJKN: &str = "UPDATE queue_quota_sesi SET terisi_nonjkn = terisi_nonjkn - 1 \
    WHERE kode_ppk = $1 AND kodepoli = $2 AND kodedokter = $3 AND tanggal = $4 AND jampraktek = $5 AND terisi_nonjkn > 0";

fn release_sql(head: &BookingHead) -> &'static str {
    if head.jenispasien == JenisPasien::Jkn.as_str() {
        RELEASE_JKN
    } else {
        RELEASE_NONJKN
    }
}

/// A task to record.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    /// The booking.
    pub kodebooking: &'a KodeBooking,
    /// 1-7 or 99.
    pub taskid: i64,
    /// Hospital time, epoch ms.
    pub waktu: i64,
    /// Receipt time, epoch ms.
    pub waktu_server: i64,
    /// Prescription kind (task 5), if given.
    pub jenisresep: Option<String>,
}

/// Records a task after checking the order and time rules against the booking's
/// recorded tasks, in one transaction. Task 99 cancels the booking and frees its place.
pub async fn record_task(db: &Db, ppk: &str, task: &NewTask<'_>) -> sqlx::Result<Result<(), Refusal>> {
    let head_sql = head_sql(db);
    let mut tx = db.begin_write().await?;
    let head: Option<BookingHead> = sqlx::query_as(&head_sql)
        .bind(ppk)
        .bind(task.kodebooking)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(head) = head else {
        tx.rollback().await?;
        return Ok(Err(Refusal::new(MSG_BOOKING_NOT_FOUND)));
    };
    let tasks: Vec<(i64, i64)> =
        sqlx::query_as("SELECT taskid, waktu FROM queue_task WHERE kode_ppk = $1 AND kodebooking = $2")
            .bind(ppk)
            .bind(task.kodebooking)
            .fetch_all(&mut *tx)
            .await?;
    let progress = BookingProgress {
        pasienbaru: head.pasienbaru == 1,
        batal: head.batal == 1,
        tasks,
    };
    // Order and repeats first (a repeat answers 208 whatever its time), then the bounds.
    let checked = check_task(&progress, task.taskid, task.waktu)
        .and_then(|()| check_waktu_bounds(&head.tanggalperiksa, task.waktu, task.waktu_server));
    if let Err(refusal) = checked {
        tx.rollback().await?;
        return Ok(Err(refusal));
    }
    sqlx::query(
        "INSERT INTO queue_task (kode_ppk, kodebooking, taskid, waktu, waktu_server, jenisresep) \
             VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ppk)
    .bind(task.kodebooking)
    .bind(task.taskid)
    .bind(task.waktu)
    .bind(task.waktu_server)
    .bind(&task.jenisresep)
    .execute(&mut *tx)
    .await?;
    if task.taskid == 99 {
        sqlx::query(
            "UPDATE queue_booking SET batal = 1, keterangan_batal = $1 WHERE kode_ppk = $2 AND kodebooking = $3",
        )
        .bind("TaskId=99 (tidak hadir/batal)")
        .bind(ppk)
        .bind(task.kodebooking)
        .execute(&mut *tx)
        .await?;
        sqlx::query(release_sql(&head))
            .bind(ppk)
            .bind(&head.kodepoli)
            .bind(head.kodedokter)
            .bind(&head.tanggalperiksa)
            .bind(&head.jampraktek)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Cancels a booking not yet served at the poli and frees its place in the quota.
pub async fn cancel(
    db: &Db,
    ppk: &str,
    kodebooking: &KodeBooking,
    keterangan: &str,
) -> sqlx::Result<Result<(), Refusal>> {
    let head_sql = head_sql(db);
    let mut tx = db.begin_write().await?;
    let head: Option<BookingHead> = sqlx::query_as(&head_sql)
        .bind(ppk)
        .bind(kodebooking)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(head) = head else {
        tx.rollback().await?;
        return Ok(Err(Refusal::new(MSG_BOOKING_NOT_FOUND)));
    };
    if head.batal == 1 {
        tx.rollback().await?;
        return Ok(Err(Refusal::new("Antrean sudah dibatalkan sebelumnya")));
    }
    let served: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM queue_task WHERE kode_ppk = $1 AND kodebooking = $2 AND taskid BETWEEN 4 AND 7",
    )
    .bind(ppk)
    .bind(kodebooking)
    .fetch_one(&mut *tx)
    .await?;
    if served > 0 {
        tx.rollback().await?;
        return Ok(Err(Refusal::new(
            "Pasien sudah dilayani poli, antrean tidak dapat dibatalkan",
        )));
    }
    sqlx::query("UPDATE queue_booking SET batal = 1, keterangan_batal = $1 WHERE kode_ppk = $2 AND kodebooking = $3")
        .bind(keterangan)
        .bind(ppk)
        .bind(kodebooking)
        .execute(&mut *tx)
        .await?;
    sqlx::query(release_sql(&head))
        .bind(ppk)
        .bind(&head.kodepoli)
        .bind(head.kodedokter)
        .bind(&head.tanggalperiksa)
        .bind(&head.jampraktek)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Registers the pharmacy queue of a booking (once).
pub async fn add_farmasi(
    db: &Db,
    ppk: &str,
    kodebooking: &KodeBooking,
    jenisresep: &str,
    nomorantrean: i64,
    keterangan: &str,
) -> sqlx::Result<Result<(), Refusal>> {
    let head_sql = head_sql(db);
    let mut tx = db.begin_write().await?;
    let head: Option<BookingHead> = sqlx::query_as(&head_sql)
        .bind(ppk)
        .bind(kodebooking)
        .fetch_optional(&mut *tx)
        .await?;
    let refusal = match &head {
        None => Some(Refusal::new(MSG_BOOKING_NOT_FOUND)),
        Some(h) if h.farmasi_jenisresep.is_some() => {
            Some(Refusal::duplicate("Antrean farmasi untuk Kode Booking ini sudah ada"))
        }
        Some(h) if h.batal == 1 => Some(Refusal::new("Antrean sudah dibatalkan")),
        Some(_) => None,
    };
    if let Some(refusal) = refusal {
        tx.rollback().await?;
        return Ok(Err(refusal));
    }
    sqlx::query(
        "UPDATE queue_booking SET farmasi_jenisresep = $1, farmasi_nomorantrean = $2, farmasi_keterangan = $3 \
             WHERE kode_ppk = $4 AND kodebooking = $5",
    )
    .bind(jenisresep)
    .bind(nomorantrean)
    .bind(keterangan)
    .bind(ppk)
    .bind(kodebooking)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}
