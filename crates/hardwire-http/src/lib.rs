//! Pure parsers for the HTTP side of Windows networks: WinRM (WS-Management over HTTP on
//! 5985/5986, MS-WSMV), the WebDAV redirector, and HTTP authentication (Basic, NTLM,
//! Negotiate, Kerberos, CredSSP), plus the TLS hellos seen on 5986.
//!
//! Everything here is stateless: functions from bytes to borrowed structs. The per-flow HTTP
//! state machine lives in the `hardwire` engine and is built on these pieces:
//!
//! - [`request_line`]: does a stream start with an HTTP/1.x request (or status) line?
//! - [`head`]: request and response heads over `httparse`, bounded in size and field count.
//! - [`body`]: body framing per RFC 9112 and a chunked decoder that never buffers.
//! - [`auth_header`]: authentication schemes and tokens; Basic keeps the user name only.
//! - [`content_type`]: clear SOAP or session-encrypted WinRM bodies.
//! - [`tls_records`]: TLS record sniffing, ClientHello (SNI, versions) and ServerHello.
//! - [`app`]: WinRM and WebDAV recognisers.
//!
//! Hostile input is the normal case: no panics, no allocation sized by a length field, every
//! loop bounded by the bytes present or a documented cap.

#![forbid(unsafe_code)]

pub mod app;
pub mod auth_header;
pub mod body;
pub mod content_type;
pub mod error;
pub mod head;
pub mod request_line;
pub mod tls_records;

pub use app::{is_webdav_agent, is_webdav_method, is_winrm, WINRM_HTTP_PORTS};
pub use auth_header::{parse_authorization, parse_challenges, AuthData, AuthScheme, AuthToken, AuthValue, CredentialValue};
pub use body::{request_body_framing, response_body_framing, BodyDecoder, BodyFraming, BodyProgress, ChunkedDecoder};
pub use content_type::{classify_winrm_content_type, SessionEncryption, WinrmContent};
pub use error::HttpError;
pub use head::{parse_request_head, parse_response_head, ContentLength, RequestHead, ResponseHead, TransferCoding};
pub use request_line::{looks_like_http_request, looks_like_http_response};
pub use tls_records::{looks_like_tls_handshake, parse_tls_hello, ClientHello, ServerHello, TlsHello, TlsVersion};

/// Answer of a content sniffer on the first bytes of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    /// The bytes are this protocol.
    Yes,
    /// The bytes are not this protocol.
    No,
    /// A prefix of this protocol: ask again with more bytes.
    NeedMore,
}

/// Result of an incremental parser on the bytes so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<T> {
    /// A whole message was parsed.
    Complete(T),
    /// The message is not complete yet: call again with more bytes.
    Partial,
}
