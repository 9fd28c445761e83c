//! The operators' console: what its pages share.

pub mod chart;
