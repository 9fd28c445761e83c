//! Integration tests: each module talks HTTP to a real server on port 0, as a partner would.
//! One test binary for the whole suite keeps linking time down.

pub mod common;

mod architecture;
mod at_rest;
mod console;
mod data_key;
mod hostile_input;
mod hr;
mod insurance_broker;
mod insurance_panel;
mod journal;
mod lockout;
mod onboarding;
mod operations;
mod outbox;
mod participant;
mod ppob;
mod queue;
mod replicas;
mod schemathesis;
mod security_hashing;
mod tokens;
mod vclaim;
