//! Issue 16: contributions that reproduce the past (dated salaries, templates and rates
//! back to 2015), BY_PRORATED_SALARY and a missing JKK class.

use super::*;

fn contributions(id: &str, period: &str) -> String {
    format!("/core/v1/employees/{id}/bpjs-contributions?period={period}")
}

/// An employee (joined `join`, paid `salary`) with healthcare under `hc_template` and
/// manpower under the demo office template, both from `start`.
async fn covered(
    app: &TestApp,
    token: &str,
    number: &str,
    salary: i64,
    join: &str,
    start: &str,
    hc_template: &str,
) -> String {
    // A 13-digit card number per employee of these tests.
    let card = format!(
        "{:013}",
        number.bytes().map(u64::from).fold(7u64, |h, b| h * 31 + b) % 10_000_000_000_000
    );
    let mut body = employee_body(number, "Karyawan Lama");
    body["salary"] = json!(salary);
    body["joinDate"] = json!(join);
    let (status, created) = call(app, Method::POST, "/core/v1/employees", token, "demo", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let mut hc = healthcare_put(&card, start);
    hc["bpjsHealthcareTemplateId"] = json!(hc_template);
    let (status, body) = call(
        app,
        Method::PUT,
        &format!("/core/v1/employees/{id}/bpjs-healthcare-memberships"),
        token,
        "demo",
        Some(hc),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mp = json!({"bpjsManpowerProviderId": MP_PROVIDER, "bpjsManpowerTemplateId": MP_TEMPLATE, "startDate": start});
    let (status, body) = call(
        app,
        Method::PUT,
        &format!("/core/v1/employees/{id}/bpjs-manpower-memberships"),
        token,
        "demo",
        Some(mp),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    id
}

db_test!(rates_are_dated_back_to_2015, |app| async move {
    let token = token(&app).await;
    let id = covered(
        &app,
        &token,
        "E2015",
        9_000_000,
        "2014-06-01",
        "2015-01-01",
        HC_TEMPLATE,
    )
    .await;
    let (status, march) = get(&app, &contributions(&id, "2015-03"), &token).await;
    assert_eq!(status, 200, "{march}");
    // JKN capped at Rp4,725,000, the employee's share 0.5% until June 2015; no JP yet.
    assert_eq!(amounts(&march, "JKN"), (4_725_000, 189_000, 23_625));
    assert_eq!(amounts(&march, "JHT"), (9_000_000, 333_000, 180_000));
    assert!(!has_line(&march, "JP"), "JP starts in July 2015: {march}");
    let (_, july) = get(&app, &contributions(&id, "2015-07"), &token).await;
    assert_eq!(amounts(&july, "JKN"), (4_725_000, 189_000, 47_250));
    assert_eq!(amounts(&july, "JP"), (7_000_000, 140_000, 70_000));
    let (_, april_2016) = get(&app, &contributions(&id, "2016-04"), &token).await;
    assert_eq!(amounts(&april_2016, "JKN"), (8_000_000, 320_000, 80_000));
    assert_eq!(amounts(&april_2016, "JP"), (7_335_300, 146_706, 73_353));
    let (_, march_2023) = get(&app, &contributions(&id, "2023-03"), &token).await;
    assert_eq!(amounts(&march_2023, "JP").0, 9_000_000, "below the Rp9,559,600 cap");
    // Before any data: 400 naming the first month available.
    for path in [
        contributions(&id, "2014-12"),
        "/core/v1/bpjs-contributions/summary?period=2010-01".to_string(),
    ] {
        let (status, body) = get(&app, &path, &token).await;
        assert_eq!(status, 400, "{body}");
        error(&body, 400, "BAD_REQUEST");
        assert!(body["message"].as_str().unwrap().contains("2015-01"), "{body}");
    }
});

db_test!(a_past_month_keeps_its_figures_after_later_changes, |app| async move {
    let token = token(&app).await;
    let id = covered(
        &app,
        &token,
        "E-PAST",
        9_000_000,
        "2020-01-01",
        "2024-01-01",
        HC_TEMPLATE,
    )
    .await;
    let (status, before) = get(&app, &contributions(&id, "2025-04"), &token).await;
    assert_eq!(status, 200, "{before}");
    let (_, summary_before) = get(&app, "/core/v1/bpjs-contributions/summary?period=2025-04", &token).await;
    // A raise from June 2025 and a riskier JKK class from June 2025.
    let mut raise = employee_body("E-PAST", "Karyawan Lama");
    raise["joinDate"] = json!("2020-01-01");
    raise["salary"] = json!(20_000_000);
    raise["salaryEffectiveDate"] = json!("2025-06-01");
    let (status, body) = call(
        &app,
        Method::PUT,
        &format!("/core/v1/employees/{id}"),
        &token,
        "demo",
        Some(raise.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let template_path = format!("/core/v1/bpjs-manpower-templates/{MP_TEMPLATE}");
    let (_, mut template) = get(&app, &template_path, &token).await;
    template["jkkRiskClass"] = json!(3);
    template["effectiveDate"] = json!("2025-06-01");
    let (status, body) = call(&app, Method::PUT, &template_path, &token, "demo", Some(template)).await;
    assert_eq!(status, 200, "{body}");
    // Another raise without a date: in force from today, long after June 2025.
    raise["salary"] = json!(25_000_000);
    raise.as_object_mut().unwrap().remove("salaryEffectiveDate");
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("/core/v1/employees/{id}"),
        &token,
        "demo",
        Some(raise),
    )
    .await;
    assert_eq!(status, 200);

    let (_, after) = get(&app, &contributions(&id, "2025-04"), &token).await;
    assert_eq!(after, before, "April 2025 computes as it did");
    let (_, summary_after) = get(&app, "/core/v1/bpjs-contributions/summary?period=2025-04", &token).await;
    assert_eq!(summary_after, summary_before);
    let (_, june) = get(&app, &contributions(&id, "2025-06"), &token).await;
    assert_eq!(june["salary"], 20_000_000, "{june}");
    assert_eq!(line(&june, "JKK")["employerRate"], "0.89");
    assert_eq!(amounts(&june, "JKK"), (20_000_000, 178_000, 0));
    let (_, april) = get(&app, &contributions(&id, "2025-04"), &token).await;
    assert_eq!(line(&april, "JKK")["employerRate"], "0.24");
});

db_test!(
    by_prorated_salary_prorates_the_first_and_last_month_then_caps,
    |app| async move {
        let token = token(&app).await;
        let template = json!({"code": "PRORATA", "name": "Prorata", "salaryType": "BY_PRORATED_SALARY"});
        let (status, created) = call(
            &app,
            Method::POST,
            "/core/v1/bpjs-healthcare-templates",
            &token,
            "demo",
            Some(template),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let prorated = created["id"].as_str().unwrap().to_string();
        let id = covered(&app, &token, "E-PRO", 9_000_000, "2025-04-16", "2025-04-16", &prorated).await;
        // Joined 16 April: 15 of April's 30 days.
        let (_, april) = get(&app, &contributions(&id, "2025-04"), &token).await;
        assert_eq!(amounts(&april, "JKN"), (4_500_000, 180_000, 45_000), "{april}");
        // The manpower template is BY_SALARY_DECREE: the whole salary.
        assert_eq!(amounts(&april, "JHT").0, 9_000_000);
        let (_, may) = get(&app, &contributions(&id, "2025-05"), &token).await;
        assert_eq!(amounts(&may, "JKN"), (9_000_000, 360_000, 90_000));
        // Leaving on 10 June: 10 of June's 30 days.
        let (_, current) = get(
            &app,
            &format!("/core/v1/employees/{id}/bpjs-healthcare-memberships"),
            &token,
        )
        .await;
        let card = current["membershipNumber"]
            .as_str()
            .unwrap_or_else(|| panic!("{current}"))
            .to_string();
        let mut leave = healthcare_put(&card, "2025-04-16");
        leave["bpjsHealthcareTemplateId"] = json!(prorated);
        leave["endDate"] = json!("2025-06-10");
        let (status, body) = call(
            &app,
            Method::PUT,
            &format!("/core/v1/employees/{id}/bpjs-healthcare-memberships"),
            &token,
            "demo",
            Some(leave),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (_, june) = get(&app, &contributions(&id, "2025-06"), &token).await;
        assert_eq!(amounts(&june, "JKN"), (3_000_000, 120_000, 30_000), "{june}");
        // The cap applies after proration: 30,000,000 x 15/30 = 15,000,000, capped at 12,000,000.
        let rich = covered(
            &app,
            &token,
            "E-PRO2",
            30_000_000,
            "2025-04-16",
            "2025-04-16",
            &prorated,
        )
        .await;
        let (_, april) = get(&app, &contributions(&rich, "2025-04"), &token).await;
        assert_eq!(amounts(&april, "JKN"), (12_000_000, 480_000, 120_000));
    }
);

db_test!(
    a_template_without_a_jkk_class_is_refused_not_guessed,
    |app| async move {
        let token = token(&app).await;
        let id = covered(
            &app,
            &token,
            "E-JKK",
            9_000_000,
            "2020-01-01",
            "2024-01-01",
            HC_TEMPLATE,
        )
        .await;
        // A version recorded without a class (data from before the class was required).
        sqlx::query("UPDATE hr_template_versions SET jkk_risk_class = NULL WHERE template_id = $1")
            .bind(MP_TEMPLATE)
            .execute(&app.state.db)
            .await
            .unwrap();
        let (status, body) = get(&app, &contributions(&id, "2025-04"), &token).await;
        assert_eq!(status, 400, "{body}");
        error(&body, 400, "BAD_REQUEST");
        assert!(body["message"].as_str().unwrap().starts_with("jkkRiskClass"), "{body}");
        let (status, _) = get(&app, "/core/v1/bpjs-contributions/summary?period=2025-04", &token).await;
        assert_eq!(status, 400);
    }
);

db_test!(treatment_class_bands_are_dated, |app| async move {
    let token = token(&app).await;
    // From June 2025 KELAS II reaches Rp6,000,000 (and KELAS I starts above it).
    for (id, band) in [
        (
            "6f1c0000-0000-4000-8000-000000000021",
            json!({"code": "KELAS-2", "name": "KELAS II", "minSalary": 0, "maxSalary": 6_000_000}),
        ),
        (
            "6f1c0000-0000-4000-8000-000000000022",
            json!({"code": "KELAS-1", "name": "KELAS I", "minSalary": 6_000_001}),
        ),
    ] {
        let mut band = band;
        band["effectiveDate"] = json!("2025-06-01");
        let path = format!("/core/v1/bpjs-healthcare-treatment-classes/{id}");
        let (status, body) = call(&app, Method::PUT, &path, &token, "demo", Some(band)).await;
        assert_eq!(status, 200, "{body}");
    }
    let class = |id: String| {
        let app = &app;
        let token = token.clone();
        async move {
            let (_, m) = get(
                app,
                &format!("/core/v1/employees/{id}/bpjs-healthcare-memberships"),
                &token,
            )
            .await;
            m["bpjsHealthcareTreatmentClass"]["name"]
                .as_str()
                .unwrap_or_else(|| panic!("{m}"))
                .to_string()
        }
    };
    let before = covered(
        &app,
        &token,
        "E-BAND1",
        5_000_000,
        "2020-01-01",
        "2025-01-01",
        HC_TEMPLATE,
    )
    .await;
    assert_eq!(class(before).await, "KELAS I", "the band in force in January 2025");
    let after = covered(
        &app,
        &token,
        "E-BAND2",
        5_000_000,
        "2020-01-01",
        "2025-07-01",
        HC_TEMPLATE,
    )
    .await;
    assert_eq!(class(after).await, "KELAS II", "the band in force from June 2025");
});

db_test!(
    an_unused_template_or_class_is_deleted_with_its_versions,
    |app| async move {
        let token = token(&app).await;
        for (path, body) in [
            (
                "/core/v1/bpjs-healthcare-templates",
                json!({"code": "GONE", "name": "Gone", "salaryType": "BY_SALARY_DECREE"}),
            ),
            (
                "/core/v1/bpjs-healthcare-treatment-classes",
                json!({"code": "GONE", "name": "Gone", "minSalary": 90000000}),
            ),
        ] {
            let (status, created) = call(&app, Method::POST, path, &token, "demo", Some(body)).await;
            assert_eq!(status, 201, "{created}");
            let item = format!("{path}/{}", created["id"].as_str().unwrap());
            let (status, body) = call(&app, Method::DELETE, &item, &token, "demo", None).await;
            assert_eq!(status, 204, "{path}: {body}");
            let (status, _) = get(&app, &item, &token).await;
            assert_eq!(status, 404);
        }
        // The demo classes are used by memberships: refused, not a 500.
        let (status, body) = call(
            &app,
            Method::DELETE,
            "/core/v1/bpjs-healthcare-treatment-classes/6f1c0000-0000-4000-8000-000000000021",
            &token,
            "demo",
            None,
        )
        .await;
        assert!(status == 409 || status == 204, "{status} {body}");
    }
);
