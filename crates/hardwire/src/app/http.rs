//! HTTP/1.x, one state machine per connection: requests and responses paired in order
//! (keep-alive and pipelining), bodies skipped by their framing without being buffered,
//! interim responses (100-continue) passed over, tunnels (CONNECT, 101) left alone.
//!
//! One `http` record per request/response pair, emitted when the response head arrives (or at
//! close for a request never answered). Authentication spans the 401 round trip on one
//! connection: the CHALLENGE of a `WWW-Authenticate` is folded into the connection's
//! [`AuthState`], so the record of the request carrying the AUTHENTICATE (or the AP-REQ) holds
//! the `ntlm` (or `kerberos`) object with the server's names, and the final status.
//!
//! Only names leave here: Basic credentials are cut to the user name by `hardwire-http`, and
//! tokens go to [`AuthState`], which keeps no response, cipher or key.

use std::collections::VecDeque;

use hardwire_auth::Mech;
use hardwire_flow::Direction;
use hardwire_http::head::MAX_HEAD_LEN;
use hardwire_http::{
    classify_winrm_content_type, is_webdav_agent, is_webdav_method, is_winrm, looks_like_http_request, looks_like_http_response,
    parse_challenges, parse_request_head, parse_response_head, parse_tls_hello, request_body_framing, response_body_framing, AuthData,
    AuthScheme, AuthValue, BodyDecoder, BodyFraming, Parsed, RequestHead, ResponseHead, Sniff, TlsHello, WinrmContent,
};

use super::auth::AuthState;
use super::{AppContext, ENTRY_OVERHEAD};
use crate::event::{EventKind, HttpApp, HttpAuthMechanism, HttpObject, KerberosObject, NtlmObject, Objects, Outcome, TlsObject};

/// Requests waiting for their response; a client pipelining more than this is answered by
/// nobody we can see, and the oldest are reported unanswered.
const MAX_PENDING_REQUESTS: usize = 32;

/// Where one direction of the connection is in the message grammar.
#[derive(Debug)]
enum Reading {
    /// At a message boundary: a request line (or status line) is expected.
    Head,
    /// Inside a chunked body (or one that runs until the close): the decoder counts it.
    Body(BodyDecoder),
    /// Lost (after a gap, a mid-stream start or a head that did not parse): the bytes are
    /// scanned for the next line that starts a message. `mid_line`: the scan starts inside a
    /// line, which cannot be a start line.
    Resync { mid_line: bool },
    /// Not HTTP any more (a tunnel, or a CONNECT waiting for its answer): bytes are skipped.
    Opaque,
}

/// What one call of a direction's step did.
enum Step {
    /// Used this many bytes (possibly none, after a change of state): go on.
    Used(usize),
    /// The rest of the bytes is not enough: wait for more.
    Wait,
    /// Used everything given and this many bytes beyond, which are skipped as they arrive.
    SkipBeyond(u64),
}

/// A request whose response has not been seen yet.
#[derive(Debug)]
struct PendingRequest {
    http: HttpObject,
    ntlm: Option<NtlmObject>,
    kerberos: Option<KerberosObject>,
}

/// The HTTP side of one connection.
#[derive(Debug)]
pub(crate) struct Http {
    requests: Reading,
    responses: Reading,
    /// Boxed: a request is some 700 bytes, and a deque of them would take malloc's slow path
    /// on the first request of every connection (and copy them when it grows).
    pending: VecDeque<Box<PendingRequest>>,
    auth: AuthState,
    /// The TLS channel CredSSP runs inside its own tokens: the hellos travel in clear.
    credssp_tls: Option<TlsObject>,
    /// The NTLM user this connection authenticated as: NTLM over HTTP binds the connection,
    /// so the requests that follow without credentials are that user's.
    connection_user: Option<String>,
    tunnel: bool,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            requests: Reading::Head,
            responses: Reading::Head,
            pending: VecDeque::new(),
            auth: AuthState::default(),
            credssp_tls: None,
            connection_user: None,
            tunnel: false,
        }
    }
}

