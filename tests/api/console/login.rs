//! Login, logout, idle expiry, CSRF refusal and the login lockout, over plain HTTP.

use jembatan::kernel::console::Role;
use reqwest::StatusCode;

use crate::common::console::{add_operator, browser_client, csrf_in, submit_login, ConsoleUser, PASSWORD};
use crate::common::TestOptions;
use crate::db_test;

db_test!(
    login_opens_the_roles_home_with_a_strict_http_only_cookie,
    |app| async move {
        add_operator(&app, "uw.a03", Role::Underwriter, "A03").await;
        let client = browser_client();
        let done = submit_login(&client, &app.url, "uw.a03", PASSWORD).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(done.location.as_deref(), Some("/console"));
        let form = client.get(app.at("/console/login")).send().await.unwrap();
        let _ = form.text().await;
        // The session cookie's attributes, as the browser received them.
        let raw = client_login_cookie(&app.url).await;
        assert!(raw.contains("HttpOnly"), "{raw}");
        assert!(raw.contains("SameSite=Strict"), "{raw}");
        assert!(raw.contains("Path=/console"), "{raw}");
        assert!(!raw.contains("Secure"), "plain HTTP on loopback: {raw}");
        let home = client.get(app.at("/console")).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::SEE_OTHER);
        assert_eq!(home.headers()["location"], "/console/asuransi/cbc");
    }
);

/// Logs `uw.a03` in with a fresh client and returns the session cookie's Set-Cookie line.
async fn client_login_cookie(base: &str) -> String {
    client_login_cookie_with(base, None).await
}

async fn client_login_cookie_with(base: &str, forwarded_proto: Option<&str>) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client.get(format!("{base}/console/login")).send().await.unwrap();
    let login_cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_in(&form.text().await.unwrap()).unwrap();
    let mut request = client
        .post(format!("{base}/console/login"))
        .header("cookie", login_cookie)
        .form(&[("name", "uw.a03"), ("password", PASSWORD), ("csrf", csrf.as_str())]);
    if let Some(proto) = forwarded_proto {
        request = request.header("x-forwarded-proto", proto);
    }
    let done = request.send().await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    done.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("jembatan_console="))
        .expect("session cookie")
}

db_test!(behind_tls_the_session_cookie_is_secure, |app| async move {
    add_operator(&app, "uw.a03", Role::Underwriter, "A03").await;
    let raw = client_login_cookie_with(&app.url, Some("https")).await;
    assert!(raw.contains("Secure"), "{raw}");
});

db_test!(a_wrong_password_and_an_unknown_name_answer_alike, |app| async move {
    add_operator(&app, "ppob.ops", Role::PpobOperator, "").await;
    let client = browser_client();
    let wrong = submit_login(&client, &app.url, "ppob.ops", "bukan-kata-sandinya").await;
    let unknown = submit_login(&client, &app.url, "tidak.ada", PASSWORD).await;
    for page in [&wrong, &unknown] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.body.contains("Nama atau kata sandi salah."), "{}", page.body);
    }
    // Neither opened a session.
    let home = client.get(app.at("/console")).send().await.unwrap();
    assert_eq!(home.headers()["location"], "/console/login");
});

db_test!(
    wrong_passwords_lock_the_login_even_for_the_right_one,
    |app| async move {
        add_operator(&app, "hr.demo", Role::HrAdmin, "demo").await;
        let client = browser_client();
        for _ in 0..5 {
            let page = submit_login(&client, &app.url, "hr.demo", "salah-salah-salah").await;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        }
        let locked = submit_login(&client, &app.url, "hr.demo", PASSWORD).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.body);
        assert!(
            locked.body.contains("Terlalu banyak percobaan gagal"),
            "{}",
            locked.body
        );
        // A reset lifts the lockout.
        jembatan::kernel::console::operators::reset(&app.state.kernel, "hr.demo", Some(PASSWORD.to_string()))
            .await
            .unwrap();
        let open = submit_login(&client, &app.url, "hr.demo", PASSWORD).await;
        assert_eq!(open.status, StatusCode::SEE_OTHER, "{}", open.body);
    }
);

db_test!(a_login_form_without_its_csrf_cookie_is_refused, |app| async move {
    add_operator(&app, "uw.a03", Role::Underwriter, "A03").await;
    // Another site posting the form: no login cookie, a made-up token.
    let done = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.at("/console/login"))
        .form(&[("name", "uw.a03"), ("password", PASSWORD), ("csrf", "0123")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::FORBIDDEN);
    assert!(done.text().await.unwrap().contains("kedaluwarsa"));
});

