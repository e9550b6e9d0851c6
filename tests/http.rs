//! Integration tests: http (being written).

mod common;
