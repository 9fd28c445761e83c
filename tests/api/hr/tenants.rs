use super::*;

db_test!(a_client_never_sees_another_tenants_data, |app| async move {
    assert!(
        jembatan::hr::clients::save(&app.state.hr, "acme-client", "acme-secret", "acme")
            .await
            .unwrap()
    );
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
