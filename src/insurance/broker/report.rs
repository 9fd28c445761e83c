//! The reconciliation report (`GET /aap/bank/laporan?dari=&sampai=&asuransi=`): premiums
//! of issued policies (with extra premiums), refunds of approved cancellations and claims
//! paid, per panel, with totals, as JSON or CSV.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth;
use super::BrokerCtx;
use crate::insurance::ids::PanelCode;
use crate::insurance::wire::{StatusResponse, STATUS_OK};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Query};
use crate::kernel::ids::parse_date;

/// The report's period and filter.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// First day `yyyy-mm-dd`.
    pub dari: String,
    /// Last day `yyyy-mm-dd`.
    pub sampai: String,
    /// Only this panel.
    pub asuransi: Option<String>,
    /// `csv` for CSV (or send `Accept: text/csv`).
    pub format: Option<String>,
}

/// One panel's (or the total's) figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ReportLine {
    /// Panel code, or `TOTAL`.
    #[serde(rename = "Asuransi")]
    pub asuransi: String,
    /// Policies issued in the period.
    #[serde(rename = "Jumlah_Polis")]
    pub jumlah_polis: i64,
    /// Their premiums.
    #[serde(rename = "Premi")]
    pub premi: i64,
    /// Their extra premiums.
    #[serde(rename = "Extra_Premi")]
    pub extra_premi: i64,
    /// Cancellations approved in the period.
    #[serde(rename = "Jumlah_Pembatalan")]
    pub jumlah_pembatalan: i64,
    /// Their refunds.
    #[serde(rename = "Refund")]
    pub refund: i64,
    /// Claims paid in the period.
    #[serde(rename = "Jumlah_Klaim_Dibayar")]
    pub jumlah_klaim: i64,
    /// Amounts paid.
    #[serde(rename = "Klaim_Dibayar")]
    pub klaim_dibayar: i64,
    /// Premi + Extra_Premi - Refund - Klaim_Dibayar.
    #[serde(rename = "Neto")]
    pub neto: i64,
}

impl ReportLine {
    fn add(&mut self, other: &ReportLine) {
        self.jumlah_polis += other.jumlah_polis;
        self.premi += other.premi;
        self.extra_premi += other.extra_premi;
        self.jumlah_pembatalan += other.jumlah_pembatalan;
        self.refund += other.refund;
        self.jumlah_klaim += other.jumlah_klaim;
        self.klaim_dibayar += other.klaim_dibayar;
        self.neto += other.neto;
    }
}

/// The reconciliation report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// `00`.
    #[serde(rename = "Status")]
    pub status: String,
    /// First day.
    #[serde(rename = "Dari")]
    pub dari: String,
    /// Last day.
    #[serde(rename = "Sampai")]
    pub sampai: String,
    /// Per panel.
    #[serde(rename = "Panel")]
    pub panel: Vec<ReportLine>,
    /// The sum of the panels' lines.
    #[serde(rename = "Total")]
    pub total: ReportLine,
}

use super::store_views::Sums;

/// Premiums of policies issued (with extra premiums), refunds of approved cancellations and
/// claims paid, per panel, in the period; JSON, or CSV with `format=csv` / `Accept: text/csv`.
#[utoipa::path(get, path = "/bank/laporan", tag = "insurance-broker", params(ReportQuery),
    responses((status = 200, description = "The report (JSON, or CSV with the same columns and a TOTAL row)", body = Report),
              (status = 400, description = "Malformed period", body = StatusResponse),
              (status = 401, description = "Invalid Username or Password", body = StatusResponse)))]
pub async fn laporan(
    State(state): State<BrokerCtx>,
    Query(q): Query<ReportQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let caller = auth::bank(&state, &headers).await?;
    let dari =
        parse_date(&q.dari).ok_or_else(|| AppError::BadRequest("parameter `dari` must be a date yyyy-mm-dd".into()))?;
    let sampai = parse_date(&q.sampai)
        .ok_or_else(|| AppError::BadRequest("parameter `sampai` must be a date yyyy-mm-dd".into()))?;
    if sampai < dari {
        return Err(AppError::BadRequest("parameter `sampai` is before `dari`".into()));
    }
    let (dari, sampai) = (dari.to_string(), sampai.to_string());
    let panel = q
        .asuransi
        .as_deref()
        .map(|code| {
            PanelCode::parse(code)
                .map(|c| c.as_str().to_string())
                .unwrap_or_else(|_| code.trim().to_ascii_uppercase())
        })
        .unwrap_or_default();
    let (issued, refunds, claims) =
        super::store_views::report_sums(&state.kernel.db, &caller.username, &dari, &sampai, &panel).await?;
    let mut lines: BTreeMap<String, ReportLine> = BTreeMap::new();
    for (code, n, premi, extra) in issued {
        let l = lines.entry(code.clone()).or_insert_with(|| ReportLine {
            asuransi: code,
            ..Default::default()
        });
        l.jumlah_polis = n;
        l.premi = premi;
        l.extra_premi = extra;
    }
    let put = |rows: Sums, refund: bool, lines: &mut BTreeMap<String, ReportLine>| {
        for (code, n, sum, _) in rows {
            let l = lines.entry(code.clone()).or_insert_with(|| ReportLine {
                asuransi: code,
                ..Default::default()
            });
            if refund {
                l.jumlah_pembatalan = n;
                l.refund = sum;
            } else {
                l.jumlah_klaim = n;
                l.klaim_dibayar = sum;
            }
        }
    };
    put(refunds, true, &mut lines);
    put(claims, false, &mut lines);
    let mut total = ReportLine {
        asuransi: "TOTAL".to_string(),
        ..Default::default()
    };
    let panel_lines: Vec<ReportLine> = lines
        .into_values()
        .map(|mut l| {
            l.neto = l.premi + l.extra_premi - l.refund - l.klaim_dibayar;
            total.add(&l);
            l
        })
        .collect();
    let report = Report {
        status: STATUS_OK.to_string(),
        dari,
        sampai,
        panel: panel_lines,
        total,
    };
    let wants_csv = q.format.as_deref().is_some_and(|f| f.eq_ignore_ascii_case("csv"))
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"));
    if !wants_csv {
        return Ok(Json(report).into_response());
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for l in report.panel.iter().chain(std::iter::once(&report.total)) {
        writer
            .serialize(l)
            .map_err(|e| AppError::internal_from("serialize", e))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::internal_from("serialize", e))?;
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"laporan-{}-{}.csv\"",
            report.dari, report.sampai
        ))
        .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(response)
}
