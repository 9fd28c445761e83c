//! Participant lookup handlers: authenticate, parse, look up, answer in the VClaim envelope.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::kernel::clock::today_jakarta;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Path, Query};
use crate::kernel::ids::{parse_date, Nik, NomorKartu};

use super::domain::Identifier;
use super::wire::{PesertaEnvelope, VclaimRefusal};
use super::{lookup, ParticipantCtx, TOKEN_REALM};

/// The optional service date.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceDate {
    /// Service (SEP) date `yyyy-mm-dd`; default today in Asia/Jakarta.
    #[serde(rename = "tglSEP")]
    #[param(rename = "tglSEP")]
    pub tgl_sep: Option<String>,
}

/// The VClaim code for a refusal of a well-formed request.
pub const REFUSED: &str = "201";

/// VClaim's message for a malformed service date.
pub const DATE_MESSAGE: &str = "Format Tanggal SEP tidak sesuai, format yang benar adalah yyyy-mm-dd";

/// Participant by card number.
#[utoipa::path(get, path = "/nokartu/{NOMOR_KARTU}", tag = "participant", operation_id = "participant_by_kartu",
    params(("NOMOR_KARTU" = String, Path, description = "BPJS card number, 13 digits"), ServiceDate),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The participant, or `response` null with metaData.code 201 and the reason. In mode vclaim also BPJS's own codes and messages, and 503 (BPJS unreachable or circuit breaker open), 504 (BPJS timeout), 502 (unusable BPJS answer)", body = PesertaEnvelope),
        (status = 401, description = "Missing or wrong token (metaData.code 401)", body = VclaimRefusal),
        (status = 404, description = "Unknown route under the prefix (metaData.code 404)", body = VclaimRefusal)))]
pub async fn by_kartu(
    State(ctx): State<ParticipantCtx>,
    headers: HeaderMap,
    Path(no_kartu): Path<String>,
    Query(date): Query<ServiceDate>,
) -> AppResult<Response> {
    authenticate(&ctx, &headers).await?;
    let id = NomorKartu::parse(&no_kartu).map_err(|e| AppError::rejected(REFUSED, NomorKartu::message(e)))?;
    answer(&ctx, &headers, Identifier::Kartu(id), date).await
}

/// Participant by NIK.
#[utoipa::path(get, path = "/nik/{NIK}", tag = "participant", operation_id = "participant_by_nik",
    params(("NIK" = String, Path, description = "NIK, 16 digits"), ServiceDate),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The participant, or `response` null with metaData.code 201 and the reason. In mode vclaim also BPJS's own codes and messages, and 503 (BPJS unreachable or circuit breaker open), 504 (BPJS timeout), 502 (unusable BPJS answer)", body = PesertaEnvelope),
        (status = 401, description = "Missing or wrong token (metaData.code 401)", body = VclaimRefusal),
        (status = 404, description = "Unknown route under the prefix (metaData.code 404)", body = VclaimRefusal)))]
pub async fn by_nik(
    State(ctx): State<ParticipantCtx>,
    headers: HeaderMap,
    Path(nik): Path<String>,
    Query(date): Query<ServiceDate>,
) -> AppResult<Response> {
    authenticate(&ctx, &headers).await?;
    let id = Nik::parse(&nik).map_err(|e| AppError::rejected(REFUSED, Nik::message(e)))?;
    answer(&ctx, &headers, Identifier::Nik(id), date).await
}

async fn authenticate(ctx: &ParticipantCtx, headers: &HeaderMap) -> AppResult<()> {
    match ctx.kernel.tokens.verify(&ctx.kernel.db, TOKEN_REALM, headers).await? {
        Some(_) => Ok(()),
        None => Err(AppError::Unauthorized("Token tidak valid atau tidak ada".to_string())),
    }
}

async fn answer(ctx: &ParticipantCtx, headers: &HeaderMap, id: Identifier, date: ServiceDate) -> AppResult<Response> {
    let today = today_jakarta(ctx.kernel.clock.as_ref());
    let service_date = match date.tgl_sep.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(text) => parse_date(text).ok_or_else(|| AppError::rejected(REFUSED, DATE_MESSAGE))?,
    };
    let correlation_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let body = lookup::answer(ctx, &id, service_date, today, correlation_id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
