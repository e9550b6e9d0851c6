//! Content sniffing of the first bytes of a TCP direction: is this an HTTP/1.x start line?
//!
//! Used by content dispatch on any port, so it must say `No` quickly on binary protocols (SMB,
//! TLS, DCE/RPC start with bytes that are not token characters) and must stay bounded on a
//! stream of token characters that never ends a line.

use crate::Sniff;

/// Past this many bytes without a complete start line, the answer is `No`.
pub const SNIFF_LIMIT: usize = 8 * 1024;

/// Longest method accepted: real and extension methods (`RPC_OUT_DATA`, `BASELINE-CONTROL`,
/// `CCM_POST`) are far shorter; the bound makes text protocols fail fast.
const MAX_METHOD_LEN: usize = 32;

/// `tchar` of RFC 9110 section 5.6.2.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(b, b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~')
}

/// A byte of a request-target: anything visible, including obs-text (UTF-8 paths are common).
fn is_target_byte(b: u8) -> bool {
    b > 0x20 && b != 0x7f
}

/// Outcome of matching one part of the start line.
enum Step {
    /// Matched; the next part starts at this offset.
    At(usize),
    /// The input ended inside this part.
    End,
    /// Cannot be this part.
    Fail,
}

/// One or more bytes satisfying `pred`, at most `max`, followed by a single space. Generic, so
/// that the test of each byte is inlined rather than called through a pointer.
fn word_then_space(input: &[u8], at: usize, max: usize, pred: impl Fn(u8) -> bool) -> Step {
    let rest = input.get(at..).unwrap_or_default();
    let len = rest.iter().take_while(|&&b| pred(b)).count();
    if len > max {
        return Step::Fail;
    }
    match rest.get(len) {
        None => Step::End,
        Some(b' ') if len > 0 => Step::At(at + len + 1),
        Some(_) => Step::Fail,
    }
}

/// Exactly `lit` at `at` (a prefix of it when the input ends early).
fn literal(input: &[u8], at: usize, lit: &[u8]) -> Step {
    let rest = input.get(at..).unwrap_or_default();
    let n = rest.len().min(lit.len());
    if rest.get(..n) != lit.get(..n) {
        Step::Fail
    } else if n < lit.len() {
        Step::End
    } else {
        Step::At(at + lit.len())
    }
}

/// `HTTP/1.` DIGIT.
fn http1_version(input: &[u8], at: usize) -> Step {
    match literal(input, at, b"HTTP/1.") {
        Step::At(next) => match input.get(next) {
            None => Step::End,
            Some(b) if b.is_ascii_digit() => Step::At(next + 1),
            Some(_) => Step::Fail,
        },
        other => other,
    }
}

/// CRLF, or a bare LF (RFC 9112 section 2.2 lets a recipient accept it, and Zeek's methods.pcap
/// shows clients sending it).
fn line_end(input: &[u8], at: usize) -> Step {
    match input.get(at) {
        None => Step::End,
        Some(b'\n') => Step::At(at + 1),
        Some(b'\r') => match input.get(at + 1) {
            None => Step::End,
            Some(b'\n') => Step::At(at + 2),
            Some(_) => Step::Fail,
        },
        Some(_) => Step::Fail,
    }
}

/// One part of a start line: matches `input` at an offset.
type Part<'f> = &'f dyn Fn(&[u8], usize) -> Step;

/// Runs the parts in order and turns the first non-match into a [`Sniff`].
fn run(input: &[u8], steps: &[Part<'_>]) -> Sniff {
    let mut at = 0;
    for step in steps {
        match step(input, at) {
            Step::At(next) => at = next,
            Step::Fail => return Sniff::No,
            Step::End if input.len() >= SNIFF_LIMIT => return Sniff::No,
            Step::End => return Sniff::NeedMore,
        }
    }
    Sniff::Yes
}

/// Does `first_bytes` (the start of a client-to-server stream) begin with an HTTP/1.x request
/// line: `method SP request-target SP HTTP/1.d CRLF`?
///
/// Any token is accepted as method, so WebDAV (`PROPFIND`) and extension methods
/// (`RPC_IN_DATA`, `CCM_POST`) are recognised. `NeedMore` while the bytes so far are a prefix
/// of such a line and fewer than [`SNIFF_LIMIT`].
pub fn looks_like_http_request(first_bytes: &[u8]) -> Sniff {
    let input = first_bytes.get(..SNIFF_LIMIT).unwrap_or(first_bytes);
    run(
        input,
        &[
            &|i, at| word_then_space(i, at, MAX_METHOD_LEN, is_tchar),
            &|i, at| word_then_space(i, at, SNIFF_LIMIT, is_target_byte),
            &http1_version,
            &line_end,
        ],
    )
}

/// Does `first_bytes` (the start of a server-to-client stream) begin with an HTTP/1.x status
/// line: `HTTP/1.d SP 3DIGIT SP reason CRLF`? For flows whose client side was not seen.
pub fn looks_like_http_response(first_bytes: &[u8]) -> Sniff {
    let input = first_bytes.get(..SNIFF_LIMIT).unwrap_or(first_bytes);
    run(input, &[&http1_version, &|i, at| literal(i, at, b" "), &status_code, &reason_phrase])
}

/// `3DIGIT SP`.
fn status_code(input: &[u8], at: usize) -> Step {
    match word_then_space(input, at, 3, |b| b.is_ascii_digit()) {
        Step::At(next) if next - at != 4 => Step::Fail,
        other => other,
    }
}

/// `reason-phrase CRLF`: any text without CR/LF (empty allowed).
fn reason_phrase(input: &[u8], at: usize) -> Step {
    let rest = input.get(at..).unwrap_or_default();
    let len = rest.iter().take_while(|&&b| b == b'\t' || (b >= 0x20 && b != 0x7f)).count();
    line_end(input, at + len)
}
