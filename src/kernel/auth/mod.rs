//! Authentication shared by the families: bearer API tokens, HTTP Basic, BPJS consumer signatures.

pub mod basic;
pub mod bearer;
pub mod bpjs;
pub mod bpjs_store;
