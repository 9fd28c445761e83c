//! Request and response bodies, spelled as KHOINS spells them.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::kernel::money::Rupiah;

/// `status` of a success.
pub const SUCCESS: &str = "Success";
/// `status` of a failure.
pub const GAGAL: &str = "Gagal";
/// The product check's message (also of the general "nothing found" answer).
pub const PRODUCT_MESSAGE: &str = "Sukses mengambil product";

/// `POST /api/product` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProductRequest {
    /// Member id.
    #[serde(default, deserialize_with = "crate::kernel::lenient::string_or_number")]
    pub memberid: String,
    /// Member password.
    #[serde(default, deserialize_with = "crate::kernel::lenient::string_or_number")]
    pub memberpass: String,
    /// Member PIN.
    #[serde(default, deserialize_with = "crate::kernel::lenient::string_or_number")]
    pub memberpin: String,
    /// Product codes to return (empty: any).
    #[serde(default, deserialize_with = "string_or_list")]
    pub codes: Vec<String>,
    /// Provider codes to return (empty: any).
    #[serde(default, deserialize_with = "string_or_list")]
    pub providers: Vec<String>,
}

/// `POST /api/product` answer (also the general empty answer, with `data: []`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductResponse {
    /// `Success` (or `Gagal` for wrong credentials).
    pub status: String,
    /// `Sukses mengambil product`.
    pub message: String,
    /// The products found.
    pub data: Vec<ProductRecord>,
}

/// One product, every field of the spec's records in the spec's order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductRecord {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub desc: String,
    /// 1 = bill (postpaid), 2 = token / free denomination.
    pub postpaid: i64,
    pub is_inkaso: i64,
    pub is_facturer: i64,
    pub is_kyc: i64,
    pub is_promo: i64,
    pub point: i64,
    #[schema(value_type = i64)]
    pub nominal: Rupiah,
    pub free_denom: i64,
    pub minimum_qty: i64,
    pub maximum_qty: i64,
    pub product_type: String,
    pub active: i64,
    /// What the member pays per period billed (admin - fee).
    #[schema(value_type = i64)]
    pub price: Rupiah,
    /// The member's commission per period billed.
    #[schema(value_type = i64)]
    pub fee: Rupiah,
    pub provider: ProviderRecord,
    pub problem: i64,
    pub empty: i64,
    /// Admin the customer is charged per period billed.
    #[schema(value_type = i64)]
    pub admin: Rupiah,
}

/// A product's provider.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderRecord {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub problem: i64,
    pub empty: i64,
    pub destination_prefixes: String,
    pub is_kyc: i64,
}

/// The member's credentials in a query string (`GET /balance`, `GET /`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BalanceQuery {
    /// Member id.
    pub memberid: Option<String>,
    /// Member password (optional here: KHOINS asks the id and the PIN).
    pub memberpass: Option<String>,
    /// Member PIN.
    pub memberpin: Option<String>,
}

/// `GET /balance` answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BalanceResponse {
    /// `Success`.
    pub status: String,
    /// `Balance dengan Member X SUKSES. Saldo: n`.
    pub message: String,
    /// The deposit balance (may be negative down to `-limit`).
    #[schema(value_type = i64)]
    pub balance: Rupiah,
    /// The credit limit: how far below zero the balance may go.
    #[schema(value_type = i64)]
    pub limit: Rupiah,
    /// Commission earned on paid bills (sum of `fee` per period billed).
    #[schema(value_type = i64)]
    pub commission: Rupiah,
    /// Transactions today (Asia/Jakarta) that succeeded.
    pub trx_count: i64,
    /// Transactions waiting for a biller's answer.
    pub in_progress: i64,
    /// Debited today for paid bills.
    #[schema(value_type = i64)]
    pub spent_today: Rupiah,
}