impl Http {
    /// In-order bytes of one direction; returns how many were consumed, beyond `data` for a
    /// body whose end lies further on (the reassembler skips those bytes without holding them).
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        let mut at = 0;
        while let Some(rest) = data.get(at..).filter(|r| !r.is_empty()) {
            let step = match dir {
                Direction::ToServer => self.request_step(rest, cx),
                Direction::ToClient => self.response_step(rest, cx),
            };
            match step {
                Step::Used(n) => at += n,
                Step::Wait => break,
                Step::SkipBeyond(extra) => return (data.len() as u64).saturating_add(extra),
            }
        }
        at as u64
    }

    /// Bytes of one direction were lost: whatever was being read is unreliable, so the
    /// direction looks for the next message. (A hole inside a Content-Length body never comes
    /// here: the reassembler counts it against the bytes it skips for us.)
    pub fn gap(&mut self, dir: Direction) {
        let reading = match dir {
            Direction::ToServer => &mut self.requests,
            Direction::ToClient => &mut self.responses,
        };
        if !matches!(reading, Reading::Opaque) {
            *reading = Reading::Resync { mid_line: true };
        }
    }

    /// The connection ended: requests never answered are reported without a status.
    pub fn close(&mut self, cx: &mut AppContext) {
        while let Some(request) = self.pending.pop_front() {
            emit(request, cx);
        }
    }

    /// The requests waiting for their responses, for the memory budget (a head being read is
    /// held by the reassembler, and counted there).
    pub fn memory(&self) -> usize {
        self.pending.len() * (std::mem::size_of::<PendingRequest>() + ENTRY_OVERHEAD)
    }

    /// An NTLM handshake between its CHALLENGE and AUTHENTICATE, or a request with
    /// credentials waiting for the answer that says whether they were good.
    pub fn authenticating(&self) -> bool {
        self.auth.in_progress() || self.pending.iter().any(|p| p.ntlm.is_some() || p.kerberos.is_some())
    }

    /// A tunnel carries another protocol. Any other connection is read for its whole life:
    /// credentials, WebDAV or WinRM may come on its hundredth request, and reading heads costs
    /// little since bodies are skipped.
    pub fn seen_enough(&self) -> bool {
        self.tunnel
    }

    fn request_step(&mut self, rest: &[u8], cx: &mut AppContext) -> Step {
        match &mut self.requests {
            Reading::Head => match looks_like_http_request(rest) {
                Sniff::NeedMore => Step::Wait,
                Sniff::No => match repair_request_line(rest) {
                    Some(Repaired::Head { bytes, wire_len }) => match parse_request_head(&bytes) {
                        Ok(Parsed::Complete(head)) => self.request_head(&head, wire_len, rest.len(), cx),
                        _ => {
                            self.requests = Reading::Resync { mid_line: true };
                            Step::Used(0)
                        }
                    },
                    Some(Repaired::NeedMore) => Step::Wait,
                    None => {
                        self.requests = Reading::Resync { mid_line: true };
                        Step::Used(0)
                    }
                },
                Sniff::Yes => match parse_request_head(rest) {
                    Ok(Parsed::Partial) => Step::Wait,
                    Ok(Parsed::Complete(head)) => self.request_head(&head, head.head_len, rest.len(), cx),
                    Err(_) => {
                        cx.parse_error("http");
                        self.requests = Reading::Resync { mid_line: true };
                        Step::Used(0)
                    }
                },
            },
            Reading::Body(body) => {
                let (step, next) = feed_body(body, rest, cx);
                if let Some(next) = next {
                    self.requests = next;
                }
                step
            }
            Reading::Resync { mid_line } => {
                let (step, found) = resync(rest, mid_line, looks_like_http_request);
                if found {
                    self.requests = Reading::Head;
                }
                step
            }
            Reading::Opaque => Step::Used(rest.len()),
        }
    }

    fn response_step(&mut self, rest: &[u8], cx: &mut AppContext) -> Step {
        match &mut self.responses {
            Reading::Head => match looks_like_http_response(rest) {
                Sniff::NeedMore => Step::Wait,
                Sniff::No => {
                    self.responses = Reading::Resync { mid_line: true };
                    Step::Used(0)
                }
                Sniff::Yes => match parse_response_head(rest) {
                    Ok(Parsed::Partial) => Step::Wait,
                    Ok(Parsed::Complete(head)) => self.response_head(&head, rest.len(), cx),
                    Err(_) => {
                        cx.parse_error("http");
                        self.responses = Reading::Resync { mid_line: true };
                        Step::Used(0)
                    }
                },
            },
            Reading::Body(body) => {
                let (step, next) = feed_body(body, rest, cx);
                if let Some(next) = next {
                    self.responses = next;
                }
                step
            }
            Reading::Resync { mid_line } => {
                let (step, found) = resync(rest, mid_line, looks_like_http_response);
                if found {
                    self.responses = Reading::Head;
                }
                step
            }
            Reading::Opaque => Step::Used(rest.len()),
        }
    }

    /// A request head of `head_len` bytes on the wire was parsed at the start of `available`
    /// bytes.
    fn request_head(&mut self, head: &RequestHead<'_>, head_len: usize, available: usize, cx: &mut AppContext) -> Step {
        let mut request = Box::new(PendingRequest {
            http: HttpObject {
                method: Some(head.method.to_string()),
                uri: Some(head.uri.to_string()),
                host: head.host.map(str::to_string),
                user_agent: head.user_agent.map(str::to_string),
                content_type: head.content_type.map(str::to_string),
                ..HttpObject::default()
            },
            ntlm: None,
            kerberos: None,
        });
        let credentials = head.authorization.or(head.proxy_authorization);
        if let Some(credentials) = credentials {
            match credentials.parse() {
                Ok(value) => self.credentials(value, &mut request, cx),
                Err(_) => cx.parse_error("http"),
            }
        } else {
            request.http.user = self.connection_user.clone();
        }
        let framing = request_body_framing(head);
        let app = application(head, cx.server_port);
        let has_body = matches!(framing, Ok(BodyFraming::ContentLength(_) | BodyFraming::Chunked));
        if app == Some(HttpApp::Winrm) && has_body {
            // Only a body says anything: the empty POSTs of an authentication round trip
            // carry the SOAP type without any SOAP.
            let content = head.content_type.map(classify_winrm_content_type);
            request.http.request.winrm_body = content;
            request.http.encryption = content.and_then(winrm_encryption).map(str::to_string);
        }
        request.http.request.app = app;
        request.http.app = app.map(|app| app.as_str().to_string());
        if self.pending.len() >= MAX_PENDING_REQUESTS {
            if let Some(oldest) = self.pending.pop_front() {
                emit(oldest, cx);
            }
        }
        self.pending.push_back(request);

        self.requests = if head.method.eq_ignore_ascii_case("CONNECT") {
            // What the client sends next is for the tunnel, if the proxy opens it.
            Reading::Opaque
        } else {
            match framing {
                Ok(framing) => reading_for(framing),
                Err(_) => {
                    // Unframeable body: look for the next request line inside it.
                    cx.parse_error("http");
                    Reading::Resync { mid_line: false }
                }
            }
        };
        after_head(head_len, framing.ok(), available)
    }

    /// Folds an `Authorization` value into the request: scheme, mechanism, user, and the
    /// `ntlm` / `kerberos` objects once an AUTHENTICATE or AP-REQ is seen.
    fn credentials(&mut self, value: AuthValue, request: &mut PendingRequest, cx: &mut AppContext) {
        let http = &mut request.http;
        http.auth_scheme = Some(value.scheme.as_str().to_string());
        http.request.scheme = Some(value.scheme.clone());
        match (&value.scheme, value.data) {
            (AuthScheme::Basic, Ok(AuthData::BasicUser(user))) => {
                http.request.mechanism = Some(HttpAuthMechanism::Password);
                http.user = Some(user);
            }
            (AuthScheme::Basic, _) => http.request.mechanism = Some(HttpAuthMechanism::Password),
            (AuthScheme::CredSsp, data) => {
                // The token is CredSSP's TLS channel: its hellos are in clear, the NTLM or
                // Kerberos inside is not.
                http.request.mechanism = Some(HttpAuthMechanism::CredSsp);
                if let Ok(AuthData::Token(token)) = data {
                    self.credssp_hello(token.as_bytes());
                }
            }
            (_, Ok(AuthData::Token(token))) => {
                if self.auth.observe(token.as_bytes()).is_err() {
                    cx.parse_error("auth");
                }
                http.request.mechanism = self.auth.mechanism.and_then(|mech| match mech {
                    Mech::Ntlm => Some(HttpAuthMechanism::Ntlm),
                    Mech::Kerberos => Some(HttpAuthMechanism::Kerberos),
                    Mech::Unknown => None,
                });
                if let Some(ntlm) = self.auth.take_ntlm_object() {
                    http.user = ntlm.user.clone().filter(|u| !u.is_empty());
                    self.connection_user = http.user.clone();
                    request.ntlm = Some(ntlm);
                }
                request.kerberos = self.auth.kerberos.take();
            }
            (_, Ok(_)) => {}
            // A token that is not base64, or absurdly long: the request is still reported.
            (_, Err(_)) => cx.parse_error("http"),
        }
        request.http.auth_mech = request.http.request.mechanism.map(|mechanism| mechanism.as_str().to_string());
    }

    /// A TLS hello inside a CredSSP token: the server's says which version the channel uses.
    fn credssp_hello(&mut self, token: &[u8]) {
        if let Ok(Parsed::Complete(hello)) = parse_tls_hello(token) {
            let tls = self.credssp_tls.get_or_insert_with(TlsObject::default);
            match hello {
                TlsHello::Client(client) => tls.sni = client.server_name,
                TlsHello::Server(server) => tls.version = Some(server.version().as_str().to_string()),
            }
        }
    }

    /// A response head was parsed at the start of `available` bytes.
    fn response_head(&mut self, head: &ResponseHead<'_>, available: usize, cx: &mut AppContext) -> Step {
        // Each value is parsed once: the schemes of WWW-Authenticate go into the record.
        let mut schemes = Vec::new();
        for value in &head.www_authenticate {
            for challenge in parse_challenges(value) {
                schemes.push(challenge.scheme.as_str().to_string());
                self.challenge(challenge, cx);
            }
        }
        for value in &head.proxy_authenticate {
            for challenge in parse_challenges(value) {
                self.challenge(challenge, cx);
            }
        }
        if head.is_interim() {
            // 100 Continue and friends: the final response to the same request follows.
            return after_head(head.head_len, Some(BodyFraming::None), available);
        }
        let request = self.pending.pop_front();
        let method = request.as_ref().and_then(|r| r.http.method.as_deref());
        let framing = response_body_framing(method, head);
        let connect = method.is_some_and(|m| m.eq_ignore_ascii_case("CONNECT"));
        if let Some(mut request) = request {
            let http = &mut request.http;
            http.status = Some(head.status);
            if let Some(ntlm) = &mut request.ntlm {
                // The answer to the request that carried the AUTHENTICATE: 401 refuses the logon.
                ntlm.status = Some(if head.status == 401 { Outcome::Failure } else { Outcome::Success });
            }
            http.response_content_type = head.content_type.map(str::to_string);
            http.www_authenticate = (!schemes.is_empty()).then_some(schemes);
            let tls = if http.auth_mech.as_deref() == Some("credssp") { self.credssp_tls.clone() } else { None };
            emit_with_tls(request, tls, cx);
        }
        self.responses = match framing {
            Ok(BodyFraming::Tunnel) => {
                self.tunnel = true;
                self.requests = Reading::Opaque;
                Reading::Opaque
            }
            Ok(framing) => {
                if connect {
                    // The proxy refused the tunnel: the client may go on with plain requests.
                    self.requests = Reading::Resync { mid_line: false };
                }
                reading_for(framing)
            }
            Err(_) => {
                cx.parse_error("http");
                Reading::Resync { mid_line: false }
            }
        };
        after_head(head.head_len, framing.ok(), available)
    }

    /// A challenge from the server: an NTLM CHALLENGE keeps the server's names for the
    /// AUTHENTICATE that follows; a CredSSP token carries the server's TLS hello.
    fn challenge(&mut self, challenge: AuthValue, cx: &mut AppContext) {
        let Ok(AuthData::Token(token)) = challenge.data else { return };
        if challenge.scheme == AuthScheme::CredSsp {
            self.credssp_hello(token.as_bytes());
        } else if self.auth.observe(token.as_bytes()).is_err() {
            cx.parse_error("auth");
        }
    }
}

