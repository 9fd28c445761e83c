//! PPOB rules: products, customer numbers per product, the request's kind, and the amounts
//! of a postpaid payment.

use crate::kernel::money::Rupiah;

use super::wire::{BillData, BillLine, ProductRecord, ProviderRecord};

/// A product as stored, with its provider and its customer-number rule.
#[derive(Debug, Clone)]
pub struct Product {
    /// The wire record (every field of the spec).
    pub record: ProductRecord,
    /// How this product's customer numbers look.
    pub rule: CustomerRule,
    /// `record` serialized once: the product check concatenates these instead of
    /// serializing every record on every request.
    pub json: String,
}

impl Product {
    /// Matches the product check's filters: every given filter must match (codes and
    /// providers together narrow, as the spec's examples show); no filter matches all.
    pub fn matches(&self, codes: &[String], providers: &[String]) -> bool {
        let code_ok = codes.is_empty() || codes.iter().any(|c| c.trim().eq_ignore_ascii_case(&self.record.code));
        let provider_ok = providers.is_empty()
            || providers
                .iter()
                .any(|p| p.trim().eq_ignore_ascii_case(&self.record.provider.code));
        code_ok && provider_ok
    }

    /// True for a bill (postpaid) product.
    pub fn is_postpaid(&self) -> bool {
        self.record.postpaid == 1
    }
}

/// The customer-number rule of a product (column `customer_rule`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRule {
    /// Exactly this many digits (`digits:12`), e.g. PLN IDPEL 12, Nontaglis 13.
    Digits(usize),
    /// Between `min` and `max` digits (`digits:6-15`): PDAM, PGN, Telkom vary.
    DigitsBetween(usize, usize),
    /// BPJS Kesehatan VA: `88888` followed by the last 11 digits of the card (`bpjs-va`).
    BpjsVa,
    /// A NIK: 16 digits (`nik`), BPJS Ketenagakerjaan BPU.
    Nik,
}

impl CustomerRule {
    /// Parses the stored form.
    pub fn parse(text: &str) -> Result<CustomerRule, String> {
        let text = text.trim();
        match text {
            "bpjs-va" => return Ok(CustomerRule::BpjsVa),
            "nik" => return Ok(CustomerRule::Nik),
            _ => {}
        }
        let spec = text
            .strip_prefix("digits:")
            .ok_or_else(|| format!("unknown customer rule {text:?}"))?;
        let number = |s: &str| s.parse::<usize>().map_err(|_| format!("bad customer rule {text:?}"));
        match spec.split_once('-') {
            Some((min, max)) => Ok(CustomerRule::DigitsBetween(number(min)?, number(max)?)),
            None => Ok(CustomerRule::Digits(number(spec)?)),
        }
    }

    /// Checks a customer number; the refusal says what the number should look like.
    pub fn check(&self, number: &str, product_name: &str) -> Result<(), String> {
        let all_digits = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        let len = number.len();
        let ok = all_digits
            && match self {
                CustomerRule::Digits(n) => len == *n,
                CustomerRule::DigitsBetween(min, max) => (*min..=*max).contains(&len),
                CustomerRule::BpjsVa => len == 16 && number.starts_with("88888"),
                CustomerRule::Nik => crate::kernel::ids::Nik::parse(number).is_ok(),
            };
        if ok {
            return Ok(());
        }
        Err(match self {
            CustomerRule::Digits(n) => format!("nomor pelanggan {product_name} harus {n} digit angka"),
            CustomerRule::DigitsBetween(min, max) => {
                format!("nomor pelanggan {product_name} harus {min} sampai {max} digit angka")
            }
            CustomerRule::BpjsVa => {
                "nomor VA BPJS Kesehatan harus 16 digit: 88888 diikuti 11 digit terakhir nomor kartu".to_string()
            }
            CustomerRule::Nik => "nomor BPJS Ketenagakerjaan (BPU) harus NIK 16 digit angka".to_string(),
        })
    }
}

/// What a transaction request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `INQ<code>`: look the bill up.
    Inquiry,
    /// `PAY<code>`: pay the bill the inquiry found.
    Payment,
}

impl Kind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Inquiry => "INQ",
            Kind::Payment => "PAY",
        }
    }
}

/// Splits `kodeproduk` into its kind and product code (`INQPLNGR25` -> Inquiry, `PLNGR25`).
pub fn parse_kodeproduk(kodeproduk: &str) -> Option<(Kind, String)> {
    let upper = kodeproduk.trim().to_ascii_uppercase();
    let (kind, code) = if let Some(code) = upper.strip_prefix("INQ") {
        (Kind::Inquiry, code)
    } else if let Some(code) = upper.strip_prefix("PAY") {
        (Kind::Payment, code)
    } else {
        return None;
    };
    let code = code.trim_start_matches(['.', '-', '_']);
    (!code.is_empty()).then(|| (kind, code.to_string()))
}

