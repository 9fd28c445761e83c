//! The supplier's callbacks: verified, and resolving a pending payment once.

use super::*;

fn hmac_hex(secret: &str, message: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

db_test!(supplier_callbacks_are_verified_and_resolve_once, |app| async move {
    let (url, _state) = start_misbehaving().await;
    let shop = reseller(app.backend, url).await;
    let me = member(&shop, "SCB", 100_000, 0, None).await;
    trx_as(&shop, &me, "INQWASBY", "1000004", "K-I").await;
    let pay = trx_as(&shop, &me, "PAYWASBY", "1000004", "K-P").await;
    assert_eq!(pay["status"], "Pending", "{pay}");
    let upstream: String = {
        sqlx::query_scalar("SELECT upstream_trxid FROM ppob_transactions WHERE trxid = 'K-P'")
            .fetch_one(&shop.state.db)
            .await
            .unwrap()
    };
    let post = |path: String, body: Vec<u8>, signature: String, timestamp: Option<String>| {
        let client = shop.client.clone();
        let url = shop.at(&path);
        async move {
            let mut request = client
                .post(url)
                .header("content-type", "application/json")
                .header("X-Jembatan-Signature", signature);
            if let Some(timestamp) = timestamp {
                request = request.header("X-Jembatan-Timestamp", timestamp);
            }
            request.body(body).send().await.unwrap().status().as_u16()
        }
    };
    let callback = |refid: &str| {
        serde_json::to_vec(
            &json!({"refid": refid, "message": bill_answer(refid, "1000004", Some("CB-SN")).to_string()}),
        )
        .unwrap()
    };
    let path = "/ppob/supplier/up/callback".to_string();
    let body = callback(&upstream);
    assert_eq!(
        post(path.clone(), body.clone(), "00".repeat(32), None).await,
        401,
        "a bad signature"
    );
    let stale = (chrono::Utc::now().timestamp() - 1_000).to_string();
    let stale_sig = hmac_hex(
        "sup-secret",
        format!("{stale}.")
            .as_bytes()
            .iter()
            .chain(&body)
            .copied()
            .collect::<Vec<u8>>()
            .as_slice(),
    );
    assert_eq!(
        post(path.clone(), body.clone(), stale_sig, Some(stale)).await,
        401,
        "a stale timestamp"
    );
    let unknown = callback("JBUNOSUCHTRXID");
    let unknown_sig = hmac_hex("sup-secret", &unknown);
    assert_eq!(
        post(path.clone(), unknown, unknown_sig, None).await,
        404,
        "an unknown trxid"
    );
    let signature = hmac_hex("sup-secret", &body);
    assert_eq!(
        post(
            "/ppob/supplier/nobody/callback".to_string(),
            body.clone(),
            signature.clone(),
            None
        )
        .await,
        404
    );
    assert_eq!(ledger_kinds(&shop, "K-P").await, ["HOLD"], "nothing moved yet");
    // Signed with a timestamp, as Jembatan's own callbacks are.
    let now = chrono::Utc::now().timestamp().to_string();
    let ts_sig = hmac_hex(
        "sup-secret",
        format!("{now}.")
            .as_bytes()
            .iter()
            .chain(&body)
            .copied()
            .collect::<Vec<u8>>()
            .as_slice(),
    );
    assert_eq!(post(path.clone(), body.clone(), ts_sig, Some(now)).await, 200);
    assert_eq!(
        post(path.clone(), body.clone(), signature, None).await,
        200,
        "a repeat is accepted"
    );
    let paid = trx_as(&shop, &me, "PAYWASBY", "1000004", "K-P").await;
    assert_eq!(
        (paid["status"].as_str(), paid["data"]["sn"].as_str()),
        (Some("Success"), Some("CB-SN")),
        "{paid}"
    );
    assert_eq!(
        ledger_kinds(&shop, "K-P").await,
        ["HOLD", "RELEASE", "PAY"],
        "resolved once"
    );
    assert_eq!(balance_of(&shop, "SCB", "1111").await, 100_000 - 11_734);
    reconciles(&shop).await;
});
