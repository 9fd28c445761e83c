//! The demo data: the spec's eight postpaid products, an unpaid bill for each (DESIGN.md's
//! customer numbers) and the demo member DEMO01 / demo-pass / 123456 with a deposit.
//!
//! The spec's PLN Nontaglis and PGN samples repeat the PLN token record (PLT20, id 1251,
//! a copy-paste slip of the original docs). They get their own id, code, name and
//! provider here, and bill-product numbers (postpaid 1, price + fee = admin) like their
//! siblings: the token's price 21078 with admin 0 would make every payment lose money.

use crate::kernel::money::Rupiah;

use super::domain;
use super::members::{self, MemberSpec};
use super::store::{self, NewBill};
use super::wire::ProductRecord;
use super::PpobCtx;

/// The demo member.
pub const DEMO_MEMBER: &str = "DEMO01";
/// Its password.
pub const DEMO_PASS: &str = "demo-pass";
/// Its PIN.
pub const DEMO_PIN: &str = "123456";
/// Its first deposit.
pub const DEMO_DEPOSIT: Rupiah = Rupiah::new(10_000_000);

struct Spec {
    id: i64,
    code: &'static str,
    name: &'static str,
    nominal: i64,
    price: i64,
    fee: i64,
    admin: i64,
    provider: (i64, &'static str, &'static str, &'static str),
    rule: &'static str,
}

const ALL_DIGITS: &str = "0,1,2,3,4,5,6,7,8,9";

const PRODUCTS: [Spec; 8] = [
    Spec {
        id: 4,
        code: "PLNNONTAG",
        name: "PLN Nontaglis",
        nominal: 0,
        price: 1250,
        fee: 1250,
        admin: 2500,
        provider: (2, "PLNNONTAG", "PLN Nontaglis", ALL_DIGITS),
        rule: "digits:13",
    },
    Spec {
        id: 3,
        code: "PLNGR25",
        name: "PLN Pasca Admin 2.500",
        nominal: 25,
        price: 1250,
        fee: 1250,
        admin: 2500,
        provider: (1, "PASCA", "PLN Pascabayar", ALL_DIGITS),
        rule: "digits:12",
    },
    Spec {
        id: 123,
        code: "WASBY",
        name: "PDAM Kota Surabaya (Jatim)",
        nominal: 1,
        price: 1734,
        fee: 1266,
        admin: 3000,
        provider: (14, "PDAM JATIM", "JAWA TIMUR", ALL_DIGITS),
        rule: "digits:6-15",
    },
    Spec {
        id: 17,
        code: "BPJSKES",
        name: "BPJS Kesehatan",
        nominal: 0,
        price: 1234,
        fee: 1266,
        admin: 2500,
        provider: (454, "BPJS", "BPJS", ""),
        rule: "bpjs-va",
    },
    Spec {
        id: 19,
        code: "ASRBPJSTK",
        name: "BPJS Ketenagakerjaan",
        nominal: 0,
        price: 1567,
        fee: 933,
        admin: 2500,
        provider: (454, "BPJS", "BPJS", ""),
        rule: "nik",
    },
    Spec {
        id: 239,
        code: "PGN",
        name: "PGN (Perusahaan Gas Negara)",
        nominal: 0,
        price: 2500,
        fee: 0,
        admin: 2500,
        provider: (20, "GASALAM", "GAS ALAM", ALL_DIGITS),
        rule: "digits:10-12",
    },
    Spec {
        id: 240,
        code: "GAS",
        name: "Pertagas (Pertamina Gas)",
        nominal: 0,
        price: 2500,
        fee: 0,
        admin: 2500,
        provider: (20, "GASALAM", "GAS ALAM", ALL_DIGITS),
        rule: "digits:10-12",
    },
    Spec {
        id: 10,
        code: "TELKOM25",
        name: "Telkom / Indihome 2.500",
        nominal: 25,
        price: 1300,
        fee: 1200,
        admin: 2500,
        provider: (7, "JASTEL", "Telkom & Indihome", ALL_DIGITS),
        rule: "digits:9-13",
    },
];

/// (product, customer number, name, periode, nilai_tagihan, denda)
const BILLS: [(&str, &str, &str, &str, i64, i64); 10] = [
    ("PLNGR25", "530000000001", "BUDI SANTOSO", "202410", 245_000, 0),
    ("PLNGR25", "530000000001", "BUDI SANTOSO", "202411", 263_500, 3_000),
    ("PLNNONTAG", "3225030005922", "SITI AMINAH", "202411", 1_250_000, 0),
    ("WASBY", "1013226", "WATI", "202411", 87_500, 0),
    ("BPJSKES", "8888811336526592", "TRI M", "202410", 150_000, 0),
    ("BPJSKES", "8888811336526592", "TRI M", "202411", 150_000, 0),
    ("ASRBPJSTK", "3319022010810007", "TRI M", "202411", 36_800, 0),
    ("PGN", "0110014601", "ANISA M", "202411", 112_300, 0),
    ("GAS", "0110014602", "BUDI SANTOSO", "202411", 98_700, 0),
    ("TELKOM25", "0315123456", "SITI AMINAH", "202411", 385_000, 0),
];

/// The demo products' wire records.
pub fn products() -> Vec<(ProductRecord, &'static str)> {
    PRODUCTS
        .iter()
        .map(|s| {
            let (pid, pcode, pname, prefixes) = s.provider;
            let record = ProductRecord {
                id: s.id,
                code: s.code.to_string(),
                name: s.name.to_string(),
                desc: String::new(),
                postpaid: 1,
                is_inkaso: 0,
                is_facturer: 0,
                is_kyc: 0,
                is_promo: 0,
                point: 0,
                nominal: Rupiah::new(s.nominal),
                free_denom: 0,
                minimum_qty: 1,
                maximum_qty: 1,
                product_type: "PPOB".to_string(),
                active: 1,
                price: Rupiah::new(s.price),
                fee: Rupiah::new(s.fee),
                provider: domain::provider(pid, pcode.into(), pname.into(), 0, 0, prefixes.into(), 0),
                problem: 0,
                empty: 0,
                admin: Rupiah::new(s.admin),
            };
            (record, s.rule)
        })
        .collect()
}

/// Loads the demo products, bills and member (idempotent: the member's deposit is made
/// once, when the member is created; paid bills stay paid).
pub async fn load(ctx: &PpobCtx) -> anyhow::Result<()> {
    for (record, rule) in products() {
        store::upsert_product(&ctx.kernel.db, &record, rule).await?;
    }
    ctx.family.forget_products();
    let bills: Vec<NewBill> = BILLS
        .iter()
        .map(|(product, no, name, periode, nilai, denda)| NewBill {
            product_code: product.to_string(),
            customer_no: no.to_string(),
            customer_name: name.to_string(),
            periode: periode.to_string(),
            nilai_tagihan: Rupiah::new(*nilai),
            denda: Rupiah::new(*denda),
        })
        .collect();
    store::upsert_bills(&ctx.kernel.db, &bills).await?;
    if !members::exists(ctx, DEMO_MEMBER).await? {
        members::upsert(
            ctx,
            &MemberSpec {
                memberid: DEMO_MEMBER.to_string(),
                memberpass: DEMO_PASS.to_string(),
                memberpin: DEMO_PIN.to_string(),
                name: "Demo Member".to_string(),
                ..MemberSpec::default()
            },
        )
        .await?;
        members::deposit(
            ctx,
            DEMO_MEMBER,
            DEMO_DEPOSIT,
            &super::refund::Authority {
                operator: "demo",
                reason: "demo deposit",
            },
        )
        .await?;
    }
    Ok(())
}
