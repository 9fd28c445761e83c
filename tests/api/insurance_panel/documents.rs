//! A loan's documents read back by the panel's staff
//! (`GET /asuransi/{panel}/admin/loans/{id}/dokumen/{lingkup}/{kode}`), from the database,
//! or from the disk for a document recorded before documents were kept in the database.

use super::*;

/// Opens a case-by-case application `id` and uploads its first required document; returns
/// that document's code.
async fn cbc_with_one_document(app: &TestApp, id: &str) -> String {
    let (_, answer) = post(
        app,
        "/asuransi/A03/akseptasi/pengajuan-cbc",
        application(id, "5501010101010001", 800_000_000),
    )
    .await;
    ok(&answer);
    let code = answer["List_Dokumen_UnderWriting"][0]["Kode_Dokumen"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, body) = upload(
        app,
        "/asuransi/A03/akseptasi/dokumen",
        &[("ID_Loan", id), ("Kode_Dokumen", &code)],
        PDF.to_vec(),
    )
    .await;
    ok(&body);
    code
}

async fn fetch(app: &TestApp, path: &str, user: Option<(&str, &str)>) -> reqwest::Response {
    let mut request = app.client.get(app.at(path));
    if let Some((user, pass)) = user {
        request = request.basic_auth(user, Some(pass));
    }
    request.send().await.unwrap()
}

db_test!(
    a_document_is_read_back_by_its_panels_staff_only,
    on(2024, 11, 28),
    |app| async move {
        let code = cbc_with_one_document(&app, "DOC1").await;
        let path = format!("/asuransi/A03/admin/loans/DOC1/dokumen/akseptasi/{code}");
        let staff = Some(("uw-A03", "uw-secret"));
        let response = fetch(&app, &path, staff).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
        assert_eq!(disposition, "attachment; filename=\"dokumen.pdf\"");
        assert_eq!(response.bytes().await.unwrap(), PDF);

        // No credential, the broker's credential (another realm), a wrong password: 401.
        for user in [None, Some((USER, PASS)), Some(("uw-A03", "wrong"))] {
            let response = fetch(&app, &path, user).await;
            assert_eq!(response.status(), 401, "{user:?}");
            let body: Value = response.json().await.unwrap();
            refused(&body, "Invalid Username or Password");
        }
        // Another panel's staff: 403.
        let response = fetch(&app, &path, Some(("uw-B02", "uw-secret"))).await;
        assert_eq!(response.status(), 403);
        // Unknown loan, scope, code or panel: 404 in the spec's envelope.
        for missing in [
            format!("/asuransi/A03/admin/loans/NOPE/dokumen/akseptasi/{code}"),
            format!("/asuransi/A03/admin/loans/DOC1/dokumen/klaim/{code}"),
            "/asuransi/A03/admin/loans/DOC1/dokumen/akseptasi/X-0000".to_string(),
            format!("/asuransi/Z99/admin/loans/DOC1/dokumen/akseptasi/{code}"),
        ] {
            let response = fetch(&app, &missing, staff).await;
            assert_eq!(response.status(), 404, "{missing}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["Status"], "01", "{body}");
        }
    }
);

db_test!(
    a_document_recorded_before_blobs_is_read_from_its_file,
    on(2024, 11, 28),
    |app| async move {
        let code = cbc_with_one_document(&app, "DOC2").await;
        // What an older server recorded: a path under its data directory, no blob.
        let old = b"%PDF-1.4\nan older upload\n%%EOF\n".to_vec();
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&old))
        };
        let file = app.state.config.data_dir.join(format!("{sha}.pdf"));
        std::fs::write(&file, &old).unwrap();
        sqlx::query("UPDATE panel_documents SET sha256 = $1, path = $2 WHERE id_loan = 'DOC2'")
            .bind(&sha)
            .bind(file.to_string_lossy().into_owned())
            .execute(&app.state.db)
            .await
            .unwrap();
        let path = format!("/asuransi/A03/admin/loans/DOC2/dokumen/akseptasi/{code}");
        let response = fetch(&app, &path, Some(("uw-A03", "uw-secret"))).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap(), old);
        // A file that no longer holds the recorded content is not served as that document.
        std::fs::write(&file, b"%PDF-1.4\nsomething else\n%%EOF\n").unwrap();
        let response = fetch(&app, &path, Some(("uw-A03", "uw-secret"))).await;
        assert_eq!(response.status(), 404);
        std::fs::remove_file(&file).unwrap();
        let response = fetch(&app, &path, Some(("uw-A03", "uw-secret"))).await;
        assert_eq!(response.status(), 404);
    }
);
