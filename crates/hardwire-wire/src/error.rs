//! Why a frame could not be decoded.

/// A frame that does not decode to an IP packet we can use. Every variant is counted by the
/// caller as a decode error and the frame is skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The frame ends inside a header.
    #[error("frame truncated inside the {0} header")]
    Truncated(&'static str),
    /// The capture's link type is not one we decode.
    #[error("unsupported link type {0}")]
    UnsupportedLink(i32),
    /// A header whose fields are impossible (bad version, bad length...).
    #[error("malformed {0} header")]
    Malformed(&'static str),
    /// More tunnel or VLAN layers than we are willing to peel.
    #[error("too many nested encapsulations")]
    TooDeep,
}
