//! Where a participant comes from: the local registry (mode `local`) or BPJS VClaim
//! through the read-through answer cache (both modes, each with its own TTL).

use bytes::Bytes;
use chrono::NaiveDate;

use crate::kernel::error::{AppError, AppResult};

use super::age;
use super::domain::Identifier;
use super::handlers::REFUSED;
use super::wire::{MetaData, Peserta, PesertaEnvelope, PesertaResponse};
use super::{store, Mode, ParticipantCtx};

/// The message when no participant matches.
pub const NOT_FOUND: &str = "Data Peserta Tidak Ditemukan";

/// The hospital's answer for `id` (the serialized success envelope), served from the
/// cache while fresh. The cache holds the finished body, so a hit costs
/// neither a copy of the participant nor a JSON encoding; concurrent misses for the same
/// key make one upstream call.
pub async fn answer(
    ctx: &ParticipantCtx,
    id: &Identifier,
    service_date: NaiveDate,
    today: NaiveDate,
    correlation_id: &str,
) -> AppResult<Bytes> {
    let fetch = async {
        let mut peserta = find(ctx, id, service_date, correlation_id).await?;
        if peserta.umur.is_none() {
            peserta.umur = Some(age::umur(&peserta.tgl_lahir, service_date, today));
        }
        let envelope = PesertaEnvelope {
            meta_data: MetaData {
                code: "200".to_string(),
                message: "OK".to_string(),
            },
            response: Some(PesertaResponse { peserta }),
        };
        serde_json::to_vec(&envelope)
            .map(Bytes::from)
            .map_err(|e| AppError::internal_from("serialize participant", e))
    };
    let cache = &ctx.family.cache;
    if cache.is_enabled() {
        cache.get_or_fetch((id.clone(), service_date), fetch).await
    } else {
        fetch.await
    }
}

/// Finds the participant `id` for a service on `service_date`, from wherever this
/// deployment is configured to look. `correlation_id` ties an upstream call's journal
/// row to the hospital's request.
pub async fn find(
    ctx: &ParticipantCtx,
    id: &Identifier,
    service_date: NaiveDate,
    correlation_id: &str,
) -> AppResult<Peserta> {
    match ctx.family.config.mode {
        Mode::Local => local(ctx, id).await,
        Mode::Vclaim => vclaim(ctx, id, service_date, correlation_id).await,
    }
}

/// The participant from this server's registry.
pub async fn local(ctx: &ParticipantCtx, id: &Identifier) -> AppResult<Peserta> {
    let found = match id {
        Identifier::Kartu(no) => store::by_kartu(&ctx.kernel.db, no).await?,
        Identifier::Nik(nik) => store::by_nik(&ctx.kernel.db, nik).await?,
    };
    found.ok_or_else(|| AppError::rejected(REFUSED, NOT_FOUND))
}

/// The participant from BPJS.
async fn vclaim(
    ctx: &ParticipantCtx,
    id: &Identifier,
    service_date: NaiveDate,
    correlation_id: &str,
) -> AppResult<Peserta> {
    let upstream = ctx
        .family
        .upstream
        .as_ref()
        .ok_or_else(|| AppError::internal("participant mode vclaim without an upstream client"))?;
    Ok(upstream.lookup(&ctx.kernel, id, service_date, correlation_id).await?)
}
