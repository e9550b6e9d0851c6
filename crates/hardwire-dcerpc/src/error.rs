//! Errors of the PDU parsers.

use thiserror::Error;

/// Why bytes could not be read as a connection-oriented DCE/RPC PDU.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DceRpcError {
    /// More bytes are needed before the PDU can be read (at least this many).
    #[error("incomplete PDU: {0} more bytes needed")]
    Incomplete(usize),
    /// `rpc_vers` is not 5 or `rpc_vers_minor` is not 0 or 1.
    #[error("not DCE/RPC 5.0/5.1 (version {major}.{minor})")]
    BadVersion {
        /// `rpc_vers` as sent.
        major: u8,
        /// `rpc_vers_minor` as sent.
        minor: u8,
    },
    /// The packet type is not one of the connection-oriented PDU types.
    #[error("packet type {0} is not a connection-oriented PDU")]
    UnknownPacketType(u8),
    /// `frag_length` is smaller than the fixed part of the PDU.
    #[error("frag_length {0} is too small")]
    BadFragLength(u16),
    /// `auth_length` (plus the 8-byte security trailer) does not fit in the fragment.
    #[error("auth_length {auth_length} does not fit in frag_length {frag_length}")]
    BadAuthLength {
        /// `auth_length` as sent.
        auth_length: u16,
        /// `frag_length` as sent.
        frag_length: u16,
    },
    /// A field inside the PDU body runs past the fragment or contradicts another.
    #[error("malformed {0}")]
    Malformed(&'static str),
}
