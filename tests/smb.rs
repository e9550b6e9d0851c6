//! Integration tests: smb (being written).

mod common;
