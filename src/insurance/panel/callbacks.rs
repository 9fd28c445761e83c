//! The panel's callbacks to the broker (`{{urlAAP}}`): the messages the outbox delivers.
//! JSON bodies, and the multipart body of `post-pembayaran` built once as bytes so every
//! retry sends exactly the same request.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Serialize;

use super::auth::Scope;
use crate::kernel::outbox::OutboxMessage;

/// The outbox family of the panels' callbacks.
pub const FAMILY: &str = "insurance-panel";

fn target(scope: &Scope, path: &str) -> String {
    format!("{}/{path}", scope.broker_url.trim_end_matches('/'))
}

/// Basic credentials for the broker; `{panel}` in the user name is the calling panel's code
/// (so one client entry can give each panel its own broker login, e.g. `panel-{panel}`).
fn headers(scope: &Scope, panel: &str) -> Vec<(String, String)> {
    let username = scope.broker_username.replace("{panel}", panel);
    let credentials = BASE64.encode(format!("{username}:{}", scope.broker_password));
    vec![("Authorization".to_string(), format!("Basic {credentials}"))]
}

/// A JSON callback to `path` under the client's broker URL.
pub fn json<T: Serialize>(scope: &Scope, panel: &str, path: &str, body: &T) -> OutboxMessage {
    let value = serde_json::to_value(body).unwrap_or_default();
    let id_loan = value
        .get("ID_Loan")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    OutboxMessage {
        family: FAMILY.to_string(),
        target_url: target(scope, path),
        content_type: "application/json".to_string(),
        body: serde_json::to_vec(&value).unwrap_or_default(),
        headers: headers(scope, panel),
        ordering_key: Some(ordering_key(panel, &id_loan)),
    }
}

/// One loan's callbacks arrive in the order its decisions were made (ANALISA before
/// TAHAN before TERIMA before the payment), whatever retries happen in between.
fn ordering_key(panel: &str, id_loan: &str) -> String {
    format!("{FAMILY}:{panel}:{id_loan}")
}

/// A multipart callback: text `fields`, then the PDF as `files`.
pub fn multipart(
    scope: &Scope,
    panel: &str,
    path: &str,
    fields: &[(&str, String)],
    file_name: &str,
    pdf: &[u8],
) -> OutboxMessage {
    let boundary = format!("jembatan-{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::with_capacity(pdf.len() + 1024);
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    let safe_name: String = file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{safe_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(pdf);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let id_loan = fields
        .iter()
        .find(|(name, _)| *name == "ID_Loan")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    OutboxMessage {
        family: FAMILY.to_string(),
        target_url: target(scope, path),
        content_type: format!("multipart/form-data; boundary={boundary}"),
        body,
        headers: headers(scope, panel),
        ordering_key: Some(ordering_key(panel, id_loan)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        Scope {
            panels: vec!["*".into()],
            broker_url: "http://127.0.0.1:1/aap/".into(),
            broker_username: "panel-{panel}".into(),
            broker_password: "pw".into(),
        }
    }

    #[test]
    fn json_callbacks_carry_the_panels_broker_login() {
        let message = json(&scope(), "B02", "post-status", &serde_json::json!({"Status": "TERIMA"}));
        assert_eq!(message.target_url, "http://127.0.0.1:1/aap/post-status");
        assert_eq!(
            message.headers,
            [(
                "Authorization".to_string(),
                format!("Basic {}", BASE64.encode("panel-B02:pw"))
            )]
        );
        assert_eq!(message.body, br#"{"Status":"TERIMA"}"#);
    }

    #[test]
    fn multipart_bodies_are_built_once_with_their_boundary() {
        let message = multipart(
            &scope(),
            "A03",
            "post-pembayaran",
            &[("ID_Loan", "L1".into())],
            "bukti bayar.pdf",
            b"%PDF-1.4",
        );
        let boundary = message
            .content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let body = String::from_utf8(message.body).unwrap();
        assert!(body.starts_with(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"ID_Loan\"\r\n\r\nL1\r\n"
        )));
        assert!(body.contains(
            "name=\"files\"; filename=\"buktibayar.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n"
        ));
        assert!(body.ends_with(&format!("--{boundary}--\r\n")));
    }
}
