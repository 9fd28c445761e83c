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
    /// Bookings from `today` to `until`, not cancelled and not yet through the poli.
    Aktif { today: String, until: String },
    /// Bookings from `today` to `until` of one doctor's session.
    Jadwal {
        today: String,
        until: String,
        kodepoli: String,
        kodedokter: i64,
        jampraktek: String,
    },
}

/// The bookings of the hospital matching `filter`, by date and queue number, at most `limit`.
pub async fn bookings(db: &Db, ppk: &str, filter: &BookingFilter, limit: i64) -> sqlx::Result<Vec<BookingRow>> {
    let base = "SELECT b.kodebooking, b.tanggalperiksa, b.kodepoli, b.kodedokter, b.jampraktek, b.nik, b.nomorkartu, \
        b.nohp, b.norm, b.jeniskunjungan, b.nomorreferensi, b.jenispasien, b.nomorantrean, b.estimasidilayani, \
        b.created_at, b.batal, \
        COALESCE((SELECT MAX(t.taskid) FROM queue_task t WHERE t.kode_ppk = b.kode_ppk AND t.kodebooking = b.kodebooking \
                  AND t.taskid <> 99), 0) AS last_task \
        FROM queue_booking b WHERE b.kode_ppk = $1";
    // One answer is bounded: a hospital's whole future is not one encrypted string.
    let order = format!(
        " ORDER BY b.tanggalperiksa, b.angkaantrean, b.kodebooking LIMIT {}",
        limit.max(1)
    );
    match filter {
        BookingFilter::Tanggal(d) => {
            let sql = format!("{base} AND b.tanggalperiksa = $2{order}");
            sqlx::query_as(&sql).bind(ppk).bind(d).fetch_all(db).await
        }
        BookingFilter::Kode(k) => {
            let sql = format!("{base} AND b.kodebooking = $2{order}");
            sqlx::query_as(&sql).bind(ppk).bind(k).fetch_all(db).await
        }
        BookingFilter::Aktif { today, until } => {
            let sql = format!(
                    "{base} AND b.tanggalperiksa >= $2 AND b.tanggalperiksa <= $3 AND b.batal = 0 AND NOT EXISTS (SELECT 1 FROM queue_task t \
                     WHERE t.kode_ppk = b.kode_ppk AND t.kodebooking = b.kodebooking AND t.taskid BETWEEN 5 AND 7){order}"
                );
            sqlx::query_as(&sql)
                .bind(ppk)
                .bind(today)
                .bind(until)
                .fetch_all(db)
                .await
        }
        BookingFilter::Jadwal {
            today,
            until,
            kodepoli,
            kodedokter,
            jampraktek,
        } => {
            let sql = format!(
                    "{base} AND b.tanggalperiksa >= $2 AND b.tanggalperiksa <= $3 AND b.kodepoli = $4 AND b.kodedokter = $5 AND b.jampraktek = $6{order}"
                );
            sqlx::query_as(&sql)
                .bind(ppk)
                .bind(today)
                .bind(until)
                .bind(kodepoli)
                .bind(kodedokter)
                .bind(jampraktek)
                .fetch_all(db)
                .await
        }
    }
}

/// A dashboard group (a day or a month, and a poli) with its number of bookings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DashboardGroup {
    /// `yyyy-mm-dd`, or `yyyy-mm` for a month.
    pub tanggal: String,
    /// `kodepoli` (column).
    pub kodepoli: String,
    /// The subspecialty's name (the booking's namapoli when unknown).
    pub namapoli: String,
    /// Bookings (not cancelled) of the group.
    pub jumlah: i64,
}

/// The durations of task `taskid` (to task `taskid + 1`) in one dashboard group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DashboardSpan {
    /// As [`DashboardGroup::tanggal`].
    pub tanggal: String,
    /// `kodepoli` (column).
    pub kodepoli: String,
    /// 1..=6.
    pub taskid: i64,
    /// Bookings that have both tasks.
    pub counted: i64,
    /// Their total in milliseconds, as text: PostgreSQL sums BIGINT as NUMERIC, and the
    /// caller checks that it fits (never a wrapped or refused-by-the-database number).
    pub total_ms: Option<String>,
}

/// The dashboards' groups and task durations of the hospital's bookings (not cancelled)
/// examined between `from` and `to`, aggregated in the database (a month of a busy
/// hospital is hundreds of thousands of task rows; only the sums travel). `server` picks
/// the receipt times instead of the hospital's; `monthly` groups by `yyyy-mm`.
pub async fn dashboard(
    db: &Db,
    ppk: &str,
    from: &str,
    to: &str,
    server: bool,
    monthly: bool,
) -> sqlx::Result<(Vec<DashboardGroup>, Vec<DashboardSpan>)> {
    let key = if monthly {
        "SUBSTR(b.tanggalperiksa, 1, 7)"
    } else {
        "b.tanggalperiksa"
    };
    let col = if server { "waktu_server" } else { "waktu" };
    let groups = format!(
        "SELECT {key} AS tanggal, b.kodepoli, MAX(COALESCE(p.nmsubspesialis, b.namapoli)) AS namapoli, COUNT(*) AS jumlah \
         FROM queue_booking b \
         LEFT JOIN queue_poli p ON p.kode_ppk = b.kode_ppk AND p.kdsubspesialis = b.kodepoli \
         WHERE b.kode_ppk = $1 AND b.tanggalperiksa >= $2 AND b.tanggalperiksa <= $3 AND b.batal = 0 \
         GROUP BY {key}, b.kodepoli ORDER BY {key}, b.kodepoli"
    );
    let spans = format!(
        "SELECT {key} AS tanggal, b.kodepoli, s.taskid, COUNT(*) AS counted, \
         CAST(SUM(CASE WHEN e.{col} > s.{col} THEN e.{col} - s.{col} ELSE 0 END) AS TEXT) AS total_ms \
         FROM queue_booking b \
         JOIN queue_task s ON s.kode_ppk = b.kode_ppk AND s.kodebooking = b.kodebooking \
         JOIN queue_task e ON e.kode_ppk = b.kode_ppk AND e.kodebooking = b.kodebooking AND e.taskid = s.taskid + 1 \
         WHERE b.kode_ppk = $1 AND b.tanggalperiksa >= $2 AND b.tanggalperiksa <= $3 AND b.batal = 0 \
           AND s.taskid BETWEEN 1 AND 6 \
         GROUP BY {key}, b.kodepoli, s.taskid"
    );
    let groups = sqlx::query_as(&groups)
        .bind(ppk)
        .bind(from)
        .bind(to)
        .fetch_all(db)
        .await?;
    let spans = sqlx::query_as(&spans)
        .bind(ppk)
        .bind(from)
        .bind(to)
        .fetch_all(db)
        .await?;
    Ok((groups, spans))
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
