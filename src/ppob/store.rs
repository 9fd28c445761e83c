//! The family's SQL outside the money paths (see [`super::store_trx`] for those):
//! members, products, bills, the balance figures and the reconciliation.

use crate::kernel::db::Db;
use crate::kernel::money::Rupiah;

use super::ids::MemberId;

use super::domain::{self, CustomerRule, Period, Product};
use super::wire::ProductRecord;

/// A member's stored credentials.
#[derive(Debug, sqlx::FromRow)]
pub struct StoredMember {
    pub id: i64,
    pub memberid: MemberId,
    pub pass_hash: String,
    pub pin_hash: String,
    pub callback_url: Option<String>,
    pub callback_secret: Option<String>,
    pub active: bool,
}

/// Replaces a member's password and PIN hashes after an old-format hash verified
/// (only where the row still holds the hashes that were verified: a concurrent change wins).
pub async fn rehash_member(db: &Db, id: i64, old: (&str, &str), fresh: (&str, &str)) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query(
            "UPDATE ppob_members SET pass_hash = $1, pin_hash = $2 WHERE id = $3 AND pass_hash = $4 AND pin_hash = $5",
        )
        .bind(fresh.0)
        .bind(fresh.1)
        .bind(id)
        .bind(old.0)
        .bind(old.1),
    )
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredMemberRow {
    id: i64,
    memberid: MemberId,
    pass_hash: String,
    pin_hash: String,
    callback_url: Option<String>,
    callback_secret: Option<String>,
    active: i64,
}

/// A member to create or change (hashes already made).
#[derive(Debug)]
pub struct NewMember<'a> {
    pub memberid: &'a MemberId,
    pub name: &'a str,
    pub pass_hash: String,
    pub pin_hash: String,
    pub credit_limit: Rupiah,
    pub callback_url: Option<&'a str>,
    pub callback_secret: Option<&'a str>,
    pub updated_at: String,
}

/// Creates the member (balance 0) or changes its credentials, limit and callback; its id.
pub async fn upsert_member(db: &Db, member: &NewMember<'_>) -> Result<i64, sqlx::Error> {
    let query = sqlx::query_scalar(
        "INSERT INTO ppob_members (memberid, name, pass_hash, pin_hash, balance, credit_limit, callback_url, callback_secret, active, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6, $7, 1, $8) ON CONFLICT (memberid) DO UPDATE SET name = excluded.name, \
         pass_hash = excluded.pass_hash, pin_hash = excluded.pin_hash, credit_limit = excluded.credit_limit, \
         callback_url = excluded.callback_url, callback_secret = excluded.callback_secret, updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(member.memberid.as_str())
    .bind(member.name)
    .bind(&member.pass_hash)
    .bind(&member.pin_hash)
    .bind(member.credit_limit)
    .bind(member.callback_url)
    .bind(member.callback_secret)
    .bind(&member.updated_at);
    // One writing statement: through the write gate like a transaction.
    let mut tx = db.begin_write().await?;
    let id = query.fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// The credentials of `memberid`.
pub async fn member_credentials(db: &Db, memberid: &str) -> Result<Option<StoredMember>, sqlx::Error> {
    let row: Option<StoredMemberRow> = {
        sqlx::query_as(
            "SELECT id, memberid, pass_hash, pin_hash, callback_url, callback_secret, active FROM ppob_members WHERE memberid = $1",
        )
        .bind(memberid)
        .fetch_optional(db)
        .await?
    };
    Ok(row.map(|r| StoredMember {
        id: r.id,
        memberid: r.memberid,
        pass_hash: r.pass_hash,
        pin_hash: r.pin_hash,
        callback_url: r.callback_url,
        callback_secret: r.callback_secret,
        active: r.active != 0,
    }))
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: i64,
    code: String,
    name: String,
    descr: String,
    postpaid: i64,
    is_inkaso: i64,
    is_facturer: i64,
    is_kyc: i64,
    is_promo: i64,
    point: i64,
    nominal: Rupiah,
    free_denom: i64,
    minimum_qty: i64,
    maximum_qty: i64,
    product_type: String,
    active: i64,
    price: Rupiah,
    fee: Rupiah,
    problem: i64,
    empty: i64,
    admin: Rupiah,
    customer_rule: String,
    p_id: i64,
    p_code: String,
    p_name: String,
    p_problem: i64,
    p_empty: i64,
    p_prefixes: String,
    p_is_kyc: i64,
}

/// Every product with its provider, in id order.
pub async fn products(db: &Db) -> anyhow::Result<Vec<Product>> {
    let rows: Vec<ProductRow> = {
        sqlx::query_as(
            "SELECT p.id, p.code, p.name, p.descr, p.postpaid, p.is_inkaso, p.is_facturer, p.is_kyc, p.is_promo, p.point, \
             p.nominal, p.free_denom, p.minimum_qty, p.maximum_qty, p.product_type, p.active, p.price, p.fee, p.problem, \
             p.empty, p.admin, p.customer_rule, v.id AS p_id, v.code AS p_code, v.name AS p_name, v.problem AS p_problem, \
             v.empty AS p_empty, v.destination_prefixes AS p_prefixes, v.is_kyc AS p_is_kyc \
             FROM ppob_products p JOIN ppob_providers v ON v.id = p.provider_id ORDER BY p.id",
        )
        .fetch_all(db)
        .await?
    };
    rows.into_iter()
        .map(|r| {
            let rule = CustomerRule::parse(&r.customer_rule).map_err(|e| anyhow::anyhow!("product {}: {e}", r.code))?;
            let record = ProductRecord {
                id: r.id,
                code: r.code,
                name: r.name,
                desc: r.descr,
                postpaid: r.postpaid,
                is_inkaso: r.is_inkaso,
                is_facturer: r.is_facturer,
                is_kyc: r.is_kyc,
                is_promo: r.is_promo,
                point: r.point,
                nominal: r.nominal,
                free_denom: r.free_denom,
                minimum_qty: r.minimum_qty,
                maximum_qty: r.maximum_qty,
                product_type: r.product_type,
                active: r.active,
                price: r.price,
                fee: r.fee,
                provider: domain::provider(
                    r.p_id,
                    r.p_code,
                    r.p_name,
                    r.p_problem,
                    r.p_empty,
                    r.p_prefixes,
                    r.p_is_kyc,
                ),
                problem: r.problem,
                empty: r.empty,
                admin: r.admin,
            };
            let json = serde_json::to_string(&record)?;
            Ok(Product { record, rule, json })
        })
        .collect()
}

/// Inserts or updates a product and its provider (by id).
pub async fn upsert_product(db: &Db, product: &ProductRecord, rule: &str) -> Result<(), sqlx::Error> {
    let v = &product.provider;
    {
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "INSERT INTO ppob_providers (id, code, name, problem, empty, destination_prefixes, is_kyc) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, problem = excluded.problem, \
             empty = excluded.empty, destination_prefixes = excluded.destination_prefixes, is_kyc = excluded.is_kyc",
        )
        .bind(v.id).bind(&v.code).bind(&v.name).bind(v.problem).bind(v.empty).bind(&v.destination_prefixes).bind(v.is_kyc)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ppob_products (id, code, name, descr, postpaid, is_inkaso, is_facturer, is_kyc, is_promo, point, nominal, \
             free_denom, minimum_qty, maximum_qty, product_type, active, price, fee, problem, empty, admin, provider_id, customer_rule) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) \
             ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, descr = excluded.descr, \
             postpaid = excluded.postpaid, is_inkaso = excluded.is_inkaso, is_facturer = excluded.is_facturer, \
             is_kyc = excluded.is_kyc, is_promo = excluded.is_promo, point = excluded.point, nominal = excluded.nominal, \
             free_denom = excluded.free_denom, minimum_qty = excluded.minimum_qty, maximum_qty = excluded.maximum_qty, \
             product_type = excluded.product_type, active = excluded.active, price = excluded.price, fee = excluded.fee, \
             problem = excluded.problem, empty = excluded.empty, admin = excluded.admin, provider_id = excluded.provider_id, \
             customer_rule = excluded.customer_rule",
        )
        .bind(product.id).bind(&product.code).bind(&product.name).bind(&product.desc).bind(product.postpaid)
        .bind(product.is_inkaso).bind(product.is_facturer).bind(product.is_kyc).bind(product.is_promo).bind(product.point)
        .bind(product.nominal).bind(product.free_denom).bind(product.minimum_qty).bind(product.maximum_qty)
        .bind(&product.product_type).bind(product.active).bind(product.price).bind(product.fee).bind(product.problem)
        .bind(product.empty).bind(product.admin).bind(v.id).bind(rule)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}

