//! The operators' console: login, sessions, CSRF, lockouts, the operator commands.

mod login;
mod operators;
