//! Jembatan: one server that speaks the host-to-host protocols of Indonesian health
//! insurance (BPJS VClaim and Antrean RS), social security memberships (HR), bill
//! payment (PPOB) and insurance brokerage, each exactly as its partner documents it.

pub mod app;
pub mod cli;
pub mod cli_auth;
pub mod cli_credentials;
pub mod cli_journal;
pub mod cli_operator;
pub mod config;
pub mod demo;
pub mod kernel;

pub mod hr;
pub mod insurance;
pub mod participant;
pub mod ppob;
pub mod queue;
