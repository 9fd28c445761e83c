//! `jembatan import bills FILE`: the table biller's bills from CSV or JSON.
//!
//! Columns: `product_code` (or `kodeproduk`), `customer_no` (or `tujuan`), `customer_name`,
//! `periode` (`yyyymm`), `nilai_tagihan`, `denda` (optional, default 0). One row per period;
//! a period already imported takes the new amounts while unpaid. The product must exist
//! and the customer number must fit its rule.

use std::path::Path;

use serde_json::{Map, Value};

use crate::kernel::import::{read_records, ImportSummary};
use crate::kernel::money::Rupiah;

use super::domain::Product;
use super::store::{self, NewBill};
use super::PpobCtx;

/// Imports bills from `file`.
pub async fn bills(ctx: &PpobCtx, file: &Path) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::new("bills");
    let products = store::products(&ctx.kernel.db).await?;
    let mut good = Vec::new();
    for record in read_records(file)? {
        match parse(&record.fields, &products) {
            Ok(bill) => good.push(bill),
            Err(reason) => summary.reject(record.row, reason),
        }
    }
    for chunk in good.chunks(5_000) {
        store::upsert_bills(&ctx.kernel.db, chunk).await?;
    }
    summary.accepted = good.len();
    Ok(summary)
}

fn text(fields: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| match fields.get(*name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn amount(fields: &Map<String, Value>, name: &str, required: bool) -> Result<Rupiah, String> {
    match text(fields, &[name]) {
        None if required => Err(format!("{name} is required")),
        None => Ok(Rupiah::ZERO),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Rupiah::new(n)),
            _ => Err(format!(
                "{name} must be a whole non-negative number of rupiah, got {s:?}"
            )),
        },
    }
}

/// Turns one record into a bill period, or says why not.
pub fn parse(fields: &Map<String, Value>, products: &[Product]) -> Result<NewBill, String> {
    let code = text(fields, &["product_code", "kodeproduk"]).ok_or("product_code is required")?;
    let product = products
        .iter()
        .find(|p| p.record.code.eq_ignore_ascii_case(&code))
        .ok_or_else(|| format!("unknown product {code}"))?;
    let customer_no = text(fields, &["customer_no", "tujuan"]).ok_or("customer_no is required")?;
    product.rule.check(&customer_no, &product.record.name)?;
    let customer_name = text(fields, &["customer_name", "nama"]).ok_or("customer_name is required")?;
    let periode = text(fields, &["periode"]).ok_or("periode is required")?;
    let month_ok = periode.len() == 6
        && periode.bytes().all(|b| b.is_ascii_digit())
        && matches!(periode[4..].parse::<u32>(), Ok(1..=12));
    if !month_ok {
        return Err(format!("periode must be yyyymm, got {periode:?}"));
    }
    Ok(NewBill {
        product_code: product.record.code.clone(),
        customer_no,
        customer_name,
        periode,
        nilai_tagihan: amount(fields, "nilai_tagihan", true)?,
        denda: amount(fields, "denda", false)?,
    })
}
