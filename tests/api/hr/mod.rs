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

/// A bearer token of the demo HR client (also used by the schemathesis run).
pub(crate) async fn token(app: &TestApp) -> String {
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

mod auth;
mod contributions;
mod employees;
mod history;
mod memberships;
mod premiums;
mod references;
mod revocation;
mod tenants;
