//! The panel's callbacks to the broker (`{{urlAAP}}`): the messages the outbox delivers.
//! JSON bodies, and the multipart body of `post-pembayaran` built once as bytes so every
//! retry sends exactly the same request.
//!
//! A message names the client whose broker login it is sent with (a reference, never the
//! password): [`resolver`] reads the client's sealed password when the message is sent,
//! so a rotated password is used from the next attempt on.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::auth::Scope;
use super::CLIENT_REALM;
use crate::kernel::auth::basic;
use crate::kernel::db::Db;
use crate::kernel::keys::Keys;
use crate::kernel::outbox::{Acceptance, CredentialResolver, OutboxMessage};

/// The outbox family of the panels' callbacks.
pub const FAMILY: &str = "insurance-panel";

/// The credential reference of a callback: which client's broker login, for which panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRef {
    /// The broker client (realm [`CLIENT_REALM`]) whose scope holds the login.
    pub client: String,
    /// The calling panel (replaces `{panel}` in the user name).
    pub panel: String,
}

fn target(scope: &Scope, path: &str) -> String {
    format!("{}/{path}", scope.broker_url.trim_end_matches('/'))
}

fn credential(client: &str, panel: &str) -> Option<String> {
    serde_json::to_string(&CredentialRef {
        client: client.to_string(),
        panel: panel.to_string(),
    })
    .ok()
}

/// Basic credentials for the broker; `{panel}` in the user name is the calling panel's code
/// (so one client entry can give each panel its own broker login, e.g. `panel-{panel}`).
fn headers(scope: &Scope, panel: &str, password: &str) -> Vec<(String, String)> {
    let username = scope.broker_username.replace("{panel}", panel);
    let credentials = BASE64.encode(format!("{username}:{password}"));
    vec![("Authorization".to_string(), format!("Basic {credentials}"))]
}

/// The headers of a callback sent with `reference`'s login, read from the database now.
pub async fn resolve(db: &Db, keys: &Keys, reference: &str) -> Result<Vec<(String, String)>, String> {
    let reference: CredentialRef = serde_json::from_str(reference).map_err(|e| format!("bad reference: {e}"))?;
    let scope = basic::scope_of(db, CLIENT_REALM, &reference.client)
        .await
        .map_err(|e| format!("reading client {}: {e}", reference.client))?
        .ok_or_else(|| format!("client {} is unknown or disabled", reference.client))?;
    let scope: Scope = serde_json::from_str(&scope).unwrap_or_default();
    let password = scope.open_password(keys, &reference.client)?;
    Ok(headers(&scope, &reference.panel, &password))
}

/// The outbox resolver of this family's credential references.
pub fn resolver(db: Db, keys: Keys) -> CredentialResolver {
    std::sync::Arc::new(move |reference: String| {
        let (db, keys) = (db.clone(), keys.clone());
        Box::pin(async move { resolve(&db, &keys, &reference).await })
    })
}

/// A JSON callback to `path` under the client's broker URL.
pub fn json<T: Serialize>(client: &str, scope: &Scope, panel: &str, path: &str, body: &T) -> OutboxMessage {
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
        headers: Vec::new(),
        ordering_key: Some(ordering_key(panel, &id_loan)),
        credential: credential(client, panel),
        // The broker answers refusals as HTTP 200 with "Status":"01" (spec 5.2, 9.2).
        acceptance: Acceptance::Status00,
    }
}

/// One loan's callbacks arrive in the order its decisions were made (ANALISA before
/// TAHAN before TERIMA before the payment), whatever retries happen in between.
fn ordering_key(panel: &str, id_loan: &str) -> String {
    format!("{FAMILY}:{panel}:{id_loan}")
}

/// A multipart callback: text `fields`, then the PDF as `files`.
pub fn multipart(
    client: &str,
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
        headers: Vec::new(),
        ordering_key: Some(ordering_key(panel, id_loan)),
        credential: credential(client, panel),
        // The broker answers refusals as HTTP 200 with "Status":"01" (spec 5.2, 9.2).
        acceptance: Acceptance::Status00,
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
    fn json_callbacks_name_the_login_and_never_carry_it() {
        let message = json(
            "aap",
            &scope(),
            "B02",
            "post-status",
            &serde_json::json!({"Status": "TERIMA"}),
        );
        assert_eq!(message.target_url, "http://127.0.0.1:1/aap/post-status");
        assert!(message.headers.is_empty());
        let reference: CredentialRef = serde_json::from_str(message.credential.as_deref().unwrap()).unwrap();
        assert_eq!(
            reference,
            CredentialRef {
                client: "aap".into(),
                panel: "B02".into()
            }
        );
        assert_eq!(
            headers(&scope(), "B02", "pw"),
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
            "aap",
            &scope(),
            "A03",
            "post-pembayaran",
            &[("ID_Loan", "L1".into())],
            "bukti bayar.pdf",
            b"%PDF-1.4",
        );
        assert!(message.headers.is_empty());
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
