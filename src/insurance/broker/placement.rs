//! Placing a loan with a panel (registrasi, pengajuan-cbc): forwarded to the panel the
//! request names; the case binds to it on its "00" and records every panel tried.

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::bank::{
    answered_amount, bind, correlation, doc_codes, exchange, id_loan, json_body, opened_by, success, take, today,
};
use super::directory::DirectoryEntry;
use super::forward::{self, Outcome};
use super::store::{self, money, status, t, V};
use super::store_views;
use super::BrokerCtx;
use super::{auth, refuse};
use crate::insurance::wire::*;
use crate::kernel::error::AppResult;
use crate::kernel::extract::Json;
use crate::kernel::money::Rupiah;

/// Forwards a placement and records its outcome on the case.
pub(super) async fn application(state: BrokerCtx, headers: HeaderMap, body: Bytes, op: &str) -> AppResult<Json<Value>> {
    let caller = auth::bank(&state, &headers).await?;
    let mut req: AkseptasiRequest = json_body(&body)?;
    let corr = correlation(&headers);
    let asuransi = take(&mut req.extra, "Asuransi");
    let id_loan = id_loan(&req.id_loan)?;
    let (case, panel) = bind(&state, &caller, &id_loan, asuransi.as_deref(), true).await?;
    let _opening = if case.opening {
        Some(
            state
                .family
                .open_loan(&id_loan)
                .ok_or_else(|| refuse(format!("ID_Loan {id_loan} sedang diproses, ulangi sesaat lagi")))?,
        )
    } else {
        None
    };
    let premi = match req.premi.map(Rupiah::new) {
        Some(p) if p > Rupiah::ZERO => Some(p),
        _ => quote_premium(&state, &panel, &req, &corr).await?,
    };
    let outcome = forward::json(&state, &panel, op, &req, &corr, None).await;
    let exchanged = exchange(&state, &case, &panel, op, outcome).await;
    let now = state.kernel.clock.now().to_rfc3339();
    let (answer_status, keterangan) = match &exchanged {
        Ok((_, answer)) => (
            answer["Status"].as_str().unwrap_or("-").to_string(),
            answer["Keterangan"].as_str().unwrap_or_default().to_string(),
        ),
        Err(err) => ("-".to_string(), err.to_string()),
    };
    store_views::record_attempt(
        &state.kernel.db,
        &id_loan,
        &panel.code,
        op,
        &answer_status,
        &keterangan,
        &now,
    )
    .await?;
    let (ok, answer) = exchanged?;
    if !ok {
        return Ok(Json(answer));
    }
    let cac = op.ends_with("registrasi");
    let fresh = case.status == status::BARU || case.rebound_from.is_some();
    let mut sets = vec![
        ("kind", t(if cac { "CAC" } else { "CBC" })),
        ("nik", t(req.nik.trim())),
        ("nama", t(req.nama_nasabah.trim())),
        ("nilai_pertanggungan", money(Rupiah::new(req.nilai_pertanggungan))),
        ("premi", money(premi.unwrap_or(Rupiah::ZERO))),
        ("premi_unknown", V::I(Some(i64::from(premi.is_none())))),
        ("request", t(serde_json::to_string(&req).unwrap_or_default())),
    ];
    let to = if cac {
        sets.push(("policy_no", t(answer["Policy_No"].as_str().unwrap_or_default())));
        sets.push(("epolicy", t(answer["EPolicy"].as_str().unwrap_or_default())));
        sets.push(("issued_on", t(today(&state))));
        status::INFORCE
    } else {
        sets.push(("required_docs", t(doc_codes(&answer["List_Dokumen_UnderWriting"]))));
        status::MENUNGGU
    };
    // A repeat (the panel answers its first answer again) only adds to the history.
    if case.rebound_from.is_some() {
        // The case starts over at the new panel; the old panel's answers stay in the history.
        sets.extend([
            ("panel_code", t(panel.code.clone())),
            ("extra_premi", money(Rupiah::ZERO)),
            ("refund", V::I(None)),
            ("cancellation_status", V::T(None)),
        ]);
        if cac {
            sets.push(("required_docs", t("[]")));
        }
    }
    let mut change = if fresh {
        success(op, Some(to), sets, &answer)
    } else {
        success(op, None, vec![], &answer)
    };
    if let Some(left) = &case.rebound_from {
        change.detail = format!("{} (dipindah dari panel {left} ke panel {})", change.detail, panel.code);
        change.expect = Some(case.status.clone());
    }
    change.open = opened_by(&case);
    store::apply(&state, &id_loan, change).await?;
    Ok(Json(answer))
}

/// The panel's premium for an application whose request carried none (asked of its
/// calculator; `None` when it gives none).
pub(super) async fn quote_premium(
    state: &BrokerCtx,
    panel: &DirectoryEntry,
    req: &AkseptasiRequest,
    correlation_id: &str,
) -> AppResult<Option<Rupiah>> {
    let calc = RatePremiRequest {
        tanggal_lahir: req.tanggal_lahir.clone(),
        tanggal_akad: req.tanggal_akad.clone(),
        tenor: req.tenor,
        nilai_pertanggungan: req.nilai_pertanggungan,
        produk: req.produk.clone(),
        nik: req.nik.clone(),
        extra: Map::new(),
    };
    match forward::json(state, panel, "get-rate-premi-panel", &calc, correlation_id, None).await {
        Outcome::Answered { status: 200, body } if body["Status"] == STATUS_OK && number(&body["Premi"]).is_some() => {
            answered_amount(&body, "Premi").map(Some)
        }
        _ => Ok(None),
    }
}
