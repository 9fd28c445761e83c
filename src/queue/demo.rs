//! Demo references of the two demo hospitals: polis, doctors and weekly schedules covering
//! every day of the week (so any week from today has sessions). The spec's example booking
//! (poli ANA, doctor 12345, 08:00-16:00) books against the first hospital as written.

use crate::kernel::db::Db;

use super::store_ref::{self as reference, Poli, Sesi};

type DemoPoli = (&'static str, &'static str, &'static str, &'static str);
/// (kodedokter, name, subspecialty, days, opening, closing, capacity)
type DemoDokter = (
    i64,
    &'static str,
    &'static str,
    &'static [i64],
    &'static str,
    &'static str,
    i64,
);

const EVERY_DAY: &[i64] = &[1, 2, 3, 4, 5, 6, 7];
const WEEKDAYS_SAT: &[i64] = &[1, 2, 3, 4, 5, 6];

const POLIS_1: &[DemoPoli] = &[
    ("ANA", "ANAK", "ANA", "ANAK"),
    ("INT", "PENYAKIT DALAM", "INT", "PENYAKIT DALAM"),
    ("INT", "PENYAKIT DALAM", "KGH", "GINJAL HIPERTENSI"),
    ("BED", "BEDAH", "BED", "BEDAH"),
    ("MAT", "MATA", "MAT", "MATA"),
    ("OBG", "OBGYN", "OBG", "OBGYN"),
    ("GIG", "GIGI", "GIG", "GIGI"),
];

const DOKTERS_1: &[DemoDokter] = &[
    (12345, "dr. Hendra, Sp.A", "ANA", EVERY_DAY, "08:00", "16:00", 30),
    (12346, "dr. Siti Rahma, Sp.A", "ANA", WEEKDAYS_SAT, "13:00", "17:00", 20),
    (22001, "dr. Budi Santoso, Sp.PD", "INT", EVERY_DAY, "08:00", "12:00", 30),
    (
        22002,
        "dr. Ratna Dewi, Sp.PD-KGH",
        "KGH",
        &[1, 3, 5],
        "09:00",
        "13:00",
        15,
    ),
    (33001, "dr. Agus Salim, Sp.B", "BED", EVERY_DAY, "08:00", "14:00", 25),
    (44001, "dr. Maya Lestari, Sp.M", "MAT", EVERY_DAY, "10:00", "15:00", 25),
    (55001, "dr. Yusuf Hadi, Sp.OG", "OBG", EVERY_DAY, "08:00", "12:00", 20),
    (
        55001,
        "dr. Yusuf Hadi, Sp.OG",
        "OBG",
        &[1, 2, 3, 4, 5],
        "16:00",
        "20:00",
        15,
    ),
    (66001, "drg. Lina Marlina", "GIG", WEEKDAYS_SAT, "08:00", "14:00", 20),
];

const POLIS_2: &[DemoPoli] = &[
    ("ANA", "ANAK", "ANA", "ANAK"),
    ("INT", "PENYAKIT DALAM", "INT", "PENYAKIT DALAM"),
];

const DOKTERS_2: &[DemoDokter] = &[
    (77001, "dr. Rudi Hartono, Sp.A", "ANA", EVERY_DAY, "08:00", "16:00", 30),
    (
        77002,
        "dr. Sari Wulandari, Sp.PD",
        "INT",
        EVERY_DAY,
        "08:00",
        "12:00",
        30,
    ),
];

/// Loads both demo hospitals, `ppk` and `ppk_2` (the kode PPK of the demo consumers), idempotently:
/// existing sessions are kept as they are.
pub async fn load(db: &Db, ppk: &str, ppk_2: &str) -> anyhow::Result<()> {
    hospital(db, ppk, "RS JEMBATAN SEHAT", POLIS_1, DOKTERS_1).await?;
    hospital(db, ppk_2, "RS MITRA SEJAHTERA", POLIS_2, DOKTERS_2).await?;
    Ok(())
}

async fn hospital(db: &Db, ppk: &str, nama: &str, polis: &[DemoPoli], dokters: &[DemoDokter]) -> anyhow::Result<()> {
    reference::upsert_hospital(db, ppk, nama).await?;
    for (kdpoli, nmpoli, kdsub, nmsub) in polis {
        let poli = Poli {
            kdsubspesialis: kdsub.to_string(),
            nmsubspesialis: nmsub.to_string(),
            kdpoli: kdpoli.to_string(),
            nmpoli: nmpoli.to_string(),
        };
        reference::upsert_poli(db, ppk, &poli).await?;
    }
    for (kode, nama, kdsub, days, buka, tutup, kapasitas) in dokters {
        reference::upsert_dokter(db, ppk, *kode, nama).await?;
        for hari in *days {
            let sesi = Sesi {
                hari: *hari,
                buka: buka.to_string(),
                tutup: tutup.to_string(),
            };
            reference::insert_sesi(db, ppk, kdsub, *kode, &sesi, *kapasitas).await?;
        }
    }
    Ok(())
}
