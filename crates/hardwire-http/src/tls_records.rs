//! TLS record sniffing and the two hello messages (RFC 8446 sections 4.1.2, 4.1.3, 5.1):
//! enough to report `tls.version` and `tls.sni` on 5986 and wherever TLS is seen.
//!
//! A hello split over several handshake records is put back together when all of them are in
//! the input (bounded by [`MAX_HELLO_LEN`]); until then the answer is `Partial`.

use std::borrow::Cow;

use nom::bytes::complete::take;
use nom::multi::length_data;
use nom::number::complete::{be_u16, be_u8};
use nom::{IResult, Parser};

use crate::{HttpError, Parsed, Sniff};

/// Largest hello message (handshake header included) put back together.
pub const MAX_HELLO_LEN: usize = 64 * 1024;

/// Largest record payload: 2^14 plus the expansion RFC 5246 allows.
const MAX_RECORD_LEN: usize = 16_384 + 2048;

const CONTENT_HANDSHAKE: u8 = 22;
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
const HANDSHAKE_SERVER_HELLO: u8 = 2;
const EXT_SERVER_NAME: u16 = 0;
const EXT_SUPPORTED_VERSIONS: u16 = 43;
const SNI_HOST_NAME: u8 = 0;

/// A protocol version as coded on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    /// SSL 3.0 (0x0300).
    Ssl3,
    /// TLS 1.0 (0x0301).
    Tls10,
    /// TLS 1.1 (0x0302).
    Tls11,
    /// TLS 1.2 (0x0303).
    Tls12,
    /// TLS 1.3 (0x0304).
    Tls13,
    /// Any other code (GREASE, drafts).
    Other(u16),
}

impl TlsVersion {
    /// The version for a wire code.
    pub fn from_code(code: u16) -> Self {
        match code {
            0x0300 => TlsVersion::Ssl3,
            0x0301 => TlsVersion::Tls10,
            0x0302 => TlsVersion::Tls11,
            0x0303 => TlsVersion::Tls12,
            0x0304 => TlsVersion::Tls13,
            other => TlsVersion::Other(other),
        }
    }

    /// Name as in the `tls.version` field: `"1.0"`, `"1.1"`, `"1.2"`, `"1.3"`, `"ssl3"`, or
    /// `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Ssl3 => "ssl3",
            TlsVersion::Tls10 => "1.0",
            TlsVersion::Tls11 => "1.1",
            TlsVersion::Tls12 => "1.2",
            TlsVersion::Tls13 => "1.3",
            TlsVersion::Other(_) => "unknown",
        }
    }
}

/// What the sensor keeps of a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// `legacy_version` (0x0303 for TLS 1.2 and 1.3 clients).
    pub legacy_version: TlsVersion,
    /// The `host_name` of the server_name extension (lossy UTF-8).
    pub server_name: Option<String>,
    /// The supported_versions extension, in order, GREASE values included.
    pub supported_versions: Vec<TlsVersion>,
}

impl ClientHello {
    /// The highest version offered: from supported_versions when present, otherwise
    /// `legacy_version`.
    pub fn max_version(&self) -> TlsVersion {
        self.supported_versions.iter().copied().filter(|v| !matches!(v, TlsVersion::Other(_))).max().unwrap_or(self.legacy_version)
    }
}

/// What the sensor keeps of a ServerHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerHello {
    /// `legacy_version` (0x0303 when TLS 1.3 is chosen).
    pub legacy_version: TlsVersion,
    /// The version in the supported_versions extension (TLS 1.3 and later).
    pub selected_version: Option<TlsVersion>,
}

impl ServerHello {
    /// The negotiated version: the supported_versions extension, else `legacy_version`.
    pub fn version(&self) -> TlsVersion {
        self.selected_version.unwrap_or(self.legacy_version)
    }
}

/// A parsed hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsHello {
    /// From the client.
    Client(ClientHello),
    /// From the server.
    Server(ServerHello),
}

/// Does the stream start with a TLS handshake record carrying a ClientHello or ServerHello
/// (content type 22, version 3.x, a plausible length, handshake type 1 or 2)?
pub fn looks_like_tls_handshake(first_bytes: &[u8]) -> Sniff {
    let plausible_len = |hi: u8, lo: u8| (4..=MAX_RECORD_LEN).contains(&usize::from(u16::from_be_bytes([hi, lo])));
    let is_hello = match *first_bytes {
        [content, ..] if content != CONTENT_HANDSHAKE => false,
        [_, major, ..] if major != 3 => false,
        [_, _, minor, ..] if minor > 4 => false,
        [_, _, _, hi, lo, ..] if !plausible_len(hi, lo) => false,
        [_, _, _, _, _, msg_type, ..] => msg_type == HANDSHAKE_CLIENT_HELLO || msg_type == HANDSHAKE_SERVER_HELLO,
        _ => return Sniff::NeedMore,
    };
    if is_hello {
        Sniff::Yes
    } else {
        Sniff::No
    }
}

