use super::*;

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
    let stored: String = {
        let pool = app.state.db.pool();
        {
            sqlx::query_scalar("SELECT secret_hash FROM hr_clients WHERE client_id = 'demo-client'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    assert!(!stored.contains("demo-secret") && stored.starts_with("$argon2id$"));
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
        assert!(
            jembatan::hr::clients::save(&app.state.hr, "second", "second-secret", "demo")
                .await
                .unwrap()
        );
        let other = token_for(&app, "second", "second-secret").await;
        let (status, _) = get(&app, "/core/v1/employees", &other).await;
        assert_eq!(status, 200);
    }
);

db_test!(
    concurrent_requests_of_one_client_are_admitted_up_to_the_limit_exactly,
    TestOptions {
        configure: Box::new(|c| c.hr.rate_limit_per_minute = 20),
        ..TestOptions::default()
    },
    |app| async move {
        // The token request is the window's first; 60 reads at once race for the other 19.
        let token = token(&app).await;
        let requests = (0..60).map(|_| get(&app, "/core/v1/employees", &token));
        let statuses: Vec<u16> = futures::future::join_all(requests)
            .await
            .into_iter()
            .map(|(status, _)| status)
            .collect();
        let admitted = statuses.iter().filter(|s| **s == 200).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((admitted, refused), (19, 41), "{statuses:?}");
        if app.backend == crate::common::Backend::Postgres {
            let counted: i64 = sqlx::query_scalar("SELECT count FROM hr_rate_windows WHERE client_id = 'demo-client'")
                .fetch_one(&app.state.db)
                .await
                .unwrap();
            assert_eq!(counted, 61, "every request counted once in the shared window");
        }
    }
);
