//! Files the server keeps (uploaded documents, payment proofs), stored in the database by
//! SHA-256 so that every replica sharing one database reads what any of them received.
//!
//! A family stores a file with [`put`] and keeps the returned location (`blob:<sha256>`)
//! where it used to keep a path on disk. [`read`] finds a file by its digest and, for rows
//! written before blobs existed (a path under the data directory), falls back to that
//! file, checking that it still has the recorded digest.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::db::Db;
use super::store_blobs;

/// The prefix of a location that names a blob instead of a file on disk.
pub const LOCATION_PREFIX: &str = "blob:";

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Its media type, e.g. `application/pdf`.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Where something went wrong reading or writing a blob.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The database failed.
    #[error("blob store: {0}")]
    Db(#[from] sqlx::Error),
    /// An older file on disk could not be read.
    #[error("blob store: reading {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file name as a client sent it, reduced to ASCII letters, digits, `.`, `-` and `_`
/// (at most 100), so it can go into a `Content-Disposition` header; `dokumen.pdf` when
/// nothing is left.
pub fn safe_file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(100)
        .collect();
    if safe.is_empty() {
        "dokumen.pdf".to_string()
    } else {
        safe
    }
}

/// Stores `bytes` (once per content) and returns the location to keep: `blob:<sha256>`.
pub async fn put(db: &Db, now: &str, content_type: &str, bytes: &[u8]) -> Result<String, BlobError> {
    let sha256 = sha256_hex(bytes);
    store_blobs::insert(db, &sha256, content_type, bytes, now).await?;
    Ok(format!("{LOCATION_PREFIX}{sha256}"))
}

/// The file of digest `sha256` recorded at `location`: from the database, or, for a
/// location that is a path (written before blobs existed), from that file on this
/// machine's disk when it is there with the same digest. `None` when neither has it.
pub async fn read(db: &Db, sha256: &str, location: &str, content_type: &str) -> Result<Option<Blob>, BlobError> {
    if let Some((content_type, bytes)) = store_blobs::find(db, sha256).await? {
        return Ok(Some(Blob { content_type, bytes }));
    }
    if location.starts_with(LOCATION_PREFIX) || location.is_empty() {
        return Ok(None);
    }
    let path = Path::new(location);
    let bytes = match tokio::fs::read(path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(BlobError::Io {
                path: location.to_string(),
                source,
            })
        }
    };
    // A file that changed since it was recorded is not the document that was received.
    if sha256_hex(&bytes) != sha256 {
        return Ok(None);
    }
    Ok(Some(Blob {
        content_type: content_type.to_string(),
        bytes,
    }))
}