/// Parses the first hello message of a direction, starting at a record boundary.
///
/// `Partial` until the records holding the whole hello are in `input`;
/// `Err(NotTlsHandshake)` when the first record is not a handshake record.
pub fn parse_tls_hello(input: &[u8]) -> Result<Parsed<TlsHello>, HttpError> {
    let mut pos = 0;
    let mut message: Cow<'_, [u8]> = Cow::Borrowed(&[]);
    loop {
        let Some(header) = input.get(pos..pos + 5) else {
            return Ok(Parsed::Partial);
        };
        if header[0] != CONTENT_HANDSHAKE || header[1] != 3 {
            return Err(if pos == 0 {
                HttpError::NotTlsHandshake
            } else {
                HttpError::MalformedTlsHello("hello interrupted by another record type")
            });
        }
        let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if !(1..=MAX_RECORD_LEN).contains(&len) {
            return Err(HttpError::MalformedTlsHello("bad record length"));
        }
        let Some(fragment) = input.get(pos + 5..pos + 5 + len) else {
            return Ok(Parsed::Partial);
        };
        pos += 5 + len;
        if message.is_empty() {
            message = Cow::Borrowed(fragment);
        } else {
            message.to_mut().extend_from_slice(fragment);
        }
        let Some(&[msg_type, a, b, c]) = message.get(..4) else {
            continue;
        };
        let needed = 4 + (usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c));
        if needed > MAX_HELLO_LEN {
            return Err(HttpError::TlsHelloTooLarge);
        }
        if let Some(body) = message.get(4..needed) {
            return parse_hello_body(msg_type, body).map(Parsed::Complete);
        }
    }
}

fn parse_hello_body(msg_type: u8, body: &[u8]) -> Result<TlsHello, HttpError> {
    let parsed = match msg_type {
        HANDSHAKE_CLIENT_HELLO => client_hello(body).map(|(_, h)| TlsHello::Client(h)),
        HANDSHAKE_SERVER_HELLO => server_hello(body).map(|(_, h)| TlsHello::Server(h)),
        _ => return Err(HttpError::MalformedTlsHello("first handshake is not a hello")),
    };
    parsed.map_err(|_| HttpError::MalformedTlsHello("truncated hello"))
}

/// `Extension extensions<0..2^16-1>`, absent in old hellos: a list of (type, data).
fn extensions(input: &[u8]) -> IResult<&[u8], Vec<(u16, &[u8])>> {
    if input.is_empty() {
        return Ok((input, Vec::new()));
    }
    let (rest, mut list) = length_data(be_u16).parse(input)?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let (next, (ext_type, data)) = (be_u16, length_data(be_u16)).parse(list)?;
        out.push((ext_type, data));
        list = next;
    }
    Ok((rest, out))
}

/// `ServerNameList`: the first `host_name` entry.
fn server_name(data: &[u8]) -> IResult<&[u8], Option<String>> {
    let (rest, mut list) = length_data(be_u16).parse(data)?;
    while !list.is_empty() {
        let (next, (name_type, name)) = (be_u8, length_data(be_u16)).parse(list)?;
        if name_type == SNI_HOST_NAME {
            return Ok((rest, Some(String::from_utf8_lossy(name).into_owned())));
        }
        list = next;
    }
    Ok((rest, None))
}

/// ClientHello `supported_versions`: `ProtocolVersion versions<2..254>`.
fn offered_versions(data: &[u8]) -> IResult<&[u8], Vec<TlsVersion>> {
    let (rest, list) = length_data(be_u8).parse(data)?;
    let versions = list.chunks_exact(2).map(|pair| TlsVersion::from_code(u16::from_be_bytes([pair[0], pair[1]]))).collect();
    Ok((rest, versions))
}

fn client_hello(input: &[u8]) -> IResult<&[u8], ClientHello> {
    let (input, (legacy, _random, _session_id, _suites, _compression)) =
        (be_u16, take(32usize), length_data(be_u8), length_data(be_u16), length_data(be_u8)).parse(input)?;
    let (input, exts) = extensions(input)?;
    let mut hello = ClientHello { legacy_version: TlsVersion::from_code(legacy), server_name: None, supported_versions: Vec::new() };
    for (ext_type, data) in exts {
        match ext_type {
            EXT_SERVER_NAME => hello.server_name = server_name(data)?.1,
            EXT_SUPPORTED_VERSIONS => hello.supported_versions = offered_versions(data)?.1,
            _ => {}
        }
    }
    Ok((input, hello))
}

fn server_hello(input: &[u8]) -> IResult<&[u8], ServerHello> {
    let (input, (legacy, _random, _session_id, _suite, _compression)) =
        (be_u16, take(32usize), length_data(be_u8), be_u16, be_u8).parse(input)?;
    let (input, exts) = extensions(input)?;
    // ServerHello supported_versions holds exactly one version; any other length is ignored.
    let selected_version = exts
        .iter()
        .find(|(ext_type, data)| *ext_type == EXT_SUPPORTED_VERSIONS && data.len() == 2)
        .map(|(_, data)| TlsVersion::from_code(u16::from_be_bytes([data[0], data[1]])));
    Ok((input, ServerHello { legacy_version: TlsVersion::from_code(legacy), selected_version }))
}