/// One period of a bill as the biller knows it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Period {
    /// The biller's row (table-backed biller), settled in the payment transaction.
    pub bill_id: Option<i64>,
    /// `yyyymm`.
    pub periode: String,
    /// The period's bill.
    pub nilai_tagihan: Rupiah,
    /// Its late fee.
    pub denda: Rupiah,
}

/// An unpaid bill found by a biller.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Bill {
    /// The customer number.
    pub customer_no: String,
    /// The customer's name.
    pub customer_name: String,
    /// The unpaid periods, oldest first.
    pub periods: Vec<Period>,
}

/// The amounts of a bill for a product: admin and commission are per period billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amounts {
    /// Periods billed.
    pub lembar: i64,
    /// Sum of the periods' bills.
    pub nilai_tagihan: Rupiah,
    /// Sum of the late fees.
    pub denda: Rupiah,
    /// admin x periods.
    pub admin: Rupiah,
    /// What the customer owes.
    pub total: Rupiah,
    /// fee x periods: the member's commission.
    pub fee: Rupiah,
    /// What the member is debited: total - fee (= bills + fines + price x periods).
    pub debit: Rupiah,
}

/// The reason of a refusal when a bill's amounts do not fit in the ledger's integers.
pub const AMOUNT_OVERFLOW: &str = "jumlah tagihan melebihi batas yang dapat diproses";

impl Amounts {
    /// Computes the amounts of `bill` under `product`; `None` when a sum overflows
    /// (the caller refuses the transaction).
    pub fn of(bill: &Bill, product: &ProductRecord) -> Option<Amounts> {
        let lembar = i64::try_from(bill.periods.len()).ok()?;
        let nilai_tagihan = Rupiah::checked_sum(bill.periods.iter().map(|p| p.nilai_tagihan))?;
        let denda = Rupiah::checked_sum(bill.periods.iter().map(|p| p.denda))?;
        let admin = product.admin.checked_mul(lembar)?;
        let total = Rupiah::checked_sum([nilai_tagihan, denda, admin])?;
        let fee = product.fee.checked_mul(lembar)?;
        Some(Amounts {
            lembar,
            nilai_tagihan,
            denda,
            admin,
            total,
            fee,
            debit: total.checked_sub(fee)?,
        })
    }

    /// The amounts an inquiry quoted, re-checked for consistency: `None` when they do not
    /// add up or overflow (a stored answer is data, not a proof).
    pub fn quoted(data: &BillData) -> Option<Amounts> {
        let total = Rupiah::checked_sum([data.nilai_tagihan, data.denda, data.admin])?;
        let debit = total.checked_sub(data.fee)?;
        (total == data.total && debit == data.debit).then_some(Amounts {
            lembar: data.lembar,
            nilai_tagihan: data.nilai_tagihan,
            denda: data.denda,
            admin: data.admin,
            total,
            fee: data.fee,
            debit,
        })
    }
}

/// The structured bill of an answer.
pub fn bill_data(kodeproduk: &str, bill: &Bill, amounts: &Amounts, sn: Option<String>, saldo: Rupiah) -> BillData {
    BillData {
        kodeproduk: kodeproduk.to_string(),
        customer_no: bill.customer_no.clone(),
        customer_name: bill.customer_name.clone(),
        periode: bill.periods.iter().map(|p| p.periode.clone()).collect(),
        lembar: amounts.lembar,
        details: bill
            .periods
            .iter()
            .map(|p| BillLine {
                periode: p.periode.clone(),
                nilai_tagihan: p.nilai_tagihan,
                denda: p.denda,
            })
            .collect(),
        nilai_tagihan: amounts.nilai_tagihan,
        denda: amounts.denda,
        admin: amounts.admin,
        total: amounts.total,
        fee: amounts.fee,
        debit: amounts.debit,
        sn,
        saldo,
    }
}

/// The `SN:` part of a message: name, periods and amounts, KHOINS style.
pub fn serial_text(bill: &Bill, amounts: &Amounts, sn: Option<&str>) -> String {
    let periods: Vec<&str> = bill.periods.iter().map(|p| p.periode.as_str()).collect();
    let mut text = String::new();
    if let Some(sn) = sn {
        text.push_str(sn);
        text.push('/');
    }
    text.push_str(&format!(
        "{}/{}/{} BLN/TAG:{}/DENDA:{}/ADM:{}/TOTAL:{}",
        bill.customer_name,
        periods.join(","),
        amounts.lembar,
        amounts.nilai_tagihan,
        amounts.denda,
        amounts.admin,
        amounts.total
    ));
    text
}

