//! Answers shared by direct and supplier-routed payments.

use crate::kernel::money::Rupiah;

use super::domain::{self, Amounts, Bill};
use super::payment::{rc, TrxRequest};
use super::wire::{TrxResponse, SUCCESS};

/// The reason of a payment without today's inquiry.
pub const NO_INQUIRY_REASON: &str = "belum ada inquiry (INQ) hari ini untuk tagihan ini: lakukan INQ terlebih dahulu";
/// The reason of a payment whose bill changed since its inquiry.
pub const QUOTE_CHANGED_REASON: &str = "tagihan berubah sejak inquiry: lakukan INQ ulang";

/// The `Success` answer of a paid bill.
pub fn paid_answer(request: &TrxRequest, bill: &Bill, amounts: &Amounts, sn: String, balance: Rupiah) -> TrxResponse {
    let text = domain::serial_text(bill, amounts, Some(&sn));
    TrxResponse {
        status: SUCCESS.to_string(),
        message: domain::success_message(
            request.trxid.as_str(),
            &request.kodeproduk,
            &request.tujuan,
            &text,
            balance,
        ),
        trxid: request.trxid.to_string(),
        rc: rc::OK.to_string(),
        data: Some(domain::bill_data(&request.kodeproduk, bill, amounts, Some(sn), balance)),
    }
}
