//! Holidays (hari libur) in SQL: national ones (kode PPK `''`) and a hospital's own.

use crate::kernel::db::Db;

/// Adds or renames the holiday of `kode_ppk` (`""`: national) on `tanggal` (`yyyy-mm-dd`).
pub async fn upsert(db: &Db, kode_ppk: &str, tanggal: &str, keterangan: &str) -> sqlx::Result<()> {
    db.execute_write(
        sqlx::query(
            "INSERT INTO queue_libur (kode_ppk, tanggal, keterangan) VALUES ($1, $2, $3) \
             ON CONFLICT (kode_ppk, tanggal) DO UPDATE SET keterangan = excluded.keterangan",
        )
        .bind(kode_ppk)
        .bind(tanggal)
        .bind(keterangan),
    )
    .await
    .map(|_| ())
}

/// The holiday the hospital `ppk` has on `tanggal` (its own before a national one), if any.
pub async fn libur(db: &Db, ppk: &str, tanggal: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT keterangan FROM queue_libur WHERE tanggal = $1 AND kode_ppk IN ('', $2) \
         ORDER BY kode_ppk DESC LIMIT 1",
    )
    .bind(tanggal)
    .bind(ppk)
    .fetch_optional(db)
    .await
}
