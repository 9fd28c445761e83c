//! Exactly once on both databases, the append-only chained ledger, running totals, the
//! daily statement, and which transactions are called back (issues 14 and 13).

use jembatan::ppob::refund::{self, Authority};

use super::*;

const OPS: Authority<'static> = Authority {
    operator: "ops-ani",
    reason: "biller reversal",
};

/// `jembatan ppob ARGS` on the app's database: (exit code, stdout, stderr).
async fn ppob_cli(app: &TestApp, args: &[&str]) -> (Option<i32>, String, String) {
    let mut command = jembatan_command();
    command.args(["--database", &app.database.url, "ppob"]).args(args);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.state.db).await.unwrap()
}

/// Inquiry then payment of a fresh PDAM bill as `me`: the payment's answer.
async fn inq_pay(app: &TestApp, me: &str, customer: &str, trxid: &str) -> Value {
    let inq = trx_as(app, me, "INQWASBY", customer, &format!("{trxid}-I")).await;
    assert_eq!(inq["status"], "Success", "{inq}");
    trx_as(app, me, "PAYWASBY", customer, trxid).await
}

db_test!(fifty_concurrent_refunds_credit_once, |app| async move {
    let numbers = pdam_bills(&app, 1).await;
    let me = member(&app, "REF50", 100_000, 0, None).await;
    let paid = inq_pay(&app, &me, &numbers[0], "R1").await;
    assert_eq!(paid["status"], "Success", "{paid}");
    let ctx = app.state.ppob.clone();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let ctx = ctx.clone();
            tokio::spawn(async move { refund::refund(&ctx, "REF50", "R1", &OPS).await.is_ok() })
        })
        .collect();
    let won = futures::future::join_all(tasks)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(won, 1, "exactly one refund wins");
    assert_eq!(balance_of(&app, "REF50", "1111").await, 100_000);
    let refunds = count(&app, "SELECT COUNT(*) FROM ppob_ledger WHERE kind = 'REFUND'").await;
    assert_eq!(refunds, 1, "one REFUND row");
    let row: (String, String, i64) = {
        sqlx::query_as("SELECT operator, reason, amount FROM ppob_ledger WHERE kind = 'REFUND'")
            .fetch_one(&app.state.db)
            .await
            .unwrap()
    };
    assert_eq!(row, ("ops-ani".to_string(), "biller reversal".to_string(), 11_734));
    reconciles(&app).await;
});

db_test!(a_bill_changed_since_its_inquiry_is_not_paid, |app| async move {
    let numbers = pdam_bills(&app, 1).await;
    let me = member(&app, "QUOTE", 100_000, 0, None).await;
    let inq = trx_as(&app, &me, "INQWASBY", &numbers[0], "C1").await;
    assert_eq!(inq["data"]["debit"], 11_734, "{inq}");
    // A bill import between the inquiry and the payment changes the amount owed.
    let changed = NewBill {
        product_code: "WASBY".into(),
        customer_no: numbers[0].clone(),
        customer_name: "PELANGGAN".into(),
        periode: "202411".into(),
        nilai_tagihan: Rupiah::new(12_500),
        denda: Rupiah::new(0),
    };
    store::upsert_bills(&app.state.db, &[changed]).await.unwrap();
    let pay = trx_as(&app, &me, "PAYWASBY", &numbers[0], "C2").await;
    assert_eq!(
        (pay["status"].as_str(), pay["rc"].as_str()),
        (Some("Gagal"), Some("63")),
        "{pay}"
    );
    assert!(pay["message"].as_str().unwrap().contains("INQ ulang"), "{pay}");
    assert_eq!(balance_of(&app, "QUOTE", "1111").await, 100_000, "no debit");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM ppob_ledger WHERE kind = 'PAY'").await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM ppob_bills WHERE paid_trx_id IS NOT NULL AND customer_no = '2000001'"
        )
        .await,
        0,
        "the bill stays unpaid"
    );
    // A new inquiry quotes the new amount and the payment settles at it.
    trx_as(&app, &me, "INQWASBY", &numbers[0], "C3").await;
    let pay = trx_as(&app, &me, "PAYWASBY", &numbers[0], "C4").await;
    assert_eq!(pay["status"], "Success", "{pay}");
    assert_eq!(balance_of(&app, "QUOTE", "1111").await, 100_000 - 14_234);
    reconciles(&app).await;
});

