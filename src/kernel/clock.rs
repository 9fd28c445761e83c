//! The one injectable clock: "today" in Asia/Jakarta comes from here so tests can pin it.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Asia/Jakarta (WIB) is UTC+7 all year: Indonesia keeps no daylight saving time.
pub fn jakarta() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock frozen at one instant (tests and demos).
#[derive(Debug)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The shared clock handle kept in the application state.
pub type SharedClock = Arc<dyn Clock>;

/// Today's date in Asia/Jakarta according to `clock`.
pub fn today_jakarta(clock: &dyn Clock) -> NaiveDate {
    clock.now().with_timezone(&jakarta()).date_naive()
}

/// The current time in Asia/Jakarta according to `clock`.
pub fn now_jakarta(clock: &dyn Clock) -> DateTime<FixedOffset> {
    clock.now().with_timezone(&jakarta())
}

/// An operator's instant (`--since`, `--delivered-before`): RFC 3339, a date (midnight in
/// Asia/Jakarta), or `N` minutes/hours/days before `now` (`30m`, `12h`, `7d`).
pub fn parse_instant(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = day.and_hms_opt(0, 0, 0)?.and_local_timezone(jakarta()).single()?;
        return Some(midnight.with_timezone(&Utc));
    }
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].parse().ok().filter(|n| *n >= 0)?;
    let ago = match unit {
        'm' => chrono::Duration::try_minutes(number)?,
        'h' => chrono::Duration::try_hours(number)?,
        'd' => chrono::Duration::try_days(number)?,
        _ => return None,
    };
    now.checked_sub_signed(ago)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn since_reads_instants_dates_and_times_ago() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap();
        assert_eq!(
            parse_instant("2026-12-01T08:00:00+07:00", now),
            Some(Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap())
        );
        assert_eq!(
            parse_instant("2026-12-01", now),
            Some(Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap())
        );
        assert_eq!(
            parse_instant("90m", now),
            Some(Utc.with_ymd_and_hms(2026, 12, 2, 6, 30, 0).unwrap())
        );
        assert_eq!(
            parse_instant("2d", now),
            Some(Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap())
        );
        for bad in ["", "yesterday", "-3h", "5w", "99999999999999999d", "ä"] {
            assert_eq!(parse_instant(bad, now), None, "{bad}");
        }
    }
}
