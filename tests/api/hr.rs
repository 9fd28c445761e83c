//! HR BPJS memberships (specs/hr-bpjs-memberships.txt) over HTTP: OAuth2, tenants, rate
//! limit, employees, reference data, versioned memberships and contributions.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{jembatan_command, temp_file, TestApp, TestOptions};
use crate::db_test;

const HIGH: &str = "6f1c0000-0000-4000-8000-000000000031";
const MINIMUM: &str = "6f1c0000-0000-4000-8000-000000000032";
const FAMILY: &str = "6f1c0000-0000-4000-8000-000000000033";
const HC_PROVIDER: &str = "6f1c0000-0000-4000-8000-000000000001";
const MP_PROVIDER: &str = "6f1c0000-0000-4000-8000-000000000002";
const HC_TEMPLATE: &str = "6f1c0000-0000-4000-8000-000000000011";
const MP_TEMPLATE: &str = "6f1c0000-0000-4000-8000-000000000012";

async fn token_for(app: &TestApp, id: &str, secret: &str) -> String {
    let response = app
        .client
        .post(app.at("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

async fn token(app: &TestApp) -> String {
    token_for(app, "demo-client", "demo-secret").await
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    tenant: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .client
        .request(method, app.at(path))
        .bearer_auth(token)
        .header("Tenant", tenant);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    call(app, Method::GET, path, token, "demo", None).await
}

/// Asserts the HR error form `{code, message, status, timestamp}`.
fn error(body: &Value, status: u16, code: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["timestamp"].as_str().is_some_and(|t| t.contains('T')), "{body}");
}

fn line<'a>(body: &'a Value, programme: &str) -> &'a Value {
    body["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["programme"] == programme)
        .unwrap_or_else(|| panic!("{programme} in {body}"))
}

fn has_line(body: &Value, programme: &str) -> bool {
    body["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["programme"] == programme)
}

fn amounts(body: &Value, programme: &str) -> (i64, i64, i64) {
    let l = line(body, programme);
    (
        l["base"].as_i64().unwrap(),
        l["employerAmount"].as_i64().unwrap(),
        l["employeeAmount"].as_i64().unwrap(),
    )
}

/// `base × bp / 10000` rounded half up, as the server's stated rule says.
fn half_up(base: i64, bp: i64) -> i64 {
    (base * bp + 5_000) / 10_000
}

fn employee_body(number: &str, name: &str) -> Value {
    json!({"employeeNumber": number, "name": name, "nik": "3171010101900001", "birthDate": "1990-01-01",
           "joinDate": "2015-06-01", "salary": "9000000", "status": "ACTIVE"})
}

db_test!(token_endpoint_accepts_form_json_and_basic, |app| async move {
    let form: Value = app
        .client
        .post(app.at("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(form["token_type"], "bearer");
    assert_eq!(form["expires_in"], 3600);
    assert_eq!(form["tenant"], "demo");
    assert!(form["access_token"].as_str().unwrap().len() >= 32);

    let response = app
        .client
        .post(app.at("/oauth/token"))
        .json(&json!({"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let response = app
        .client
        .post(app.at("/oauth/token"))
        .basic_auth("demo-client", Some("demo-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let basic: Value = response.json().await.unwrap();
    let (status, _) = get(&app, "/core/v1/employees", basic["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);

    // The secret is stored hashed, never in clear.
    let stored: String = match &app.state.db {
        jembatan::kernel::db::Db::Sqlite(pool) => {
            sqlx::query_scalar("SELECT secret_hash FROM hr_clients WHERE client_id = 'demo-client'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
        jembatan::kernel::db::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT secret_hash FROM hr_clients WHERE client_id = 'demo-client'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    assert!(!stored.contains("demo-secret") && stored.starts_with("sha256$"));
});

db_test!(token_endpoint_errors_are_in_the_hr_form, |app| async move {
    let wrong = app
        .client
        .post(app.at("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    error(&wrong.json().await.unwrap(), 401, "UNAUTHORIZED");

    let unknown = app
        .client
        .post(app.at("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "ghost"),
            ("client_secret", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);

    let no_grant = app
        .client
        .post(app.at("/oauth/token"))
        .form(&[("client_id", "demo-client")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_grant.status(), 400);
    let body: Value = no_grant.json().await.unwrap();
    error(&body, 400, "BAD_REQUEST");
    assert!(body["message"].as_str().unwrap().starts_with("grant_type"), "{body}");

    let password = app
        .client
        .post(app.at("/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(password.status(), 400);

    let bad_json = app
        .client
        .post(app.at("/oauth/token"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_json.status(), 400);
    error(&bad_json.json().await.unwrap(), 400, "BAD_REQUEST");

    let missing = app.client.get(app.at("/oauth/nowhere")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    error(&missing.json().await.unwrap(), 404, "NOT_FOUND");
});

db_test!(core_calls_need_a_live_token_and_the_right_tenant, |app| async move {
    let none = app
        .client
        .get(app.at("/core/v1/employees"))
        .header("Tenant", "demo")
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    error(&none.json().await.unwrap(), 401, "UNAUTHORIZED");

    let (status, body) = get(&app, "/core/v1/employees", "not-a-token").await;
    assert_eq!(status, 401);
    error(&body, 401, "UNAUTHORIZED");

    let token = token(&app).await;
    let no_tenant = app
        .client
        .get(app.at("/core/v1/employees"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(no_tenant.status(), 400);
    let body: Value = no_tenant.json().await.unwrap();
    error(&body, 400, "BAD_REQUEST");
    assert!(body["message"].as_str().unwrap().starts_with("Tenant"));

    let (status, body) = call(&app, Method::GET, "/core/v1/employees", &token, "acme", None).await;
    assert_eq!(status, 403);
    error(&body, 403, "FORBIDDEN");

    let (status, body) = get(&app, "/core/v1/no-such-thing", &token).await;
    assert_eq!(status, 404);
    error(&body, 404, "NOT_FOUND");

    let (status, body) = call(&app, Method::DELETE, "/core/v1/employees", &token, "demo", None).await;
    assert_eq!(status, 405);
    error(&body, 405, "METHOD_NOT_ALLOWED");
});

db_test!(
    expired_tokens_are_refused,
    TestOptions {
        configure: Box::new(|c| c.hr.token_ttl_secs = 0),
        ..TestOptions::default()
    },
    |app| async move {
        let token = token(&app).await;
        let (status, body) = get(&app, "/core/v1/employees", &token).await;
        assert_eq!(status, 401);
        error(&body, 401, "UNAUTHORIZED");
    }
);

db_test!(
    over_the_rate_limit_answers_429_with_retry_after,
    TestOptions {
        configure: Box::new(|c| c.hr.rate_limit_per_minute = 4),
        ..TestOptions::default()
    },
    |app| async move {
        // The token request counts too: 1 + 3 calls fill the minute's 4.
        let token = token(&app).await;
        for _ in 0..3 {
            let (status, _) = get(&app, "/core/v1/employees", &token).await;
            assert_eq!(status, 200);
        }
        let response = app
            .client
            .get(app.at("/core/v1/employees"))
            .bearer_auth(&token)
            .header("Tenant", "demo")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 429);
        let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        error(&response.json().await.unwrap(), 429, "TOO_MANY_REQUESTS");

        // Another client has its own budget.
        let store_now = chrono::Utc::now().to_rfc3339();
        jembatan::hr::store::upsert_client(&app.state.db, "second", "second-secret", "demo", &store_now)
            .await
            .unwrap();
        let other = token_for(&app, "second", "second-secret").await;
        let (status, _) = get(&app, "/core/v1/employees", &other).await;
        assert_eq!(status, 200);
    }
);

db_test!(a_client_never_sees_another_tenants_data, |app| async move {
    let now = chrono::Utc::now().to_rfc3339();
    jembatan::hr::store::upsert_client(&app.state.db, "acme-client", "acme-secret", "acme", &now)
        .await
        .unwrap();
    let acme = token_for(&app, "acme-client", "acme-secret").await;
    let demo = token(&app).await;
    let as_acme = |method: Method, path: String, body: Option<Value>| {
        let app = &app;
        let acme = acme.clone();
        async move { call(app, method, &path, &acme, "acme", body).await }
    };

    // Acme's token cannot be used for the demo tenant...
    let (status, _) = call(&app, Method::GET, "/core/v1/employees", &acme, "demo", None).await;
    assert_eq!(status, 403);
    // ...and within its own tenant it sees none of demo's rows.
    let (status, page) = as_acme(Method::GET, "/core/v1/employees".into(), None).await;
    assert_eq!(status, 200);
    assert_eq!(page["totalElements"], 0);
    let (status, _) = as_acme(Method::GET, format!("/core/v1/employees/{HIGH}"), None).await;
    assert_eq!(status, 404);
    let (status, _) = as_acme(
        Method::GET,
        format!("/core/v1/employees/{HIGH}/bpjs-healthcare-memberships"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = as_acme(
        Method::GET,
        format!("/core/v1/employees/{HIGH}/bpjs-manpower-memberships/history"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = as_acme(
        Method::GET,
        format!("/core/v1/employees/{HIGH}/bpjs-contributions?period=2025-04"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = as_acme(
        Method::GET,
        format!("/core/v1/bpjs-healthcare-providers/{HC_PROVIDER}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, providers) = as_acme(Method::GET, "/core/v1/bpjs-manpower-templates".into(), None).await;
    assert_eq!(providers["totalElements"], 0);
    let (status, summary) = as_acme(
        Method::GET,
        "/core/v1/bpjs-contributions/summary?period=2025-04".into(),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(summary["employeeCount"], 0);
    let (status, _) = as_acme(
        Method::DELETE,
        format!("/core/v1/bpjs-healthcare-templates/{HC_TEMPLATE}"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Acme's own employee cannot reference demo's provider and template.
    let (status, created) = as_acme(
        Method::POST,
        "/core/v1/employees".into(),
        Some(employee_body("A-1", "Acme One")),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    let (status, body) = as_acme(
        Method::PUT,
        format!("/core/v1/employees/{id}/bpjs-healthcare-memberships"),
        Some(
            json!({"bpjsHealthcareProviderId": HC_PROVIDER, "bpjsHealthcareTemplateId": HC_TEMPLATE,
                    "membershipNumber": "0001234567899", "startDate": "2025-01-01"}),
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("bpjsHealthcareProviderId"),
        "{body}"
    );
    // And demo cannot see acme's employee.
    let (status, _) = get(&app, &format!("/core/v1/employees/{id}"), &demo).await;
    assert_eq!(status, 404);
    // Demo still has its own.
    let (_, page) = get(&app, "/core/v1/employees", &demo).await;
    assert_eq!(page["totalElements"], 3);
});

db_test!(employees_create_read_update_list_and_search, |app| async move {
    let token = token(&app).await;
    let (status, created) = call(
        &app,
        Method::POST,
        "/core/v1/employees",
        &token,
        "demo",
        Some(employee_body("EMP-100", "Bambang Pamungkas")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["salary"], 9_000_000, "numeric strings are accepted");
    let id = created["id"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok());

    let (status, read) = get(&app, &format!("/core/v1/employees/{id}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(read, created);

    let mut update = employee_body("EMP-100", "Bambang Pamungkas");
    update["status"] = json!("INACTIVE");
    update["salary"] = json!(9_500_000);
    let (status, updated) = call(
        &app,
        Method::PUT,
        &format!("/core/v1/employees/{id}"),
        &token,
        "demo",
        Some(update),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(updated["status"], "INACTIVE");
    assert_eq!(updated["salary"], 9_500_000);

    let (status, page) = get(&app, "/core/v1/employees?page=0&size=2", &token).await;
    assert_eq!(status, 200);
    assert_eq!(page["number"], 0);
    assert_eq!(page["size"], 2);
    assert_eq!(page["numberOfElements"], 2);
    assert_eq!(page["totalElements"], 4);
    assert_eq!(page["totalPages"], 2);
    assert_eq!(page["first"], true);
    assert_eq!(page["last"], false);
    assert_eq!(page["sort"]["unsorted"], true);
    let (_, second) = get(&app, "/core/v1/employees?page=1&size=2", &token).await;
    assert_eq!(second["numberOfElements"], 2);
    assert_eq!(second["last"], true);

    let (_, by_name) = get(&app, "/core/v1/employees?query=name:budi", &token).await;
    assert_eq!(by_name["totalElements"], 1);
    assert_eq!(by_name["content"][0]["employeeNumber"], "EMP-001");
    let (_, by_number) = get(&app, "/core/v1/employees?query=employeeNumber:EMP-003", &token).await;
    assert_eq!(by_number["content"][0]["name"], "Agus Wijaya");
    let (_, by_status) = get(&app, "/core/v1/employees?query=status:INACTIVE", &token).await;
    assert_eq!(by_status["totalElements"], 1);
    assert_eq!(by_status["content"][0]["id"], id.as_str());
    let (_, and) = get(&app, "/core/v1/employees?query=status:ACTIVE,salary%3E10000000", &token).await;
    assert_eq!(and["totalElements"], 1);
    let (_, or) = get(
        &app,
        "/core/v1/employees?query=employeeNumber:EMP-001;employeeNumber:EMP-002",
        &token,
    )
    .await;
    assert_eq!(or["totalElements"], 2);
    let (_, sorted) = get(&app, "/core/v1/employees?sort=salary,desc", &token).await;
    assert_eq!(sorted["content"][0]["employeeNumber"], "EMP-001");
    assert_eq!(sorted["sort"]["sorted"], true);

    for (path, field) in [
        ("/core/v1/employees?size=51", "size"),
        ("/core/v1/employees?size=0", "size"),
        ("/core/v1/employees?page=-1", "page"),
        ("/core/v1/employees?query=colour:blue", "query"),
        ("/core/v1/employees?query=salary%3Elots", "query"),
        ("/core/v1/employees?sort=nik,asc", "sort"),
    ] {
        let (status, body) = get(&app, path, &token).await;
        assert_eq!(status, 400, "{path}");
        error(&body, 400, "BAD_REQUEST");
        assert!(body["message"].as_str().unwrap().starts_with(field), "{path}: {body}");
    }
    let (status, _) = get(&app, "/core/v1/employees?page=x", &token).await;
    assert_eq!(status, 400);
});

db_test!(employee_validation_names_the_field, |app| async move {
    let token = token(&app).await;
    let cases = [
        ("employeeNumber", json!({"employeeNumber": null})),
        ("name", json!({"name": " "})),
        ("nik", json!({"nik": "12345"})),
        ("birthDate", json!({"birthDate": "1990-02-30"})),
        ("joinDate", json!({"joinDate": "1980-01-01"})),
        ("salary", json!({"salary": null})),
        ("salary", json!({"salary": -1})),
        ("status", json!({"status": "RETIRED"})),
    ];
    for (field, change) in cases {
        let mut body = employee_body("EMP-200", "Test");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, answer) = call(&app, Method::POST, "/core/v1/employees", &token, "demo", Some(body)).await;
        assert_eq!(status, 400, "{field}");
        error(&answer, 400, "BAD_REQUEST");
        assert!(
            answer["message"].as_str().unwrap().starts_with(field),
            "{field}: {answer}"
        );
    }
    let mut bad = employee_body("EMP-200", "Test");
    bad["salary"] = json!("banyak");
    let (status, answer) = call(&app, Method::POST, "/core/v1/employees", &token, "demo", Some(bad)).await;
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().contains("salary"), "{answer}");

    let (status, answer) = call(
        &app,
        Method::POST,
        "/core/v1/employees",
        &token,
        "demo",
        Some(employee_body("EMP-001", "Dup")),
    )
    .await;
    assert_eq!(status, 409);
    error(&answer, 409, "CONFLICT");

    let (status, answer) = get(&app, "/core/v1/employees/00000000-0000-0000-0000-000000000000", &token).await;
    assert_eq!(status, 404);
    error(&answer, 404, "NOT_FOUND");
    let (status, _) = call(
        &app,
        Method::PUT,
        "/core/v1/employees/nope",
        &token,
        "demo",
        Some(employee_body("X", "Y")),
    )
    .await;
    assert_eq!(status, 404);
});

db_test!(providers_templates_and_classes_have_crud_and_lists, |app| async move {
    let token = token(&app).await;
    for programme in ["healthcare", "manpower"] {
        let base = format!("/core/v1/bpjs-{programme}-providers");
        let (status, created) = call(&app, Method::POST, &base, &token, "demo",
            Some(json!({"code": "SBY01", "name": "Cabang Surabaya", "address": "Jl. Pemuda 1", "registrationNumber": "777",
                        "reportSignatoryName": "Andi", "reportSignatoryJobTitle": "HRD"}))).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["reportSignatoryJobTitle"], "HRD");
        let id = created["id"].as_str().unwrap().to_string();
        let (_, page) = get(&app, &format!("{base}?query=code:SBY01"), &token).await;
        assert_eq!(page["totalElements"], 1);
        let (_, all) = get(&app, &base, &token).await;
        assert_eq!(all["totalElements"], 2);
        let (status, updated) = call(
            &app,
            Method::PUT,
            &format!("{base}/{id}"),
            &token,
            "demo",
            Some(json!({"code": "SBY01", "name": "Surabaya"})),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(updated["name"], "Surabaya");
        assert!(updated["address"].is_null());
        let (status, dup) = call(
            &app,
            Method::POST,
            &base,
            &token,
            "demo",
            Some(json!({"code": "SBY01", "name": "Again"})),
        )
        .await;
        assert_eq!(status, 409, "{dup}");
        let (status, body) = call(
            &app,
            Method::POST,
            &base,
            &token,
            "demo",
            Some(json!({"name": "No code"})),
        )
        .await;
        assert_eq!(status, 400);
        assert!(body["message"].as_str().unwrap().starts_with("code"));
        let (status, _) = call(&app, Method::DELETE, &format!("{base}/{id}"), &token, "demo", None).await;
        assert_eq!(status, 204);
        let (status, _) = get(&app, &format!("{base}/{id}"), &token).await;
        assert_eq!(status, 404);
    }
    // The demo providers are used by memberships: deleting one is refused.
    let (status, body) = call(
        &app,
        Method::DELETE,
        &format!("/core/v1/bpjs-healthcare-providers/{HC_PROVIDER}"),
        &token,
        "demo",
        None,
    )
    .await;
    assert_eq!(status, 409);
    error(&body, 409, "CONFLICT");
    // A healthcare provider is not a manpower one.
    let (status, _) = get(&app, &format!("/core/v1/bpjs-manpower-providers/{HC_PROVIDER}"), &token).await;
    assert_eq!(status, 404);

    // A manpower template carries the JKK risk class and each programme's share.
    let (status, template) = call(&app, Method::POST, "/core/v1/bpjs-manpower-templates", &token, "demo",
        Some(json!({"code": "MINE", "name": "Tambang", "salaryType": "BY_PRORATED_SALARY", "linkToPayroll": true, "jkkRiskClass": "5",
                    "jp": {"enabled": true, "employeeSharePaidBy": "COMPANY"}}))).await;
    assert_eq!(status, 201, "{template}");
    assert_eq!(template["jkkRiskClass"], 5);
    assert_eq!(template["jp"]["employeeSharePaidBy"], "COMPANY");
    assert_eq!(
        template["jht"],
        json!({"enabled": true, "employeeSharePaidBy": "EMPLOYEE"})
    );
    assert!(template.get("jkn").is_none());
    let (status, body) = call(
        &app,
        Method::POST,
        "/core/v1/bpjs-manpower-templates",
        &token,
        "demo",
        Some(json!({"code": "BAD", "name": "Bad", "salaryType": "BY_SALARY_DECREE", "jkkRiskClass": 6})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().starts_with("jkkRiskClass"));
    let (status, body) = call(
        &app,
        Method::POST,
        "/core/v1/bpjs-manpower-templates",
        &token,
        "demo",
        Some(json!({"code": "BAD", "name": "Bad", "salaryType": "BY_SALARY_DECREE"})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().starts_with("jkkRiskClass"));
    let (status, body) = call(
        &app,
        Method::POST,
        "/core/v1/bpjs-healthcare-templates",
        &token,
        "demo",
        Some(json!({"code": "BAD", "name": "Bad", "salaryType": "MONTHLY"})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().starts_with("salaryType"));
    let (status, hc) = call(&app, Method::POST, "/core/v1/bpjs-healthcare-templates", &token, "demo",
        Some(json!({"code": "EXEC", "name": "Eksekutif", "salaryType": "BY_SALARY_DECREE", "jkn": {"employeeSharePaidBy": "COMPANY"}}))).await;
    assert_eq!(status, 201);
    assert_eq!(hc["jkn"]["employeeSharePaidBy"], "COMPANY");
    assert!(hc.get("jkkRiskClass").is_none());
    let (_, list) = get(&app, "/core/v1/bpjs-manpower-templates?query=name:tambang", &token).await;
    assert_eq!(list["totalElements"], 1);

    // Treatment classes with their salary band.
    let (status, class) = call(
        &app,
        Method::POST,
        "/core/v1/bpjs-healthcare-treatment-classes",
        &token,
        "demo",
        Some(json!({"code": "VIP", "name": "VIP", "minSalary": 50000000})),
    )
    .await;
    assert_eq!(status, 201);
    assert!(class["maxSalary"].is_null());
    let (status, body) = call(
        &app,
        Method::POST,
        "/core/v1/bpjs-healthcare-treatment-classes",
        &token,
        "demo",
        Some(json!({"code": "X", "name": "X", "minSalary": 10, "maxSalary": 5})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().starts_with("maxSalary"));
    let (_, classes) = get(&app, "/core/v1/bpjs-healthcare-treatment-classes", &token).await;
    assert_eq!(classes["totalElements"], 3);
    assert_eq!(classes["content"][0]["name"], "KELAS II");
});

fn healthcare_put(number: &str, start: &str) -> Value {
    json!({"bpjsHealthcareProviderId": HC_PROVIDER, "bpjsHealthcareTemplateId": HC_TEMPLATE, "membershipNumber": number,
           "startDate": start, "firstLevelHealthcareFacility": "Klinik Sehat", "dentalHealthcareFacility": "Klinik Gigi"})
}

async fn new_employee(app: &TestApp, token: &str, number: &str, salary: i64) -> String {
    let mut body = employee_body(number, "Karyawan Baru");
    body["salary"] = json!(salary);
    let (status, created) = call(app, Method::POST, "/core/v1/employees", token, "demo", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

db_test!(healthcare_membership_put_get_and_history, |app| async move {
    let token = token(&app).await;
    let id = new_employee(&app, &token, "EMP-300", 3_500_000).await;
    let path = format!("/core/v1/employees/{id}/bpjs-healthcare-memberships");
    let (status, body) = get(&app, &path, &token).await;
    assert_eq!(status, 404);
    error(&body, 404, "NOT_FOUND");

    let (status, first) = call(
        &app,
        Method::PUT,
        &path,
        &token,
        "demo",
        Some(healthcare_put("0009876543210", "2025-01-01")),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    for field in [
        "id",
        "employeeId",
        "membershipNumber",
        "startDate",
        "endDate",
        "effectiveDate",
        "firstLevelHealthcareFacility",
        "dentalHealthcareFacility",
    ] {
        assert!(first.get(field).is_some(), "{field} in {first}");
    }
    assert_eq!(first["employeeId"], id.as_str());
    assert_eq!(first["effectiveDate"], "2025-01-01", "defaults to startDate");
    assert!(first["endDate"].is_null());
    assert_eq!(first["bpjsHealthcareProvider"]["id"], HC_PROVIDER);
    assert_eq!(first["bpjsHealthcareTemplate"]["code"], "STANDARD");
    assert_eq!(
        first["bpjsHealthcareTreatmentClass"]["name"], "KELAS II",
        "class chosen by salary band"
    );
    assert_eq!(first["additionalFamilyMemberships"], json!([]));
    assert_eq!(first["version"], 1);
    let (_, read) = get(&app, &path, &token).await;
    assert_eq!(read, first);

    let mut change = healthcare_put("0009876543210", "2025-01-01");
    change["effectiveDate"] = json!("2025-07-01");
    change["firstLevelHealthcareFacility"] = json!("Puskesmas Baru");
    change["bpjsHealthcareTreatmentClassId"] = json!("6f1c0000-0000-4000-8000-000000000022");
    let (status, second) = call(&app, Method::PUT, &path, &token, "demo", Some(change)).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["id"], first["id"], "the membership keeps its id");
    assert_eq!(second["version"], 2);
    assert_eq!(second["bpjsHealthcareTreatmentClass"]["name"], "KELAS I");

    let (_, latest) = get(&app, &path, &token).await;
    assert_eq!(latest["firstLevelHealthcareFacility"], "Puskesmas Baru");
    let (_, earlier) = get(&app, &format!("{path}?effectiveOn=2025-03-15"), &token).await;
    assert_eq!(earlier["firstLevelHealthcareFacility"], "Klinik Sehat");
    assert_eq!(earlier["effectiveDate"], "2025-01-01");
    let (status, _) = get(&app, &format!("{path}?effectiveOn=2024-12-31"), &token).await;
    assert_eq!(status, 404);
    let (status, body) = get(&app, &format!("{path}?effectiveOn=2025-13-01"), &token).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().starts_with("effectiveOn"));

    let (status, history) = get(&app, &format!("{path}/history"), &token).await;
    assert_eq!(status, 200);
    let versions: Vec<(&str, i64)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["effectiveDate"].as_str().unwrap(), v["version"].as_i64().unwrap()))
        .collect();
    assert_eq!(versions, vec![("2025-01-01", 1), ("2025-07-01", 2)]);

    // A change to the nested provider shows at once (answers are cached in memory).
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("/core/v1/bpjs-healthcare-providers/{HC_PROVIDER}"),
        &token,
        "demo",
        Some(json!({"code": "JKT01", "name": "Kantor Pusat"})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, renamed) = get(&app, &path, &token).await;
    assert_eq!(renamed["bpjsHealthcareProvider"]["name"], "Kantor Pusat");

    let (status, _) = call(
        &app,
        Method::PUT,
        "/core/v1/employees/nobody/bpjs-healthcare-memberships",
        &token,
        "demo",
        Some(healthcare_put("0009876543210", "2025-01-01")),
    )
    .await;
    assert_eq!(status, 404);
});

db_test!(healthcare_membership_validation_names_the_field, |app| async move {
    let token = token(&app).await;
    let path = format!("/core/v1/employees/{HIGH}/bpjs-healthcare-memberships");
    let cases: Vec<(&str, Value)> = vec![
        ("bpjsHealthcareProviderId", json!({"bpjsHealthcareProviderId": null})),
        ("bpjsHealthcareTemplateId", json!({"bpjsHealthcareTemplateId": ""})),
        ("membershipNumber", json!({"membershipNumber": null})),
        ("membershipNumber", json!({"membershipNumber": "000123456780"})),
        ("membershipNumber", json!({"membershipNumber": "00012345678AB"})),
        ("startDate", json!({"startDate": null})),
        ("startDate", json!({"startDate": "01-01-2025"})),
        ("effectiveDate", json!({"effectiveDate": "2024-12-31"})),
        ("endDate", json!({"endDate": "2024-06-30"})),
        (
            "bpjsHealthcareProviderId",
            json!({"bpjsHealthcareProviderId": MP_PROVIDER}),
        ),
        (
            "bpjsHealthcareTemplateId",
            json!({"bpjsHealthcareTemplateId": MP_TEMPLATE}),
        ),
        (
            "bpjsHealthcareTreatmentClassId",
            json!({"bpjsHealthcareTreatmentClassId": "missing"}),
        ),
        (
            "additionalFamilyMemberships[0].familyMemberRelationId",
            json!({"additionalFamilyMemberships": [{"familyMemberName": "X", "familyMemberRelationId": "COUSIN"}]}),
        ),
        (
            "additionalFamilyMemberships[0].familyMemberName",
            json!({"additionalFamilyMemberships": [{"familyMemberRelationId": "CHILD"}]}),
        ),
    ];
    for (field, change) in cases {
        let mut body = healthcare_put("0001234567801", "2025-01-01");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, answer) = call(&app, Method::PUT, &path, &token, "demo", Some(body)).await;
        assert_eq!(status, 400, "{field}: {answer}");
        error(&answer, 400, "BAD_REQUEST");
        assert!(
            answer["message"].as_str().unwrap().starts_with(field),
            "{field}: {answer}"
        );
    }
    let bad = app
        .client
        .put(app.at(&path))
        .bearer_auth(&token)
        .header("Tenant", "demo")
        .header("content-type", "application/json")
        .body("{\"membershipNumber\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    error(&bad.json().await.unwrap(), 400, "BAD_REQUEST");
    // Nothing was recorded by the refused requests.
    let (_, history) = get(&app, &format!("{path}/history"), &token).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
});

db_test!(manpower_membership_computes_pension_end, |app| async move {
    let token = token(&app).await;
    let path = format!("/core/v1/employees/{FAMILY}/bpjs-manpower-memberships");
    let (status, current) = get(&app, &path, &token).await;
    assert_eq!(status, 200);
    // Born 1967-05-10: 58 in 2025 when the pension age is already 59; 59 on 2026-05-10.
    assert_eq!(current["pensionEnd"], "2026-05-10");
    assert_eq!(current["bpjsManpowerTemplate"]["jkkRiskClass"], 1);
    assert_eq!(current["bpjsManpowerProvider"]["registrationNumber"], "JJ010203");

    let body = json!({"bpjsManpowerProviderId": MP_PROVIDER, "bpjsManpowerTemplateId": "6f1c0000-0000-4000-8000-000000000013",
                      "startDate": "2024-01-01", "effectiveDate": "2025-06-01"});
    let (status, changed) = call(&app, Method::PUT, &path, &token, "demo", Some(body.clone())).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["pensionEnd"], "2026-05-10");
    assert!(changed["membershipNumber"].is_null(), "optional for manpower");
    assert_eq!(changed["bpjsManpowerTemplate"]["jkkRiskClass"], 3);
    assert_eq!(changed["version"], 2);

    let mut given = body.clone();
    given["pensionEnd"] = json!("2030-01-31");
    given["membershipNumber"] = json!("98765432109");
    let (_, explicit) = call(&app, Method::PUT, &path, &token, "demo", Some(given)).await;
    assert_eq!(explicit["pensionEnd"], "2030-01-31");
    assert_eq!(explicit["membershipNumber"], "98765432109");

    for (field, change) in [
        ("membershipNumber", json!({"membershipNumber": "9876543210"})),
        ("bpjsManpowerProviderId", json!({"bpjsManpowerProviderId": HC_PROVIDER})),
        ("bpjsManpowerTemplateId", json!({"bpjsManpowerTemplateId": null})),
        ("pensionEnd", json!({"pensionEnd": "someday"})),
        ("startDate", json!({"startDate": ""})),
    ] {
        let mut bad = body.clone();
        for (k, v) in change.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, answer) = call(&app, Method::PUT, &path, &token, "demo", Some(bad)).await;
        assert_eq!(status, 400, "{field}");
        assert!(
            answer["message"].as_str().unwrap().starts_with(field),
            "{field}: {answer}"
        );
    }
    let (_, history) = get(&app, &format!("{path}/history"), &token).await;
    assert_eq!(history.as_array().unwrap().len(), 3);
    let (_, before) = get(&app, &format!("{path}?effectiveOn=2025-05-31"), &token).await;
    assert_eq!(before["version"], 1);
});

db_test!(contributions_at_15_million_in_april_2025, |app| async move {
    let token = token(&app).await;
    let (status, body) = get(
        &app,
        &format!("/core/v1/employees/{HIGH}/bpjs-contributions?period=2025-04"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["period"], "2025-04");
    assert_eq!(body["salary"], 15_000_000);
    assert!(body["roundingRule"].as_str().unwrap().contains("half up"));
    // JKN on the Rp12,000,000 cap: 4% and 1%.
    assert_eq!(amounts(&body, "JKN"), (12_000_000, 480_000, 120_000));
    // JKK class 1 at 0.24% of the whole wage; 0.14 points of it fund JKP since PP 6/2025.
    assert_eq!(amounts(&body, "JKK"), (15_000_000, 36_000, 0));
    assert_eq!(line(&body, "JKK")["employerRate"], "0.24");
    assert_eq!(line(&body, "JKK")["jkpPortionAmount"], 21_000);
    assert_eq!(amounts(&body, "JKM"), (15_000_000, 45_000, 0));
    assert_eq!(amounts(&body, "JHT"), (15_000_000, 555_000, 300_000));
    // JP on the Rp10,547,400 cap: 2% and 1%.
    assert_eq!(amounts(&body, "JP"), (10_547_400, 210_948, 105_474));
    assert!(!has_line(&body, "JKN_ADDITIONAL_FAMILY"));
    assert_eq!(body["totalEmployer"], 480_000 + 36_000 + 45_000 + 555_000 + 210_948);
    assert_eq!(body["totalEmployee"], 120_000 + 300_000 + 105_474);
    assert_eq!(body["total"], 1_326_948 + 525_474);
});

db_test!(contributions_at_the_minimum_wage, |app| async move {
    let token = token(&app).await;
    let (status, body) = get(
        &app,
        &format!("/core/v1/employees/{MINIMUM}/bpjs-contributions?period=2025-04"),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    let wage = 5_396_761; // Jakarta UMP 2025
    assert_eq!(amounts(&body, "JKN"), (wage, half_up(wage, 400), half_up(wage, 100)));
    assert_eq!(amounts(&body, "JKN"), (wage, 215_870, 53_968)); // 215,870.44 down, 53,967.61 up
    assert_eq!(amounts(&body, "JKK"), (wage, 12_952, 0));
    assert_eq!(amounts(&body, "JKM"), (wage, 16_190, 0));
    assert_eq!(amounts(&body, "JHT"), (wage, 199_680, 107_935));
    assert_eq!(amounts(&body, "JP"), (wage, 107_935, 53_968));

    // Below the regional minimum wage the JKN base is floored at it (JHT/JP are not).
    let id = new_employee(&app, &token, "EMP-400", 4_000_000).await;
    let mut employee = employee_body("EMP-400", "Karyawan Baru");
    employee["salary"] = json!(4_000_000);
    employee["minimumWage"] = json!(wage);
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("/core/v1/employees/{id}"),
        &token,
        "demo",
        Some(employee),
    )
    .await;
    assert_eq!(status, 200);
    call(
        &app,
        Method::PUT,
        &format!("/core/v1/employees/{id}/bpjs-healthcare-memberships"),
        &token,
        "demo",
        Some(healthcare_put("0005555555555", "2025-01-01")),
    )
    .await;
    call(&app, Method::PUT, &format!("/core/v1/employees/{id}/bpjs-manpower-memberships"), &token, "demo",
        Some(json!({"bpjsManpowerProviderId": MP_PROVIDER, "bpjsManpowerTemplateId": MP_TEMPLATE, "startDate": "2025-01-01"}))).await;
    let (_, body) = get(
        &app,
        &format!("/core/v1/employees/{id}/bpjs-contributions?period=2025-04"),
        &token,
    )
    .await;
    assert_eq!(amounts(&body, "JKN").0, wage);
    assert_eq!(amounts(&body, "JHT").0, 4_000_000);
    // Before the membership starts there is nothing to pay.
    let (_, before) = get(
        &app,
        &format!("/core/v1/employees/{id}/bpjs-contributions?period=2024-12"),
        &token,
    )
    .await;
    assert_eq!(before["contributions"], json!([]));
    assert_eq!(before["total"], 0);
});

db_test!(
    two_extra_family_members_add_two_percent_for_the_employee,
    |app| async move {
        let token = token(&app).await;
        let (_, membership) = get(
            &app,
            &format!("/core/v1/employees/{FAMILY}/bpjs-healthcare-memberships"),
            &token,
        )
        .await;
        let family = membership["additionalFamilyMemberships"].as_array().unwrap();
        assert_eq!(family.len(), 6, "spouse, three children, father and mother");
        assert_eq!(family[4]["familyMemberRelationId"], "FATHER");
        assert!(family[4]["facilities"]["firstLevelHealthcareFacility"].is_string());

        let (_, body) = get(
            &app,
            &format!("/core/v1/employees/{FAMILY}/bpjs-contributions?period=2025-04"),
            &token,
        )
        .await;
        assert_eq!(amounts(&body, "JKN"), (8_000_000, 320_000, 80_000));
        let extra = line(&body, "JKN_ADDITIONAL_FAMILY");
        assert_eq!(extra["extraFamilyMembers"], 2);
        assert_eq!(extra["employeeRate"], "2.00");
        assert_eq!(amounts(&body, "JKN_ADDITIONAL_FAMILY"), (8_000_000, 0, 160_000));

        // A fourth child counts as extra; a second list with only spouse and 3 children does not.
        let id = new_employee(&app, &token, "EMP-500", 20_000_000).await;
        let mut put = healthcare_put("0006666666666", "2025-01-01");
        put["additionalFamilyMemberships"] = json!([
            {"familyMemberName": "A", "familyMemberRelationId": "spouse"},
            {"familyMemberName": "B", "familyMemberRelationId": "CHILD"},
            {"familyMemberName": "C", "familyMemberRelationId": "CHILD"},
            {"familyMemberName": "D", "familyMemberRelationId": "CHILD"},
            {"familyMemberName": "E", "familyMemberRelationId": "CHILD", "membershipNumber": "0007777777777"}
        ]);
        let (status, saved) = call(
            &app,
            Method::PUT,
            &format!("/core/v1/employees/{id}/bpjs-healthcare-memberships"),
            &token,
            "demo",
            Some(put),
        )
        .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(
            saved["additionalFamilyMemberships"][0]["familyMemberRelationId"],
            "SPOUSE"
        );
        let (_, body) = get(
            &app,
            &format!("/core/v1/employees/{id}/bpjs-contributions?period=2025-04"),
            &token,
        )
        .await;
        // Capped base Rp12,000,000: 1% for the one extra child.
        assert_eq!(amounts(&body, "JKN_ADDITIONAL_FAMILY"), (12_000_000, 0, 120_000));
        assert!(!has_line(&body, "JKK"), "no manpower membership, no JKK");
    }
);

db_test!(the_jp_cap_follows_the_month, |app| async move {
    let token = token(&app).await;
    let jp = |period: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let (status, body) = get(
                app,
                &format!("/core/v1/employees/{HIGH}/bpjs-contributions?period={period}"),
                &token,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            amounts(&body, "JP")
        }
    };
    assert_eq!(jp("2025-02").await, (10_042_300, 200_846, 100_423));
    assert_eq!(jp("2025-03").await, (10_547_400, 210_948, 105_474));
    assert_eq!(jp("2026-02").await, (10_547_400, 210_948, 105_474));
    assert_eq!(jp("2026-03").await, (11_086_300, 221_726, 110_863));

    // JKP is shown as part of JKK only from PP 6/2025 (February 2025).
    let (_, january) = get(
        &app,
        &format!("/core/v1/employees/{HIGH}/bpjs-contributions?period=2025-01"),
        &token,
    )
    .await;
    assert_eq!(line(&january, "JKK")["jkpPortionAmount"], 0);
    assert_eq!(amounts(&january, "JKK").1, 36_000, "the employer pays the same total");

    // A new regulation is a data change: a row in the rate table.
    match &app.state.db {
        jembatan::kernel::db::Db::Sqlite(pool) => {
            sqlx::query("INSERT INTO hr_contribution_rates (rate_key, valid_from, value, source) VALUES ('JP_WAGE_CAP', '2027-03-01', 11500000, 'test')").execute(pool).await.unwrap();
        }
        jembatan::kernel::db::Db::Postgres(pool) => {
            sqlx::query("INSERT INTO hr_contribution_rates (rate_key, valid_from, value, source) VALUES ('JP_WAGE_CAP', '2027-03-01', 11500000, 'test')").execute(pool).await.unwrap();
        }
    }
    assert_eq!(jp("2027-02").await.0, 11_086_300);
    assert_eq!(jp("2027-03").await.0, 11_500_000);
});

db_test!(jp_stops_at_pension_age, |app| async move {
    let token = token(&app).await;
    let path = |period: &str| format!("/core/v1/employees/{FAMILY}/bpjs-contributions?period={period}");
    let (_, may) = get(&app, &path("2026-05"), &token).await;
    assert!(has_line(&may, "JP"), "pension end 2026-05-10 falls in May");
    let (_, june) = get(&app, &path("2026-06"), &token).await;
    assert!(!has_line(&june, "JP"));
    assert!(has_line(&june, "JHT"));
});

db_test!(contribution_periods_are_validated, |app| async move {
    let token = token(&app).await;
    for path in [
        format!("/core/v1/employees/{HIGH}/bpjs-contributions"),
        format!("/core/v1/employees/{HIGH}/bpjs-contributions?period=2025-4"),
        format!("/core/v1/employees/{HIGH}/bpjs-contributions?period=2025-13"),
        "/core/v1/bpjs-contributions/summary?period=april".to_string(),
        // No JP cap is on record before March 2024.
        "/core/v1/bpjs-contributions/summary?period=2023-01".to_string(),
    ] {
        let (status, body) = get(&app, &path, &token).await;
        assert_eq!(status, 400, "{path}");
        error(&body, 400, "BAD_REQUEST");
        assert!(body["message"].as_str().unwrap().starts_with("period"), "{body}");
    }
    let (status, _) = get(
        &app,
        "/core/v1/employees/nobody/bpjs-contributions?period=2025-04",
        &token,
    )
    .await;
    assert_eq!(status, 404);
});

db_test!(the_tenant_summary_adds_up_the_employees, |app| async move {
    let token = token(&app).await;
    let (status, summary) = get(&app, "/core/v1/bpjs-contributions/summary?period=2025-04", &token).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["period"], "2025-04");
    assert_eq!(summary["employeeCount"], 3);
    let mut employer = 0;
    let mut employee = 0;
    for id in [HIGH, MINIMUM, FAMILY] {
        let (_, one) = get(
            &app,
            &format!("/core/v1/employees/{id}/bpjs-contributions?period=2025-04"),
            &token,
        )
        .await;
        employer += one["totalEmployer"].as_i64().unwrap();
        employee += one["totalEmployee"].as_i64().unwrap();
    }
    assert_eq!(summary["totalEmployer"], employer);
    assert_eq!(summary["totalEmployee"], employee);
    assert_eq!(summary["total"], employer + employee);
    let programmes: Vec<&str> = summary["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["programme"].as_str().unwrap())
        .collect();
    assert_eq!(
        programmes,
        vec!["JKN", "JKN_ADDITIONAL_FAMILY", "JKK", "JKM", "JHT", "JP"]
    );
    let jkn = &summary["programmes"][0];
    assert_eq!(jkn["members"], 3);
    assert_eq!(jkn["employerAmount"], 480_000 + 215_870 + 320_000);
    let (_, before) = get(&app, "/core/v1/bpjs-contributions/summary?period=2024-03", &token).await;
    assert_eq!(before["employeeCount"], 3);
});

db_test!(import_creates_employees_with_memberships, |app| async move {
    let csv = "tenant,employeeNumber,name,nik,birthDate,joinDate,salary,minimumWage,status,membershipStartDate,healthcareProviderCode,healthcareTemplateCode,healthcareMembershipNumber,manpowerProviderCode,manpowerTemplateCode,manpowerMembershipNumber
demo,IMP-1,Import Satu,3171010101900011,1990-01-01,2020-01-01,7000000,5396761,ACTIVE,2025-01-01,JKT01,STANDARD,0002000000001,JKT01,FACTORY,20000000001
demo,IMP-2,Import Dua,3171010101900012,1991-01-01,2021-01-01,6000000,,ACTIVE,,,,,,,
demo,IMP-3,Bad Nik,31710101,1991-01-01,2021-01-01,6000000,,ACTIVE,,,,,,,
demo,IMP-4,Bad Provider,3171010101900014,1991-01-01,2021-01-01,6000000,,ACTIVE,2025-01-01,NOPE,STANDARD,0002000000004,,,
";
    let file = temp_file("csv", csv);
    let url = app.database.url.clone();
    let path = file.to_path_buf();
    let run = move || {
        let path = path.clone();
        let url = url.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                jembatan_command()
                    .args(["import", "employees"])
                    .arg(&path)
                    .args(["--database", &url])
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let output = run().await;
    let stdout = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("employees: 2 imported, 2 rejected"), "{stdout}");
    assert!(stdout.contains("row 4: nik"), "{stdout}");
    assert!(stdout.contains("row 5: healthcareProviderCode"), "{stdout}");
    let again = run().await;
    assert!(String::from_utf8_lossy(&again.stdout).contains("employees: 2 imported"));
    drop(file);

    let token = token(&app).await;
    let (_, page) = get(&app, "/core/v1/employees?query=employeeNumber:IMP-1", &token).await;
    assert_eq!(page["totalElements"], 1);
    let id = page["content"][0]["id"].as_str().unwrap();
    let (_, history) = get(
        &app,
        &format!("/core/v1/employees/{id}/bpjs-manpower-memberships/history"),
        &token,
    )
    .await;
    assert_eq!(history.as_array().unwrap().len(), 1, "importing twice adds no version");
    assert_eq!(history[0]["bpjsManpowerTemplate"]["jkkRiskClass"], 3);
    assert_eq!(history[0]["pensionEnd"], "2055-01-01");
    let (_, body) = get(
        &app,
        &format!("/core/v1/employees/{id}/bpjs-contributions?period=2025-04"),
        &token,
    )
    .await;
    assert_eq!(amounts(&body, "JKK"), (7_000_000, 62_300, 0));
});

db_test!(concurrent_puts_get_distinct_versions, |app| async move {
    let token = token(&app).await;
    let path = format!("/core/v1/employees/{MINIMUM}/bpjs-healthcare-memberships");
    let mut tasks = Vec::new();
    for day in 1..=6 {
        let client = app.client.clone();
        let url = app.at(&path);
        let token = token.clone();
        let mut body = healthcare_put("0001234567802", "2024-01-01");
        body["effectiveDate"] = json!(format!("2025-05-{day:02}"));
        tasks.push(tokio::spawn(async move {
            let response = client
                .put(url)
                .bearer_auth(token)
                .header("Tenant", "demo")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let answer: Value = response.json().await.unwrap();
            answer["version"].as_i64().unwrap()
        }));
    }
    let mut versions = Vec::new();
    for task in tasks {
        versions.push(task.await.unwrap());
    }
    versions.sort();
    assert_eq!(versions, vec![2, 3, 4, 5, 6, 7]);
    let (_, history) = get(&app, &format!("{path}/history"), &token).await;
    assert_eq!(history.as_array().unwrap().len(), 7);
    let (_, latest) = get(&app, &path, &token).await;
    assert_eq!(latest["version"], 7);
});

db_test!(
    a_template_can_have_the_company_bear_the_employee_share,
    |app| async move {
        let token = token(&app).await;
        let (status, template) = call(&app, Method::POST, "/core/v1/bpjs-manpower-templates", &token, "demo",
        Some(json!({"code": "BENEFIT", "name": "Ditanggung perusahaan", "salaryType": "BY_SALARY_DECREE", "jkkRiskClass": 2,
                    "jht": {"employeeSharePaidBy": "COMPANY"}, "jp": {"enabled": false}}))).await;
        assert_eq!(status, 201, "{template}");
        let id = new_employee(&app, &token, "EMP-600", 10_000_000).await;
        let (status, _) = call(&app, Method::PUT, &format!("/core/v1/employees/{id}/bpjs-manpower-memberships"), &token, "demo",
        Some(json!({"bpjsManpowerProviderId": MP_PROVIDER, "bpjsManpowerTemplateId": template["id"], "startDate": "2025-01-01"}))).await;
        assert_eq!(status, 200);
        let (_, body) = get(
            &app,
            &format!("/core/v1/employees/{id}/bpjs-contributions?period=2025-04"),
            &token,
        )
        .await;
        // JHT 3.7% + 2% both borne by the company; JKK class 2 is 0.54%; no JP in this template.
        assert_eq!(amounts(&body, "JHT"), (10_000_000, 370_000 + 200_000, 0));
        assert_eq!(amounts(&body, "JKK"), (10_000_000, 54_000, 0));
        assert!(!has_line(&body, "JP"));
        assert!(!has_line(&body, "JKN"), "no healthcare membership");
        assert_eq!(body["totalEmployee"], 0);
    }
);

db_test!(loading_the_demo_twice_changes_nothing, |app| async move {
    jembatan::demo::load(&app.state).await.unwrap();
    let token = token(&app).await;
    let (_, employees) = get(&app, "/core/v1/employees", &token).await;
    assert_eq!(employees["totalElements"], 3);
    let (_, history) = get(
        &app,
        &format!("/core/v1/employees/{HIGH}/bpjs-healthcare-memberships/history"),
        &token,
    )
    .await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    let (_, templates) = get(&app, "/core/v1/bpjs-manpower-templates", &token).await;
    assert_eq!(templates["totalElements"], 2);
});

db_test!(a_new_tenant_comes_in_through_an_imported_client, |app| async move {
    let file = temp_file(
        "csv",
        "clientId,clientSecret,tenant\nbeta-payroll,beta-secret-1,beta\nshort,abc,beta\n",
    );
    let url = app.database.url.clone();
    let path = file.to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        jembatan_command()
            .args(["import", "hr-clients"])
            .arg(&path)
            .args(["--database", &url])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("hr-clients: 1 imported, 1 rejected"), "{stdout}");
    let beta = token_for(&app, "beta-payroll", "beta-secret-1").await;
    let (status, page) = call(&app, Method::GET, "/core/v1/employees", &beta, "beta", None).await;
    assert_eq!(status, 200);
    assert_eq!(page["totalElements"], 0);
    let (status, _) = call(&app, Method::GET, "/core/v1/employees", &beta, "demo", None).await;
    assert_eq!(status, 403);
});
