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
