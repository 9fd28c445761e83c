//! `ref/...` and `jadwaldokter/...` handlers: the hospital's polis, doctors and schedules.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::Value;

use super::QueueCtx;
use crate::kernel::error::AppResult;
use crate::kernel::extract::{Json, Path};
use crate::kernel::ids::parse_date;

use super::domain::{self, Refusal, MSG_FORMAT_TANGGAL};
use super::store_libur;
use super::store_ref::{self, Sesi};
use super::wire::{EncryptedAnswer, EncryptedOrRefusal, JadwalHari, MetadataOnly, UpdateJadwal};
use super::{authenticate, encrypted, ok, parse_body, refuse};

/// The hospital's polis and subspecialties (encrypted list of RefPoli).
#[utoipa::path(get, path = "/ref/poli", tag = "queue", security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "response: encrypted JSON list of RefPoli", body = EncryptedOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn ref_poli(State(ctx): State<QueueCtx>, headers: HeaderMap) -> AppResult<Json<EncryptedAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let polis = store_ref::polis(&ctx.kernel.db, &signed.consumer.kode_ppk).await?;
    if polis.is_empty() {
        return Err(refuse(Refusal::new("Data tidak ditemukan")));
    }
    encrypted(&signed, &polis).await
}

/// The hospital's doctors (encrypted list of RefDokter).
#[utoipa::path(get, path = "/ref/dokter", tag = "queue", security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "response: encrypted JSON list of RefDokter", body = EncryptedOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn ref_dokter(State(ctx): State<QueueCtx>, headers: HeaderMap) -> AppResult<Json<EncryptedAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let dokters = store_ref::dokters(&ctx.kernel.db, &signed.consumer.kode_ppk).await?;
    if dokters.is_empty() {
        return Err(refuse(Refusal::new("Data tidak ditemukan")));
    }
    encrypted(&signed, &dokters).await
}

/// Doctors' schedules of a poli on the weekday of a date (encrypted list of JadwalDokter).
#[utoipa::path(get, path = "/jadwaldokter/kodepoli/{kodepoli}/tanggal/{tanggal}", tag = "queue",
    params(("kodepoli" = String, Path, description = "Poli or subspecialty code"),
           ("tanggal" = String, Path, description = "yyyy-mm-dd")),
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "response: encrypted JSON list of JadwalDokter; metadata.code 201 when none", body = EncryptedOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn jadwal_dokter(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    Path((kodepoli, tanggal)): Path<(String, String)>,
) -> AppResult<Json<EncryptedAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let ppk = &signed.consumer.kode_ppk;
    let date = parse_date(&tanggal).ok_or_else(|| refuse(Refusal::new(MSG_FORMAT_TANGGAL)))?;
    if !store_ref::poli_known(&ctx.kernel.db, ppk, kodepoli.trim()).await? {
        return Err(refuse(Refusal::new("Poli tidak ditemukan")));
    }
    let mut jadwal = store_ref::jadwal(&ctx.kernel.db, ppk, kodepoli.trim(), domain::hari(date)).await?;
    // On a holiday the day's sessions are answered as BPJS shows them: hari 8, libur.
    if store_libur::libur(&ctx.kernel.db, ppk, &date.format("%Y-%m-%d").to_string())
        .await?
        .is_some()
    {
        for sesi in &mut jadwal {
            sesi.hari = 8;
            sesi.libur = 1;
            sesi.namahari = domain::nama_hari(8).to_string();
        }
    }
    if jadwal.is_empty() {
        return Err(refuse(Refusal::new(
            "Jadwal Dokter tidak ditemukan pada tanggal tersebut",
        )));
    }
    encrypted(&signed, &jadwal).await
}

/// Replaces a doctor's weekly schedule in a subspecialty.
#[utoipa::path(post, path = "/jadwaldokter/updatejadwaldokter", tag = "queue", request_body = UpdateJadwal,
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "metadata.code 200 updated, 201 refused (with the reason)", body = MetadataOnly),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn update_jadwal(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<MetadataOnly>> {
    let signed = authenticate(&ctx, &headers).await?;
    let ppk = &signed.consumer.kode_ppk;
    let req: UpdateJadwal = parse_body(&body)?;
    let kodepoli = domain::required_text(&req.kodepoli, "Kode Poli").map_err(refuse)?;
    let kodesub = domain::required_text(&req.kodesubspesialis, "Kode Subspesialis").map_err(refuse)?;
    let kodedokter = domain::required_integer(&req.kodedokter, "Kode Dokter").map_err(refuse)?;
    let sesi = parse_jadwal(&req.jadwal).map_err(refuse)?;
    if !store_ref::poli_known(&ctx.kernel.db, ppk, &kodepoli).await? {
        return Err(refuse(Refusal::new("Poli tidak ditemukan")));
    }
    if !store_ref::subspesialis_of(&ctx.kernel.db, ppk, &kodepoli, &kodesub).await? {
        return Err(refuse(Refusal::new("Subspesialis tidak ditemukan pada poli tersebut")));
    }
    if !store_ref::dokter_known(&ctx.kernel.db, ppk, kodedokter).await? {
        return Err(refuse(Refusal::new("Dokter tidak ditemukan")));
    }
    store_ref::replace_jadwal(
        &ctx.kernel.db,
        ppk,
        &kodesub,
        kodedokter,
        &sesi,
        ctx.family.config.default_kapasitas,
    )
    .await?;
    ctx.family.forget_references();
    Ok(ok())
}

/// Parses the `jadwal` list: hari 1-8, `HH:mm` opening before closing, no overlap on a day.
fn parse_jadwal(value: &Value) -> Result<Vec<Sesi>, Refusal> {
    let items = match value {
        Value::Array(items) if !items.is_empty() => items,
        Value::Array(_) | Value::Null => return Err(Refusal::new("Jadwal tidak boleh kosong")),
        _ => return Err(Refusal::new("Jadwal harus berupa daftar")),
    };
    let mut sesi: Vec<Sesi> = Vec::with_capacity(items.len());
    for item in items {
        let hari: JadwalHari = serde_json::from_value(item.clone())
            .map_err(|_| Refusal::new("Jadwal harus berupa daftar hari, buka, tutup"))?;
        let day = match domain::integer(&hari.hari) {
            Some(h @ 1..=8) => h,
            _ => {
                return Err(Refusal::new(
                    "Hari tidak sesuai, isi 1 (Senin) sampai 7 (Minggu) atau 8 (Hari Libur)",
                ))
            }
        };
        let buka = domain::text(&hari.buka).and_then(|t| domain::parse_time(&t));
        let tutup = domain::text(&hari.tutup).and_then(|t| domain::parse_time(&t));
        let (Some(buka), Some(tutup)) = (buka, tutup) else {
            return Err(Refusal::new("Format Jam tidak sesuai, format yang benar adalah HH:mm"));
        };
        if buka >= tutup {
            return Err(Refusal::new("Jam Buka harus lebih awal dari Jam Tutup"));
        }
        let (buka, tutup) = (buka.format("%H:%M").to_string(), tutup.format("%H:%M").to_string());
        // Times are zero-padded HH:mm, so string order is time order.
        if sesi
            .iter()
            .any(|s| s.hari == day && s.buka.as_str() < tutup.as_str() && buka.as_str() < s.tutup.as_str())
        {
            return Err(Refusal::new("Jadwal pada hari yang sama tidak boleh bertumpuk"));
        }
        sesi.push(Sesi { hari: day, buka, tutup });
    }
    Ok(sesi)
}
