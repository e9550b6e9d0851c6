//! Integration tests: live (being written).

mod common;
