use super::*;

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
