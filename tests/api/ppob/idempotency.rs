//! Repeated trxids and concurrent payments.

use super::*;

db_test!(a_repeated_trxid_returns_the_first_answer, |app| async move {
    let inq = trx(&app, "INQBPJSKES", "8888811336526592", "R1").await;
    assert_eq!(trx(&app, "INQBPJSKES", "8888811336526592", "R1").await, inq);
    let pay = trx(&app, "PAYBPJSKES", "8888811336526592", "R2").await;
    assert_eq!(pay["status"], "Success", "{pay}");
    for _ in 0..3 {
        assert_eq!(
            trx(&app, "PAYBPJSKES", "8888811336526592", "R2").await,
            pay,
            "same answer, same SN"
        );
    }
    // A refusal is an answer too.
    let refused = trx(&app, "PAYGAS", "0110014602", "R3").await;
    assert_eq!(refused["rc"], "63");
    trx(&app, "INQGAS", "0110014602", "R4").await;
    assert_eq!(trx(&app, "PAYGAS", "0110014602", "R3").await, refused);
    // A different request under a used trxid is refused and changes nothing.
    let other = trx(&app, "PAYGAS", "0110014602", "R2").await;
    assert_eq!(
        (other["status"].as_str(), other["rc"].as_str()),
        (Some("Gagal"), Some("94")),
        "{other}"
    );
    let other = trx(&app, "PAYBPJSKES", "8888811336526593", "R2").await;
    assert_eq!(other["rc"], "94", "{other}");
    assert_eq!(
        balance_of(&app, "DEMO01", "123456").await,
        10_000_000 - (300_000 + 2 * 1_234)
    );
    // trxids are per member: another member may use R2.
    let me = member(&app, "OTHER", 1_000_000, 0, None).await;
    let inq = trx_as(&app, &me, "INQGAS", "0110014602", "R2").await;
    assert_eq!(inq["status"], "Success", "{inq}");
    reconciles(&app).await;
});

db_test!(
    two_hundred_concurrent_payments_with_one_trxid_charge_once,
    |app| async move {
        trx(&app, "INQTELKOM25", "0315123456", "C-INQ").await;
        let app = Arc::new(app);
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { trx(&app, "PAYTELKOM25", "0315123456", "C-PAY").await })
            })
            .collect();
        let answers: Vec<Value> = futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(answers[0]["status"], "Success", "{}", answers[0]);
        assert!(
            answers.iter().all(|a| a == &answers[0]),
            "every repeat gets the first answer"
        );
        assert_eq!(
            balance_of(&app, "DEMO01", "123456").await,
            10_000_000 - (385_000 + 1_300)
        );
        let debits: i64 = {
            sqlx::query_scalar("SELECT COUNT(*) FROM ppob_ledger WHERE kind = 'PAY'")
                .fetch_one(&app.state.db)
                .await
                .unwrap()
        };
        assert_eq!(debits, 1);
        reconciles(&app).await;
    }
);

db_test!(
    concurrent_payments_beyond_the_balance_stop_at_the_limit,
    |app| async move {
        let numbers = pdam_bills(&app, 30).await;
        // 100 000 + 20 000 limit pays 10 bills of 11 734 (117 340), not 11 (129 074).
        let me = member(&app, "RACE", 100_000, 20_000, None).await;
        for (i, no) in numbers.iter().enumerate() {
            trx_as(&app, &me, "INQWASBY", no, &format!("I{i}")).await;
        }
        let app = Arc::new(app);
        let tasks: Vec<_> = numbers
            .iter()
            .enumerate()
            .map(|(i, no)| {
                let (app, me, no) = (app.clone(), me.clone(), no.clone());
                tokio::spawn(async move { trx_as(&app, &me, "PAYWASBY", &no, &format!("P{i}")).await })
            })
            .collect();
        let answers: Vec<Value> = futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let paid = answers.iter().filter(|a| a["status"] == "Success").count();
        assert_eq!(paid, 10, "{answers:?}");
        assert!(answers
            .iter()
            .filter(|a| a["status"] != "Success")
            .all(|a| a["rc"] == "51"));
        let balance = balance_of(&app, "RACE", "1111").await;
        assert_eq!(balance, 100_000 - 10 * 11_734);
        assert!(balance >= -20_000);
        let pay_rows: i64 = {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM ppob_ledger l JOIN ppob_members m ON m.id = l.member_id \
                 WHERE m.memberid = 'RACE' AND l.kind = 'PAY'",
            )
            .fetch_one(&app.state.db)
            .await
            .unwrap()
        };
        assert_eq!(pay_rows, 10, "one ledger row per successful payment");
        reconciles(&app).await;
    }
);
