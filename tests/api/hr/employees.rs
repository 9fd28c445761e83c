use super::*;

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
