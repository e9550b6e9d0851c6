//! Flows and TCP streams for hardwire.
//!
//! - [`key`]: the bidirectional 5-tuple key and which side is the client.
//! - [`table`]: a bounded flow table with a keyed hasher, least-recently-seen eviction and
//!   idle timeouts driven by the caller's clock (packet time offline, wall clock live).
//! - [`tcp`]: a TCP connection: the handshake, both sides' ISNs, windows and TTLs, and what a
//!   segment means (in the window or not, an ACK of bytes really sent, a believable checksum).
//! - [`reassembly`]: per-direction TCP reassembly that holds bytes until the receiver
//!   acknowledges them (or, one direction only, until they are in order), compares overlapping
//!   copies and keeps the one the policy says, reports gaps, and skips bytes the protocol does
//!   not want without buffering them.
//! - [`community_id`]: the Community ID v1 flow hash, so records join with Zeek and Suricata.
#![forbid(unsafe_code)]

pub mod community_id;
pub mod key;
pub mod reassembly;
pub mod table;
pub mod tcp;

pub use key::{Direction, Endpoint, FlowKey};
pub use reassembly::{OverlapConflict, OverlapPolicy, ReassemblyLimits, Stream, StreamCounters, StreamSink};
pub use table::{Flow, FlowTable, TIERS};
pub use tcp::{ChecksumValidation, Connection, ConnectionSink, Segment, TcpCounters, TcpPolicy, Verdict};
