//! Integration tests: damage (being written).

mod common;
