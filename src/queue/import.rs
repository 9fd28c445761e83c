//! `jembatan import antrean-jadwal FILE`: a hospital's polis, doctors and weekly schedule
//! sessions from CSV or JSON, one session per row (upserted; other sessions are kept).
//!
//! Columns: `kode_ppk`, `nama_rs` (optional), `kdpoli`, `nmpoli`, `kdsubspesialis` and
//! `nmsubspesialis` (default: the poli's), `kodedokter`, `namadokter`, `hari` (1 Monday ..
//! 7 Sunday, 8 holiday), `buka`, `tutup` (`HH:mm`), `kapasitaspasien` (default
//! `queue.default_kapasitas`). Bad rows are reported with their row number; good rows kept.

use std::path::Path;

use serde_json::{Map, Value};

use crate::kernel::import::{read_records, ImportSummary};

use super::domain::{integer, parse_time, text};
use super::store_ref::{self as reference, Poli, Sesi};
use super::QueueCtx;

/// The data set's name on the command line.
pub const DATASET: &str = "antrean-jadwal";

/// One valid row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The hospital.
    pub kode_ppk: String,
    /// The hospital's name, if given.
    pub nama_rs: Option<String>,
    /// Poli and subspecialty.
    pub poli: Poli,
    /// Doctor code.
    pub kodedokter: i64,
    /// Doctor's name.
    pub namadokter: String,
    /// The session.
    pub sesi: Sesi,
    /// Patients the session takes.
    pub kapasitas: i64,
}

/// Parses one record, or says why not.
pub fn parse(fields: &Map<String, Value>, default_kapasitas: i64) -> Result<Row, String> {
    let field = |name: &str| fields.get(name).and_then(text).filter(|s| !s.is_empty());
    let required = |name: &str| field(name).ok_or_else(|| format!("{name} tidak boleh kosong"));
    let kode_ppk = required("kode_ppk")?;
    let kdpoli = required("kdpoli")?;
    let nmpoli = required("nmpoli")?;
    let kdsub = field("kdsubspesialis").unwrap_or_else(|| kdpoli.clone());
    let nmsub = field("nmsubspesialis").unwrap_or_else(|| nmpoli.clone());
    let kodedokter = fields
        .get("kodedokter")
        .and_then(integer)
        .ok_or("kodedokter harus berupa angka")?;
    let namadokter = required("namadokter")?;
    let hari = match fields.get("hari").and_then(integer) {
        Some(h @ 1..=8) => h,
        _ => return Err("hari harus 1 (Senin) sampai 7 (Minggu) atau 8 (Hari Libur)".to_string()),
    };
    let buka = field("buka").and_then(|t| parse_time(&t)).ok_or("buka harus HH:mm")?;
    let tutup = field("tutup").and_then(|t| parse_time(&t)).ok_or("tutup harus HH:mm")?;
    if buka >= tutup {
        return Err("buka harus lebih awal dari tutup".to_string());
    }
    let kapasitas = match fields.get("kapasitaspasien") {
        None | Some(Value::Null) => default_kapasitas,
        Some(v) => match integer(v) {
            Some(k) if k > 0 => k,
            _ => return Err("kapasitaspasien harus angka lebih dari 0".to_string()),
        },
    };
    Ok(Row {
        kode_ppk,
        nama_rs: field("nama_rs"),
        poli: Poli {
            kdsubspesialis: kdsub,
            nmsubspesialis: nmsub,
            kdpoli,
            nmpoli,
        },
        kodedokter,
        namadokter,
        sesi: Sesi {
            hari,
            buka: buka.format("%H:%M").to_string(),
            tutup: tutup.format("%H:%M").to_string(),
        },
        kapasitas,
    })
}

/// Imports the rows of `file`.
pub async fn jadwal(ctx: &QueueCtx, file: &Path) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::new(DATASET);
    let default_kapasitas = ctx.family.config.default_kapasitas;
    for record in read_records(file)? {
        let row = match parse(&record.fields, default_kapasitas) {
            Ok(row) => row,
            Err(reason) => {
                summary.reject(record.row, reason);
                continue;
            }
        };
        let db = &ctx.kernel.db;
        if let Some(nama) = &row.nama_rs {
            reference::upsert_hospital(db, &row.kode_ppk, nama).await?;
        }
        reference::upsert_poli(db, &row.kode_ppk, &row.poli).await?;
        reference::upsert_dokter(db, &row.kode_ppk, row.kodedokter, &row.namadokter).await?;
        reference::upsert_sesi(
            db,
            &row.kode_ppk,
            &row.poli.kdsubspesialis,
            row.kodedokter,
            &row.sesi,
            row.kapasitas,
        )
        .await?;
        summary.accepted += 1;
    }
    ctx.family.forget_references();
    Ok(summary)
}
