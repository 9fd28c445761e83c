//! Documents and e-policies are readable from any replica (documents are kept in the
//! database, e-policies rendered from it), and the links handed out are built from the
//! configured public URL, never from the request's Host header.

use super::*;

/// A tiny valid PDF, unlike any other test's (so its blob is this test's own).
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% replicas\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// What the load balancer in front of the replicas answers to.
const PUBLIC: &str = "https://jembatan.example.test";

fn application(id: &str, nik: &str, sum_insured: i64) -> Value {
    json!({
        "Kode_Cabang_Bank": "015", "ID_Loan": id, "Tenor": 60, "Nama_Nasabah": "REPLIKA",
        "NIK": nik, "Tanggal_Lahir": "1976-01-01", "Nilai_Pertanggungan": sum_insured,
        "Tanggal_Pengajuan": "2024-08-16", "Tanggal_Akad": "2024-08-16", "Usia": 48,
        "Tanggal_Akhir_Asuransi": "2029-08-16", "Produk": "01", "Jenis_Transaksi": "NEW"
    })
}

async fn post(client: &reqwest::Client, replica: &Replica, path: &str, body: Value) -> Value {
    client
        .post(at(replica, path))
        .basic_auth("aap", Some("aap-secret"))
        // A request that names another host: links must not follow it.
        .header("Host", "attacker.example")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_and_an_e_policy_made_on_one_replica_are_read_through_another() {
    let Some((database, _turn)) = database("replicas::documents").await else {
        return;
    };
    let config = format!("public_url = \"{PUBLIC}/\"\n");
    let replicas = spawn_replicas(3, &database.url, &config).await;
    let client = reqwest::Client::new();

    // A document uploaded through replica 1...
    let answer = post(
        &client,
        &replicas[0],
        "/asuransi/A03/akseptasi/pengajuan-cbc",
        application("REPL-DOC-1", "5502020202020001", 800_000_000),
    )
    .await;
    assert_eq!(answer["Status"], "00", "{answer}");
    let code = answer["List_Dokumen_UnderWriting"][0]["Kode_Dokumen"]
        .as_str()
        .unwrap()
        .to_string();
    let form = reqwest::multipart::Form::new()
        .text("ID_Loan", "REPL-DOC-1")
        .text("Kode_Dokumen", code.clone())
        .part(
            "Files",
            reqwest::multipart::Part::bytes(PDF.to_vec())
                .file_name("ktp.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let uploaded: Value = client
        .post(at(&replicas[0], "/asuransi/A03/akseptasi/dokumen"))
        .basic_auth("aap", Some("aap-secret"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(uploaded["Status"], "00", "{uploaded}");
    // ...is read by the panel's staff through replica 3, which never saw it.
    let response = client
        .get(at(
            &replicas[2],
            &format!("/asuransi/A03/admin/loans/REPL-DOC-1/dokumen/akseptasi/{code}"),
        ))
        .basic_auth("uw-A03", Some("uw-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.bytes().await.unwrap(), PDF);
    // It is kept in the database, not in replica 1's data folder.
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let stored: Vec<u8> = sqlx::query_scalar(
        "SELECT b.bytes FROM blobs b JOIN panel_documents d ON d.sha256 = b.sha256 WHERE d.id_loan = 'REPL-DOC-1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, PDF);

    // An e-policy issued by replica 2 (a CAC registration issues the policy at once)...
    let issued = post(
        &client,
        &replicas[1],
        "/asuransi/A03/akseptasi/registrasi",
        application("REPL-POL-1", "5502020202020002", 15_000_000),
    )
    .await;
    assert_eq!(issued["Status"], "00", "{issued}");
    let link = issued["EPolicy"].as_str().unwrap().to_string();
    // The link is the public URL's, whatever Host the request named.
    let path = link
        .strip_prefix(PUBLIC)
        .unwrap_or_else(|| panic!("{link} is not under {PUBLIC}"));
    assert!(path.starts_with("/asuransi/A03/e-policy/"), "{link}");
    assert!(!link.contains("attacker.example"), "{link}");
    // ...reads the same bytes through replica 3 as through replica 2.
    let read = |replica: &Replica| {
        let request = client.get(at(replica, path));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["content-type"], "application/pdf");
            response.bytes().await.unwrap()
        }
    };
    let from_two = read(&replicas[1]).await;
    let from_three = read(&replicas[2]).await;
    assert!(from_three.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&from_three).contains(issued["Policy_No"].as_str().unwrap()));
    assert_eq!(from_two, from_three);
}