/// `GET /?tujuan&trxid&kodeproduk&memberid&memberpass&memberpin`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrxQuery {
    /// Customer number (IDPEL, VA, NIK, ...).
    pub tujuan: Option<String>,
    /// The member's own reference, unique per member.
    pub trxid: Option<String>,
    /// `INQ<code>` to check a bill, `PAY<code>` to pay it.
    pub kodeproduk: Option<String>,
    /// Member id.
    pub memberid: Option<String>,
    /// Member password.
    pub memberpass: Option<String>,
    /// Member PIN.
    pub memberpin: Option<String>,
}

/// A transaction's answer (and the `message` of its callback).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrxResponse {
    /// `Success` or `Gagal`.
    pub status: String,
    /// KHOINS message: `R#<trxid> <kodeproduk>.<tujuan> SUKSES. SN: ... Saldo: n` or `... GAGAL. ket: <reason>`.
    pub message: String,
    /// The member's reference.
    pub trxid: String,
    /// Response code: `00` success; `13` bad customer number; `14` bill not found; `40`
    /// wrong credentials; `44` unknown product; `51` balance too low; `63` payment without a
    /// same-day inquiry; `88` bill already paid; `94` trxid used for another request; `RF` the
    /// payment was reversed and refunded.
    pub rc: String,
    /// The bill, structured (absent when no bill was found).
    pub data: Option<BillData>,
}

/// A bill as structured fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BillData {
    pub kodeproduk: String,
    pub customer_no: String,
    pub customer_name: String,
    /// The periods billed (`yyyymm`).
    pub periode: Vec<String>,
    /// Number of periods billed.
    pub lembar: i64,
    pub details: Vec<BillLine>,
    /// Sum of the periods' bills.
    #[schema(value_type = i64)]
    pub nilai_tagihan: Rupiah,
    /// Sum of the late fees.
    #[schema(value_type = i64)]
    pub denda: Rupiah,
    /// Admin charged: the product's admin per period billed.
    #[schema(value_type = i64)]
    pub admin: Rupiah,
    /// What the customer owes: nilai_tagihan + denda + admin.
    #[schema(value_type = i64)]
    pub total: Rupiah,
    /// The member's commission: the product's fee per period billed.
    #[schema(value_type = i64)]
    pub fee: Rupiah,
    /// What is (or will be) debited from the member: total - fee.
    #[schema(value_type = i64)]
    pub debit: Rupiah,
    /// The payment's serial/reference number (payments only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sn: Option<String>,
    /// The member's balance after this transaction.
    #[schema(value_type = i64)]
    pub saldo: Rupiah,
}

/// One period of a bill.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BillLine {
    pub periode: String,
    #[schema(value_type = i64)]
    pub nilai_tagihan: Rupiah,
    #[schema(value_type = i64)]
    pub denda: Rupiah,
}

/// A failure in KHOINS form (exactly these two fields).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// `Gagal`.
    pub status: String,
    /// What went wrong.
    pub message: String,
}

/// The callback POSTed to the member's URL when a transaction ends; signed in the
/// `X-Jembatan-Signature` header (hex HMAC-SHA256 of the raw body with the member's secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Callback {
    /// The member's trxid.
    pub refid: String,
    /// The transaction's answer ([`TrxResponse`]) as a JSON string.
    pub message: String,
}

/// `GET /balance` answers 200 with the balance or, for wrong credentials, a failure
/// (documentation only: the handler writes one or the other).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum BalanceAnswer {
    /// The balance.
    Balance(BalanceResponse),
    /// Wrong credentials.
    Failure(Failure),
}

/// A transaction's 400: the refusal with `rc` 30 of a missing or too long parameter, or a
/// failure for a query that does not parse (documentation only).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TrxRefusal {
    /// Missing or too long parameter.
    Refusal(Box<TrxResponse>),
    /// Malformed query.
    Failure(Failure),
}

fn string_or_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    use serde_json::Value;
    // A null inside the list is refused, as any other non-scalar element.
    let scalar = |v: Value| match v {
        Value::Null => Err(serde::de::Error::custom("expected a string, found null")),
        v => crate::kernel::lenient::string_or_number(v).map_err(serde::de::Error::custom),
    };
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.into_iter().map(scalar).collect(),
        other => Ok(vec![scalar(other)?]),
    }
}
