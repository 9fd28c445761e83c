//! Ages in BPJS's "35 tahun ,1 bulan ,11 hari" form, by calendar arithmetic.
//!
//! Months are counted as whole calendar months from the birth date, clamping to the end
//! of a shorter month (born on the 31st, one month later is the 30th or the 28th/29th),
//! then the remaining days are counted exactly: the same rule as Java's
//! `Period.between`, which BPJS's own services use.

use chrono::{Datelike, Months, NaiveDate};

use super::wire::Umur;

/// Years, months and days between `birth` and `on`; `None` when `on` is before `birth`.
pub fn between(birth: NaiveDate, on: NaiveDate) -> Option<(i64, i64, i64)> {
    if on < birth {
        return None;
    }
    let mut months = (on.year() as i64 - birth.year() as i64) * 12 + (on.month() as i64 - birth.month() as i64);
    let mut days = on.day() as i64 - birth.day() as i64;
    if months > 0 && days < 0 {
        months -= 1;
        let anchor = birth.checked_add_months(Months::new(months as u32))?;
        days = (on - anchor).num_days();
    }
    Some((months / 12, months % 12, days))
}

/// The age as BPJS writes it; a date before birth reads as zero.
pub fn format(birth: NaiveDate, on: NaiveDate) -> String {
    let (years, months, days) = between(birth, on).unwrap_or((0, 0, 0));
    format!("{years} tahun ,{months} bulan ,{days} hari")
}

/// The participant's ages at the service date and today, as BPJS writes them.
pub fn umur(birth: &str, service_date: NaiveDate, today: NaiveDate) -> Umur {
    match crate::kernel::ids::parse_date(birth) {
        Some(birth) => Umur {
            umur_saat_pelayanan: format(birth, service_date),
            umur_sekarang: format(birth, today),
        },
        None => Umur {
            umur_saat_pelayanan: String::new(),
            umur_sekarang: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn spec_example() {
        assert_eq!(format(d("1981-10-10"), d("2016-11-21")), "35 tahun ,1 bulan ,11 hari");
        assert_eq!(format(d("1981-10-10"), d("2016-12-20")), "35 tahun ,2 bulan ,10 hari");
    }

    #[test]
    fn end_of_month_and_leap_years() {
        assert_eq!(between(d("2000-01-31"), d("2000-02-29")), Some((0, 0, 29)));
        assert_eq!(between(d("2000-01-31"), d("2000-03-01")), Some((0, 1, 1)));
        assert_eq!(between(d("2000-02-29"), d("2001-02-28")), Some((0, 11, 30)));
        assert_eq!(between(d("2000-02-29"), d("2001-03-01")), Some((1, 0, 1)));
        assert_eq!(between(d("2000-02-29"), d("2004-02-29")), Some((4, 0, 0)));
        assert_eq!(between(d("1990-05-15"), d("1990-05-15")), Some((0, 0, 0)));
        assert_eq!(between(d("1990-05-15"), d("1990-05-14")), None);
        assert_eq!(between(d("1999-12-31"), d("2000-01-30")), Some((0, 0, 30)));
    }
}
