//! HTTP/1.x request and response heads (start line and header fields), parsed with `httparse`
//! into borrowed structs that keep only what the sensor reports or needs for framing.
//!
//! Bounded: at most [`MAX_HEAD_LEN`] bytes are looked at and at most [`MAX_HEADERS`] fields are
//! accepted, so a megabyte of headers or ten thousand fields end in a clean error at once.

use std::mem::MaybeUninit;

use crate::auth_header::CredentialValue;
use crate::{HttpError, Parsed};

/// Most header fields accepted in one head; more is [`HttpError::TooManyHeaders`].
pub const MAX_HEADERS: usize = 128;
/// Largest head accepted (start line, fields and the empty line); a head not finished within
/// this many bytes is [`HttpError::HeadTooLarge`].
pub const MAX_HEAD_LEN: usize = 64 * 1024;

/// What the `Content-Length` field(s) say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentLength {
    /// No `Content-Length` field.
    Absent,
    /// One value (repeated identical values, RFC 9110 section 8.6, collapse to it).
    Valid(u64),
    /// Not a number, too large, or conflicting values: the message cannot be framed by it.
    Invalid,
}

/// What the `Transfer-Encoding` field(s) say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferCoding {
    /// No `Transfer-Encoding` field.
    Absent,
    /// The final transfer coding is `chunked`.
    Chunked,
    /// Present, but the final coding is not `chunked`.
    Other,
}

/// A parsed request head. Strings borrow the input; a header value that is not UTF-8 is `None`.
///
/// `Debug` never shows credentials: `authorization` and `proxy_authorization` print their
/// scheme only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// Bytes of the head, up to and including the empty line; the body starts here.
    pub head_len: usize,
    /// Method token as on the wire (`GET`, `PROPFIND`, `RPC_IN_DATA`...).
    pub method: &'a str,
    /// Request target as on the wire.
    pub uri: &'a str,
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub version_minor: u8,
    /// First `Host` value.
    pub host: Option<&'a str>,
    /// First `User-Agent` value.
    pub user_agent: Option<&'a str>,
    /// First `Content-Type` value.
    pub content_type: Option<&'a str>,
    /// `Content-Length`.
    pub content_length: ContentLength,
    /// `Transfer-Encoding`.
    pub transfer_coding: TransferCoding,
    /// `Connection` lists `close`.
    pub connection_close: bool,
    /// `Expect: 100-continue`: the body may wait for an interim 100 response.
    pub expect_continue: bool,
    /// First `Authorization` value.
    pub authorization: Option<CredentialValue<'a>>,
    /// First `Proxy-Authorization` value.
    pub proxy_authorization: Option<CredentialValue<'a>>,
}

/// A parsed response head. Strings borrow the input; a header value that is not UTF-8 is
/// `None` (or left out of the lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead<'a> {
    /// Bytes of the head, up to and including the empty line; the body starts here.
    pub head_len: usize,
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub version_minor: u8,
    /// Status code.
    pub status: u16,
    /// Reason phrase (may be empty).
    pub reason: &'a str,
    /// First `Content-Type` value.
    pub content_type: Option<&'a str>,
    /// `Content-Length`.
    pub content_length: ContentLength,
    /// `Transfer-Encoding`.
    pub transfer_coding: TransferCoding,
    /// `Connection` lists `close`.
    pub connection_close: bool,
    /// Every `WWW-Authenticate` value, in order (a server often offers `Negotiate` and `NTLM`
    /// in two fields).
    pub www_authenticate: Vec<&'a str>,
    /// Every `Proxy-Authenticate` value, in order.
    pub proxy_authenticate: Vec<&'a str>,
}

impl ResponseHead<'_> {
    /// An interim response (1xx other than 101): the final response to the same request
    /// follows on the stream.
    pub fn is_interim(&self) -> bool {
        (100..200).contains(&self.status) && self.status != 101
    }
}

/// Header fields shared by requests and responses, folded while walking the list once.
struct Fields<'a> {
    content_type: Option<&'a str>,
    content_length: ContentLength,
    transfer_coding: TransferCoding,
    connection_close: bool,
}

impl<'a> Fields<'a> {
    fn new() -> Self {
        Fields {
            content_type: None,
            content_length: ContentLength::Absent,
            transfer_coding: TransferCoding::Absent,
            connection_close: false,
        }
    }

