use super::*;

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
