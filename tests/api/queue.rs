//! Tests of this family (added with its work).
#[allow(unused_imports)]
use crate::common;
