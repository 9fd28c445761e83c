//! Demo participants: the spec's TRI M and a few others covering classes, statuses,
//! an insurance COB and an inactive participant.

use serde_json::json;

use crate::kernel::auth::bearer;

use super::{import, store, ParticipantCtx, TOKEN_REALM};

/// The demo hospital's bearer token.
pub const DEMO_TOKEN: &str = "demo-hospital-token";

/// Loads the demo participants and token (idempotent).
pub async fn load(ctx: &ParticipantCtx) -> anyhow::Result<()> {
    let (db, clock) = (&ctx.kernel.db, ctx.kernel.clock.as_ref());
    bearer::create(db, &ctx.kernel.keys, clock, TOKEN_REALM, "demo-hospital", DEMO_TOKEN).await?;
    let records = [
        json!({"noKartu": "0011336526592", "nik": "3319022010810007", "nama": "TRI M", "sex": "L", "tglLahir": "1981-10-10",
               "pisa": "1", "hakKelas": {"kode": "1", "keterangan": "KELAS I"},
               "jenisPeserta": {"kode": "13", "keterangan": "PEGAWAI SWASTA"},
               "statusPeserta": {"kode": "0", "keterangan": "AKTIF"},
               "provUmum": {"kdProvider": "0138U020", "nmProvider": "KPRJ PALA MEDIKA"},
               "tglCetakKartu": "2016-02-12", "tglTAT": "2014-12-31", "tglTMT": "2008-10-01"}),
        json!({"noKartu": "0001234567890", "nik": "3171014506900002", "nama": "SITI AMINAH", "sex": "P", "tglLahir": "1990-06-05",
               "pisa": "2", "hakKelas": {"kode": "2", "keterangan": "KELAS II"},
               "jenisPeserta": {"kode": "14", "keterangan": "PEKERJA MANDIRI"},
               "statusPeserta": {"kode": "0", "keterangan": "AKTIF"},
               "provUmum": {"kdProvider": "0112B015", "nmProvider": "PUSKESMAS MENTENG"},
               "mr": {"noMR": "RM-000123", "noTelepon": "081234567890"},
               "tglCetakKartu": "2019-03-01", "tglTAT": "2099-12-31", "tglTMT": "2019-02-01"}),
        json!({"noKartu": "0002345678901", "nik": "3273012012850003", "nama": "BUDI SANTOSO", "sex": "L", "tglLahir": "1985-12-20",
               "pisa": "1", "hakKelas": {"kode": "1", "keterangan": "KELAS I"},
               "jenisPeserta": {"kode": "11", "keterangan": "PNS DAERAH"},
               "statusPeserta": {"kode": "0", "keterangan": "AKTIF"},
               "provUmum": {"kdProvider": "0114U001", "nmProvider": "KLINIK SEHAT BANDUNG"},
               "cob": {"nmAsuransi": "PT ASURANSI SEHAT SEJAHTERA", "noAsuransi": "POL-778812", "tglTMT": "2020-01-01", "tglTAT": "2030-12-31"},
               "informasi": {"prolanisPRB": "DM"},
               "tglCetakKartu": "2015-08-17", "tglTAT": "2099-12-31", "tglTMT": "2014-01-01"}),
        json!({"noKartu": "0003456789012", "nik": "3578016101700004", "nama": "WATI", "sex": "P", "tglLahir": "1970-01-21",
               "pisa": "1", "hakKelas": {"kode": "3", "keterangan": "KELAS III"},
               "jenisPeserta": {"kode": "21", "keterangan": "PBI (APBN)"},
               "statusPeserta": {"kode": "1", "keterangan": "TIDAK AKTIF KARENA PREMI"},
               "provUmum": {"kdProvider": "0205P002", "nmProvider": "PUSKESMAS WONOKROMO"},
               "informasi": {"dinsos": "DINSOS KOTA SURABAYA", "noSKTM": "SKTM/2021/0042"},
               "tglCetakKartu": "2014-05-02", "tglTAT": "2021-06-30", "tglTMT": "2014-01-01"}),
        json!({"noKartu": "0004567890123", "nik": "3319026209120005", "nama": "ANISA M", "sex": "P", "tglLahir": "2012-09-22",
               "pisa": "4", "hakKelas": {"kode": "1", "keterangan": "KELAS I"},
               "jenisPeserta": {"kode": "13", "keterangan": "PEGAWAI SWASTA"},
               "statusPeserta": {"kode": "0", "keterangan": "AKTIF"},
               "provUmum": {"kdProvider": "0138U020", "nmProvider": "KPRJ PALA MEDIKA"},
               "tglCetakKartu": "2013-01-10", "tglTAT": "2099-12-31", "tglTMT": "2012-10-01"}),
    ];
    let mut participants = Vec::new();
    for record in records {
        let serde_json::Value::Object(fields) = record else {
            unreachable!("demo records are objects")
        };
        participants.push(import::parse(fields).map_err(|e| anyhow::anyhow!("demo participant: {e}"))?);
    }
    store::upsert_all(db, clock, &participants).await?;
    Ok(())
}
