//! The participant registry's SQL.

use crate::kernel::clock::Clock;
use crate::kernel::db::Db;
use crate::kernel::ids::{Nik, NomorKartu};

use super::domain::Record;
use super::wire::{Cob, Informasi, KodeKeterangan, Mr, Peserta, ProvUmum};

const COLUMNS: &str = "no_kartu, nik, nama, sex, tgl_lahir, pisa, hak_kelas_kode, hak_kelas_keterangan, \
    jenis_peserta_kode, jenis_peserta_keterangan, status_kode, status_keterangan, prov_kd_provider, prov_nm_provider, \
    tgl_cetak_kartu, tgl_tat, tgl_tmt, cob_nm_asuransi, cob_no_asuransi, cob_tgl_tat, cob_tgl_tmt, dinsos, no_sktm, \
    prolanis_prb, no_mr, no_telepon";

/// One row of `participants`.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    no_kartu: String,
    nik: String,
    nama: String,
    sex: String,
    tgl_lahir: String,
    pisa: Option<String>,
    hak_kelas_kode: Option<String>,
    hak_kelas_keterangan: Option<String>,
    jenis_peserta_kode: Option<String>,
    jenis_peserta_keterangan: Option<String>,
    status_kode: Option<String>,
    status_keterangan: Option<String>,
    prov_kd_provider: Option<String>,
    prov_nm_provider: Option<String>,
    tgl_cetak_kartu: Option<String>,
    tgl_tat: Option<String>,
    tgl_tmt: Option<String>,
    cob_nm_asuransi: Option<String>,
    cob_no_asuransi: Option<String>,
    cob_tgl_tat: Option<String>,
    cob_tgl_tmt: Option<String>,
    dinsos: Option<String>,
    no_sktm: Option<String>,
    prolanis_prb: Option<String>,
    no_mr: Option<String>,
    no_telepon: Option<String>,
}

impl From<Row> for Peserta {
    fn from(r: Row) -> Peserta {
        Peserta {
            cob: Cob {
                nm_asuransi: r.cob_nm_asuransi,
                no_asuransi: r.cob_no_asuransi,
                tgl_tat: r.cob_tgl_tat,
                tgl_tmt: r.cob_tgl_tmt,
            },
            hak_kelas: KodeKeterangan {
                keterangan: r.hak_kelas_keterangan,
                kode: r.hak_kelas_kode,
            },
            informasi: Informasi {
                dinsos: r.dinsos,
                no_sktm: r.no_sktm,
                prolanis_prb: r.prolanis_prb,
            },
            jenis_peserta: KodeKeterangan {
                keterangan: r.jenis_peserta_keterangan,
                kode: r.jenis_peserta_kode,
            },
            mr: Mr {
                no_mr: r.no_mr,
                no_telepon: r.no_telepon,
            },
            nama: r.nama,
            nik: r.nik,
            no_kartu: r.no_kartu,
            pisa: r.pisa,
            prov_umum: ProvUmum {
                kd_provider: r.prov_kd_provider,
                nm_provider: r.prov_nm_provider,
            },
            sex: r.sex,
            status_peserta: KodeKeterangan {
                keterangan: r.status_keterangan,
                kode: r.status_kode,
            },
            tgl_cetak_kartu: r.tgl_cetak_kartu,
            tgl_lahir: r.tgl_lahir,
            tgl_tat: r.tgl_tat,
            tgl_tmt: r.tgl_tmt,
            umur: None,
        }
    }
}

/// The participant with this card number.
pub async fn by_kartu(db: &Db, no_kartu: &NomorKartu) -> Result<Option<Peserta>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM participants WHERE no_kartu = $1");
    let row: Option<Row> = sqlx::query_as(&sql).bind(no_kartu.as_str()).fetch_optional(db).await?;
    Ok(row.map(Peserta::from))
}

/// The participant with this NIK. Should a NIK carry more than one card (a re-issued
/// card), the active one with the latest start date wins.
pub async fn by_nik(db: &Db, nik: &Nik) -> Result<Option<Peserta>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM participants WHERE nik = $1 \
         ORDER BY CASE WHEN status_kode = '0' THEN 0 ELSE 1 END, tgl_tmt DESC, no_kartu LIMIT 1"
    );
    let row: Option<Row> = sqlx::query_as(&sql).bind(nik.as_str()).fetch_optional(db).await?;
    Ok(row.map(Peserta::from))
}

/// Inserts or updates checked participants by card number, all in one write transaction,
/// stamped with the clock's now.
pub async fn upsert_all(db: &Db, clock: &dyn Clock, records: &[Record]) -> Result<(), sqlx::Error> {
    let placeholders: Vec<String> = (1..=27).map(|i| format!("${i}")).collect();
    let updates: Vec<String> = COLUMNS
        .split(',')
        .map(str::trim)
        .filter(|c| *c != "no_kartu")
        .chain(std::iter::once("updated_at"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO participants ({COLUMNS}, updated_at) VALUES ({}) ON CONFLICT (no_kartu) DO UPDATE SET {}",
        placeholders.join(", "),
        updates.join(", ")
    );
    let now = clock.now().to_rfc3339();
    let mut tx = db.begin_write().await?;
    for record in records {
        let p = record.peserta();
        sqlx::query(&sql)
            .bind(record.no_kartu().as_str())
            .bind(record.nik().as_str())
            .bind(&p.nama)
            .bind(&p.sex)
            .bind(&p.tgl_lahir)
            .bind(&p.pisa)
            .bind(&p.hak_kelas.kode)
            .bind(&p.hak_kelas.keterangan)
            .bind(&p.jenis_peserta.kode)
            .bind(&p.jenis_peserta.keterangan)
            .bind(&p.status_peserta.kode)
            .bind(&p.status_peserta.keterangan)
            .bind(&p.prov_umum.kd_provider)
            .bind(&p.prov_umum.nm_provider)
            .bind(&p.tgl_cetak_kartu)
            .bind(&p.tgl_tat)
            .bind(&p.tgl_tmt)
            .bind(&p.cob.nm_asuransi)
            .bind(&p.cob.no_asuransi)
            .bind(&p.cob.tgl_tat)
            .bind(&p.cob.tgl_tmt)
            .bind(&p.informasi.dinsos)
            .bind(&p.informasi.no_sktm)
            .bind(&p.informasi.prolanis_prb)
            .bind(&p.mr.no_mr)
            .bind(&p.mr.no_telepon)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}