/// `R#<trxid> <kodeproduk>.<tujuan> SUKSES. SN: <sn>. Saldo: <saldo>`.
pub fn success_message(trxid: &str, kodeproduk: &str, tujuan: &str, sn: &str, saldo: Rupiah) -> String {
    format!("R#{trxid} {kodeproduk}.{tujuan} SUKSES. SN: {sn}. Saldo: {saldo}")
}

/// `R#<trxid> <kodeproduk>.<tujuan> GAGAL. ket: <reason>` (with the balance when known).
pub fn failure_message(trxid: &str, kodeproduk: &str, tujuan: &str, reason: &str, saldo: Option<Rupiah>) -> String {
    match saldo {
        Some(saldo) => format!("R#{trxid} {kodeproduk}.{tujuan} GAGAL. ket: {reason}. Saldo: {saldo}"),
        None => format!("R#{trxid} {kodeproduk}.{tujuan} GAGAL. ket: {reason}"),
    }
}

/// A wire provider from stored columns (kept here so the store stays SQL only).
pub fn provider(
    id: i64,
    code: String,
    name: String,
    problem: i64,
    empty: i64,
    prefixes: String,
    is_kyc: i64,
) -> ProviderRecord {
    ProviderRecord {
        id,
        code,
        name,
        problem,
        empty,
        destination_prefixes: prefixes,
        is_kyc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kodeproduk_splits_kind_and_code() {
        assert_eq!(parse_kodeproduk("INQPLNGR25"), Some((Kind::Inquiry, "PLNGR25".into())));
        assert_eq!(parse_kodeproduk("payWASBY"), Some((Kind::Payment, "WASBY".into())));
        assert_eq!(parse_kodeproduk("PLT20"), None);
        assert_eq!(parse_kodeproduk("INQ"), None);
    }

    #[test]
    fn customer_rules() {
        let va = CustomerRule::parse("bpjs-va").unwrap();
        assert!(va.check("8888811336526592", "x").is_ok());
        assert!(va.check("1234511336526592", "x").is_err());
        let pdam = CustomerRule::parse("digits:6-15").unwrap();
        assert!(pdam.check("1013226", "x").is_ok());
        assert!(pdam.check("10132", "x").is_err());
        assert!(pdam.check("10132a6", "x").is_err());
        assert_eq!(CustomerRule::parse("digits:12").unwrap(), CustomerRule::Digits(12));
        assert!(CustomerRule::parse("nope").is_err());
    }

    fn product(admin: i64, fee: i64) -> ProductRecord {
        let mut record = crate::ppob::demo::products().remove(0).0;
        record.admin = Rupiah::new(admin);
        record.fee = Rupiah::new(fee);
        record
    }

    fn bill(amounts: &[(i64, i64)]) -> Bill {
        Bill {
            customer_no: "530000000001".into(),
            customer_name: "X".into(),
            periods: amounts
                .iter()
                .map(|(nilai, denda)| Period {
                    bill_id: None,
                    periode: "202411".into(),
                    nilai_tagihan: Rupiah::new(*nilai),
                    denda: Rupiah::new(*denda),
                })
                .collect(),
        }
    }

    #[test]
    fn amounts_add_up() {
        let amounts = Amounts::of(&bill(&[(245_000, 0), (263_500, 3_000)]), &product(2500, 1250)).unwrap();
        assert_eq!(amounts.total, Rupiah::new(245_000 + 263_500 + 3_000 + 5_000));
        assert_eq!(amounts.debit, Rupiah::new(245_000 + 263_500 + 3_000 + 5_000 - 2_500));
    }

    #[test]
    fn overflowing_amounts_are_refused_not_wrapped() {
        assert_eq!(Amounts::of(&bill(&[(i64::MAX, 0), (1, 0)]), &product(0, 0)), None);
        assert_eq!(Amounts::of(&bill(&[(0, i64::MAX), (0, 1)]), &product(0, 0)), None);
        assert_eq!(Amounts::of(&bill(&[(i64::MAX, 0)]), &product(1, 0)), None);
        assert_eq!(Amounts::of(&bill(&[(1, 0), (1, 0)]), &product(i64::MAX, 0)), None);
        assert_eq!(Amounts::of(&bill(&[(0, 0)]), &product(0, i64::MIN)), None);
    }
}
