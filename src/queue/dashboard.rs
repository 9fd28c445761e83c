//! Waiting-time dashboards: per poli, per day or per month, from the task times as the
//! hospital gave them (`rs`) or as the server received them (`server`). Not encrypted.
//!
//! Task N's duration is the time from task N to task N+1 (1 admission wait, 2 admission
//! service, 3 poli wait, 4 poli service, 5 pharmacy wait, 6 pharmacy service). `waktu_taskN`
//! is the total over the group's bookings that have both tasks, `avg_waktu_taskN` that
//! total divided by their number; both in whole seconds (truncated).

use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use chrono::NaiveDate;

use super::QueueCtx;
use crate::kernel::error::AppResult;
use crate::kernel::extract::{Json, Path};
use crate::kernel::ids::parse_date;

use super::domain::{Refusal, MSG_FORMAT_TANGGAL};
use super::store_read::{self, DashboardGroup, DashboardSpan};
use super::wire::{DashboardAnswer, DashboardList, DashboardOrRefusal, DashboardRow, Metadata, MetadataOnly};
use super::{authenticate, refuse};

/// Which clock the durations come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waktu {
    /// Task times as the hospital sent them.
    Rs,
    /// When the server received the tasks.
    Server,
}

fn parse_waktu(text: &str) -> Result<Waktu, Refusal> {
    match text.trim().to_lowercase().as_str() {
        "rs" => Ok(Waktu::Rs),
        "server" => Ok(Waktu::Server),
        _ => Err(Refusal::new("Waktu tidak sesuai, isi rs atau server")),
    }
}

/// Builds the dashboard rows from the database's per-group aggregates. Every step is
/// checked: totals the hospital's task times make too large for a 64-bit number of
/// milliseconds are refused ([`MSG_OVERFLOW`]) rather than wrapped.
pub fn compute(
    groups: &[DashboardGroup],
    spans: &[DashboardSpan],
    kdppk: &str,
    nmppk: &str,
    insertdate: i64,
) -> Result<Vec<DashboardRow>, Refusal> {
    // (tanggal, kodepoli) -> per task: (total ms, bookings counted)
    let mut sums: HashMap<(&str, &str), [(i64, i64); 6]> = HashMap::new();
    for span in spans {
        let Some(i) = usize::try_from(span.taskid - 1).ok().filter(|i| *i < 6) else {
            continue;
        };
        let total = match span.total_ms.as_deref().map(str::parse::<i128>) {
            None => 0,
            Some(Ok(t)) => i64::try_from(t).map_err(|_| overflow())?,
            Some(Err(_)) => return Err(overflow()),
        };
        sums.entry((span.tanggal.as_str(), span.kodepoli.as_str())).or_default()[i] = (total, span.counted);
    }
    groups
        .iter()
        .map(|group| {
            let totals = sums
                .get(&(group.tanggal.as_str(), group.kodepoli.as_str()))
                .copied()
                .unwrap_or_default();
            let total = |i: usize| totals[i].0 / 1000;
            let avg = |i: usize| match totals[i].1 {
                0 => 0,
                n => totals[i].0 / n / 1000,
            };
            Ok(DashboardRow {
                kdppk: kdppk.to_string(),
                nmppk: nmppk.to_string(),
                kodepoli: group.kodepoli.clone(),
                namapoli: group.namapoli.clone(),
                tanggal: group.tanggal.clone(),
                jumlah_antrean: group.jumlah,
                waktu_task1: total(0),
                waktu_task2: total(1),
                waktu_task3: total(2),
                waktu_task4: total(3),
                waktu_task5: total(4),
                waktu_task6: total(5),
                avg_waktu_task1: avg(0),
                avg_waktu_task2: avg(1),
                avg_waktu_task3: avg(2),
                avg_waktu_task4: avg(3),
                avg_waktu_task5: avg(4),
                avg_waktu_task6: avg(5),
                insertdate,
            })
        })
        .collect()
}

/// The refusal of a dashboard whose totals do not fit a 64-bit number of milliseconds.
pub const MSG_OVERFLOW: &str = "Total waktu tunggu melebihi batas perhitungan";

fn overflow() -> Refusal {
    Refusal::new(MSG_OVERFLOW)
}

