//! Money: whole rupiah in an `i64`, with checked arithmetic only.
//!
//! Every amount a partner sends or is told is whole rupiah (no sen in any of the specs).
//! Arithmetic returns `None` on overflow instead of wrapping or panicking; each family
//! turns that `None` into its own refusal.

use std::fmt;

/// An amount in whole rupiah (may be negative for refunds and corrections).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, sqlx::Type,
)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct Rupiah(i64);

impl Rupiah {
    /// Zero rupiah.
    pub const ZERO: Rupiah = Rupiah(0);

    /// An amount of `value` rupiah.
    pub const fn new(value: i64) -> Rupiah {
        Rupiah(value)
    }

    /// The amount as an integer.
    pub const fn value(self) -> i64 {
        self.0
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_add(other.0).map(Rupiah)
    }

    /// `self - other`, `None` on overflow.
    pub fn checked_sub(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_sub(other.0).map(Rupiah)
    }

    /// `self * factor`, `None` on overflow.
    pub fn checked_mul(self, factor: i64) -> Option<Rupiah> {
        self.0.checked_mul(factor).map(Rupiah)
    }

    /// `self * bps / 10_000`, rounded half away from zero; `None` on overflow.
    /// (Rates are exact basis points, never floating point.)
    pub fn checked_mul_bps(self, bps: i64) -> Option<Rupiah> {
        let product = (self.0 as i128).checked_mul(bps as i128)?;
        let half = if product >= 0 { 5_000 } else { -5_000 };
        i64::try_from((product + half) / 10_000).ok().map(Rupiah)
    }

    /// The sum of `amounts`, `None` on overflow.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Rupiah>) -> Option<Rupiah> {
        amounts.into_iter().try_fold(Rupiah::ZERO, Rupiah::checked_add)
    }

    /// True below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<Rupiah> for i64 {
    fn from(amount: Rupiah) -> i64 {
        amount.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_refuses_overflow_instead_of_wrapping() {
        assert_eq!(Rupiah::new(i64::MAX).checked_add(Rupiah::new(1)), None);
        assert_eq!(Rupiah::new(i64::MIN).checked_sub(Rupiah::new(1)), None);
        assert_eq!(Rupiah::new(i64::MAX).checked_mul(2), None);
        assert_eq!(Rupiah::checked_sum([Rupiah::new(i64::MAX), Rupiah::new(1)]), None);
        assert_eq!(Rupiah::new(2).checked_add(Rupiah::new(3)), Some(Rupiah::new(5)));
    }

    #[test]
    fn basis_points_round_half_away_from_zero() {
        assert_eq!(
            Rupiah::new(100_000_000).checked_mul_bps(7_500),
            Some(Rupiah::new(75_000_000))
        );
        assert_eq!(Rupiah::new(3).checked_mul_bps(5_000), Some(Rupiah::new(2)));
        assert_eq!(Rupiah::new(-3).checked_mul_bps(5_000), Some(Rupiah::new(-2)));
        assert_eq!(Rupiah::new(i64::MAX).checked_mul_bps(20_000), None);
    }
}
