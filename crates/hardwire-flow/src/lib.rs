//! Flows and TCP streams for hardwire.
//!
//! - [`key`]: the bidirectional 5-tuple key and which side is the client.
//! - [`table`]: a bounded flow table with a keyed hasher, least-recently-seen eviction and
//!   idle timeouts driven by the caller's clock (packet time offline, wall clock live).
//! - [`reassembly`]: per-direction TCP reassembly that hands in-order bytes to a protocol,
//!   buffers out-of-order segments up to a cap, resolves overlaps first-copy-wins, reports gaps,
//!   and skips bytes the protocol does not want without buffering them.
//! - [`community_id`]: the Community ID v1 flow hash, so records join with Zeek and Suricata.
#![forbid(unsafe_code)]

pub mod community_id;
pub mod key;
pub mod reassembly;
pub mod table;

pub use key::{Direction, Endpoint, FlowKey};
pub use reassembly::{ReassemblyLimits, Stream, StreamCounters, StreamSink};
pub use table::{Flow, FlowTable};