async fn answer(
    ctx: &QueueCtx,
    ppk: &str,
    from: NaiveDate,
    to: NaiveDate,
    waktu: Waktu,
    monthly: bool,
) -> AppResult<Json<DashboardAnswer>> {
    let (groups, spans) = store_read::dashboard(
        &ctx.kernel.db,
        ppk,
        &from.format("%Y-%m-%d").to_string(),
        &to.format("%Y-%m-%d").to_string(),
        waktu == Waktu::Server,
        monthly,
    )
    .await?;
    let nmppk = store_read::hospital_name(&ctx.kernel.db, ppk).await?;
    let list = compute(&groups, &spans, ppk, &nmppk, ctx.kernel.clock.now().timestamp_millis()).map_err(refuse)?;
    Ok(Json(DashboardAnswer {
        response: DashboardList { list },
        metadata: Metadata::ok(),
    }))
}

/// Average waits per poli on one day.
#[utoipa::path(get, path = "/dashboard/waktutunggu/tanggal/{tanggal}/waktu/{waktu}", tag = "queue",
    params(("tanggal" = String, Path, description = "yyyy-mm-dd"), ("waktu" = String, Path, description = "rs or server")),
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "Per-poli totals and averages in seconds (not encrypted); metadata.code 201 for a bad parameter", body = DashboardOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn per_day(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    Path((tanggal, waktu)): Path<(String, String)>,
) -> AppResult<Json<DashboardAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let date = parse_date(&tanggal).ok_or_else(|| refuse(Refusal::new(MSG_FORMAT_TANGGAL)))?;
    let waktu = parse_waktu(&waktu).map_err(refuse)?;
    answer(&ctx, &signed.consumer.kode_ppk, date, date, waktu, false).await
}

/// Average waits per poli over one month.
#[utoipa::path(get, path = "/dashboard/waktutunggu/bulan/{bulan}/tahun/{tahun}/waktu/{waktu}", tag = "queue",
    params(("bulan" = String, Path, description = "01-12"), ("tahun" = String, Path, description = "yyyy"),
           ("waktu" = String, Path, description = "rs or server")),
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "Per-poli totals and averages in seconds for the month (not encrypted); metadata.code 201 for a bad parameter", body = DashboardOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn per_month(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    Path((bulan, tahun, waktu)): Path<(String, String, String)>,
) -> AppResult<Json<DashboardAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let month = match bulan.trim().parse::<u32>() {
        Ok(m @ 1..=12) if bulan.trim().len() <= 2 => m,
        _ => return Err(refuse(Refusal::new("Bulan tidak sesuai, isi 01 sampai 12"))),
    };
    let year = match tahun.trim().parse::<i32>() {
        Ok(y @ 1900..=9999) if tahun.trim().len() == 4 => y,
        _ => {
            return Err(refuse(Refusal::new(
                "Tahun tidak sesuai, format yang benar adalah yyyy",
            )))
        }
    };
    let waktu = parse_waktu(&waktu).map_err(refuse)?;
    let from = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| refuse(Refusal::new("Bulan tidak sesuai")))?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let to = next
        .and_then(|d| d.pred_opt())
        .ok_or_else(|| refuse(Refusal::new("Tahun tidak sesuai")))?;
    answer(&ctx, &signed.consumer.kode_ppk, from, to, waktu, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(jumlah: i64) -> DashboardGroup {
        DashboardGroup {
            tanggal: "2026-03-16".to_string(),
            kodepoli: "ANA".to_string(),
            namapoli: "ANAK".to_string(),
            jumlah,
        }
    }

    fn span(taskid: i64, counted: i64, total_ms: &str) -> DashboardSpan {
        DashboardSpan {
            tanggal: "2026-03-16".to_string(),
            kodepoli: "ANA".to_string(),
            taskid,
            counted,
            total_ms: Some(total_ms.to_string()),
        }
    }

    #[test]
    fn sums_and_averages_in_seconds() {
        let rows = compute(&[group(2)], &[span(3, 2, "180000")], "P", "RS", 0).unwrap();
        assert_eq!(
            (rows[0].waktu_task3, rows[0].avg_waktu_task3, rows[0].jumlah_antrean),
            (180, 90, 2)
        );
    }

    #[test]
    fn an_overflowing_total_is_a_refusal_not_a_wrap() {
        let big = (i128::from(i64::MAX) + 1).to_string();
        let refusal = compute(&[group(2)], &[span(3, 2, &big)], "P", "RS", 0).unwrap_err();
        assert_eq!((refusal.code, refusal.message.as_str()), (201, MSG_OVERFLOW));
    }
}