db_test!(the_ledger_refuses_update_and_delete, |app| async move {
    let update = sqlx::query("UPDATE ppob_ledger SET amount = amount + 1")
        .execute(&app.state.db)
        .await;
    assert!(update.is_err(), "UPDATE refused");
    let delete = sqlx::query("DELETE FROM ppob_ledger").execute(&app.state.db).await;
    assert!(delete.is_err(), "DELETE refused");
    let rows = count(&app, "SELECT COUNT(*) FROM ppob_ledger").await;
    assert!(rows > 0, "the demo deposit is still there");
    reconciles(&app).await;
});

db_test!(reconcile_names_the_first_broken_row, |app| async move {
    let (code, stdout, _) = ppob_cli(&app, &["reconcile"]).await;
    assert_eq!(code, Some(0), "{stdout}");
    // A row that does not start where the previous one ended, though the sums still agree.
    let bad: i64 = {
        sqlx::query_scalar(
            "INSERT INTO ppob_ledger (member_id, kind, amount, balance_before, balance_after, note, operator, reason, day, created_at) \
             SELECT id, 'DEPOSIT', 0, 5, balance, '', 'intruder', 'forged', '2026-01-01', '2026-01-01T00:00:00+00:00' \
             FROM ppob_members WHERE memberid = 'DEMO01' RETURNING id",
        )
        .fetch_one(&app.state.db)
        .await
        .unwrap()
    };
    let (code, stdout, _) = ppob_cli(&app, &["reconcile"]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("BROKEN member DEMO01: ledger row {bad} ")),
        "{stdout}"
    );
    assert!(!stdout.contains("MISMATCH"), "the sums agree: {stdout}");
});

db_test!(balance_figures_are_running_totals, |app| async move {
    let numbers = pdam_bills(&app, 2).await;
    let me = member(&app, "TOT", 100_000, 0, None).await;
    inq_pay(&app, &me, &numbers[0], "T1").await;
    inq_pay(&app, &me, &numbers[1], "T2").await;
    // A refused payment counts nothing.
    let refused = trx_as(&app, &me, "PAYWASBY", "2999999", "T3").await;
    assert_eq!(refused["status"], "Gagal");
    let (_, body) = get(&app, "/ppob/balance?memberid=TOT&memberpin=1111").await;
    assert_eq!(body["balance"], 100_000 - 2 * 11_734, "{body}");
    assert_eq!(body["trx_count"], 4, "two inquiries and two payments: {body}");
    assert_eq!(body["spent_today"], 2 * 11_734, "{body}");
    assert_eq!(body["commission"], 2 * 1_266, "{body}");
    assert_eq!(body["in_progress"], 0, "{body}");
    refund::refund(&app.state.ppob, "TOT", "T2", &OPS).await.unwrap();
    let (_, body) = get(&app, "/ppob/balance?memberid=TOT&memberpin=1111").await;
    assert_eq!(body["trx_count"], 3, "{body}");
    assert_eq!(body["spent_today"], 11_734, "{body}");
    assert_eq!(body["commission"], 1_266, "{body}");
});

db_test!(
    statement_lists_the_day_with_totals,
    TestOptions {
        // 09:00 in Jakarta on 10 March.
        now: Some("2026-03-10T02:00:00Z".parse().unwrap()),
        ..TestOptions::default()
    },
    |app| async move {
        let numbers = pdam_bills(&app, 1).await;
        let me = member(&app, "STM", 50_000, 0, None).await;
        inq_pay(&app, &me, &numbers[0], "S1").await;
        refund::refund(&app.state.ppob, "STM", "S1", &OPS).await.unwrap();
        let (code, stdout, stderr) =
            ppob_cli(&app, &["statement", "STM", "--date", "2026-03-10", "--format", "json"]).await;
        assert_eq!(code, Some(0), "{stderr}");
        let doc: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(doc["opening_balance"], 0, "{doc}");
        assert_eq!(doc["closing_balance"], 50_000, "{doc}");
        let kinds: Vec<&str> = doc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["DEPOSIT", "PAY", "REFUND"], "{doc}");
        let pay = &doc["rows"][1];
        assert_eq!(
            (
                &pay["trxid"],
                &pay["amount"],
                &pay["balance_before"],
                &pay["balance_after"]
            ),
            (&json!("S1"), &json!(-11_734), &json!(50_000), &json!(50_000 - 11_734)),
            "{doc}"
        );
        assert_eq!(doc["rows"][2]["operator"], "ops-ani");
        assert_eq!(doc["rows"][2]["reason"], "biller reversal");
        assert!(
            doc["rows"][0]["time"]
                .as_str()
                .unwrap()
                .starts_with("2026-03-10T09:00:00+07:00"),
            "{doc}"
        );
        assert_eq!(
            doc["totals"],
            json!({"PAY": -11_734, "REFUND": 11_734, "DEPOSIT": 50_000, "HOLD": 0, "RELEASE": 0})
        );
        let (_, csv, _) = ppob_cli(&app, &["statement", "STM", "--date", "2026-03-10"]).await;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "time,trxid,kind,amount,balance_before,balance_after,operator,reason"
        );
        assert_eq!(lines.len(), 1 + 3 + 5, "{csv}");
        assert!(lines[2].contains(",S1,PAY,-11734,50000,38266,ppob:STM,"), "{csv}");
        assert_eq!(lines[4], ",,TOTAL_PAY,-11734,,,,");
        assert_eq!(lines[8], ",,TOTAL_RELEASE,0,,,,");
        // Another day is empty and opens where this one closed.
        let (_, stdout, _) = ppob_cli(&app, &["statement", "STM", "--date", "2026-03-11", "--format", "json"]).await;
        let next: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            (&next["opening_balance"], &next["closing_balance"]),
            (&json!(50_000), &json!(50_000))
        );
        let (code, _, _) = ppob_cli(&app, &["statement", "NOBODY", "--date", "2026-03-10"]).await;
        assert_ne!(code, Some(0), "an unknown member is an error");
    }
);

