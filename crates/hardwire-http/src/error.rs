//! Errors of every parser in this crate.
//!
//! One enum for the crate: the caller (the per-flow HTTP state machine) mostly needs to know
//! "give up on this message / this flow" and which counter to bump, not a tree of types.

/// Why a piece of HTTP or TLS input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The head did not end within [`crate::head::MAX_HEAD_LEN`] bytes: skip the flow.
    #[error("HTTP head larger than the limit")]
    HeadTooLarge,
    /// More header fields than [`crate::head::MAX_HEADERS`].
    #[error("too many HTTP header fields")]
    TooManyHeaders,
    /// The start line or a header field is not HTTP/1.x syntax.
    #[error("malformed HTTP head: {0}")]
    MalformedHead(&'static str),
    /// `Content-Length` is not a decimal number, overflows, or two of them disagree
    /// (RFC 9112 section 6.3: the message cannot be framed).
    #[error("invalid Content-Length")]
    BadContentLength,
    /// A request whose `Transfer-Encoding` does not end in `chunked` (RFC 9112 section 6.3).
    #[error("request Transfer-Encoding without final chunked coding")]
    BadTransferEncoding,
    /// A chunk-size line (or a trailer line) longer than [`crate::body::MAX_CHUNK_LINE`].
    #[error("chunk-size line too long")]
    ChunkLineTooLong,
    /// A chunk-size line that does not start with a hexadecimal size.
    #[error("invalid chunk size")]
    BadChunkSize,
    /// A chunk size that does not fit in 64 bits.
    #[error("chunk size overflows")]
    ChunkSizeOverflow,
    /// Chunk data not followed by CRLF.
    #[error("chunk data not followed by CRLF")]
    BadChunkTerminator,
    /// Trailer section larger than [`crate::head::MAX_HEAD_LEN`].
    #[error("chunked trailer section too large")]
    TrailerTooLarge,
    /// An `Authorization`-like value without an auth-scheme token.
    #[error("missing or invalid authentication scheme")]
    BadAuthScheme,
    /// An authentication token larger than [`crate::auth_header::MAX_TOKEN_LEN`] once decoded.
    #[error("authentication token too large")]
    AuthTokenTooLarge,
    /// An authentication token that is not base64.
    #[error("authentication token is not base64")]
    BadBase64,
    /// Basic credentials without the `:` that separates user and password.
    #[error("Basic credentials without ':'")]
    BasicWithoutColon,
    /// The bytes are not a TLS handshake record.
    #[error("not a TLS handshake record")]
    NotTlsHandshake,
    /// A TLS ClientHello or ServerHello that does not parse.
    #[error("malformed TLS hello: {0}")]
    MalformedTlsHello(&'static str),
    /// A TLS hello message larger than [`crate::tls_records::MAX_HELLO_LEN`].
    #[error("TLS hello too large")]
    TlsHelloTooLarge,
}
