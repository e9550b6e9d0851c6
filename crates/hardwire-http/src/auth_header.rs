//! `Authorization`, `Proxy-Authorization`, `WWW-Authenticate` and `Proxy-Authenticate` values
//! (RFC 9110 section 11): the scheme, and what the sensor may keep of the credentials.
//!
//! Secrets never reach a struct: Basic credentials are decoded into a scratch buffer, the user
//! name (before the first `:`) is copied out, and the buffer is zeroed before it is dropped.
//! Tokens of the GSS-style schemes (NTLM, Negotiate, Kerberos, CredSSP) are decoded for the
//! auth crate to inspect; they hold challenge responses, so their `Debug` shows a length only.

use std::fmt;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use crate::request_line::is_tchar;
use crate::HttpError;

/// Largest decoded token kept (an NTLM AUTHENTICATE or Kerberos AP-REQ is a few KiB; a PAC-laden
/// ticket can reach tens of KiB).
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// Longest scheme name accepted; real ones are under 16 characters.
const MAX_SCHEME_LEN: usize = 64;

/// Most challenges taken from one `WWW-Authenticate` value.
const MAX_CHALLENGES: usize = 16;

/// Standard alphabet; padding optional because some clients leave it out.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent).with_decode_allow_trailing_bits(true),
);

/// An authentication scheme, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Basic` (RFC 7617).
    Basic,
    /// `NTLM`.
    Ntlm,
    /// `Negotiate` (SPNEGO, RFC 4559): carries Kerberos or NTLM.
    Negotiate,
    /// `Kerberos` (WinRM, MS-WSMV).
    Kerberos,
    /// `CredSSP` (WinRM, MS-CSSP).
    CredSsp,
    /// Any other scheme, lower-cased (`digest`, `bearer`...).
    Other(String),
}

impl AuthScheme {
    /// The scheme for a scheme token.
    pub fn from_token(token: &str) -> Self {
        const KNOWN: [(&str, AuthScheme); 5] = [
            ("basic", AuthScheme::Basic),
            ("ntlm", AuthScheme::Ntlm),
            ("negotiate", AuthScheme::Negotiate),
            ("kerberos", AuthScheme::Kerberos),
            ("credssp", AuthScheme::CredSsp),
        ];
        KNOWN
            .into_iter()
            .find(|(name, _)| token.eq_ignore_ascii_case(name))
            .map(|(_, scheme)| scheme)
            .unwrap_or_else(|| AuthScheme::Other(token.to_ascii_lowercase()))
    }

    /// Lower-cased name, as in the `http.auth_scheme` field: `"basic"`, `"ntlm"`,
    /// `"negotiate"`, `"kerberos"`, `"credssp"` or the other scheme's name.
    pub fn as_str(&self) -> &str {
        match self {
            AuthScheme::Basic => "basic",
            AuthScheme::Ntlm => "ntlm",
            AuthScheme::Negotiate => "negotiate",
            AuthScheme::Kerberos => "kerberos",
            AuthScheme::CredSsp => "credssp",
            AuthScheme::Other(name) => name,
        }
    }

    /// Schemes whose token68 is a base64 binary token (NTLMSSP, SPNEGO/GSS-API, TSRequest).
    fn has_binary_token(&self) -> bool {
        matches!(self, AuthScheme::Ntlm | AuthScheme::Negotiate | AuthScheme::Kerberos | AuthScheme::CredSsp)
    }
}

/// A decoded binary authentication token. `Debug` prints its length, never its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken(Vec<u8>);

impl AuthToken {
    /// The decoded bytes (NTLMSSP message, GSS-API/SPNEGO token or CredSSP TSRequest).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The decoded bytes, owned.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthToken({} bytes)", self.0.len())
    }
}

/// What follows the scheme, as far as the sensor keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthData {
    /// Nothing after the scheme.
    Empty,
    /// Basic credentials: the user name only (lossy UTF-8). The password was never stored.
    BasicUser(String),
    /// The decoded token of NTLM, Negotiate, Kerberos or CredSSP.
    Token(AuthToken),
    /// Parameters of another scheme (or of a Basic challenge), not kept.
    Opaque,
}

/// One parsed credential or challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthValue {
    /// The scheme, known even when the data does not decode.
    pub scheme: AuthScheme,
    /// The data, or why it could not be decoded (bad base64, too large, Basic without `:`).
    pub data: Result<AuthData, HttpError>,
}

/// An `Authorization` or `Proxy-Authorization` header value as on the wire, borrowed from the
/// head. Its `Debug` shows the scheme only, so that logging a head never prints credentials.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CredentialValue<'a>(&'a str);

impl<'a> CredentialValue<'a> {
    /// Wraps a raw header value.
    pub fn new(raw: &'a str) -> Self {
        CredentialValue(raw)
    }

    /// The raw value, credentials included: parse it, do not log it.
    pub fn expose(&self) -> &'a str {
        self.0
    }

    /// Parses the value with [`parse_authorization`].
    pub fn parse(&self) -> Result<AuthValue, HttpError> {
        parse_authorization(self.0)
    }
}

impl fmt::Debug for CredentialValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = split_scheme(self.0).map(|(s, _)| s).unwrap_or("?");
        write!(f, "CredentialValue({scheme} <redacted>)")
    }
}