/// Longest request line the repair looks at.
const MAX_REPAIRED_LINE: usize = 8 * 1024;

/// A request line that is HTTP in all but its version, put right.
enum Repaired {
    /// The head with its request line rewritten as `METHOD target HTTP/1.0`; `wire_len` is the
    /// length of the head as it was on the wire.
    Head { bytes: Vec<u8>, wire_len: usize },
    /// The line or the head has not ended yet.
    NeedMore,
}

/// Some clients send `POST / HTTP/1.` or `POST /HTTP/1.1` (no space before the version), and
/// servers answer them, as Zeek's methods.pcap shows; Wireshark and Zeek log the method. Where
/// a head is expected, a line of an upper-case method, a target and an `HTTP/` somewhere is
/// taken as such a request: the line is rewritten and the head parsed as usual. Only a copy of
/// the head is made (bounded by the head limit), on this rare path only.
fn repair_request_line(rest: &[u8]) -> Option<Repaired> {
    let window = rest.get(..MAX_REPAIRED_LINE).unwrap_or(rest);
    let Some(newline) = memchr::memchr(b'\n', window) else {
        return (rest.len() < MAX_REPAIRED_LINE).then_some(Repaired::NeedMore);
    };
    let line = window.get(..newline)?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let (method, target) = (words.next()?, words.next()?);
    let method_ok = (3..=32).contains(&method.len()) && method.iter().all(|&b| b.is_ascii_uppercase() || b == b'_' || b == b'-');
    let target_ok = matches!(target.first(), Some(b'/' | b'*')) && target.iter().all(|&b| b > 0x20 && b != 0x7f);
    if !method_ok || !target_ok || memchr::memmem::find(line, b"HTTP/").is_none() {
        return None;
    }
    // The fields, up to the empty line that ends the head (a head of no field ends at once).
    let after_line = rest.get(newline + 1..)?;
    let after_line = after_line.get(..MAX_HEAD_LEN).unwrap_or(after_line);
    let tail_len = match after_line {
        [b'\n', ..] => Some(1),
        [b'\r', b'\n', ..] => Some(2),
        _ => {
            let lf_lf = memchr::memmem::find(after_line, b"\n\n").map(|at| at + 2);
            let lf_crlf = memchr::memmem::find(after_line, b"\n\r\n").map(|at| at + 3);
            lf_lf.into_iter().chain(lf_crlf).min()
        }
    };
    let Some(tail_len) = tail_len else {
        return (after_line.len() < MAX_HEAD_LEN).then_some(Repaired::NeedMore);
    };
    let tail = after_line.get(..tail_len)?;
    let mut bytes = Vec::with_capacity(method.len() + target.len() + 12 + tail.len());
    for part in [method, b" ", target, b" HTTP/1.0\r\n", tail] {
        bytes.extend_from_slice(part);
    }
    Some(Repaired::Head { bytes, wire_len: newline + 1 + tail_len })
}

