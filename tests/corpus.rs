//! Integration tests: corpus (being written).

mod common;
