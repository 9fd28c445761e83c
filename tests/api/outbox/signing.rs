//! PPOB callbacks are signed at send time: `X-Jembatan-Timestamp` (Unix seconds) and
//! `X-Jembatan-Signature` = hex HMAC-SHA256(secret, timestamp + "." + body), with the same
//! `X-Jembatan-Event-Id` on every retry.

use std::collections::HashSet;

use jembatan::kernel::money::Rupiah;
use jembatan::ppob::members::{self, MemberSpec};
use jembatan::ppob::refund::Authority;
use jembatan::ppob::store::{self, NewBill};

use super::*;

const SECRET: &str = "sig-secret";

fn hmac_hex(secret: &str, text: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text);
    hex::encode(mac.finalize().into_bytes())
}

/// What a member's receiver does: checks the signature and the timestamp's freshness.
fn verifies(headers: &HeaderMap, body: &[u8]) -> bool {
    let (Some(timestamp), Some(signature)) = (
        headers.get("x-jembatan-timestamp").and_then(|v| v.to_str().ok()),
        headers.get("x-jembatan-signature").and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    let Ok(sent) = timestamp.parse::<i64>() else {
        return false;
    };
    let fresh = (chrono::Utc::now().timestamp() - sent).abs() <= 300;
    let signed = [timestamp.as_bytes(), b".", body].concat();
    fresh && hmac_hex(SECRET, &signed) == signature
}

fn refid(body: &[u8]) -> String {
    let callback: serde_json::Value = serde_json::from_slice(body).unwrap();
    callback["refid"].as_str().unwrap().to_string()
}

db_test!(ppob_callbacks_are_signed_over_timestamp_and_body, |app| async move {
    // The first attempt of every callback fails, so each one is retried once.
    let (retrying_url, retried) = {
        let first = Arc::new(Mutex::new(HashSet::<String>::new()));
        scripted(move |_, body| {
            if first.lock().unwrap().insert(refid(body)) {
                (StatusCode::SERVICE_UNAVAILABLE, "try again".to_string())
            } else {
                (StatusCode::OK, String::new())
            }
        })
        .await
    };
    members::upsert(
        &app.state.ppob,
        &MemberSpec {
            memberid: "SIG".into(),
            memberpass: "pass".into(),
            memberpin: "1111".into(),
            name: "SIG".into(),
            credit_limit: Rupiah::new(0),
            callback_url: Some(retrying_url),
            callback_secret: Some(SECRET.into()),
        },
    )
    .await
    .unwrap();
    members::deposit(
        &app.state.ppob,
        "SIG",
        Rupiah::new(1_000_000),
        &Authority {
            operator: "test",
            reason: "test deposit",
        },
    )
    .await
    .unwrap();
    store::upsert_bills(
        &app.state.db,
        &[NewBill {
            product_code: "WASBY".into(),
            customer_no: "4000001".into(),
            customer_name: "PELANGGAN".into(),
            periode: "202411".into(),
            nilai_tagihan: Rupiah::new(10_000),
            denda: Rupiah::new(0),
        }],
    )
    .await
    .unwrap();
    let creds = "memberid=SIG&memberpass=pass&memberpin=1111";
    for (code, trxid) in [("INQWASBY", "SIG-INQ"), ("PAYWASBY", "SIG-PAY")] {
        let answer: serde_json::Value = app
            .client
            .get(app.at(&format!(
                "/ppob/?tujuan=4000001&trxid={trxid}&kodeproduk={code}&{creds}"
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["rc"], "00", "{answer}");
    }
    let mut pay = Vec::new();
    for _ in 0..200 {
        pay = retried
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, body)| refid(body) == "SIG-PAY")
            .cloned()
            .collect();
        if pay.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(pay.len(), 2, "the payment's callback: refused once, then accepted");
    for (headers, body) in &pay {
        assert!(verifies(headers, body), "signature over timestamp.body: {headers:?}");
        assert_eq!(headers["content-type"], "application/json");
    }
    assert_eq!(
        pay[0].0["x-jembatan-event-id"], pay[1].0["x-jembatan-event-id"],
        "the retry carries the same event id"
    );
    // A receiver that checks the signature refuses a body that was tampered with.
    let (headers, body) = &pay[1];
    let mut forged = body.clone();
    forged.push(b' ');
    assert!(!verifies(headers, &forged));
});

db_test!(
    a_ppob_callback_enqueued_before_send_time_signing_goes_out_as_stored,
    |app| async move {
        // Rows an older version wrote name no member and carry their body-only signature.
        let (url, got) = scripted(|_, _| (StatusCode::OK, String::new())).await;
        let old = OutboxMessage {
            family: "ppob".to_string(),
            headers: vec![("X-Jembatan-Signature".to_string(), "old-signature".to_string())],
            ..message(&url, "legacy", None)
        };
        enqueue(&app, &[old]).await;
        assert_eq!(reaches(&app, "legacy", "delivered").await.0, "delivered");
        let got = got.lock().unwrap();
        assert_eq!(got[0].0["x-jembatan-signature"], "old-signature");
        assert!(got[0].0.contains_key("x-jembatan-event-id"));
    }
);