/// WinRM or WebDAV, as SCHEMA.md's `http.app`.
fn application(head: &RequestHead<'_>, server_port: u16) -> Option<HttpApp> {
    if is_winrm(head.uri, head.user_agent, server_port) {
        Some(HttpApp::Winrm)
    } else if is_webdav_method(head.method) || head.user_agent.is_some_and(is_webdav_agent) {
        Some(HttpApp::Webdav)
    } else {
        None
    }
}

/// `http.encryption` of a WinRM request: `"none"` for clear SOAP, else the session encryption.
fn winrm_encryption(content: WinrmContent) -> Option<&'static str> {
    match content {
        WinrmContent::ClearSoap => Some("none"),
        WinrmContent::Encrypted(encryption) => Some(encryption.as_str()),
        WinrmContent::Other => None,
    }
}

/// How a direction goes on after a head of this body framing.
fn reading_for(framing: BodyFraming) -> Reading {
    match framing {
        // A Content-Length body is skipped by the count `after_head` returns.
        BodyFraming::None | BodyFraming::ContentLength(_) => Reading::Head,
        BodyFraming::Chunked | BodyFraming::UntilClose => Reading::Body(BodyDecoder::new(framing)),
        BodyFraming::Tunnel => Reading::Opaque,
    }
}

/// Consumes a head of `head_len` bytes and, for a Content-Length body, the body: what is in
/// `available` now, and the rest as bytes to skip when they arrive.
fn after_head(head_len: usize, framing: Option<BodyFraming>, available: usize) -> Step {
    let Some(BodyFraming::ContentLength(length)) = framing else {
        return Step::Used(head_len);
    };
    let in_hand = (available - head_len.min(available)) as u64;
    if length <= in_hand {
        // Both fit: `length` is at most `available`, a usize.
        Step::Used(head_len + length as usize)
    } else {
        Step::SkipBeyond(length - in_hand)
    }
}