/// One period of a bill to import.
#[derive(Debug, Clone)]
pub struct NewBill {
    pub product_code: String,
    pub customer_no: String,
    pub customer_name: String,
    pub periode: String,
    pub nilai_tagihan: Rupiah,
    pub denda: Rupiah,
}

/// Inserts bills; a period already known keeps its paid state and takes the new amounts
/// only while unpaid.
pub async fn upsert_bills(db: &Db, bills: &[NewBill]) -> Result<(), sqlx::Error> {
    {
        let mut tx = db.begin_write().await?;
        for bill in bills {
            sqlx::query(
                "INSERT INTO ppob_bills (product_code, customer_no, customer_name, periode, nilai_tagihan, denda) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (product_code, customer_no, periode) DO UPDATE SET \
                 customer_name = excluded.customer_name, nilai_tagihan = excluded.nilai_tagihan, denda = excluded.denda \
                 WHERE ppob_bills.paid_trx_id IS NULL",
            )
            .bind(&bill.product_code).bind(&bill.customer_no).bind(&bill.customer_name).bind(&bill.periode)
            .bind(bill.nilai_tagihan).bind(bill.denda)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

#[derive(sqlx::FromRow)]
struct BillRow {
    id: i64,
    customer_name: String,
    periode: String,
    nilai_tagihan: Rupiah,
    denda: Rupiah,
    paid: i64,
}

/// The periods of a customer's bill: (name, unpaid periods oldest first, any paid period).
pub async fn bill_periods(
    db: &Db,
    product_code: &str,
    customer_no: &str,
) -> Result<Option<(String, Vec<Period>, bool)>, sqlx::Error> {
    let rows: Vec<BillRow> = {
        sqlx::query_as(
            "SELECT id, customer_name, periode, nilai_tagihan, denda, CAST(CASE WHEN paid_trx_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS paid \
             FROM ppob_bills WHERE product_code = $1 AND customer_no = $2 ORDER BY periode",
        )
        .bind(product_code)
        .bind(customer_no)
        .fetch_all(db)
        .await?
    };
    let Some(name) = rows.last().map(|r| r.customer_name.clone()) else {
        return Ok(None);
    };
    let any_paid = rows.iter().any(|r| r.paid != 0);
    let unpaid = rows
        .into_iter()
        .filter(|r| r.paid == 0)
        .map(|r| Period {
            bill_id: Some(r.id),
            periode: r.periode,
            nilai_tagihan: r.nilai_tagihan,
            denda: r.denda,
        })
        .collect();
    Ok(Some((name, unpaid, any_paid)))
}