    /// Takes the field if it is one of the shared ones; returns whether it was.
    fn take(&mut self, name: &str, value: &'a [u8]) -> bool {
        if name.eq_ignore_ascii_case("content-type") {
            self.content_type = self.content_type.or(text(value));
        } else if name.eq_ignore_ascii_case("content-length") {
            self.content_length = merge_content_length(self.content_length, value);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            self.transfer_coding = final_coding(value);
        } else if name.eq_ignore_ascii_case("connection") {
            self.connection_close |= list_has(value, "close");
        } else {
            return false;
        }
        true
    }
}

/// A header value as trimmed UTF-8 text.
fn text(value: &[u8]) -> Option<&str> {
    std::str::from_utf8(value).ok().map(str::trim)
}

/// Elements of a comma-separated field value, trimmed, empty ones dropped.
fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(<[u8]>::trim_ascii).filter(|e| !e.is_empty())
}

fn list_has(value: &[u8], token: &str) -> bool {
    list_elements(value).any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
}

/// Folds one more `Content-Length` field (itself possibly a list) into what was seen before.
fn merge_content_length(seen: ContentLength, value: &[u8]) -> ContentLength {
    let mut merged = seen;
    let mut any = false;
    for element in list_elements(value) {
        any = true;
        merged = match (merged, parse_decimal(element)) {
            (ContentLength::Invalid, _) | (_, None) => ContentLength::Invalid,
            (ContentLength::Absent, Some(n)) => ContentLength::Valid(n),
            (ContentLength::Valid(m), Some(n)) if m == n => ContentLength::Valid(n),
            (ContentLength::Valid(_), Some(_)) => ContentLength::Invalid,
        };
    }
    if any {
        merged
    } else {
        ContentLength::Invalid
    }
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| acc.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

/// The last `Transfer-Encoding` field decides the final coding (earlier fields come first in
/// the combined list).
fn final_coding(value: &[u8]) -> TransferCoding {
    match list_elements(value).last() {
        Some(last) if last.eq_ignore_ascii_case(b"chunked") => TransferCoding::Chunked,
        _ => TransferCoding::Other,
    }
}

/// Lenient like a server: the sensor wants the head even when a field is odd.
fn parser_config() -> httparse::ParserConfig {
    let mut config = httparse::ParserConfig::default();
    config
        .allow_multiple_spaces_in_request_line_delimiters(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .ignore_invalid_headers_in_requests(true)
        .ignore_invalid_headers_in_responses(true);
    config
}

/// The part of `buf` worth handing to httparse, or `None` while the empty line that ends a
/// head is not there yet. Finding it first with memchr keeps a caller that retries on a
/// growing buffer from re-running the full parser on every segment.
fn head_window(buf: &[u8]) -> Option<&[u8]> {
    let window = buf.get(..MAX_HEAD_LEN).unwrap_or(buf);
    // An LF followed by LF or CRLF: one pass over the line ends (a few per head), where two
    // substring searches would each build a searcher first.
    let ended = memchr::memchr_iter(b'\n', window).any(|lf| matches!(window.get(lf + 1..), Some([b'\n', ..] | [b'\r', b'\n', ..])));
    ended.then_some(window)
}

/// The answer for a head that has not ended: wait, or give up past the size limit.
fn incomplete<T>(buf: &[u8]) -> Result<Parsed<T>, HttpError> {
    if buf.len() >= MAX_HEAD_LEN {
        Err(HttpError::HeadTooLarge)
    } else {
        Ok(Parsed::Partial)
    }
}

fn map_httparse_error(e: httparse::Error) -> HttpError {
    match e {
        httparse::Error::TooManyHeaders => HttpError::TooManyHeaders,
        httparse::Error::HeaderName => HttpError::MalformedHead("invalid header name"),
        httparse::Error::HeaderValue => HttpError::MalformedHead("invalid header value"),
        httparse::Error::NewLine => HttpError::MalformedHead("invalid line ending"),
        httparse::Error::Status => HttpError::MalformedHead("invalid status code"),
        httparse::Error::Token => HttpError::MalformedHead("invalid method or target"),
        httparse::Error::Version => HttpError::MalformedHead("invalid HTTP version"),
    }
}

/// Parses a request head at the start of `buf`.
///
/// `Ok(Parsed::Partial)` while the head is incomplete and shorter than [`MAX_HEAD_LEN`];
/// `Err(HeadTooLarge)` once `buf` holds that many bytes without the end of the head.
pub fn parse_request_head(buf: &[u8]) -> Result<Parsed<RequestHead<'_>>, HttpError> {
    let Some(window) = head_window(buf) else {
        return incomplete(buf);
    };
    // Left uninitialised: httparse writes the fields it finds, and 4 KiB of empty fields
    // need not be written first for every head.
    let mut headers = [const { MaybeUninit::uninit() }; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut []);
    let head_len = match parser_config().parse_request_with_uninit_headers(&mut req, window, &mut headers) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return incomplete(buf),
        Err(e) => return Err(map_httparse_error(e)),
    };
    let (Some(method), Some(uri), Some(version_minor)) = (req.method, req.path, req.version) else {
        return Err(HttpError::MalformedHead("incomplete request line"));
    };
    let mut head = RequestHead {
        head_len,
        method,
        uri,
        version_minor,
        host: None,
        user_agent: None,
        content_type: None,
        content_length: ContentLength::Absent,
        transfer_coding: TransferCoding::Absent,
        connection_close: false,
        expect_continue: false,
        authorization: None,
        proxy_authorization: None,
    };
    let mut fields = Fields::new();
    for h in req.headers.iter() {
        let (name, value) = (h.name, h.value);
        if fields.take(name, value) {
            continue;
        }
        if name.eq_ignore_ascii_case("host") {
            head.host = head.host.or(text(value));
        } else if name.eq_ignore_ascii_case("user-agent") {
            head.user_agent = head.user_agent.or(text(value));
        } else if name.eq_ignore_ascii_case("expect") {
            head.expect_continue |= value.trim_ascii().eq_ignore_ascii_case(b"100-continue");
        } else if name.eq_ignore_ascii_case("authorization") {
            head.authorization = head.authorization.or(text(value).map(CredentialValue::new));
        } else if name.eq_ignore_ascii_case("proxy-authorization") {
            head.proxy_authorization = head.proxy_authorization.or(text(value).map(CredentialValue::new));
        }
    }
    head.content_type = fields.content_type;
    head.content_length = fields.content_length;
    head.transfer_coding = fields.transfer_coding;
    head.connection_close = fields.connection_close;
    Ok(Parsed::Complete(head))
}