/// Walks a chunked (or until-close) body; returns the next state when the body ends (heads)
/// or breaks (resynchronisation).
fn feed_body(body: &mut BodyDecoder, rest: &[u8], cx: &mut AppContext) -> (Step, Option<Reading>) {
    match body.feed(rest) {
        Ok(progress) => (Step::Used(progress.consumed), progress.done.then_some(Reading::Head)),
        Err(_) => {
            cx.parse_error("http");
            (Step::Used(0), Some(Reading::Resync { mid_line: true }))
        }
    }
}

/// Scans for the next line that starts a message (`looks_like` says `Yes`, or `NeedMore` at
/// the end of the bytes): consumes what comes before it; `true` when heads are read again from
/// there.
fn resync(rest: &[u8], mid_line: &mut bool, looks_like: fn(&[u8]) -> Sniff) -> (Step, bool) {
    let mut line_start = if *mid_line {
        match memchr::memchr(b'\n', rest) {
            Some(newline) => newline + 1,
            None => return (Step::Used(rest.len()), false),
        }
    } else {
        0
    };
    *mid_line = false;
    while let Some(line) = rest.get(line_start..).filter(|l| !l.is_empty()) {
        if looks_like(line) != Sniff::No {
            return (Step::Used(line_start), true);
        }
        match memchr::memchr(b'\n', line) {
            Some(newline) => line_start += newline + 1,
            None => {
                *mid_line = true;
                break;
            }
        }
    }
    (Step::Used(rest.len()), false)
}

fn emit(request: Box<PendingRequest>, cx: &mut AppContext) {
    emit_with_tls(request, None, cx);
}

