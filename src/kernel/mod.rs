//! What every API family shares, and nothing family-specific.

pub mod auth;
pub mod bpjs_crypto;
pub mod clock;
pub mod db;
pub mod envelope;
pub mod error;
pub mod extract;
pub mod ids;
pub mod import;
pub mod journal;
pub mod lenient;
pub mod mask;
pub mod observability;
pub mod outbox;
pub mod secret;
