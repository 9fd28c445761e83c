use super::*;

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
    {
        let pool = app.state.db.pool();
        {
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
        // No rate is on record before January 2015.
        "/core/v1/bpjs-contributions/summary?period=2014-12".to_string(),
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

db_test!(amounts_past_the_largest_rupiah_are_a_400_not_a_wrap, |app| async move {
    let token = token(&app).await;
    // One employee at Rp9e18 is still computable: each amount is a few percent of it.
    let salary: i64 = 9_000_000_000_000_000_000;
    let mut ids = Vec::new();
    for n in 0..20 {
        let id = new_employee(&app, &token, &format!("EMP-BIG-{n}"), salary).await;
        let (status, body) = call(&app, Method::PUT, &format!("/core/v1/employees/{id}/bpjs-manpower-memberships"), &token, "demo",
            Some(json!({"bpjsManpowerProviderId": MP_PROVIDER, "bpjsManpowerTemplateId": MP_TEMPLATE, "startDate": "2025-01-01"}))).await;
        assert_eq!(status, 200, "{body}");
        ids.push(id);
    }
    let (status, body) = get(
        &app,
        &format!("/core/v1/employees/{}/bpjs-contributions?period=2025-04", ids[0]),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // JHT employer 3.7% of 9e18, exactly.
    assert_eq!(line(&body, "JHT")["employerAmount"], 333_000_000_000_000_000_i64);
    // Twenty of them sum past i64::MAX: refused in the HR error form, never wrapped.
    let (status, body) = get(&app, "/core/v1/bpjs-contributions/summary?period=2025-04", &token).await;
    assert_eq!(status, 400, "{body}");
    error(&body, 400, "BAD_REQUEST");
    assert!(body["message"].as_str().unwrap().contains("overflow"), "{body}");
});

db_test!(the_version_in_force_decides_who_counts_in_a_month, |app| async move {
    let token = token(&app).await;
    let id = new_employee(&app, &token, "EMP-410", 6_000_000).await;
    let path = format!("/core/v1/employees/{id}/bpjs-healthcare-memberships");
    let body = healthcare_put("0009876543410", "2025-01-01");
    let (status, first) = call(&app, Method::PUT, &path, &token, "demo", Some(body.clone())).await;
    assert_eq!(status, 200, "{first}");
    let mut ended = body;
    ended["effectiveDate"] = json!("2025-06-01");
    ended["endDate"] = json!("2025-06-30");
    let (status, second) = call(&app, Method::PUT, &path, &token, "demo", Some(ended)).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["version"], 2);

    let count = |period: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let (status, summary) = get(
                app,
                &format!("/core/v1/bpjs-contributions/summary?period={period}"),
                token,
            )
            .await;
            assert_eq!(status, 200, "{summary}");
            summary["employeeCount"].as_i64().unwrap()
        }
    };
    assert_eq!(count("2025-05").await, 4, "version 1 is in force in May");
    assert_eq!(count("2025-06").await, 4, "version 2 covers June up to its end");
    assert_eq!(count("2025-08").await, 3, "version 2 ended in June");
    assert_eq!(count("2024-12").await, 3, "not started yet");

    let one = |period: &'static str| {
        let (app, token, id) = (&app, &token, id.clone());
        async move {
            let (status, body) = get(
                app,
                &format!("/core/v1/employees/{id}/bpjs-contributions?period={period}"),
                token,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    assert!(has_line(&one("2025-05").await, "JKN"));
    assert_eq!(
        one("2025-08").await["contributions"],
        json!([]),
        "no cover after the end"
    );
});
