//! The reconciliation report (`GET /aap/bank/laporan?dari=&sampai=&asuransi=`): premiums
//! of issued policies (with extra premiums), refunds of approved cancellations and claims
//! paid, per panel, with totals, as JSON or CSV.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store_views::ReportRows;
use super::BrokerCtx;
use super::{auth, overflow};
use crate::insurance::ids::PanelCode;
use crate::insurance::wire::STATUS_OK;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Query};
use crate::kernel::ids::parse_date;
use crate::kernel::money::Rupiah;

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
    #[schema(value_type = i64)]
    pub premi: Rupiah,
    /// Their extra premiums.
    #[serde(rename = "Extra_Premi")]
    #[schema(value_type = i64)]
    pub extra_premi: Rupiah,
    /// Cancellations approved in the period.
    #[serde(rename = "Jumlah_Pembatalan")]
    pub jumlah_pembatalan: i64,
    /// Their refunds.
    #[serde(rename = "Refund")]
    #[schema(value_type = i64)]
    pub refund: Rupiah,
    /// Claims paid in the period.
    #[serde(rename = "Jumlah_Klaim_Dibayar")]
    pub jumlah_klaim: i64,
    /// Amounts paid.
    #[serde(rename = "Klaim_Dibayar")]
    #[schema(value_type = i64)]
    pub klaim_dibayar: Rupiah,
    /// Premi + Extra_Premi - Refund - Klaim_Dibayar.
    #[serde(rename = "Neto")]
    #[schema(value_type = i64)]
    pub neto: Rupiah,
    /// Policies whose premium is unknown (counted in `Premi` as 0).
    #[serde(rename = "Polis_Tanpa_Premi")]
    pub tanpa_premi: i64,
    /// Why the line's figures may be short (empty when they are whole).
    #[serde(rename = "peringatan")]
    pub peringatan: String,
}

impl ReportLine {
    /// Adds `other` into this line; `None` when an amount would overflow.
    fn add(&mut self, other: &ReportLine) -> Option<()> {
        self.jumlah_polis += other.jumlah_polis;
        self.premi = self.premi.checked_add(other.premi)?;
        self.extra_premi = self.extra_premi.checked_add(other.extra_premi)?;
        self.jumlah_pembatalan += other.jumlah_pembatalan;
        self.refund = self.refund.checked_add(other.refund)?;
        self.jumlah_klaim += other.jumlah_klaim;
        self.klaim_dibayar = self.klaim_dibayar.checked_add(other.klaim_dibayar)?;
        self.neto = self.neto.checked_add(other.neto)?;
        self.tanpa_premi += other.tanpa_premi;
        self.peringatan = warning(self.tanpa_premi);
        Some(())
    }

    /// Premi + Extra_Premi - Refund - Klaim_Dibayar; `None` on overflow.
    fn net(&self) -> Option<Rupiah> {
        self.premi
            .checked_add(self.extra_premi)?
            .checked_sub(self.refund)?
            .checked_sub(self.klaim_dibayar)
    }
}

fn warning(tanpa_premi: i64) -> String {
    if tanpa_premi == 0 {
        String::new()
    } else {
        format!("{tanpa_premi} polis tanpa premi diketahui")
    }
}

/// The lines per panel (by code) of `rows`; `None` when a sum would overflow.
fn lines(rows: ReportRows) -> Option<BTreeMap<String, ReportLine>> {
    fn line(lines: &mut BTreeMap<String, ReportLine>, code: String) -> &mut ReportLine {
        lines.entry(code.clone()).or_insert_with(|| ReportLine {
            asuransi: code,
            ..Default::default()
        })
    }
    let mut lines: BTreeMap<String, ReportLine> = BTreeMap::new();
    for (code, premi, extra, unknown) in rows.issued {
        let l = line(&mut lines, code);
        l.jumlah_polis += 1;
        if unknown != 0 {
            l.tanpa_premi += 1;
            l.peringatan = warning(l.tanpa_premi);
        }
        l.premi = l.premi.checked_add(premi)?;
        l.extra_premi = l.extra_premi.checked_add(extra)?;
    }
    for (code, refund) in rows.refunds {
        let l = line(&mut lines, code);
        l.jumlah_pembatalan += 1;
        l.refund = l.refund.checked_add(refund)?;
    }
    for (code, paid) in rows.claims {
        let l = line(&mut lines, code);
        l.jumlah_klaim += 1;
        l.klaim_dibayar = l.klaim_dibayar.checked_add(paid)?;
    }
    Some(lines)
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

/// Premiums of policies issued (with extra premiums), refunds of approved cancellations and
/// claims paid, per panel, in the period; JSON, or CSV with `format=csv` / `Accept: text/csv`.
#[utoipa::path(get, path = "/bank/laporan", tag = "insurance-broker", security(("basic" = [])), params(ReportQuery),
    responses((status = 200, description = "The report (JSON, or CSV with the same columns and a TOTAL row)", body = super::docs::BrokerReportAnswer),
              (status = 400, description = "Malformed period", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
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
    let rows = super::store_views::report_rows(&state.kernel.db, &caller.username, &dari, &sampai, &panel).await?;
    let mut total = ReportLine {
        asuransi: "TOTAL".to_string(),
        ..Default::default()
    };
    // Sums that do not fit are refused in the broker's form, never wrapped.
    let panel_lines = lines(rows)
        .and_then(|lines| {
            lines
                .into_values()
                .map(|mut l| {
                    l.neto = l.net()?;
                    total.add(&l)?;
                    Some(l)
                })
                .collect::<Option<Vec<ReportLine>>>()
        })
        .ok_or_else(|| overflow("laporan"))?;
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
