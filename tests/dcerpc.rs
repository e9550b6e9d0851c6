//! Integration tests: dcerpc (being written).

mod common;
