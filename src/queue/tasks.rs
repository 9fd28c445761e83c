//! Task rules of Antrean RS: the task ids, their order and increasing times, statuses.
//!
//! New patients go 1-2-3-4-5(-6-7); returning patients 3-4-5(-6-7). Each task after the
//! patient's first needs the one before it, at a strictly later time. 99 (no-show/cancel)
//! is refused once poli service has started (task 4) and must be later than every task.

use serde_json::Value;

use super::domain::{required_integer, Refusal, MIN_EPOCH_MS};

/// The task ids BPJS knows.
pub fn valid_task(taskid: i64) -> bool {
    matches!(taskid, 1..=7 | 99)
}

/// BPJS's name of a task.
pub fn task_name(taskid: i64) -> &'static str {
    match taskid {
        1 => "mulai waktu tunggu admisi",
        2 => "akhir waktu tunggu admisi/mulai waktu layan admisi",
        3 => "akhir waktu layan admisi/mulai waktu tunggu poli",
        4 => "akhir waktu tunggu poli/mulai waktu layan poli",
        5 => "akhir waktu layan poli/mulai waktu tunggu farmasi",
        6 => "akhir waktu tunggu farmasi/mulai waktu layan farmasi membuat obat",
        7 => "akhir waktu obat selesai dibuat",
        99 => "tidak hadir/batal",
        _ => "tidak dikenal",
    }
}

/// What the task rules need to know about a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingProgress {
    /// A new patient goes through admission (tasks 1-2).
    pub pasienbaru: bool,
    /// Cancelled bookings take no further tasks.
    pub batal: bool,
    /// Tasks already recorded: (taskid, waktu in ms).
    pub tasks: Vec<(i64, i64)>,
}

impl BookingProgress {
    fn waktu_of(&self, taskid: i64) -> Option<i64> {
        self.tasks.iter().find(|(id, _)| *id == taskid).map(|(_, w)| *w)
    }

    /// True once poli service has started (task 4): no more cancelling.
    pub fn served(&self) -> bool {
        self.tasks.iter().any(|(id, _)| (4..=7).contains(id))
    }
}

/// Checks that task `taskid` at `waktu` may be recorded now (order and increasing times).
pub fn check_task(progress: &BookingProgress, taskid: i64, waktu: i64) -> Result<(), Refusal> {
    if progress.waktu_of(taskid).is_some() {
        return Err(Refusal::duplicate(format!("TaskId={taskid} sudah ada")));
    }
    if progress.batal {
        return Err(Refusal::new("Antrean sudah dibatalkan, TaskId tidak dapat diterima"));
    }
    if taskid == 99 {
        if progress.served() {
            return Err(Refusal::new(
                "Pasien sudah dilayani poli, TaskId=99 tidak dapat diterima",
            ));
        }
        if let Some((last_id, last)) = progress.tasks.iter().max_by_key(|(_, w)| *w) {
            if waktu <= *last {
                return Err(Refusal::new(format!(
                    "Waktu TaskId=99 harus lebih besar dari waktu TaskId={last_id}"
                )));
            }
        }
        return Ok(());
    }
    let first = if progress.pasienbaru { 1 } else { 3 };
    if taskid < first {
        return Err(Refusal::new(format!("TaskId={taskid} hanya untuk pasien baru")));
    }
    if taskid > first {
        let previous = taskid - 1;
        let Some(before) = progress.waktu_of(previous) else {
            return Err(Refusal::new(format!("TaskId={previous} belum ada")));
        };
        if waktu <= before {
            return Err(Refusal::new(format!(
                "Waktu TaskId={taskid} harus lebih besar dari waktu TaskId={previous}"
            )));
        }
    }
    Ok(())
}

/// A booking's status as the registration lists show it.
pub fn status(batal: bool, tasks: &[i64]) -> &'static str {
    if batal || tasks.contains(&99) {
        "Batal"
    } else if tasks.iter().any(|t| (5..=7).contains(t)) {
        "Selesai dilayani"
    } else if tasks.contains(&4) {
        "Sedang dilayani"
    } else {
        "Belum dilayani"
    }
}

/// How far past the server's clock a task time may be (clocks of hospitals drift).
pub const MAX_AHEAD_MS: i64 = 5 * 60 * 1000;

/// Checks that `waktu` lies between the start of the examination day (00:00 WIB of
/// `tanggalperiksa`) and `now_ms` plus [`MAX_AHEAD_MS`]; a time outside is a typo or a
/// clock error, and would poison the dashboards' averages.
pub fn check_waktu_bounds(tanggalperiksa: &str, waktu: i64, now_ms: i64) -> Result<(), Refusal> {
    let start = crate::kernel::ids::parse_date(tanggalperiksa)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis() - JAKARTA_OFFSET_MS);
    if start.is_some_and(|start| waktu < start) {
        return Err(Refusal::new("Waktu tidak boleh sebelum tanggal periksa"));
    }
    if waktu > now_ms.saturating_add(MAX_AHEAD_MS) {
        return Err(Refusal::new(
            "Waktu tidak boleh lebih dari 5 menit setelah waktu sekarang",
        ));
    }
    Ok(())
}

/// Asia/Jakarta is UTC+7 all year (no daylight saving).
const JAKARTA_OFFSET_MS: i64 = 7 * 60 * 60 * 1000;

/// Parses the task time: epoch milliseconds.
pub fn parse_waktu(value: &Value) -> Result<i64, Refusal> {
    let waktu = required_integer(value, "Waktu")?;
    if waktu < MIN_EPOCH_MS {
        return Err(Refusal::new("Waktu harus dalam milidetik"));
    }
    Ok(waktu)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(pasienbaru: bool, tasks: &[(i64, i64)]) -> BookingProgress {
        BookingProgress {
            pasienbaru,
            batal: false,
            tasks: tasks.to_vec(),
        }
    }

    #[test]
    fn new_patients_start_at_one_returning_at_three() {
        assert!(check_task(&progress(true, &[]), 1, 1).is_ok());
        assert_eq!(
            check_task(&progress(true, &[]), 3, 1).unwrap_err().message,
            "TaskId=2 belum ada"
        );
        assert!(check_task(&progress(false, &[]), 3, 1).is_ok());
        assert_eq!(
            check_task(&progress(false, &[]), 1, 1).unwrap_err().message,
            "TaskId=1 hanya untuk pasien baru"
        );
    }

    #[test]
    fn task_times_stay_within_the_examination_day_and_five_minutes_ahead() {
        // 2026-03-16 00:00 WIB is 2026-03-15 17:00 UTC.
        let start = 1_773_594_000_000;
        let now = start + 9 * 3_600_000;
        assert!(check_waktu_bounds("2026-03-16", start, now).is_ok());
        assert!(check_waktu_bounds("2026-03-16", start - 1, now).is_err());
        assert!(check_waktu_bounds("2026-03-16", now + MAX_AHEAD_MS, now).is_ok());
        assert!(check_waktu_bounds("2026-03-16", now + MAX_AHEAD_MS + 1, now).is_err());
    }

    #[test]
    fn times_increase_and_repeats_are_208() {
        let p = progress(false, &[(3, 1000), (4, 2000)]);
        assert_eq!(check_task(&p, 5, 2000).unwrap_err().code, 201);
        assert!(check_task(&p, 5, 2001).is_ok());
        assert_eq!(check_task(&p, 4, 3000).unwrap_err().code, 208);
        assert_eq!(check_task(&p, 99, 5000).unwrap_err().code, 201);
    }
}