db_test!(deposit_and_refund_name_their_operator, |app| async move {
    let (code, _, stderr) = ppob_cli(&app, &["deposit", "DEMO01", "1000"]).await;
    assert_eq!(code, Some(2), "--operator and --reason are required: {stderr}");
    let (code, _, stderr) = ppob_cli(
        &app,
        &["deposit", "DEMO01", "1000", "--operator", "budi", "--reason", ""],
    )
    .await;
    assert_ne!(code, Some(0), "an empty reason is refused: {stderr}");
    let (code, stdout, stderr) = ppob_cli(
        &app,
        &[
            "deposit",
            "DEMO01",
            "1000",
            "--operator",
            "budi",
            "--reason",
            "transfer BCA 123",
        ],
    )
    .await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let row: (String, String, i64) = {
        sqlx::query_as("SELECT operator, reason, amount FROM ppob_ledger ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.state.db)
            .await
            .unwrap()
    };
    assert_eq!(row, ("budi".to_string(), "transfer BCA 123".to_string(), 1000));
    let (code, _, stderr) = ppob_cli(&app, &["refund", "DEMO01", "NOPE"]).await;
    assert_eq!(code, Some(2), "{stderr}");
});

db_test!(only_accepted_payments_and_refunds_are_called_back, |app| async move {
    let (url, delivered) = counting_receiver().await;
    let numbers = pdam_bills(&app, 2).await;
    let me = member(&app, "CBK", 11_734, 0, Some((url, "k".to_string()))).await;
    trx_as(&app, &me, "INQWASBY", &numbers[0], "N1").await;
    trx_as(&app, &me, "PAYWASBY", &numbers[1], "N2").await; // no inquiry: refused
    trx_as(&app, &me, "INQNOPE", &numbers[0], "N3").await; // unknown product: refused
    let paid = trx_as(&app, &me, "PAYWASBY", &numbers[0], "N4").await;
    assert_eq!(paid["status"], "Success", "{paid}");
    trx_as(&app, &me, "INQWASBY", &numbers[1], "N5").await;
    let low = trx_as(&app, &me, "PAYWASBY", &numbers[1], "N6").await; // balance 0: refused
    assert_eq!(low["rc"], "51", "{low}");
    refund::refund(&app.state.ppob, "CBK", "N4", &OPS).await.unwrap();
    let keys: Vec<String> = {
        sqlx::query_scalar("SELECT ordering_key FROM outbox WHERE family = 'ppob' ORDER BY id")
            .fetch_all(&app.state.db)
            .await
            .unwrap()
    };
    assert_eq!(keys.len(), 2, "the payment and its refund only: {keys:?}");
    assert!(keys.iter().all(|k| k.ends_with(":N4")), "{keys:?}");
    for _ in 0..200 {
        if delivered.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let got = delivered.lock().unwrap().clone();
    let rcs: Vec<String> = got
        .iter()
        .map(|body| {
            let outer: Value = serde_json::from_slice(body).unwrap();
            let inner: Value = serde_json::from_str(outer["message"].as_str().unwrap()).unwrap();
            inner["rc"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(rcs, ["00", "RF"], "the payment, then its refund");
});

/// A callback receiver keeping every body.
async fn counting_receiver() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let got: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let shared = got.clone();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |body: axum::body::Bytes| {
            let shared = shared.clone();
            async move {
                shared.lock().unwrap().push(body.to_vec());
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/cb"), got)
}
