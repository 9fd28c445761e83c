//! Waiting-time dashboards: per poli, per day or per month, from the task times as the
//! hospital gave them (`rs`) or as the server received them (`server`). Not encrypted.
//!
//! Task N's duration is the time from task N to task N+1 (1 admission wait, 2 admission
//! service, 3 poli wait, 4 poli service, 5 pharmacy wait, 6 pharmacy service). `waktu_taskN`
//! is the total over the group's bookings that have both tasks, `avg_waktu_taskN` that
//! total divided by their number; both in whole seconds (truncated).

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::http::HeaderMap;
use chrono::NaiveDate;

use super::QueueCtx;
use crate::kernel::error::AppResult;
use crate::kernel::extract::{Json, Path};
use crate::kernel::ids::parse_date;

use super::domain::{Refusal, MSG_FORMAT_TANGGAL};
use super::store_read::{self, DashboardTask};
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

#[derive(Default)]
struct Group {
    namapoli: String,
    bookings: BTreeMap<String, HashMap<i64, i64>>,
}

/// Computes the dashboard rows from the (booking, task) pairs. With `monthly`, one row per
/// poli for the whole month (`tanggal` = `yyyy-mm`); otherwise one per day and poli.
/// Sums are checked: task times the hospital sent so large that a total would overflow are
/// refused ([`MSG_OVERFLOW`]) rather than wrapped.
pub fn compute(
    tasks: &[DashboardTask],
    waktu: Waktu,
    monthly: bool,
    kdppk: &str,
    nmppk: &str,
    insertdate: i64,
) -> Result<Vec<DashboardRow>, Refusal> {
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for t in tasks {
        let tanggal = if monthly {
            t.tanggalperiksa.chars().take(7).collect()
        } else {
            t.tanggalperiksa.clone()
        };
        let group = groups.entry((tanggal, t.kodepoli.clone())).or_default();
        group.namapoli = t.namapoli.clone();
        let times = group.bookings.entry(t.kodebooking.clone()).or_default();
        let at = match waktu {
            Waktu::Rs => t.waktu,
            Waktu::Server => t.waktu_server,
        };
        if let (Some(taskid), Some(at)) = (t.taskid, at) {
            times.insert(taskid, at);
        }
    }
    groups
        .into_iter()
        .map(|((tanggal, kodepoli), group)| {
            let mut total_ms = [0i64; 6];
            let mut counted = [0i64; 6];
            for times in group.bookings.values() {
                for n in 1..=6i64 {
                    if let (Some(start), Some(end)) = (times.get(&n), times.get(&(n + 1))) {
                        let i = (n - 1) as usize;
                        let span = end.checked_sub(*start).ok_or_else(overflow)?.max(0);
                        total_ms[i] = total_ms[i].checked_add(span).ok_or_else(overflow)?;
                        counted[i] += 1;
                    }
                }
            }
            let total = |i: usize| total_ms[i] / 1000;
            let avg = |i: usize| {
                if counted[i] == 0 {
                    0
                } else {
                    total_ms[i] / counted[i] / 1000
                }
            };
            Ok(DashboardRow {
                kdppk: kdppk.to_string(),
                nmppk: nmppk.to_string(),
                kodepoli,
                namapoli: group.namapoli,
                tanggal,
                jumlah_antrean: i64::try_from(group.bookings.len()).map_err(|_| overflow())?,
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
    let tasks = store_read::dashboard_tasks(
        &ctx.kernel.db,
        ppk,
        &from.format("%Y-%m-%d").to_string(),
        &to.format("%Y-%m-%d").to_string(),
    )
    .await?;
    let nmppk = store_read::hospital_name(&ctx.kernel.db, ppk).await?;
    let list = compute(
        &tasks,
        waktu,
        monthly,
        ppk,
        &nmppk,
        ctx.kernel.clock.now().timestamp_millis(),
    )
    .map_err(refuse)?;
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

    fn task(kode: &str, taskid: i64, at: i64) -> DashboardTask {
        DashboardTask {
            kodebooking: kode.to_string(),
            tanggalperiksa: "2026-03-16".to_string(),
            kodepoli: "ANA".to_string(),
            namapoli: "ANAK".to_string(),
            taskid: Some(taskid),
            waktu: Some(at),
            waktu_server: Some(at),
        }
    }

    #[test]
    fn sums_and_averages_in_seconds() {
        let tasks = [
            task("A", 3, 0),
            task("A", 4, 60_000),
            task("B", 3, 0),
            task("B", 4, 120_000),
        ];
        let rows = compute(&tasks, Waktu::Rs, false, "P", "RS", 0).unwrap();
        assert_eq!(
            (rows[0].waktu_task3, rows[0].avg_waktu_task3, rows[0].jumlah_antrean),
            (180, 90, 2)
        );
    }

    #[test]
    fn an_overflowing_total_is_a_refusal_not_a_wrap() {
        let big = i64::MAX / 2 + 1;
        let tasks = [task("A", 3, 0), task("A", 4, big), task("B", 3, 0), task("B", 4, big)];
        let refusal = compute(&tasks, Waktu::Rs, false, "P", "RS", 0).unwrap_err();
        assert_eq!((refusal.code, refusal.message.as_str()), (201, MSG_OVERFLOW));
    }
}
