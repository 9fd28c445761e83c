//! A console user for HTTP tests: an operator made through the kernel (as `jembatan
//! operator add` does), logged in through the real login form, holding the session cookie
//! and the CSRF token the pages carry.

use jembatan::kernel::console::operators;
use jembatan::kernel::console::Role;
use reqwest::header::LOCATION;
use reqwest::StatusCode;

use super::TestApp;

/// The password every test operator gets (long enough for the console's rule).
pub const PASSWORD: &str = "kata-sandi-uji-123";

/// One answer of the console, as a browser would get it (redirects not followed).
#[derive(Debug)]
pub struct Page {
    /// The status.
    pub status: StatusCode,
    /// Where a redirect points, if it is one.
    pub location: Option<String>,
    /// The HTML (or CSV, PDF bytes as lossy text).
    pub body: String,
    /// The content type.
    pub content_type: String,
}

/// A logged-in operator.
pub struct ConsoleUser {
    /// The client with the session cookie.
    pub client: reqwest::Client,
    /// The server's base URL.
    pub base: String,
    /// The operator's name.
    pub name: String,
    /// The session's CSRF token, scraped from a page.
    pub csrf: String,
}

/// A cookie-keeping client that does not follow redirects (tests look at them).
pub fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Adds an operator named `name` with `role` and `scope`, password [`PASSWORD`].
pub async fn add_operator(app: &TestApp, name: &str, role: Role, scope: &str) {
    operators::add(&app.state.kernel, name, role, scope, Some(PASSWORD.to_string()))
        .await
        .expect("add operator");
}

/// The CSRF token in a page's hidden field, if the page has a form.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

async fn page(response: reqwest::Response) -> Page {
    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = String::from_utf8_lossy(&response.bytes().await.expect("body")).into_owned();
    Page {
        status,
        location,
        body,
        content_type,
    }
}

/// Submits the login form at `/console/login` as a browser does (GET for the form's
/// CSRF cookie and field, then POST) with `client`.
pub async fn submit_login(client: &reqwest::Client, base: &str, name: &str, password: &str) -> Page {
    let form = page(
        client
            .get(format!("{base}/console/login"))
            .send()
            .await
            .expect("login page"),
    )
    .await;
    let csrf = csrf_in(&form.body).expect("login form has a csrf field");
    let response = client
        .post(format!("{base}/console/login"))
        .form(&[("name", name), ("password", password), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("login");
    page(response).await
}

impl ConsoleUser {
    /// Adds an operator and logs them in.
    pub async fn new(app: &TestApp, name: &str, role: Role, scope: &str) -> ConsoleUser {
        add_operator(app, name, role, scope).await;
        ConsoleUser::login(app, name, PASSWORD).await
    }

    /// Logs an existing operator in (panics if the login fails).
    pub async fn login(app: &TestApp, name: &str, password: &str) -> ConsoleUser {
        let client = browser_client();
        let done = submit_login(&client, &app.url, name, password).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "login of {name}: {}", done.body);
        // Any page in the operator's frame carries the session's CSRF token (the logout form).
        let frame = page(
            client
                .get(format!("{}/console/tidak-ada", app.url))
                .send()
                .await
                .expect("frame"),
        )
        .await;
        let csrf = csrf_in(&frame.body).expect("the frame carries the session's csrf token");
        ConsoleUser {
            client,
            base: app.url.clone(),
            name: name.to_string(),
            csrf,
        }
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Page {
        page(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .expect("get"),
        )
        .await
    }

    /// POST a URL-encoded form to `path`, with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POST exactly `fields` (no CSRF token added), for the refusal tests.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("post");
        page(response).await
    }

    /// POST a multipart form (a PDF upload) to `path`: `build` adds the fields to a form
    /// that already carries the CSRF token (first, as the console's forms put it).
    pub async fn post_multipart(
        &self,
        path: &str,
        build: impl FnOnce(reqwest::multipart::Form) -> reqwest::multipart::Form,
    ) -> Page {
        let form = build(reqwest::multipart::Form::new().text("csrf", self.csrf.clone()));
        self.post_multipart_raw(path, form).await
    }

    /// POST a multipart form as given (no CSRF token added).
    pub async fn post_multipart_raw(&self, path: &str, form: reqwest::multipart::Form) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .expect("post multipart");
        page(response).await
    }
}
