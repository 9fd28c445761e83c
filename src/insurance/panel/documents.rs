//! Uploaded documents: multipart reading with a size limit per file, the PDF check by
//! content, and content-addressed storage (SHA-256) in the kernel's blob store.

use std::collections::HashMap;

use axum::extract::Multipart;
use sha2::{Digest, Sha256};

use super::{refuse, PanelCtx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::{blobs, envelope};

/// Largest text field accepted in a multipart form.
const MAX_TEXT_FIELD: usize = 4 * 1024;

/// A multipart form: its text fields and its one file.
#[derive(Debug, Default)]
pub struct Upload {
    /// Text fields by name.
    pub fields: HashMap<String, String>,
    /// The file's name as sent.
    pub file_name: String,
    /// The file's bytes, if a file part came.
    pub file: Option<Vec<u8>>,
    /// True when the file passed the size limit (its bytes were dropped).
    pub too_large: bool,
}

impl Upload {
    /// A mandatory text field; its absence is a malformed request naming it.
    pub fn field(&self, name: &str) -> AppResult<String> {
        self.fields
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| AppError::BadRequest(format!("field `{name}` is missing")))
    }
}

/// `total + more`, or a refusal when an upload grows past [`envelope::MAX_UPLOAD_BYTES`].
fn within_total(total: usize, more: usize) -> AppResult<usize> {
    let total = total + more;
    if total > envelope::MAX_UPLOAD_BYTES {
        return Err(AppError::BadRequest(format!(
            "upload larger than {} bytes in all",
            envelope::MAX_UPLOAD_BYTES
        )));
    }
    Ok(total)
}

fn multipart_error(err: axum::extract::multipart::MultipartError) -> AppError {
    AppError::BadRequest(format!("multipart: {}", err.body_text()))
}

/// Reads a multipart form whose file part is named `files` (any case). A file above
/// `max_document_bytes` is not kept: `too_large` tells the caller to refuse it.
pub async fn read_upload(ctx: &PanelCtx, mut multipart: Multipart) -> AppResult<Upload> {
    let max = ctx.family.config.max_document_bytes;
    let mut upload = Upload::default();
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
        if is_file {
            upload.file_name = field.file_name().unwrap_or("dokumen.pdf").to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                total = within_total(total, chunk.len())?;
                if upload.too_large || bytes.len() + chunk.len() > max {
                    upload.too_large = true;
                    bytes = Vec::new();
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            upload.file = Some(bytes);
        } else {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                total = within_total(total, chunk.len())?;
                if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
                    return Err(AppError::BadRequest(format!("field `{name}` is too long")));
                }
                bytes.extend_from_slice(&chunk);
            }
            let text =
                String::from_utf8(bytes).map_err(|_| AppError::BadRequest(format!("field `{name}` is not UTF-8")))?;
            if !envelope::is_clean_text(&text) || !envelope::is_clean_text(&name) {
                return Err(AppError::BadRequest(format!(
                    "control character in field `{}`",
                    name.escape_debug()
                )));
            }
            upload.fields.insert(name, text);
        }
    }
    Ok(upload)
}

/// The file of an upload once it passed the checks.
#[derive(Debug, Clone)]
pub struct CheckedPdf {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 hex.
    pub sha256: String,
}

/// True when `bytes` are a PDF: the `%PDF-` header at the start (a few bytes of junk are
/// tolerated, as readers do) and an `%%EOF` marker in the trailer.
pub fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let header = head.windows(5).position(|w| w == b"%PDF-");
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    header.is_some() && tail.windows(5).any(|w| w == b"%%EOF")
}

/// Checks the upload's file: present (else malformed), within the size limit and a PDF (else refused).
pub fn check_pdf(ctx: &PanelCtx, upload: &Upload) -> AppResult<CheckedPdf> {
    if upload.too_large {
        return Err(refuse(format!(
            "Ukuran file melebihi batas {} byte",
            ctx.family.config.max_document_bytes
        )));
    }
    let bytes = upload
        .file
        .clone()
        .ok_or_else(|| AppError::BadRequest("field `files` (the PDF file) is missing".into()))?;
    if bytes.is_empty() || !is_pdf(&bytes) {
        return Err(refuse("File bukan dokumen PDF"));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(CheckedPdf { bytes, sha256 })
}

/// Stores the file in the kernel's blob store (so any replica can read it) and returns
/// the location to record with the document (`blob:<sha256>`).
pub async fn store(ctx: &PanelCtx, pdf: &CheckedPdf) -> AppResult<String> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    blobs::put(&ctx.kernel.db, &now, "application/pdf", &pdf.bytes)
        .await
        .map_err(|e| AppError::internal_from("document store", e))
}

/// Refuses a `Kode_Dokumen` that is not one of `required`, naming the codes that are;
/// `purpose` says what the documents are for ("pengajuan ini", "klaim MENINGGAL").
pub fn require_code(required: &[crate::insurance::wire::Dokumen], kode: &str, purpose: &str) -> AppResult<()> {
    if required.iter().any(|d| d.kode_dokumen == kode) {
        return Ok(());
    }
    let codes: Vec<&str> = required.iter().map(|d| d.kode_dokumen.as_str()).collect();
    Err(refuse(format!(
        "Kode_Dokumen {kode} tidak diperlukan untuk {purpose} (diperlukan: {})",
        codes.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pdf_by_content() {
        assert!(super::is_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"));
        assert!(!super::is_pdf(b"PK\x03\x04 not a pdf %%EOF"));
        assert!(!super::is_pdf(b"%PDF-1.7 truncated"));
    }
}
