//! Integration tests: cli (being written).

mod common;
