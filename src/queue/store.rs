//! Antrean RS bookings, tasks and quotas in SQL. Every query is scoped by the hospital (kode PPK).

use crate::kernel::db::Db;

use super::domain::{JenisPasien, KodeBooking, NewBooking, Refusal};
use super::tasks::{check_task, BookingProgress};
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

/// Creates the day's quota with the declared kuota and takes one place, or takes one place
/// from the existing row (moving it by any change of the declared kuota) while one is left.
/// `rows_affected` is 0 exactly when no place is left.
const TAKE_JKN: &str = "INSERT INTO queue_quota (kode_ppk, kodepoli, kodedokter, tanggal, kuota_jkn, sisa_jkn, kuota_nonjkn, sisa_nonjkn) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
    ON CONFLICT (kode_ppk, kodepoli, kodedokter, tanggal) DO UPDATE SET \
    sisa_jkn = queue_quota.sisa_jkn + (excluded.kuota_jkn - queue_quota.kuota_jkn) - 1, kuota_jkn = excluded.kuota_jkn, \
    sisa_nonjkn = queue_quota.sisa_nonjkn + (excluded.kuota_nonjkn - queue_quota.kuota_nonjkn), kuota_nonjkn = excluded.kuota_nonjkn \
    WHERE queue_quota.sisa_jkn + (excluded.kuota_jkn - queue_quota.kuota_jkn) > 0";

const TAKE_NONJKN: &str = "INSERT INTO queue_quota (kode_ppk, kodepoli, kodedokter, tanggal, kuota_jkn, sisa_jkn, kuota_nonjkn, sisa_nonjkn) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
    ON CONFLICT (kode_ppk, kodepoli, kodedokter, tanggal) DO UPDATE SET \
    sisa_jkn = queue_quota.sisa_jkn + (excluded.kuota_jkn - queue_quota.kuota_jkn), kuota_jkn = excluded.kuota_jkn, \
    sisa_nonjkn = queue_quota.sisa_nonjkn + (excluded.kuota_nonjkn - queue_quota.kuota_nonjkn) - 1, kuota_nonjkn = excluded.kuota_nonjkn \
    WHERE queue_quota.sisa_nonjkn + (excluded.kuota_nonjkn - queue_quota.kuota_nonjkn) > 0";

/// Stores a booking and takes its place from the remaining quota, in one transaction.
///
/// The quota of a doctor's day starts at the kuota the hospital declares with its first
/// booking; a later booking declaring another kuota moves the remaining places by the
/// difference. The conditional upsert (`ON CONFLICT ... DO UPDATE ... WHERE sisa > 0`) is
/// what keeps concurrent bookings from overshooting: on PostgreSQL it waits for the row
/// lock and re-checks, on SQLite the write transaction is exclusive.
pub async fn add_booking(db: &Db, ppk: &str, b: &NewBooking, now_ms: i64) -> sqlx::Result<AddOutcome> {
    let tanggal = b.tanggalperiksa.format("%Y-%m-%d").to_string();
    // A new quota row starts with this booking's place taken.
    let (take, sisa_jkn, sisa_nonjkn) = match b.jenispasien {
        JenisPasien::Jkn => (TAKE_JKN, b.kuotajkn - 1, b.kuotanonjkn),
        JenisPasien::NonJkn => (TAKE_NONJKN, b.kuotajkn, b.kuotanonjkn - 1),
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
    if sisa_jkn < 0 || sisa_nonjkn < 0 {
        // A declared kuota of 0 for the patient's kind: no place, whatever was declared before.
        tx.rollback().await?;
        return Ok(AddOutcome::QuotaFull);
    }
    let taken = sqlx::query(take)
        .bind(ppk)
        .bind(&b.kodepoli)
        .bind(b.kodedokter)
        .bind(&tanggal)
        .bind(b.kuotajkn)
        .bind(sisa_jkn)
        .bind(b.kuotanonjkn)
        .bind(sisa_nonjkn)
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
    farmasi_jenisresep: Option<String>,
}

fn head_sql(db: &Db) -> String {
    // PostgreSQL: lock the booking so two task updates of one booking apply one after the
    // other (SQLite's write transaction is exclusive already).
    let lock = if db.is_postgres() { " FOR UPDATE" } else { "" };
    format!(
        "SELECT pasienbaru, batal, jenispasien, kodepoli, kodedokter, tanggalperiksa, farmasi_jenisresep \
         FROM queue_booking WHERE kode_ppk = $1 AND kodebooking = $2{lock}"
    )
}

const RELEASE_JKN: &str =
    "UPDATE queue_quota SET sisa_jkn = CASE WHEN sisa_jkn < kuota_jkn THEN sisa_jkn + 1 ELSE sisa_jkn END \
    WHERE kode_ppk = $1 AND kodepoli = $2 AND kodedokter = $3 AND tanggal = $4";
const RELEASE_NONJKN: &str = "UPDATE queue_quota SET sisa_nonjkn = CASE WHEN sisa_nonjkn < kuota_nonjkn THEN sisa_nonjkn + 1 ELSE sisa_nonjkn END \
    WHERE kode_ppk = $1 AND kodepoli = $2 AND kodedokter = $3 AND tanggal = $4";

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
    if let Err(refusal) = check_task(&progress, task.taskid, task.waktu) {
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
