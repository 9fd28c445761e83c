//! A circuit breaker for an upstream (VClaim, a PPOB supplier): after enough consecutive failed calls the
//! proxy stops calling BPJS for a while and answers at once, instead of making every
//! hospital request wait out a timeout.
//!
//! Closed -> (N consecutive failures) -> Open for `open_for` -> one probe call is let
//! through (the breaker re-arms for another `open_for` meanwhile, so a probe whose
//! caller went away cannot wedge it) -> the probe's success closes it, a failure
//! re-opens it. The clock is the monotonic `Instant`: this is about elapsed time,
//! not business dates.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::kernel::observability::BreakerGauge;

/// The breaker's shared state.
#[derive(Debug)]
pub struct Breaker {
    failures_to_open: u32,
    open_for: Duration,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    consecutive_failures: u32,
    open_until: Option<Instant>,
}

/// What the breaker allows for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Closed: call as usual.
    Call,
    /// Half-open: this call is the probe that decides whether to close.
    Probe,
}

impl Breaker {
    /// A breaker opening after `failures_to_open` consecutive failures (0: never) for `open_for`.
    pub fn new(failures_to_open: u32, open_for: Duration) -> Breaker {
        Breaker {
            failures_to_open,
            open_for,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// May a call go out now? `Err` holds the time left until a probe may.
    pub fn acquire(&self) -> Result<Permit, Duration> {
        if self.failures_to_open == 0 {
            return Ok(Permit::Call);
        }
        let now = Instant::now();
        let mut inner = self.lock();
        match inner.open_until {
            None => Ok(Permit::Call),
            Some(until) if now < until => Err(until - now),
            Some(_) => {
                inner.open_until = Some(now + self.open_for);
                Ok(Permit::Probe)
            }
        }
    }

    /// The call got a BPJS answer (whatever its code): close.
    pub fn success(&self) {
        let mut inner = self.lock();
        inner.consecutive_failures = 0;
        inner.open_until = None;
    }

    /// The call failed (no BPJS answer). A failed probe re-opens; otherwise count.
    pub fn failure(&self, permit: Permit) {
        if self.failures_to_open == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
        if permit == Permit::Probe || inner.consecutive_failures >= self.failures_to_open {
            inner.open_until = Some(Instant::now() + self.open_for);
            inner.consecutive_failures = 0;
        }
    }

    /// The state for the metrics gauge: closed, open (refusing), or half-open (the open
    /// time is over and the next call is the probe). A disabled breaker is always closed.
    pub fn gauge(&self) -> BreakerGauge {
        match self.lock().open_until {
            None => BreakerGauge::Closed,
            Some(until) if Instant::now() < until => BreakerGauge::Open,
            Some(_) => BreakerGauge::HalfOpen,
        }
    }

    /// True while calls are being refused.
    pub fn is_open(&self) -> bool {
        self.lock().open_until.is_some_and(|until| Instant::now() < until)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The state stays consistent even if a holder panicked: every update is one assignment.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_and_a_probe_closes_it() {
        let breaker = Breaker::new(3, Duration::from_millis(30));
        for _ in 0..2 {
            let permit = breaker.acquire().unwrap();
            breaker.failure(permit);
        }
        breaker.success();
        for _ in 0..2 {
            let permit = breaker.acquire().unwrap();
            breaker.failure(permit);
        }
        assert!(!breaker.is_open(), "a success in between resets the count");
        let permit = breaker.acquire().unwrap();
        breaker.failure(permit);
        assert!(breaker.is_open());
        assert!(breaker.acquire().is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(breaker.acquire(), Ok(Permit::Probe));
        assert!(breaker.acquire().is_err(), "one probe at a time");
        assert_eq!(breaker.gauge(), BreakerGauge::Open, "re-armed while the probe runs");
        breaker.success();
        assert_eq!(breaker.gauge(), BreakerGauge::Closed);
        assert_eq!(breaker.acquire(), Ok(Permit::Call));
    }

    #[test]
    fn a_failed_probe_reopens() {
        let breaker = Breaker::new(1, Duration::from_millis(20));
        breaker.failure(breaker.acquire().unwrap());
        assert!(breaker.is_open());
        assert_eq!(breaker.gauge(), BreakerGauge::Open);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(breaker.gauge(), BreakerGauge::HalfOpen);
        let probe = breaker.acquire().unwrap();
        assert_eq!(probe, Permit::Probe);
        breaker.failure(probe);
        assert!(breaker.acquire().is_err());
    }

    #[test]
    fn zero_disables() {
        let breaker = Breaker::new(0, Duration::from_secs(60));
        for _ in 0..10 {
            breaker.failure(breaker.acquire().unwrap());
        }
        assert!(!breaker.is_open());
    }
}