/// Splits `scheme [ 1*SP rest ]`, trimming around both.
fn split_scheme(value: &str) -> Result<(&str, &str), HttpError> {
    let value = value.trim_matches([' ', '\t']);
    let len = value.bytes().take_while(|&b| is_tchar(b)).count();
    let (scheme, rest) = value.split_at(len);
    let separated = rest.is_empty() || rest.starts_with([' ', '\t']);
    if scheme.is_empty() || scheme.len() > MAX_SCHEME_LEN || !separated {
        return Err(HttpError::BadAuthScheme);
    }
    Ok((scheme, rest.trim_start_matches([' ', '\t'])))
}

/// Decodes a base64 token68 into a buffer of exactly the decoded size.
fn decode_token(token: &str) -> Result<Vec<u8>, HttpError> {
    // Four base64 characters per three bytes, plus padding: refuse before allocating.
    if token.len() > MAX_TOKEN_LEN / 3 * 4 + 4 {
        return Err(HttpError::AuthTokenTooLarge);
    }
    let mut buf = vec![0u8; base64::decoded_len_estimate(token.len())];
    match BASE64.decode_slice(token, &mut buf) {
        Ok(len) => {
            buf.truncate(len);
            Ok(buf)
        }
        Err(_) => {
            // Whatever was decoded before the error may be part of a password.
            wipe(&mut buf);
            Err(HttpError::BadBase64)
        }
    }
}

/// Zeroes a buffer that held credentials. `black_box` keeps the writes from being removed as
/// dead stores before the drop.
fn wipe(buf: &mut [u8]) {
    buf.fill(0);
    std::hint::black_box(buf);
}

/// The user name of Basic credentials (`base64(user ":" password)`).
fn basic_user(token: &str) -> Result<String, HttpError> {
    let mut scratch = decode_token(token)?;
    let user = memchr::memchr(b':', &scratch).and_then(|colon| scratch.get(..colon)).map(|user| String::from_utf8_lossy(user).into_owned());
    wipe(&mut scratch);
    user.ok_or(HttpError::BasicWithoutColon)
}

/// Parses the data after a scheme. `basic_credentials`: decode Basic as `user:password`
/// (true for `Authorization`; a Basic challenge carries `realm=` parameters instead).
fn parse_data(scheme: &AuthScheme, rest: &str, basic_credentials: bool) -> Result<AuthData, HttpError> {
    let rest = rest.trim_matches([' ', '\t']);
    if rest.is_empty() {
        return Ok(AuthData::Empty);
    }
    match scheme {
        AuthScheme::Basic if basic_credentials => basic_user(rest).map(AuthData::BasicUser),
        s if s.has_binary_token() => decode_token(rest).map(|t| AuthData::Token(AuthToken(t))),
        _ => Ok(AuthData::Opaque),
    }
}

/// Parses an `Authorization` or `Proxy-Authorization` value: `scheme [ token68 / params ]`.
///
/// Errors only when there is no scheme; a token that does not decode is reported in
/// [`AuthValue::data`] with the scheme still known.
pub fn parse_authorization(value: &str) -> Result<AuthValue, HttpError> {
    let (scheme, rest) = split_scheme(value)?;
    let scheme = AuthScheme::from_token(scheme);
    let data = parse_data(&scheme, rest, true);
    Ok(AuthValue { scheme, data })
}

/// Splits a comma-separated list at commas outside quoted strings.
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let list = rest?;
        match element_end(list.as_bytes()) {
            Some(comma) => {
                rest = list.get(comma + 1..);
                list.get(..comma)
            }
            None => rest.take(),
        }
    })
}

/// Where the first list element of `bytes` ends: its first comma outside a quoted string
/// (inside one, a backslash escapes the next byte). The bytes searched for are ASCII, so the
/// offset is a char boundary; memchr jumps over the long base64 tokens of NTLM and Negotiate.
fn element_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    loop {
        let found = at + memchr::memchr2(b',', b'"', bytes.get(at..)?)?;
        if bytes.get(found) == Some(&b',') {
            return Some(found);
        }
        // An opening quote: go on after the closing one (an unclosed string runs to the end).
        at = found + 1;
        loop {
            let found = at + memchr::memchr2(b'"', b'\\', bytes.get(at..)?)?;
            if bytes.get(found) == Some(&b'"') {
                at = found + 1;
                break;
            }
            at = found + 2;
        }
    }
}

/// Is this list element an `auth-param` (`name = value`) of the challenge before it, rather
/// than the start of a new challenge?
fn is_auth_param(element: &str) -> bool {
    let name_len = element.bytes().take_while(|&b| is_tchar(b)).count();
    let after = element.get(name_len..).unwrap_or_default();
    name_len > 0 && after.trim_start_matches([' ', '\t']).starts_with('=')
}

/// Parses a `WWW-Authenticate` or `Proxy-Authenticate` value, which may hold several
/// challenges (`Negotiate, NTLM` or `Basic realm="x", NTLM`). Elements that are not a
/// challenge are skipped; at most 16 challenges are returned.
pub fn parse_challenges(value: &str) -> Vec<AuthValue> {
    let mut challenges = Vec::new();
    for element in split_list(value).map(|e| e.trim_matches([' ', '\t'])) {
        if element.is_empty() || is_auth_param(element) {
            continue;
        }
        if challenges.len() == MAX_CHALLENGES {
            break;
        }
        if let Ok((scheme, rest)) = split_scheme(element) {
            let scheme = AuthScheme::from_token(scheme);
            let data = parse_data(&scheme, rest, false);
            challenges.push(AuthValue { scheme, data });
        }
    }
    challenges
}
