//! The one error type of the crate.

use thiserror::Error;

/// Why a token could not be decoded. Every variant is a property of the input: the parsers
/// never fail for any other reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AuthError {
    /// The input ends before a structure it announces.
    #[error("truncated token: {0}")]
    Truncated(&'static str),
    /// The bytes do not follow the encoding the context requires.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// DER values are nested deeper than [`crate::MAX_DEPTH`].
    #[error("DER nesting deeper than the limit")]
    TooDeep,
    /// An NTLMSSP message type other than NEGOTIATE (1), CHALLENGE (2), AUTHENTICATE (3).
    #[error("unknown NTLMSSP message type {0}")]
    UnknownNtlmMessage(u32),
    /// An NTLMSSP payload field (offset, length) points outside the message.
    #[error("NTLMSSP field {0} points outside the message")]
    FieldOutOfBounds(&'static str),
    /// The bytes are none of the token forms this crate knows.
    #[error("not a GSS-API, SPNEGO, NTLMSSP or Kerberos token")]
    UnknownToken,
}

/// Maps a nom failure on a complete buffer to [`AuthError::Truncated`]: with the complete
/// parsers we use, running out of bytes is the only way the primitive readers fail.
pub(crate) fn truncated(what: &'static str) -> impl Fn(nom::Err<nom::error::Error<&[u8]>>) -> AuthError {
    move |_| AuthError::Truncated(what)
}
