//! The member's callback secret through the binary: sealed at rest, kept across other
//! changes, rotated only on request, and rows an older version stored in clear.

use std::time::Duration;

use jembatan::kernel::secret;
use jembatan::ppob::ids::MemberId;
use jembatan::ppob::store::NewMember;

use super::*;

/// What a receiver got: each callback's headers and raw body.
type Got = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A callback receiver that accepts everything and keeps what it got.
async fn receiver() -> (String, Got) {
    let got: Got = Arc::default();
    let shared = got.clone();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let shared = shared.clone();
            async move {
                shared.lock().unwrap().push((headers, body.to_vec()));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/cb"), got)
}

/// Pays a fresh bill as `me` (deposit, bill, inquiry `TRXID-I`, payment `TRXID`): only a
/// payment's outcome is called back.
async fn pay_fresh(app: &TestApp, me: &str, trxid: &str) -> Value {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let customer = format!("{}", 2_100_000 + NEXT.fetch_add(1, Ordering::SeqCst));
    let memberid = me.split('&').next().unwrap().trim_start_matches("memberid=");
    members::deposit(
        &app.state.ppob,
        memberid,
        Rupiah::new(20_000),
        &Authority {
            operator: "test",
            reason: "for one bill",
        },
    )
    .await
    .unwrap();
    let bill = NewBill {
        product_code: "WASBY".into(),
        customer_no: customer.clone(),
        customer_name: "PELANGGAN".into(),
        periode: "202411".into(),
        nilai_tagihan: Rupiah::new(10_000),
        denda: Rupiah::new(0),
    };
    store::upsert_bills(&app.state.db, &[bill]).await.unwrap();
    let inq = trx_as(app, me, "INQWASBY", &customer, &format!("{trxid}-I")).await;
    assert_eq!(inq["status"], "Success", "{inq}");
    trx_as(app, me, "PAYWASBY", &customer, trxid).await
}

/// Pays a bill as `me` and checks its callback arrives signed with the HMAC of
/// `timestamp.body` under `secret`.
async fn callback_verifies(app: &TestApp, me: &str, trxid: &str, got: &Mutex<Vec<(HeaderMap, Vec<u8>)>>, secret: &str) {
    let answer = pay_fresh(app, me, trxid).await;
    assert_eq!(answer["status"], "Success", "{answer}");
    for _ in 0..200 {
        let found = got.lock().unwrap().iter().find_map(|(headers, body)| {
            let callback: Value = serde_json::from_slice(body).ok()?;
            (callback["refid"] == trxid).then(|| (headers.clone(), body.clone()))
        });
        if let Some((headers, body)) = found {
            let signature = headers.get("x-jembatan-signature").expect("signed").to_str().unwrap();
            let timestamp = headers
                .get("x-jembatan-timestamp")
                .expect("timestamped")
                .to_str()
                .unwrap();
            assert_eq!(
                signature,
                sign(secret, &[timestamp.as_bytes(), b".", &body].concat()),
                "{trxid} signed with the member's secret"
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no callback for {trxid}");
}

fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

db_test!(
    callback_secret_is_sealed_kept_across_changes_and_rotated_only_on_request,
    no_cache(),
    |app| async move {
        let (url, got) = receiver().await;
        let out = cli_ok(
            &app,
            &[
                "add",
                "CBK1",
                "--pass",
                "cbk-pass",
                "--pin",
                "112233",
                "--callback-url",
                &url,
            ],
        )
        .await;
        let secret = printed(&out, "callback secret").expect("a callback secret is made with the URL");
        let me = "memberid=CBK1&memberpass=cbk-pass&memberpin=112233";
        let (_, sealed) = stored_callback(&app, "CBK1").await;
        let sealed = sealed.unwrap();
        assert!(
            sealed.starts_with("x1:") && !sealed.contains(&secret),
            "sealed at rest: {sealed}"
        );
        callback_verifies(&app, me, "CBK-1", &got, &secret).await;

        // A new PIN given together with the URL does not rotate the secret.
        let out = cli_ok(&app, &["rotate", "CBK1", "--pin", "445566", "--callback-url", &url]).await;
        assert_eq!(printed(&out, "callback secret"), None, "{out}");
        assert_eq!(stored_callback(&app, "CBK1").await.1.as_deref(), Some(sealed.as_str()));
        let me = "memberid=CBK1&memberpass=cbk-pass&memberpin=445566";
        callback_verifies(&app, me, "CBK-2", &got, &secret).await;

        // Leaving the URL out (here: the older form changing the PIN) keeps callbacks on.
        let out = cli_ok(&app, &["CBK1", "--pass", "cbk-pass", "--pin", "778899"]).await;
        assert!(out.contains("member CBK1 saved"), "{out}");
        assert_eq!(printed(&out, "callback secret"), None);
        assert_eq!(
            stored_callback(&app, "CBK1").await,
            (Some(url.clone()), Some(sealed.clone()))
        );
        let me = "memberid=CBK1&memberpass=cbk-pass&memberpin=778899";
        callback_verifies(&app, me, "CBK-3", &got, &secret).await;

        // Only --rotate-callback-secret makes a new secret; it is printed once and used.
        let out = cli_ok(&app, &["rotate", "CBK1", "--rotate-callback-secret"]).await;
        let fresh = printed(&out, "callback secret").expect("the new secret is printed");
        assert_ne!(fresh, secret);
        assert_eq!(printed(&out, "memberpin"), None, "the PIN was not asked to change");
        callback_verifies(&app, me, "CBK-4", &got, &fresh).await;

        // Only --no-callback turns callbacks off.
        cli_ok(&app, &["rotate", "CBK1", "--no-callback"]).await;
        assert_eq!(stored_callback(&app, "CBK1").await.0, None);
        let answer = pay_fresh(&app, me, "CBK-5").await;
        assert_eq!(answer["status"], "Success");
        // The ordering key names the trxid: no outbox row for CBK-5, one for CBK-4.
        let rows = |trxid: &'static str| {
            let db = app.state.db.clone();
            async move {
                let n: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE family = 'ppob' AND ordering_key LIKE $1")
                        .bind(format!("%:{trxid}"))
                        .fetch_one(&db)
                        .await
                        .unwrap();
                n
            }
        };
        assert_eq!(rows("CBK-4").await, 1);
        assert_eq!(rows("CBK-5").await, 0, "no callback once they are off");
    }
);

db_test!(
    a_callback_secret_stored_in_clear_still_signs_and_is_sealed,
    no_cache(),
    |app| async move {
        let (url, got) = receiver().await;
        let hasher = &app.state.ppob.kernel.hasher;
        for id in ["OLD1", "OLD2"] {
            let memberid = MemberId::parse(id).unwrap();
            jembatan::ppob::store::upsert_member(
                &app.state.db,
                &NewMember {
                    memberid: &memberid,
                    name: "older version",
                    pass_hash: hasher.hash("old-pass").await,
                    pin_hash: secret::legacy_hash("135790"),
                    credit_limit: Rupiah::new(0),
                    callback_url: Some(&url),
                    callback_secret: Some("clear-old-secret"),
                    updated_at: chrono::Utc::now().to_rfc3339(),
                },
            )
            .await
            .unwrap();
        }
        // First use seals it, and the callback is signed with the same secret.
        callback_verifies(
            &app,
            "memberid=OLD1&memberpass=old-pass&memberpin=135790",
            "OLD-1",
            &got,
            "clear-old-secret",
        )
        .await;
        let (_, stored) = stored_callback(&app, "OLD1").await;
        assert!(stored.as_deref().unwrap().starts_with("x1:"), "{stored:?}");
        // The next start of any process on the database (here an operator's command) seals the rest.
        let (ok, _, stderr) = cli(&app, &["list"]).await;
        assert!(ok, "{stderr}");
        let (_, stored) = stored_callback(&app, "OLD2").await;
        assert!(stored.as_deref().unwrap().starts_with("x1:"), "{stored:?}");
        callback_verifies(
            &app,
            "memberid=OLD2&memberpass=old-pass&memberpin=135790",
            "OLD-2",
            &got,
            "clear-old-secret",
        )
        .await;
    }
);
