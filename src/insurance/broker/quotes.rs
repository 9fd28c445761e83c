//! The premium calculator for the bank: one panel by `Asuransi`, or every panel of the
//! cover type asked in parallel, answered cheapest first with the failures listed.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::bank::{correlation, json_body, take};
use super::directory::{self, DirectoryEntry};
use super::forward::{self, Outcome};
use super::BrokerCtx;
use super::{auth, refuse};
use crate::insurance::wire::*;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::Json;

/// A fan-out premium answer: every panel's quote, cheapest first, and the panels that failed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuotesResponse {
    /// `00` when at least one panel quoted.
    #[serde(rename = "Status")]
    pub status: String,
    /// Feedback.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// The cover type asked (`life` or `general`).
    #[serde(rename = "Tipe_Cover")]
    pub tipe_cover: String,
    /// Quotes, cheapest first.
    #[serde(rename = "Penawaran")]
    pub penawaran: Vec<Quote>,
    /// Panels that refused, failed or timed out.
    #[serde(rename = "Gagal")]
    pub gagal: Vec<FailedQuote>,
}

/// One panel's quote.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    /// Panel code.
    #[serde(rename = "Asuransi")]
    pub asuransi: String,
    /// Panel name.
    #[serde(rename = "Nama_Asuransi")]
    pub nama_asuransi: String,
    /// The panel's answer.
    #[serde(flatten)]
    pub answer: RatePremiResponse,
}

/// A panel that gave no quote.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FailedQuote {
    /// Panel code.
    #[serde(rename = "Asuransi")]
    pub asuransi: String,
    /// Panel name.
    #[serde(rename = "Nama_Asuransi")]
    pub nama_asuransi: String,
    /// `01` (refused by the panel), `TIMEOUT` or `ERROR`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Why.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
}

/// Premium calculator: with `Asuransi`, that panel's answer; without, every panel of
/// `Tipe_Cover` (`JIWA`/`life` or `UMUM`/`general`) asked in parallel.
#[utoipa::path(post, path = "/bank/get-rate-premi-panel", tag = "insurance-broker", security(("basic" = [])),
    request_body(content = super::docs::BankRatePremiRequest, description = "The spec's body plus `Asuransi` (panel code) or `Tipe_Cover` (JIWA or UMUM)"),
    responses((status = 200, description = "The panel's answer (with `Asuransi`), or every panel's quote cheapest first", body = super::docs::BrokerQuoteAnswer),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn rate_premi(State(state): State<BrokerCtx>, headers: HeaderMap, body: Bytes) -> AppResult<Json<Value>> {
    auth::bank(&state, &headers).await?;
    let mut req: RatePremiRequest = json_body(&body)?;
    let corr = correlation(&headers);
    let asuransi = take(&mut req.extra, "Asuransi");
    let tipe = take(&mut req.extra, "Tipe_Cover");
    if let Some(code) = asuransi {
        let panel = directory::find(&state, &code).await?;
        let outcome = forward::json(&state, &panel, "get-rate-premi-panel", &req, &corr, None).await;
        let mut answer = outcome.into_answer(&panel)?;
        answer["Asuransi"] = Value::String(panel.code.clone());
        return Ok(Json(answer));
    }
    let tipe = tipe.ok_or_else(|| AppError::BadRequest("field `Asuransi` or `Tipe_Cover` is missing".into()))?;
    let cover = directory::cover_type(&tipe)
        .ok_or_else(|| AppError::BadRequest("field `Tipe_Cover` must be JIWA or UMUM".into()))?;
    let panels: Vec<DirectoryEntry> = directory::all(&state)
        .await?
        .iter()
        .filter(|p| p.cover_type == cover)
        .cloned()
        .collect();
    if panels.is_empty() {
        return Err(refuse(format!("Tidak ada panel asuransi untuk tipe cover {tipe}")));
    }
    let timeout = Duration::from_millis(state.family.config.quote_timeout_ms);
    // A panel's own shorter timeout applies too; no panel holds the answer past the quote timeout.
    let asks = panels.iter().map(|p| {
        let timeout = if p.timeout_ms > 0 {
            timeout.min(Duration::from_millis(p.timeout_ms as u64))
        } else {
            timeout
        };
        forward::json(&state, p, "get-rate-premi-panel", &req, &corr, Some(timeout))
    });
    let outcomes = futures::future::join_all(asks).await;
    let mut penawaran = Vec::new();
    let mut gagal = Vec::new();
    for (panel, outcome) in panels.iter().zip(outcomes) {
        let failed = |status: &str, why: String| FailedQuote {
            asuransi: panel.code.clone(),
            nama_asuransi: panel.name.clone(),
            status: status.to_string(),
            keterangan: why,
        };
        match outcome {
            Outcome::Failed(why) if why.contains("batas waktu") => gagal.push(failed("TIMEOUT", why)),
            Outcome::Failed(why) => gagal.push(failed("ERROR", why)),
            other => match other.into_answer(panel) {
                Ok(answer) if answer["Status"] == STATUS_OK => {
                    match serde_json::from_value::<RatePremiResponse>(answer) {
                        Ok(answer) => penawaran.push(Quote {
                            asuransi: panel.code.clone(),
                            nama_asuransi: panel.name.clone(),
                            answer,
                        }),
                        Err(e) => gagal.push(failed("ERROR", format!("jawaban panel tidak dapat dibaca: {e}"))),
                    }
                }
                Ok(answer) => gagal.push(failed(
                    STATUS_FAILED,
                    answer["Keterangan"].as_str().unwrap_or_default().to_string(),
                )),
                Err(err) => gagal.push(failed("ERROR", err.to_string())),
            },
        }
    }
    penawaran.sort_by(|a, b| {
        a.answer
            .premi
            .cmp(&b.answer.premi)
            .then_with(|| a.asuransi.cmp(&b.asuransi))
    });
    let ok = !penawaran.is_empty();
    let answer = QuotesResponse {
        status: if ok { STATUS_OK } else { STATUS_FAILED }.to_string(),
        keterangan: format!("{} penawaran dari {} panel", penawaran.len(), panels.len()),
        tipe_cover: cover.to_string(),
        penawaran,
        gagal,
    };
    Ok(Json(
        serde_json::to_value(answer).map_err(|e| AppError::internal_from("serialize", e))?,
    ))
}
