//! Link-layer and network-layer decoding for hardwire.
//!
//! A frame as libpcap hands it over (with its link type) becomes a [`Packet`]: the innermost IP
//! endpoints and a TCP segment or UDP datagram that borrow the frame. Tunnels that mirror ports
//! deliver traffic through (GRE, ERSPAN types I, II and III) and VLAN tag stacks (802.1Q, QinQ)
//! are peeled off on the way. IPv4 fragments are reassembled by a bounded [`Defragmenter`].
//!
//! Files: [`link`] (link types and their headers), [`tunnel`] (GRE and ERSPAN), [`ip`] (IP and
//! transport headers: plain IPv4 and TCP read directly, the rest through `etherparse`), [`defrag`] (IPv4 reassembly), [`decoder`] (the walk
//! from frame to packet), [`shard`] (which live worker a frame goes to).
#![forbid(unsafe_code)]

pub mod decoder;
pub mod defrag;
pub mod error;
pub mod ip;
pub mod link;
pub mod shard;
pub mod tunnel;

pub use decoder::{Decoder, DecoderLimits};
pub use defrag::{DefragLimits, Defragmenter};
pub use error::DecodeError;
pub use ip::{tcp_checksum_ok, Packet, TcpFlags, TcpSegment, Transport};
pub use link::LinkType;
pub use shard::shard_hash;