db_test!(forms_without_the_sessions_csrf_token_are_refused, |app| async move {
    let user = ConsoleUser::new(&app, "broker.ops", Role::BrokerOperator, "").await;
    let missing = user.post_raw("/console/logout", &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = user.post_raw("/console/logout", &[("csrf", "00112233")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let multipart = user
        .post_multipart_raw("/console/logout", reqwest::multipart::Form::new().text("csrf", "bad"))
        .await;
    assert_eq!(multipart.status, StatusCode::FORBIDDEN);
    // The session is still open: none of those logged out.
    let frame = user.get("/console/tidak-ada").await;
    assert_eq!(frame.status, StatusCode::NOT_FOUND);
    assert!(frame.body.contains("broker.ops"));
    // With the token, logout works and the session is gone for good.
    let out = user.post("/console/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location.as_deref(), Some("/console/login"));
    let after = user.get("/console").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(after.location.unwrap().starts_with("/console/login"));
});

db_test!(
    an_idle_session_ends_by_itself,
    TestOptions {
        configure: Box::new(|config| config.console.idle_secs = 1),
        ..TestOptions::default()
    },
    |app| async move {
        let user = ConsoleUser::new(&app, "rs.0301", Role::Hospital, "0301R001").await;
        assert_eq!(user.get("/console/tidak-ada").await.status, StatusCode::NOT_FOUND);
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
        let expired = user.get("/console").await;
        assert_eq!(expired.status, StatusCode::SEE_OTHER);
        assert_eq!(expired.location.as_deref(), Some("/console/login?kedaluwarsa=1"));
        let login = user.get("/console/login?kedaluwarsa=1").await;
        assert!(login.body.contains("Sesi Anda sudah berakhir"));
    }
);

db_test!(disabling_an_operator_ends_their_sessions, |app| async move {
    let user = ConsoleUser::new(&app, "admin.satu", Role::Administrator, "").await;
    let kernel = &app.state.kernel;
    jembatan::kernel::console::operators::set_disabled(kernel, "admin.satu", true)
        .await
        .unwrap();
    let gone = user.get("/console").await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(gone.location.unwrap().starts_with("/console/login"));
    let refused = submit_login(&browser_client(), &app.url, "admin.satu", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("dinonaktifkan"));
});

db_test!(
    console_requests_are_journaled_with_the_operator_as_actor,
    |app| async move {
        let user = ConsoleUser::new(&app, "uw.b02", Role::Underwriter, "B02").await;
        user.get("/console/tidak-ada").await;
        app.stop().await;
        let actors: Vec<(String, String)> =
            sqlx::query_as("SELECT route, actor FROM journal WHERE family = 'console' ORDER BY id")
                .fetch_all(&app.state.db)
                .await
                .unwrap();
        assert!(
            actors
                .iter()
                .any(|(route, actor)| route == "/console/login" && actor == "operator:uw.b02"),
            "{actors:?}"
        );
        assert!(
            actors.iter().any(|(route, actor)| route.starts_with("/console/")
                && route != "/console/login"
                && actor == "operator:uw.b02"),
            "{actors:?}"
        );
    }
);

db_test!(a_page_without_a_session_redirects_to_login, |app| async move {
    let client = browser_client();
    for path in [
        "/console",
        "/console/antrean",
        "/console/admin/outbox",
        "/console/apa-saja",
    ] {
        let page = client.get(app.at(path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.headers()["location"], "/console/login", "{path}");
    }
    let css = client.get(app.at("/console/static/console.css")).send().await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
});

db_test!(the_demo_has_one_operator_per_role, |app| async move {
    for (name, role, _) in jembatan::demo::DEMO_OPERATORS {
        let done = submit_login(&browser_client(), &app.url, name, jembatan::demo::DEMO_CONSOLE_PASSWORD).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{name}: {}", done.body);
        let user = ConsoleUser::login(&app, name, jembatan::demo::DEMO_CONSOLE_PASSWORD).await;
        let home = user.get("/console").await;
        assert_eq!(home.location.as_deref(), Some(role.menu()[0].0), "{name}");
    }
    // Loading the demo again adds nobody.
    jembatan::demo::load(&app.state).await.unwrap();
    let list = jembatan::kernel::console::operators::list(&app.state.kernel)
        .await
        .unwrap();
    assert_eq!(list.len(), jembatan::demo::DEMO_OPERATORS.len());
});
