//! Issue 15 at the broker: guarded case transitions, and a TOPUP's old case ended with
//! the refund the panel computed.

use super::*;

pair_test!(racing_decisions_on_one_case_apply_once, |broker, panel| async move {
    let _ = &panel;
    let ids: Vec<String> = (0..4).map(|n| format!("RACE{n}")).collect();
    for (n, id) in ids.iter().enumerate() {
        let mut request = application(id, &format!("99{n}"), 1_200_000_000, "2024-10-15");
        request["Asuransi"] = json!("A03");
        let (_, answer) = bank(&broker, "akseptasi/pengajuan-cbc", request).await;
        ok(&answer);
    }
    // Each case gets an approval and a refusal at the same time.
    let broker_ref = &broker;
    let mut racing = Vec::new();
    for id in &ids {
        for decision in ["DISETUJUI", "DITOLAK"] {
            let body = json!({"ID_Loan": id, "Extra_Premi": "100000", "Status": decision,
                "Keterangan": decision, "Asuransi": "A03"});
            racing.push(async move {
                (
                    id.clone(),
                    callback(broker_ref, "panel-A03", "post-status-pertanggung-cbc", body).await,
                )
            });
        }
    }
    let answers = futures::future::join_all(racing).await;
    for id in &ids {
        let of_case: Vec<&Value> = answers.iter().filter(|(i, _)| i == id).map(|(_, (_, a))| a).collect();
        let applied = of_case.iter().filter(|a| a["Status"] == "00").count();
        assert_eq!(applied, 1, "{id}: {of_case:?}");
        let case = kasus(&broker, id).await;
        let decisions = case["Riwayat"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["Peristiwa"] == "post-status-pertanggung-cbc")
            .count();
        assert_eq!(decisions, 1, "{case}");
        assert!(
            matches!(case["Status_Kasus"].as_str(), Some("DISETUJUI" | "DITOLAK")),
            "{case}"
        );
    }
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM broker_history WHERE event = 'post-status-pertanggung-cbc'")
            .fetch_one(broker.state.db.pool())
            .await
            .unwrap();
    assert_eq!(stored, ids.len() as i64);
});

pair_test!(a_topup_ends_the_old_case_with_its_refund, |broker, panel| async move {
    let _ = &panel;
    let mut old = application("TOLD1", "4242", 400_000_000, "2024-08-16");
    old["Asuransi"] = json!("A03");
    let (_, first) = bank(&broker, "akseptasi/registrasi", old).await;
    ok(&first);
    let mut topup = application("TNEW1", "4242", 500_000_000, "2024-08-16");
    topup["Asuransi"] = json!("A03");
    topup["Jenis_Transaksi"] = json!("TOPUP");
    topup["Ref_ID_Loan"] = json!("TOLD1");
    let (_, answer) = bank(&broker, "akseptasi/registrasi", topup).await;
    ok(&answer);
    assert_eq!(answer["Ref_Policy_No"], first["Policy_No"]);
    let refund = answer["Nilai_Refund_Ref"].as_i64().unwrap();
    assert!(refund > 0, "{answer}");
    let case = case_reaches(&broker, "TOLD1", "BATAL").await;
    assert_eq!(case["Nilai_Refund"], refund, "{case}");
    assert_eq!(case["Status_Pembatalan"], "DISETUJUI");
    let new_case = kasus(&broker, "TNEW1").await;
    assert_eq!(new_case["Status_Kasus"], "INFORCE");
    assert_eq!(new_case["Nilai_Pertanggungan"], 500_000_000);
});