fn emit_with_tls(request: Box<PendingRequest>, tls: Option<TlsObject>, cx: &mut AppContext) {
    let PendingRequest { http, ntlm, kerberos } = *request;
    let (kerberos, tls) = (kerberos.map(Box::new), tls.map(Box::new));
    let objects = Objects { http: Some(http), ntlm, kerberos, tls, ..Objects::default() };
    cx.emit(EventKind::Http, objects);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Record;
    use crate::config::Config;
    use crate::shared::Shared;
    use crate::stats::EngineStats;
    use crate::time::Timestamp;

    /// arkime/http-basicauth.pcap frame 4: a GET with `Authorization: Basic` (tshark:
    /// `userrrrr:passworddddd`).
    const BASIC_GET: &[u8] = b"GET /xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/xxx/xxxxxxxxxxxxxxxxxxxx.js HTTP/1.1\r\nHost: 10.000.000.001:1234\r\nUser-Agent: Mozilla/5.0 (Windows NT 5.1; rv:32.0) Gecko/20100101 Firefox/32.0\r\nAccept: */*\r\nAccept-Language: en-GB,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nReferer: http://10.000.000.001:1234/zzzzzzzzzzzzzzzz/zzzzzzzz/zz/zzzzzzzzz/index.html\r\nCookie: zzzzzzzzzzzzzzzzzz=auto; cprelogin=no; cpsession=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz; langedit=; lang=\r\nAuthorization: Basic dXNlcnJycnI6cGFzc3dvcmRkZGRk\r\nConnection: keep-alive\r\nIf-Modified-Since: Wed, 29 Oct 2014 01:11:13 GMT\r\n\r\n";
    /// arkime/http-basicauth.pcap frame 6: its answer.
    const NOT_MODIFIED: &[u8] = b"HTTP/1.1 304 Not Modified\r\nServer: cpsrvd/11.44.1.19\r\nX-Keep-Alive-Count: 1\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=70, max=200\r\nDate: Wed, 29 Oct 2014 17:35:08 GMT\r\nCache-Control: max-age=5184000, public\r\nExpires: Sun, 28 Dec 2014 17:35:07 GMT\r\n\r\n";

    /// pcaps/http/webdav-miniredir.pcap frames 24, 26, 28, 29: PUT with `Expect: 100-continue`,
    /// the interim 100, the 18-byte body, the final 204.
    const PUT_HEAD: &[u8] = b"PUT /dav/upload.txt HTTP/1.1\r\nHost: 10.88.0.1\r\nUser-Agent: Microsoft-WebDAV-MiniRedir/10.0.19045\r\nAccept: */*\r\nContent-Length: 18\r\nExpect: 100-continue\r\n\r\n";
    const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";
    const PUT_BODY: &[u8] = b"quarterly figures\n";
    const NO_CONTENT: &[u8] =
        b"HTTP/1.1 204 No Content\r\nDate: Sun, 22 Nov 2026 04:54:30 GMT\r\nServer: Apache/2.4.71 (Debian) mod_auth_gssapi/1.6.4\r\n\r\n";

    /// zeek/Traces/http/methods.pcap stream 4: a GET with bare-LF line ends and the head of
    /// Google's chunked answer. Its 44 KB body (chunks of 0x8000 and 0x2b87 bytes) is too big
    /// to quote; the test follows the head with a short chunked body of the same shape.
    const GOOGLE_GET: &[u8] = b"GET / HTTP/1.1\nHost: www.google.com\n\n";
    const GOOGLE_CHUNKED_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nDate: Sat, 01 Dec 2012 02:29:13 GMT\r\nExpires: -1\r\nCache-Control: private, max-age=0\r\nContent-Type: text/html; charset=ISO-8859-1\r\nSet-Cookie: PREF=ID=39d553c0453b55af:FF=0:TM=1354328953:LM=1354328953:S=nvK9h5rZVKY7AvMa; expires=Mon, 01-Dec-2014 02:29:13 GMT; path=/; domain=.google.com\r\nSet-Cookie: NID=66=LrODxwSaYoXHNtlBWQvIoz4cDCxDnAU0oEyLOLfopE63gD2HaVaFCdTdgYYIKJ9XYTmiWq0SQmD1lXmupV0jYDehr_jOhsaa09N-vaPMG7T9moVenNeDFCGGcDKAtmmD; expires=Sun, 02-Jun-2013 02:29:13 GMT; path=/; domain=.google.com; HttpOnly\r\nP3P: CP=\"This is not a P3P policy! See http://www.google.com/support/accounts/bin/answer.py?hl=en&answer=151657 for more info.\"\r\nServer: gws\r\nX-XSS-Protection: 1; mode=block\r\nX-Frame-Options: SAMEORIGIN\r\nTransfer-Encoding: chunked\r\n\r\n";
    const SHORT_CHUNKED_BODY: &[u8] = b"8\r\n<!doctyp\r\n1a;ext=1\r\ne html><html itemscope=\"\"\r\n0\r\n\r\n";

    /// One connection driven the way the reassembler drives an app: bytes left unconsumed are
    /// offered again with the next ones, bytes consumed beyond the data are skipped.
    struct Wire {
        http: Http,
        config: Config,
        shared: Shared,
        stats: EngineStats,
        records: Vec<Record>,
        server_port: u16,
        pending: [Vec<u8>; 2],
        skip: [u64; 2],
    }

    impl Wire {
        fn new(server_port: u16) -> Self {
            let config = Config::default();
            let shared = Shared::new(&config);
            Wire {
                http: Http::default(),
                config,
                shared,
                stats: EngineStats::default(),
                records: Vec::new(),
                server_port,
                pending: [Vec::new(), Vec::new()],
                skip: [0, 0],
            }
        }

        fn context(&mut self) -> (&mut Http, AppContext<'_>) {
            let cx = AppContext {
                now: Timestamp(1),
                config: &self.config,
                shared: &self.shared,
                records: &mut self.records,
                stats: &mut self.stats,
                server_ip: std::net::IpAddr::from([10, 0, 0, 1]),
                server_port: self.server_port,
            };
            (&mut self.http, cx)
        }

        fn send(&mut self, dir: Direction, bytes: &[u8]) {
            let i = dir.index();
            let skipped = self.skip[i].min(bytes.len() as u64);
            self.skip[i] -= skipped;
            let data = &bytes[skipped as usize..];
            if data.is_empty() {
                return;
            }
            let mut held = std::mem::take(&mut self.pending[i]);
            held.extend_from_slice(data);
            let (http, mut cx) = self.context();
            let consumed = http.data(dir, &held, &mut cx);
            let used = consumed.min(held.len() as u64);
            held.drain(..used as usize);
            self.pending[i] = held;
            self.skip[i] += consumed - used;
        }

        fn close(&mut self) {
            let (http, mut cx) = self.context();
            http.close(&mut cx);
        }

        fn http_records(&self) -> Vec<&HttpObject> {
            self.records.iter().filter_map(|r| r.objects.http.as_ref()).collect()
        }

        fn parse_errors(&self) -> u64 {
            self.stats.parse_errors.values().sum()
        }
    }

    #[test]
    fn a_request_and_its_response_make_one_record() {
        let mut wire = Wire::new(2082);
        wire.send(Direction::ToServer, BASIC_GET);
        assert!(wire.records.is_empty(), "emitted at the response");
        wire.send(Direction::ToClient, NOT_MODIFIED);
        let records = wire.http_records();
        assert_eq!(records.len(), 1);
        let http = records[0];
        assert_eq!(http.method.as_deref(), Some("GET"));
        assert_eq!(http.status, Some(304));
        assert_eq!(http.auth_scheme.as_deref(), Some("basic"));
        assert_eq!(http.auth_mech.as_deref(), Some("basic"));
        assert_eq!(http.user.as_deref(), Some("userrrrr"));
        assert_eq!(http.app, None);
        assert!(!format!("{:?}", wire.records).contains("passworddddd"));
        assert_eq!(wire.parse_errors(), 0);
    }

    #[test]
    fn pipelined_requests_pair_in_order() {
        let mut wire = Wire::new(80);
        let requests = [BASIC_GET, GOOGLE_GET, PUT_HEAD, PUT_BODY].concat();
        wire.send(Direction::ToServer, &requests);
        let responses = [NOT_MODIFIED, GOOGLE_CHUNKED_HEAD, SHORT_CHUNKED_BODY, CONTINUE, NO_CONTENT].concat();
        wire.send(Direction::ToClient, &responses);
        let pairs: Vec<(Option<&str>, Option<u16>)> = wire.http_records().iter().map(|h| (h.method.as_deref(), h.status)).collect();
        assert_eq!(pairs, [(Some("GET"), Some(304)), (Some("GET"), Some(200)), (Some("PUT"), Some(204))]);
        assert_eq!(wire.parse_errors(), 0);
    }

    #[test]
    fn interim_100_continue_is_passed_over() {
        let mut wire = Wire::new(80);
        wire.send(Direction::ToServer, PUT_HEAD);
        wire.send(Direction::ToClient, CONTINUE);
        assert!(wire.records.is_empty(), "a 100 does not answer the request");
        wire.send(Direction::ToServer, PUT_BODY);
        wire.send(Direction::ToClient, NO_CONTENT);
        let records = wire.http_records();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].status, Some(204));
        assert_eq!(records[0].app.as_deref(), Some("webdav"), "the MiniRedir agent");
        // The body was skipped by its length: a request after it is read.
        wire.send(Direction::ToServer, GOOGLE_GET);
        wire.close();
        assert_eq!(wire.http_records().len(), 2, "unanswered at close");
        assert_eq!(wire.parse_errors(), 0);
    }

    #[test]
    fn a_content_length_body_is_skipped_not_held() {
        let mut wire = Wire::new(80);
        wire.send(Direction::ToServer, PUT_HEAD);
        assert!(wire.pending[0].is_empty());
        assert_eq!(wire.skip[0], 18, "the whole body is left to the reassembler to skip");
    }

    #[test]
    fn chunked_response_split_at_every_offset() {
        let response = [GOOGLE_CHUNKED_HEAD, SHORT_CHUNKED_BODY, NOT_MODIFIED].concat();
        for split in 0..=response.len() {
            let mut wire = Wire::new(80);
            wire.send(Direction::ToServer, &[GOOGLE_GET, BASIC_GET].concat());
            let (first, second) = response.split_at(split);
            wire.send(Direction::ToClient, first);
            wire.send(Direction::ToClient, second);
            let statuses: Vec<Option<u16>> = wire.http_records().iter().map(|h| h.status).collect();
            assert_eq!(statuses, [Some(200), Some(304)], "split at {split}");
            assert_eq!(wire.parse_errors(), 0, "split at {split}");
        }
    }

    #[test]
    fn request_split_at_every_offset() {
        for split in 0..=BASIC_GET.len() {
            let mut wire = Wire::new(80);
            let (first, second) = BASIC_GET.split_at(split);
            wire.send(Direction::ToServer, first);
            wire.send(Direction::ToServer, second);
            wire.send(Direction::ToClient, NOT_MODIFIED);
            let users: Vec<Option<&str>> = wire.http_records().iter().map(|h| h.user.as_deref()).collect();
            assert_eq!(users, [Some("userrrrr")], "split at {split}");
        }
    }

    #[test]
    fn a_gap_resynchronises_at_the_next_request_line() {
        let mut wire = Wire::new(80);
        wire.send(Direction::ToServer, &BASIC_GET[..100]);
        wire.http.gap(Direction::ToServer);
        wire.pending[0].clear();
        wire.send(Direction::ToServer, &[&BASIC_GET[300..], GOOGLE_GET].concat());
        wire.send(Direction::ToClient, NOT_MODIFIED);
        let methods: Vec<(Option<&str>, Option<&str>)> =
            wire.http_records().iter().map(|h| (h.method.as_deref(), h.uri.as_deref())).collect();
        assert_eq!(methods, [(Some("GET"), Some("/"))]);
    }

    #[test]
    fn oversized_and_overfull_heads_are_skipped_and_counted() {
        let mut wire = Wire::new(80);
        let mut huge = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        huge.resize(70 * 1024, b'a');
        huge.extend_from_slice(b"\r\n\r\n");
        wire.send(Direction::ToServer, &huge);
        let mut many = b"GET /many HTTP/1.1\r\n".to_vec();
        for i in 0..10_000 {
            many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        wire.send(Direction::ToServer, &many);
        wire.send(Direction::ToServer, GOOGLE_GET);
        wire.close();
        assert_eq!(wire.stats.parse_errors.get("http"), Some(&2));
        let uris: Vec<Option<&str>> = wire.http_records().iter().map(|h| h.uri.as_deref()).collect();
        assert_eq!(uris, [Some("/")], "the request after them is read");
    }

    #[test]
    fn a_tunnel_ends_inspection() {
        let mut wire = Wire::new(80);
        wire.send(Direction::ToServer, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01");
        wire.send(Direction::ToClient, b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03");
        assert!(wire.http.seen_enough());
        assert_eq!(wire.http_records().len(), 1);
        assert_eq!(wire.parse_errors(), 0);
    }

    #[test]
    fn credentials_after_many_quiet_pairs_are_seen() {
        let mut wire = Wire::new(80);
        for _ in 0..20 {
            wire.send(Direction::ToServer, GOOGLE_GET);
            wire.send(Direction::ToClient, NOT_MODIFIED);
        }
        assert!(!wire.http.seen_enough());
        // "alice:secret"
        wire.send(Direction::ToServer, b"GET /private HTTP/1.1\r\nHost: intranet\r\nAuthorization: Basic YWxpY2U6c2VjcmV0\r\n\r\n");
        wire.send(Direction::ToClient, NOT_MODIFIED);
        let records = wire.http_records();
        assert_eq!(records.len(), 21);
        assert_eq!((records[20].auth_mech.as_deref(), records[20].user.as_deref()), (Some("basic"), Some("alice")));
    }

    #[test]
    fn malformed_version_is_repaired() {
        // zeek/Traces/http/methods.pcap stream 40.
        let mut wire = Wire::new(80);
        wire.send(Direction::ToServer, b"POST / HTTP/1.\nHost: www.google.com\n\n");
        wire.close();
        let records = wire.http_records();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].method.as_deref(), Some("POST"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(to_server: Vec<u8>, to_client: Vec<u8>, split in 0usize..64) {
            let mut wire = Wire::new(80);
            let cut = split.min(to_server.len());
            wire.send(Direction::ToServer, &to_server[..cut]);
            wire.send(Direction::ToClient, &to_client);
            wire.send(Direction::ToServer, &to_server[cut..]);
            wire.close();
        }
    }
}
