//! Billers: where bills come from.
//!
//! The built-in [`TableBiller`] answers from the `ppob_bills` table (`jembatan import bills
//! FILE`, demo bills). Its periods carry their row ids, and the payment transaction marks
//! exactly those rows paid together with the member's debit, so a bill can never be paid
//! twice nor a debit happen without its settlement.
//!
//! An upstream biller would implement [`Biller::inquire`] by calling its partner and
//! return periods without row ids; its payment then needs a second step (debit and record
//! `Pending`, call the partner, then confirm or refund with a `refund` ledger row), which
//! the ledger and the transaction states already allow.

use futures::future::BoxFuture;

use crate::kernel::db::Db;
use crate::kernel::error::AppResult;

use super::domain::{Bill, Product};
use super::store;

/// What a biller found for a customer number.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// An unpaid bill.
    Unpaid(Bill),
    /// The customer exists but owes nothing: every period is paid.
    AllPaid,
    /// No such customer for this product.
    NotFound,
}

/// A source of bills.
pub trait Biller: Send + Sync {
    /// A short name for logs.
    fn name(&self) -> &'static str;

    /// Looks up the unpaid bill of `customer_no` for `product`.
    fn inquire<'a>(
        &'a self,
        db: &'a Db,
        product: &'a Product,
        customer_no: &'a str,
    ) -> BoxFuture<'a, AppResult<Lookup>>;
}

/// The built-in biller backed by the `ppob_bills` table.
#[derive(Debug, Default, Clone, Copy)]
pub struct TableBiller;

impl Biller for TableBiller {
    fn name(&self) -> &'static str {
        "table"
    }

    fn inquire<'a>(
        &'a self,
        db: &'a Db,
        product: &'a Product,
        customer_no: &'a str,
    ) -> BoxFuture<'a, AppResult<Lookup>> {
        Box::pin(async move {
            Ok(
                match store::bill_periods(db, &product.record.code, customer_no).await? {
                    None => Lookup::NotFound,
                    Some((_, unpaid, _)) if unpaid.is_empty() => Lookup::AllPaid,
                    Some((customer_name, periods, _)) => Lookup::Unpaid(Bill {
                        customer_no: customer_no.to_string(),
                        customer_name,
                        periods,
                    }),
                },
            )
        })
    }
}