/// Parses a response head at the start of `buf`; same contract as [`parse_request_head`].
pub fn parse_response_head(buf: &[u8]) -> Result<Parsed<ResponseHead<'_>>, HttpError> {
    let Some(window) = head_window(buf) else {
        return incomplete(buf);
    };
    let mut headers = [const { MaybeUninit::uninit() }; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut []);
    let head_len = match parser_config().parse_response_with_uninit_headers(&mut resp, window, &mut headers) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return incomplete(buf),
        Err(e) => return Err(map_httparse_error(e)),
    };
    let (Some(version_minor), Some(status)) = (resp.version, resp.code) else {
        return Err(HttpError::MalformedHead("incomplete status line"));
    };
    let mut head = ResponseHead {
        head_len,
        version_minor,
        status,
        reason: resp.reason.unwrap_or_default(),
        content_type: None,
        content_length: ContentLength::Absent,
        transfer_coding: TransferCoding::Absent,
        connection_close: false,
        www_authenticate: Vec::new(),
        proxy_authenticate: Vec::new(),
    };
    let mut fields = Fields::new();
    for h in resp.headers.iter() {
        let (name, value) = (h.name, h.value);
        if fields.take(name, value) {
            continue;
        }
        if name.eq_ignore_ascii_case("www-authenticate") {
            head.www_authenticate.extend(text(value));
        } else if name.eq_ignore_ascii_case("proxy-authenticate") {
            head.proxy_authenticate.extend(text(value));
        }
    }
    head.content_type = fields.content_type;
    head.content_length = fields.content_length;
    head.transfer_coding = fields.transfer_coding;
    head.connection_close = fields.connection_close;
    Ok(Parsed::Complete(head))
}
