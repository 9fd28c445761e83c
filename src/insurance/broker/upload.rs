//! Multipart forms (the bank's documents, a panel's payment proof): text fields and one
//! PDF file, size-limited while streaming, checked by content, stored by SHA-256.

use std::collections::HashMap;

use axum::extract::Multipart;
use sha2::{Digest, Sha256};

use super::refuse;
use super::BrokerCtx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::{blobs, envelope};

const MAX_TEXT_FIELD: usize = 4 * 1024;

/// A multipart form: its text fields and its one PDF.
#[derive(Debug, Default)]
pub struct Form {
    /// Text fields by name.
    pub fields: HashMap<String, String>,
    /// The file's name as sent.
    pub file_name: String,
    /// The file's bytes.
    pub file: Vec<u8>,
    /// Its SHA-256 (hex).
    pub sha256: String,
}

impl Form {
    /// A mandatory text field; its absence is a malformed request naming it.
    pub fn field(&self, name: &str) -> AppResult<String> {
        self.fields
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| AppError::BadRequest(format!("field `{name}` is missing")))
    }
}

fn multipart_error(err: axum::extract::multipart::MultipartError) -> AppError {
    AppError::BadRequest(format!("multipart: {}", err.body_text()))
}

/// True when `bytes` look like a PDF: `%PDF-` near the start and `%%EOF` in the trailer.
pub fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    head.windows(5).any(|w| w == b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// Reads the form; the file part is `files`/`Files`/`file` (or any part with a file name).
/// No file is malformed; an oversized or non-PDF file is refused.
pub async fn read(state: &BrokerCtx, mut multipart: Multipart) -> AppResult<Form> {
    let max = state.family.config.max_document_bytes;
    let mut form = Form::default();
    let mut file: Option<Vec<u8>> = None;
    let mut too_large = false;
    // Unknown fields are accepted (and ignored), but not without bound.
    let (mut parts, mut total) = (0usize, 0usize);
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        parts += 1;
        if parts > envelope::MAX_UPLOAD_PARTS {
            return Err(AppError::BadRequest(format!(
                "more than {} multipart fields",
                envelope::MAX_UPLOAD_PARTS
            )));
        }
        let name = field.name().unwrap_or_default().to_string();
        let is_file =
            name.eq_ignore_ascii_case("files") || name.eq_ignore_ascii_case("file") || field.file_name().is_some();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            total += chunk.len();
            if total > envelope::MAX_UPLOAD_BYTES {
                return Err(AppError::BadRequest(format!(
                    "upload larger than {} bytes in all",
                    envelope::MAX_UPLOAD_BYTES
                )));
            }
            if is_file {
                if too_large || bytes.len() + chunk.len() > max {
                    too_large = true;
                    bytes = Vec::new();
                    continue;
                }
            } else if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
                return Err(AppError::BadRequest(format!("field `{name}` is too long")));
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            form.file_name = blobs::safe_file_name(field.file_name().unwrap_or("dokumen.pdf"));
            file = Some(bytes);
        } else {
            let text =
                String::from_utf8(bytes).map_err(|_| AppError::BadRequest(format!("field `{name}` is not UTF-8")))?;
            if !envelope::is_clean_text(&text) || !envelope::is_clean_text(&name) {
                return Err(AppError::BadRequest(format!(
                    "control character in field `{}`",
                    name.escape_debug()
                )));
            }
            form.fields.insert(name, text);
        }
    }
    if too_large {
        return Err(refuse(format!("Ukuran file melebihi batas {max} byte")));
    }
    let file = file.ok_or_else(|| AppError::BadRequest("field `files` (the PDF file) is missing".into()))?;
    if file.is_empty() || !is_pdf(&file) {
        return Err(refuse("File bukan dokumen PDF"));
    }
    form.sha256 = hex::encode(Sha256::digest(&file));
    form.file = file;
    Ok(form)
}

/// Stores the file in the kernel's blob store (so any replica can read it) and returns
/// the location to record with the document (`blob:<sha256>`).
pub async fn store(state: &BrokerCtx, form: &Form) -> AppResult<String> {
    let now = state.kernel.clock.now().to_rfc3339();
    blobs::put(&state.kernel.db, &now, "application/pdf", &form.file)
        .await
        .map_err(|e| AppError::internal_from("document store", e))
}
