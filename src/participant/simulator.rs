//! The VClaim simulator at `/vclaim-rest`: BPJS's participant endpoints answered from
//! this server's participant registry, signed and encrypted exactly as BPJS does, so
//! integrators can test their bridging code (and this server's own `vclaim` mode) with
//! no BPJS account.
//!
//! - The signature headers are checked against the registered consumers (demo: 1234 /
//!   pwd / demo-user-key); a timestamp more than 5 minutes from this server's clock, a
//!   wrong signature, an unknown cons-id, a wrong user_key or a missing header is refused
//!   with `metaData.code` "401" and the reason.
//! - A bad card number, NIK or date, or no such participant: code "201" with VClaim's
//!   messages.
//! - Every refusal is HTTP 200 with `response: null`, as BPJS answers them.
//! - Success: `response` is the participant JSON, LZ-string compressed, AES-256-CBC
//!   encrypted with SHA-256(consId + secret + X-timestamp) and base64 encoded.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::auth::bpjs::SignedRequest;
use crate::kernel::bpjs_crypto;
use crate::kernel::clock::today_jakarta;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path};
use crate::kernel::ids::{parse_date, Nik, NomorKartu};

use super::age;
use super::domain::Identifier;
use super::handlers::{DATE_MESSAGE, REFUSED};
use super::wire::{MetaData, PesertaResponse, VclaimRefusal};
use super::{lookup, ParticipantCtx};

/// `metaData.code` of a refused signature (header missing, unknown consumer, drift,
/// wrong signature or user_key).
pub const SIGNATURE_REFUSED: &str = "401";

/// VClaim's envelope with an encrypted `response`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EncryptedEnvelope {
    /// Outcome ("200"/"OK", or the refusal).
    pub meta_data: MetaData,
    /// base64(AES-256-CBC(LZString.compressToEncodedURIComponent(json))), null on a refusal.
    pub response: Option<String>,
}

/// Participant by card number, as VClaim answers it.
#[utoipa::path(get, path = "/Peserta/nokartu/{noKartu}/tglSEP/{tglSEP}", tag = "vclaim-simulator", operation_id = "vclaim_by_kartu",
    params(
        ("noKartu" = String, Path, description = "BPJS card number, 13 digits"),
        ("tglSEP" = String, Path, description = "Service (SEP) date yyyy-mm-dd")),
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses(
        (status = 200, description = "Encrypted participant, or `response` null with metaData.code 401 (signature headers: X-cons-id, X-timestamp within 5 minutes, X-signature = base64(HMAC-SHA256(secret, consId & timestamp)), user_key) or 201 and the reason", body = EncryptedEnvelope),
        (status = 404, description = "Unknown route under the prefix (metaData.code 404)", body = VclaimRefusal)))]
pub async fn by_kartu(
    State(ctx): State<ParticipantCtx>,
    headers: HeaderMap,
    Path((no_kartu, tgl_sep)): Path<(String, String)>,
) -> AppResult<Json<EncryptedEnvelope>> {
    let signed = authenticate(&ctx, &headers).await?;
    let id = NomorKartu::parse(&no_kartu).map_err(|e| AppError::rejected(REFUSED, NomorKartu::message(e)))?;
    answer(&ctx, &signed, Identifier::Kartu(id), &tgl_sep).await
}

/// Participant by NIK, as VClaim answers it.
#[utoipa::path(get, path = "/Peserta/nik/{nik}/tglSEP/{tglSEP}", tag = "vclaim-simulator", operation_id = "vclaim_by_nik",
    params(
        ("nik" = String, Path, description = "NIK, 16 digits"),
        ("tglSEP" = String, Path, description = "Service (SEP) date yyyy-mm-dd")),
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses(
        (status = 200, description = "Encrypted participant, or `response` null with metaData.code 401 (signature headers: X-cons-id, X-timestamp within 5 minutes, X-signature = base64(HMAC-SHA256(secret, consId & timestamp)), user_key) or 201 and the reason", body = EncryptedEnvelope),
        (status = 404, description = "Unknown route under the prefix (metaData.code 404)", body = VclaimRefusal)))]
pub async fn by_nik(
    State(ctx): State<ParticipantCtx>,
    headers: HeaderMap,
    Path((nik, tgl_sep)): Path<(String, String)>,
) -> AppResult<Json<EncryptedEnvelope>> {
    let signed = authenticate(&ctx, &headers).await?;
    let id = Nik::parse(&nik).map_err(|e| AppError::rejected(REFUSED, Nik::message(e)))?;
    answer(&ctx, &signed, Identifier::Nik(id), &tgl_sep).await
}

/// Checks the signature headers against the server clock, as BPJS does first.
async fn authenticate(ctx: &ParticipantCtx, headers: &HeaderMap) -> AppResult<SignedRequest> {
    let kernel = &ctx.kernel;
    match kernel
        .bpjs_consumers
        .verify(
            &kernel.db,
            headers,
            kernel.clock.now().timestamp(),
            crate::kernel::auth::bpjs::Service::Vclaim,
        )
        .await?
    {
        Ok(signed) => Ok(signed),
        Err(reason) => Err(AppError::rejected(SIGNATURE_REFUSED, reason.to_string())),
    }
}

async fn answer(
    ctx: &ParticipantCtx,
    signed: &SignedRequest,
    id: Identifier,
    tgl_sep: &str,
) -> AppResult<Json<EncryptedEnvelope>> {
    let service_date = parse_date(tgl_sep.trim()).ok_or_else(|| AppError::rejected(REFUSED, DATE_MESSAGE))?;
    let mut peserta = lookup::local(ctx, &id).await?;
    peserta.umur = Some(age::umur(
        &peserta.tgl_lahir,
        service_date,
        today_jakarta(ctx.kernel.clock.as_ref()),
    ));
    let plain = serde_json::to_string(&PesertaResponse { peserta })
        .map_err(|e| AppError::internal_from("serialize participant", e))?;
    Ok(Json(EncryptedEnvelope {
        meta_data: MetaData {
            code: "200".to_string(),
            message: "OK".to_string(),
        },
        response: Some(bpjs_crypto::encrypt_response(&signed.response_key(), &plain)),
    }))
}
