//! Reconcile and import through the binary.

use super::*;

db_test!(reconcile_and_import_through_the_binary, |app| async move {
    let csv = "product_code,customer_no,customer_name,periode,nilai_tagihan,denda\n\
               WASBY,3000001,ANI,202411,50000,1000\n\
               WASBY,3000001,ANI,202412,52000,\n\
               WASBY,12,SHORT,202411,1000,0\n\
               NOPE,3000002,X,202411,1000,0\n\
               WASBY,3000003,BAD,202413,1000,0\n";
    let file = temp_file("csv", csv);
    let output = jembatan_command()
        .args(["--database", &app.database.url, "import", "bills"])
        .arg(&*file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("bills: 2 imported, 3 rejected"), "{stdout}");
    let inq = trx(&app, "INQWASBY", "3000001", "IMP-1").await;
    assert_eq!(inq["data"]["total"], 50_000 + 52_000 + 1_000 + 2 * 3_000, "{inq}");
    let paid = trx(&app, "PAYWASBY", "3000001", "IMP-2").await;
    assert_eq!(paid["status"], "Success", "{paid}");
    let before = balance_of(&app, "DEMO01", "123456").await;

    // An operator refund: the debit comes back as a ledger row, the bill is unpaid again,
    // and a repeat of the trxid reports the refund.
    let refund = jembatan_command()
        .args(["--database", &app.database.url, "ppob", "refund", "DEMO01", "IMP-2"])
        .args(["--operator", "ops", "--reason", "biller reversal"])
        .output()
        .unwrap();
    assert!(refund.status.success(), "{}", String::from_utf8_lossy(&refund.stderr));
    let debit = paid["data"]["debit"].as_i64().unwrap();
    assert_eq!(balance_of(&app, "DEMO01", "123456").await, before + debit);
    let repeat = trx(&app, "PAYWASBY", "3000001", "IMP-2").await;
    assert_eq!(
        (repeat["status"].as_str(), repeat["rc"].as_str()),
        (Some("Gagal"), Some("RF")),
        "{repeat}"
    );
    let inq = trx(&app, "INQWASBY", "3000001", "IMP-3").await;
    assert_eq!(inq["status"], "Success", "{inq}");
    let again = jembatan_command()
        .args(["--database", &app.database.url, "ppob", "refund", "DEMO01", "IMP-2"])
        .args(["--operator", "ops", "--reason", "biller reversal"])
        .output()
        .unwrap();
    assert!(!again.status.success(), "a refund happens once");

    let reconcile = || {
        jembatan_command()
            .args(["--database", &app.database.url, "ppob", "reconcile"])
            .output()
            .unwrap()
    };
    let ok = reconcile();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    // A balance changed behind the ledger's back is caught.
    {
        sqlx::query("UPDATE ppob_members SET balance = balance + 1 WHERE memberid = 'DEMO01'")
            .execute(&app.state.db)
            .await
            .unwrap();
    };
    let bad = reconcile();
    assert_eq!(bad.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert!(stdout.contains("MISMATCH member DEMO01"), "{stdout}");
});
