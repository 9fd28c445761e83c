//! Read-side SQL of Antrean RS: task lists, registration lists and the dashboards' rows.
//! Every query is scoped by the hospital (kode PPK).

use crate::kernel::db::Db;

use super::domain::KodeBooking;

/// The tasks of a booking (taskid, waktu, waktu_server) in task order; `None` when the
/// hospital has no such booking.
pub async fn tasks(db: &Db, ppk: &str, kodebooking: &KodeBooking) -> sqlx::Result<Option<Vec<(i64, i64, i64)>>> {
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM queue_booking WHERE kode_ppk = $1 AND kodebooking = $2")
        .bind(ppk)
        .bind(kodebooking)
        .fetch_one(db)
        .await?;
    if exists == 0 {
        return Ok(None);
    }
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT taskid, waktu, waktu_server FROM queue_task WHERE kode_ppk = $1 AND kodebooking = $2 ORDER BY taskid",
    )
    .bind(ppk)
    .bind(kodebooking)
    .fetch_all(db)
    .await?;
    Ok(Some(rows))
}

/// A booking as the registration lists show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingRow {
    /// `kodebooking` (column).
    pub kodebooking: String,
    /// `tanggalperiksa` (column).
    pub tanggalperiksa: String,
    /// `kodepoli` (column).
    pub kodepoli: String,
    /// `kodedokter` (column).
    pub kodedokter: i64,
    /// `jampraktek` (column).
    pub jampraktek: String,
    /// `nik` (column).
    pub nik: String,
    /// `nomorkartu` (column).
    pub nomorkartu: String,
    /// `nohp` (column).
    pub nohp: String,
    /// `norm` (column).
    pub norm: String,
    /// `jeniskunjungan` (column).
    pub jeniskunjungan: i64,
    /// `nomorreferensi` (column).
    pub nomorreferensi: String,
    /// `jenispasien` (column).
    pub jenispasien: String,
    /// `nomorantrean` (column).
    pub nomorantrean: String,
    /// `estimasidilayani` (column).
    pub estimasidilayani: i64,
    /// `created_at` (column).
    pub created_at: i64,
    /// `batal` (column).
    pub batal: i64,
    /// The highest task id recorded other than 99 (0 when none).
    pub last_task: i64,
}

/// Which bookings a registration list shows.
#[derive(Debug, Clone)]
pub enum BookingFilter {
    /// Bookings of one examination date.
    Tanggal(String),
    /// One booking.
    Kode(KodeBooking),
    /// Bookings from `today` on, not cancelled and not yet through the poli.
    Aktif { today: String },
    /// Bookings from `today` on of one doctor's session.
    Jadwal {
        today: String,
        kodepoli: String,
        kodedokter: i64,
        jampraktek: String,
    },
}

/// The bookings of the hospital matching `filter`, by date and queue number.
pub async fn bookings(db: &Db, ppk: &str, filter: &BookingFilter) -> sqlx::Result<Vec<BookingRow>> {
    let base = "SELECT b.kodebooking, b.tanggalperiksa, b.kodepoli, b.kodedokter, b.jampraktek, b.nik, b.nomorkartu, \
        b.nohp, b.norm, b.jeniskunjungan, b.nomorreferensi, b.jenispasien, b.nomorantrean, b.estimasidilayani, \
        b.created_at, b.batal, \
        COALESCE((SELECT MAX(t.taskid) FROM queue_task t WHERE t.kode_ppk = b.kode_ppk AND t.kodebooking = b.kodebooking \
                  AND t.taskid <> 99), 0) AS last_task \
        FROM queue_booking b WHERE b.kode_ppk = $1";
    let order = " ORDER BY b.tanggalperiksa, b.angkaantrean, b.kodebooking";
    match filter {
        BookingFilter::Tanggal(d) => {
            let sql = format!("{base} AND b.tanggalperiksa = $2{order}");
            sqlx::query_as(&sql).bind(ppk).bind(d).fetch_all(db).await
        }
        BookingFilter::Kode(k) => {
            let sql = format!("{base} AND b.kodebooking = $2{order}");
            sqlx::query_as(&sql).bind(ppk).bind(k).fetch_all(db).await
        }
        BookingFilter::Aktif { today } => {
            let sql = format!(
                    "{base} AND b.tanggalperiksa >= $2 AND b.batal = 0 AND NOT EXISTS (SELECT 1 FROM queue_task t \
                     WHERE t.kode_ppk = b.kode_ppk AND t.kodebooking = b.kodebooking AND t.taskid BETWEEN 5 AND 7){order}"
                );
            sqlx::query_as(&sql).bind(ppk).bind(today).fetch_all(db).await
        }
        BookingFilter::Jadwal {
            today,
            kodepoli,
            kodedokter,
            jampraktek,
        } => {
            let sql = format!(
                    "{base} AND b.tanggalperiksa >= $2 AND b.kodepoli = $3 AND b.kodedokter = $4 AND b.jampraktek = $5{order}"
                );
            sqlx::query_as(&sql)
                .bind(ppk)
                .bind(today)
                .bind(kodepoli)
                .bind(kodedokter)
                .bind(jampraktek)
                .fetch_all(db)
                .await
        }
    }
}

/// One (booking, task) pair for the dashboards; the task columns are empty for a
/// booking without tasks.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DashboardTask {
    /// `kodebooking` (column).
    pub kodebooking: String,
    /// `tanggalperiksa` (column).
    pub tanggalperiksa: String,
    /// `kodepoli` (column).
    pub kodepoli: String,
    /// `namapoli` (column).
    pub namapoli: String,
    /// `taskid` (column).
    pub taskid: Option<i64>,
    /// `waktu` (column).
    pub waktu: Option<i64>,
    /// `waktu_server` (column).
    pub waktu_server: Option<i64>,
}

/// The tasks of the hospital's bookings (not cancelled) examined between `from` and `to`.
pub async fn dashboard_tasks(db: &Db, ppk: &str, from: &str, to: &str) -> sqlx::Result<Vec<DashboardTask>> {
    sqlx::query_as(
        "SELECT b.kodebooking, b.tanggalperiksa, b.kodepoli, \
                    COALESCE(p.nmsubspesialis, b.namapoli) AS namapoli, t.taskid, t.waktu, t.waktu_server \
             FROM queue_booking b \
             LEFT JOIN queue_poli p ON p.kode_ppk = b.kode_ppk AND p.kdsubspesialis = b.kodepoli \
             LEFT JOIN queue_task t ON t.kode_ppk = b.kode_ppk AND t.kodebooking = b.kodebooking \
             WHERE b.kode_ppk = $1 AND b.tanggalperiksa >= $2 AND b.tanggalperiksa <= $3 AND b.batal = 0 \
             ORDER BY b.tanggalperiksa, b.kodepoli, b.kodebooking",
    )
    .bind(ppk)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// The hospital's name (its kode PPK when it has none registered).
pub async fn hospital_name(db: &Db, ppk: &str) -> sqlx::Result<String> {
    let name: Option<String> = {
        sqlx::query_scalar("SELECT nama FROM queue_hospital WHERE kode_ppk = $1")
            .bind(ppk)
            .fetch_optional(db)
            .await?
    };
    Ok(name.unwrap_or_else(|| ppk.to_string()))
}
