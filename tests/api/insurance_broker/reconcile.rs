//! Issue 15: a panel's monthly statement (`jembatan insurance statement`) reconciled by the
//! broker (`jembatan insurance reconcile`), two servers with differences of each kind planted.

use super::*;

async fn exec(pool: &sqlx::AnyPool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap();
}

fn cli(database: &str, args: &[&str]) -> std::process::Output {
    jembatan_command()
        .args(["--database", database, "insurance"])
        .args(args)
        .output()
        .unwrap()
}

pair_test!(
    a_statement_reconciles_with_every_difference_named,
    |broker, panel| async move {
        for (n, id) in ["R1", "R2", "R3", "R4", "R5", "R6"].iter().enumerate() {
            let mut request = application(id, &format!("77{n}"), 15_000_000 + n as i64 * 1_000_000, "2024-11-01");
            request["Asuransi"] = json!("A03");
            let (_, body) = bank(&broker, "akseptasi/registrasi", request).await;
            ok(&body);
        }
        let (b, p) = (broker.state.db.pool(), panel.state.db.pool());
        // R1: the broker does not know the policy.
        exec(b, "DELETE FROM broker_cases WHERE id_loan = 'R1'").await;
        // R2: the states differ.
        exec(b, "UPDATE broker_cases SET status = 'BATAL' WHERE id_loan = 'R2'").await;
        // R3: the premiums differ.
        exec(b, "UPDATE broker_cases SET premi = premi + 1 WHERE id_loan = 'R3'").await;
        // R4: both cancelled, the refunds differ.
        exec(
            p,
            "UPDATE panel_loans SET state = 'BATAL', refund = 5000 WHERE id_loan = 'R4'",
        )
        .await;
        exec(
            b,
            "UPDATE broker_cases SET status = 'BATAL', refund = 4000 WHERE id_loan = 'R4'",
        )
        .await;
        // R5: the panel paid a claim the broker never recorded.
        exec(p, "UPDATE panel_loans SET state = 'DIBAYAR' WHERE id_loan = 'R5'").await;
        exec(
            p,
            "INSERT INTO panel_claims (panel_code, id_loan, no_polis, jenis_klaim, sebab_klaim, tanggal_pengajuan, \
             tanggal_kejadian, estimasi, deskripsi, status, tenggat, request, created_at, updated_at, nilai_dibayar) \
             SELECT panel_code, id_loan, policy_no, 'Meninggal_Dunia', 'sakit', '2024-11-20', '2024-11-19', 1000, '', \
             'DIBAYAR', '2025-01-01', '{}', '2024-11-28T03:00:00+00:00', '2024-11-28T03:00:00+00:00', 1000 \
             FROM panel_loans WHERE id_loan = 'R5'",
        )
        .await;
        exec(b, "UPDATE broker_cases SET status = 'DIBAYAR' WHERE id_loan = 'R5'").await;
        // R6 agrees.
        let file = temp_file("json", "");
        let path = file.to_string_lossy().to_string();
        let out = cli(
            &panel.database.url,
            &[
                "statement",
                "--panel",
                "A03",
                "--month",
                "2024-11",
                "--format",
                "json",
                "--output",
                &path,
            ],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let rows: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 6, "{rows}");
        assert_eq!(rows[4]["Nilai_Klaim_Dibayar"], 1000);
        assert_eq!(rows[0]["Tanggal_Terbit"], "2024-11-28");
        let out = cli(&broker.database.url, &["reconcile", &path]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 5, "{stdout}");
        assert!(
            lines[0].starts_with("ID_Loan R1: Policy_No") && lines[0].contains("tidak dikenal pialang"),
            "{stdout}"
        );
        assert_eq!(lines[1], "ID_Loan R2: Status panel INFORCE, pialang BATAL");
        assert!(lines[2].starts_with("ID_Loan R3: Premi panel "), "{stdout}");
        assert_eq!(lines[3], "ID_Loan R4: Nilai_Refund panel 5000, pialang 4000");
        assert_eq!(
            lines[4],
            "ID_Loan R5: Nilai_Klaim_Dibayar panel 1000, pialang 0 (klaim dibayar tidak tercatat)"
        );
        // The CSV form on stdout reconciles the same; another month has nothing to say.
        let out = cli(
            &panel.database.url,
            &["statement", "--panel", "A03", "--month", "2024-11"],
        );
        assert!(out.status.success());
        let csv_file = temp_file("csv", &String::from_utf8_lossy(&out.stdout));
        let again = cli(&broker.database.url, &["reconcile", &csv_file.to_string_lossy()]);
        assert_eq!(String::from_utf8_lossy(&again.stdout), stdout);
        let out = cli(
            &panel.database.url,
            &["statement", "--panel", "A03", "--month", "2024-12", "--format", "json"],
        );
        let empty: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(empty, json!([]));
        let empty_file = temp_file("json", "[]");
        let out = cli(&broker.database.url, &["reconcile", &empty_file.to_string_lossy()]);
        assert_eq!(out.status.code(), Some(0));
    }
);
