//! The output edge of hardwire: events become JSON lines (`../shared/SCHEMA.md`), counted on
//! the way for the `stats` line and the Prometheus metrics ([`metrics`]).

pub mod json;
pub mod metrics;
pub mod tally;

pub use json::JsonLines;
pub use tally::{LiveCounters, Tally};
