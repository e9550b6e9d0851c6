//! LDAP (TCP 389 and 3268, or any port where a flow starts with an LDAP request): one `ldap`
//! record per bind, every bind of the connection, and one per StartTLS.
//!
//! Messages are framed by their BER length ([`hardwire_auth::ldap::message_head`]); only binds,
//! extended operations and unbinds are read whole, every other message (searches and their
//! results, the bulk of a directory connection) is skipped by its length without being held.
//! A bind's steps (SASL `saslBindInProgress` rounds, Sicily's discovery, negotiate and response)
//! make one record, written at the final answer; its NTLM or Kerberos tokens go through the one
//! shared [`AuthState`]. The security layer a successful SASL or Sicily bind negotiated is read
//! from the client's next PDU (RFC 4422 §3.7): a bare LDAPMessage (`0x30`) is `"none"`; a
//! 4-octet length and a wrap token is `"signed"` or `"sealed"`; without a next PDU, the NTLM
//! flags decide. From then on both directions are wrapped PDUs: one with integrity only (an
//! NTLM signature, an RFC 4121 wrap token without the Sealed flag) is held whole (at most
//! `limits.max_pending_bytes`) and the messages in it are read as any others, so later binds on
//! the connection are seen; a sealed one, or one over the limit, is skipped by its length and
//! counted (`stats.ldap_sasl_pdus`), never decrypted. A wrapping not recognised at all (another
//! SASL mechanism's) makes the connection opaque. After a successful StartTLS the stream is TLS
//! and is let go. A gap, or bytes that frame no message, make that direction look for the next
//! message head (or, wrapped, the next wrap token's head).
//!
//! A simple bind's password is never read out of the parser: the record says only whether one
//! was sent.

use hardwire_auth::ldap::{
    message_head, parse_message, result_name, sasl_layer, unwrap_integrity, Authentication, BindRequest, BindResponse, Message, Op,
    SaslLayer, OP_BIND_REQUEST, OP_BIND_RESPONSE, OP_EXTENDED_REQUEST, OP_EXTENDED_RESPONSE, OP_SEARCH_REQUEST, START_TLS_OID,
};
use hardwire_flow::Direction;

use crate::app::auth::AuthState;
use crate::app::AppContext;
use crate::event::{EventKind, LdapObject, Objects, Outcome};

/// Name of the parse-error counter.
const PROTOCOL: &str = "ldap";
/// Operations read whole; the others are skipped by their length.
const READ_WHOLE: &[u32] = &[OP_BIND_REQUEST, OP_BIND_RESPONSE, OP_EXTENDED_REQUEST, OP_EXTENDED_RESPONSE];
/// A message head is at most this long (identifier and 5-octet length of the message, of the
/// id and of the operation): bytes this many that frame nothing are no LDAP.
const HEAD_LIMIT: usize = 32;
/// `saslBindInProgress`: the bind goes on.
const SASL_BIND_IN_PROGRESS: u32 = 14;
const SUCCESS: u32 = 0;
/// SASL mechanisms whose credentials are GSS-API, SPNEGO or NTLMSSP tokens.
const TOKEN_MECHANISMS: &[&str] = &["GSS-SPNEGO", "GSSAPI", "NTLM"];

/// The first message of a flow is an LDAP request a client opens with: a bind, a search (the
/// root DSE) or an extended operation (StartTLS).
pub fn looks_like_request(data: &[u8]) -> Option<bool> {
    match message_head(data) {
        Ok(Some(head)) => Some([OP_BIND_REQUEST, OP_SEARCH_REQUEST, OP_EXTENDED_REQUEST].contains(&head.op)),
        Ok(None) if data.len() < HEAD_LIMIT => None,
        _ => Some(false),
    }
}

/// One bind, across its steps.
#[derive(Debug)]
struct Bind {
    ldap: LdapObject,
    /// More steps may follow (a SASL round answered `saslBindInProgress`, a Sicily discovery
    /// or negotiate answered).
    in_progress: bool,
}

/// The LDAP side of one connection.
#[derive(Debug, Default)]
pub(crate) struct Ldap {
    bind: Option<Bind>,
    /// The tokens of the current bind.
    auth: AuthState,
    /// A successful SASL or Sicily bind whose record waits for the client's next PDU.
    awaiting_layer: Option<Bind>,
    /// The message id of a StartTLS request awaiting its response.
    start_tls: Option<u32>,
    /// After StartTLS or a SASL security layer not recognised: nothing more is readable.
    opaque: bool,
    /// After a bind's SASL security layer: every PDU is a 4-octet length and a wrapped buffer.
    wrapped: bool,
    /// Per direction: after a gap or bytes that frame nothing, looking for a message head.
    resync: [bool; 2],
}

impl Ldap {
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        let mut used = 0usize;
        while used < data.len() && !self.opaque {
            let rest = &data[used..];
            if self.resync[dir.index()] {
                match if self.wrapped { resync_wrapped(rest) } else { resync(rest) } {
                    Some(at) => {
                        used += at;
                        self.resync[dir.index()] = false;
                    }
                    // A candidate cut by the end of the data waits for more bytes.
                    None => return (used + rest.len().saturating_sub(HEAD_LIMIT)) as u64,
                }
                continue;
            }
            if dir == Direction::ToServer && self.awaiting_layer.is_some() {
                let Some(layer) = sasl_layer(rest) else { break };
                self.layer_seen(Some(layer), cx);
                continue;
            }
            let step = if self.wrapped { self.wrapped_pdu(dir, rest, cx) } else { self.next_message(dir, rest, cx) };
            match step {
                Step::Used(n) => used = used.saturating_add(n),
                Step::NeedMore => break,
                Step::Malformed => {
                    cx.parse_error(PROTOCOL);
                    self.resync[dir.index()] = true;
                    used += 1;
                }
            }
        }
        if self.opaque {
            return data.len() as u64;
        }
        used as u64
    }

    /// The message at the start of `rest`: read (a bind, an extended operation), or skipped by
    /// its length as it streams by (searches, results, modifications).
    fn next_message(&mut self, dir: Direction, rest: &[u8], cx: &mut AppContext) -> Step {
        let head = match message_head(rest) {
            Ok(Some(head)) => head,
            Ok(None) if rest.len() < HEAD_LIMIT => return Step::NeedMore,
            Ok(None) | Err(_) => return Step::Malformed,
        };
        if !READ_WHOLE.contains(&head.op) {
            return Step::Used(head.len);
        }
        if head.len > cx.config.limits.max_pending_bytes {
            cx.parse_error(PROTOCOL);
            return Step::Used(head.len);
        }
        let Some(bytes) = rest.get(..head.len) else { return Step::NeedMore };
        match parse_message(bytes) {
            Ok(message) => self.message(dir, message, cx),
            Err(_) => cx.parse_error(PROTOCOL),
        }
        Step::Used(head.len)
    }

    /// The wrapped PDU at the start of `rest`: an integrity-only one is held whole and its
    /// messages read; a sealed one (or one not readable, or over the limit) is counted and
    /// skipped by its length without being held. A bare LDAPMessage ends the wrapping.
    fn wrapped_pdu(&mut self, dir: Direction, rest: &[u8], cx: &mut AppContext) -> Step {
        let layer = match sasl_layer(rest) {
            None => return Step::NeedMore,
            Some(SaslLayer::Plain) => {
                self.wrapped = false;
                return Step::Used(0);
            }
            // Not the head of a wrap token: the framing is lost.
            Some(SaslLayer::Unknown) => return Step::Malformed,
            Some(layer) => layer,
        };
        let Some(len) = pdu_len(rest) else { return Step::NeedMore };
        let total = len.saturating_add(4);
        if layer == SaslLayer::Sealed || len > cx.config.limits.max_pending_bytes {
            cx.stats.ldap_sasl_pdus.unread += 1;
            return Step::Used(total);
        }
        let Some(pdu) = rest.get(4..total) else { return Step::NeedMore };
        let Some(mut inner) = unwrap_integrity(pdu) else {
            cx.stats.ldap_sasl_pdus.unread += 1;
            return Step::Used(total);
        };
        cx.stats.ldap_sasl_pdus.read += 1;
        // A PDU carries whole messages (one request; a search's entries and its done).
        while !inner.is_empty() {
            match self.next_message(dir, inner, cx) {
                Step::Used(n) if n <= inner.len() => inner = &inner[n..],
                _ => {
                    cx.parse_error(PROTOCOL);
                    break;
                }
            }
        }
        Step::Used(total)
    }

    /// Bytes lost: this direction looks for the next message.
    pub fn gap(&mut self, dir: Direction) {
        self.resync[dir.index()] = true;
    }

    /// The connection ended: a bind waiting for its layer is written with what the NTLM flags
    /// say, a bind never finished as it is.
    pub fn close(&mut self, cx: &mut AppContext) {
        self.layer_seen(None, cx);
        if let Some(bind) = self.bind.take() {
            self.emit(bind.ldap, cx);
        }
    }

    /// The names the bind in progress holds, for the memory budget.
    pub fn memory(&self) -> usize {
        [&self.bind, &self.awaiting_layer]
            .into_iter()
            .flatten()
            .map(|bind| {
                [&bind.ldap.bind_dn, &bind.ldap.sasl_mech, &bind.ldap.result].into_iter().flatten().map(String::capacity).sum::<usize>()
            })
            .sum()
    }

    /// A bind under way, or answered and waiting for the PDU that shows its security layer.
    pub fn authenticating(&self) -> bool {
        self.bind.is_some() || self.awaiting_layer.is_some() || self.auth.in_progress()
    }

    /// After StartTLS or a SASL security layer not recognised the rest of the flow is unreadable.
    pub fn seen_enough(&self) -> bool {
        self.opaque
    }

    fn message(&mut self, dir: Direction, message: Message<'_>, cx: &mut AppContext) {
        match message.op {
            Op::BindRequest(request) if dir == Direction::ToServer => self.bind_request(message.id, &request, cx),
            Op::BindResponse(response) if dir == Direction::ToClient => self.bind_response(&response, cx),
            Op::ExtendedRequest { name } if dir == Direction::ToServer && name == START_TLS_OID => self.start_tls = Some(message.id),
            Op::ExtendedResponse { result, .. } if dir == Direction::ToClient && self.start_tls == Some(message.id) => {
                self.start_tls = None;
                let ldap = LdapObject { starttls: Some(true), result: Some(result_name(result).into_owned()), ..LdapObject::default() };
                self.emit(ldap, cx);
                // From the next byte on, both directions are TLS.
                self.opaque = result == SUCCESS;
            }
            _ => {}
        }
    }

    fn bind_request(&mut self, id: u32, request: &BindRequest<'_>, cx: &mut AppContext) {
        let continues = self.bind.as_ref().is_some_and(|bind| bind.in_progress && continues(&bind.ldap, &request.auth));
        if !continues {
            if let Some(unfinished) = self.bind.take() {
                self.emit(unfinished.ldap, cx);
            }
            self.auth = AuthState::default();
        }
        let bind = self.bind.get_or_insert_with(|| Bind { ldap: LdapObject::default(), in_progress: false });
        bind.in_progress = false;
        let ldap = &mut bind.ldap;
        ldap.message_id = Some(id);
        ldap.bind_dn.get_or_insert_with(|| request.name.clone());
        ldap.tls = Some(false);
        if self.wrapped {
            // Read from a PDU wrapped with integrity only: the bind travelled signed.
            ldap.signing = Some("signed");
        }
        let token = match &request.auth {
            Authentication::Simple { password_empty } => {
                let anonymous = request.name.is_empty() && *password_empty;
                ldap.bind_type = Some(if anonymous { "anonymous" } else { "simple" });
                ldap.password_sent = Some(!password_empty);
                None
            }
            Authentication::Sasl { mechanism, credentials } => {
                ldap.bind_type = Some("sasl");
                ldap.sasl_mech = Some(mechanism.clone());
                // GSSAPI's rounds after the AP-REQ carry wrap tokens (RFC 4752 §3.1), no
                // context tokens.
                let context_token = mechanism != "GSSAPI" || self.auth.kerberos.is_none();
                credentials.filter(|_| TOKEN_MECHANISMS.contains(&mechanism.as_str()) && context_token)
            }
            Authentication::SicilyDiscovery => {
                ldap.bind_type = Some("sicily");
                None
            }
            Authentication::SicilyNegotiate(token) | Authentication::SicilyResponse(token) => {
                ldap.bind_type = Some("sicily");
                Some(*token)
            }
            Authentication::Other(_) => None,
        };
        if let Some(token) = token {
            self.observe(token, cx);
        }
    }

    fn bind_response(&mut self, response: &BindResponse<'_>, cx: &mut AppContext) {
        // An answer to a bind the capture did not see whole (it started mid-connection, or lost
        // the request) still says a bind was answered.
        let mut bind = self.bind.take().unwrap_or_else(|| Bind { ldap: LdapObject::default(), in_progress: false });
        // (GSSAPI's server tokens are its AP-REP and wrap tokens: nothing to read.)
        let reads_server_tokens = bind.ldap.sasl_mech.as_deref().is_some_and(|m| m != "GSSAPI" && TOKEN_MECHANISMS.contains(&m));
        if let Some(token) = response.server_sasl_creds.filter(|_| reads_server_tokens) {
            self.observe(token, cx);
        }
        let sicily = bind.ldap.bind_type == Some("sicily");
        if sicily && response.matched_dn.starts_with(b"NTLMSSP\0") {
            // Sicily's CHALLENGE travels in matchedDN.
            self.observe(response.matched_dn, cx);
        }
        bind.ldap.result = Some(result_name(response.result).into_owned());
        // Sicily answers its discovery and negotiate steps with success: only the answer to
        // the AUTHENTICATE ends the bind.
        bind.in_progress =
            response.result == SASL_BIND_IN_PROGRESS || (sicily && response.result == SUCCESS && !self.auth.ntlm_authenticated);
        if bind.in_progress {
            self.bind = Some(bind);
            return;
        }
        let layered = matches!(bind.ldap.bind_type, Some("sasl" | "sicily"));
        if response.result == SUCCESS && layered {
            self.awaiting_layer = Some(bind);
        } else {
            self.emit(bind.ldap, cx);
        }
    }

    /// The security layer of the bind awaiting it, from the client's next PDU (`None`: the
    /// connection ended first, and the NTLM flags decide).
    fn layer_seen(&mut self, layer: Option<SaslLayer>, cx: &mut AppContext) {
        let Some(mut bind) = self.awaiting_layer.take() else { return };
        bind.ldap.signing = match layer {
            Some(SaslLayer::Plain) => Some("none"),
            Some(SaslLayer::Signed) => Some("signed"),
            Some(SaslLayer::Sealed) => Some("sealed"),
            Some(SaslLayer::Unknown) => None,
            None => self.auth.ntlm.as_ref().filter(|_| self.auth.ntlm_authenticated).map(|ntlm| match (ntlm.sealing, ntlm.signing) {
                (Some(true), _) => "sealed",
                (_, Some(true)) => "signed",
                _ => "none",
            }),
        };
        // A wrapping of another mechanism hides every later message.
        self.wrapped |= matches!(layer, Some(SaslLayer::Signed | SaslLayer::Sealed));
        self.opaque = layer == Some(SaslLayer::Unknown);
        self.emit(bind.ldap, cx);
    }

    fn observe(&mut self, token: &[u8], cx: &mut AppContext) {
        if self.auth.observe(token).is_err() {
            cx.parse_error("auth");
        }
    }

    /// One `ldap` record with the bind's `ntlm` (its outcome set from the result) and
    /// `kerberos` objects beside it.
    fn emit(&mut self, ldap: LdapObject, cx: &mut AppContext) {
        let (ntlm, kerberos) = if ldap.bind_type.is_some() {
            let ntlm = self.auth.ntlm_object().map(|mut ntlm| {
                ntlm.status = ldap.result.as_deref().filter(|r| *r != "saslBindInProgress").map(|r| {
                    if r == "success" {
                        Outcome::Success
                    } else {
                        Outcome::Failure
                    }
                });
                ntlm
            });
            (ntlm, self.auth.kerberos.clone().map(Box::new))
        } else {
            (None, None)
        };
        cx.emit(EventKind::Ldap, Objects { ldap: Some(Box::new(ldap)), ntlm, kerberos, ..Objects::default() });
    }
}

/// What the message or PDU at the start of the bytes gave.
enum Step {
    /// This many bytes were read or are to be skipped (possibly more than were handed over).
    Used(usize),
    /// It is cut short: wait for more bytes.
    NeedMore,
    /// These bytes frame nothing.
    Malformed,
}

/// A bind request that is the next step of the bind in progress: the same SASL mechanism, or
/// the next Sicily message.
fn continues(ldap: &LdapObject, auth: &Authentication<'_>) -> bool {
    match auth {
        Authentication::Sasl { mechanism, .. } => ldap.sasl_mech.as_deref() == Some(mechanism.as_str()),
        Authentication::SicilyNegotiate(_) | Authentication::SicilyResponse(_) => ldap.bind_type == Some("sicily"),
        _ => false,
    }
}

/// Where the next message head starts in bytes that lost their framing: an LDAPMessage
/// SEQUENCE whose id and operation read. `None`: none before the last [`HEAD_LIMIT`] bytes,
/// which may hold one cut short.
fn resync(data: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(offset) = memchr::memchr(0x30, &data[at..]) {
        let candidate = at + offset;
        match message_head(&data[candidate..]) {
            Ok(Some(head)) if head.op <= OP_EXTENDED_RESPONSE + 1 => return Some(candidate),
            Ok(None) if data.len() - candidate < HEAD_LIMIT => return None,
            _ => at = candidate + 1,
        }
    }
    None
}

/// The length a wrapped PDU announces in its first 4 octets.
fn pdu_len(data: &[u8]) -> Option<usize> {
    let (&[a, b, c, d], _) = data.split_first_chunk::<4>()?;
    usize::try_from(u32::from_be_bytes([a, b, c, d])).ok()
}

/// Where the next wrapped PDU starts in bytes that lost their framing: a length then the head
/// of an RFC 4121 wrap token (05 04, flags, filler ff) or an NTLM signature (version 1).
/// `None`: none before the last 8 bytes, which may hold one cut short.
fn resync_wrapped(data: &[u8]) -> Option<usize> {
    let heads = data.get(4..)?;
    memchr::memchr2_iter(0x05, 0x01, heads).find_map(|at| match heads.get(at..at + 4)? {
        [0x05, 0x04, _, 0xff] | [0x01, 0, 0, 0] if pdu_len(&data[at..]).is_some_and(|len| (16..1 << 24).contains(&len)) => Some(at),
        _ => None,
    })
}
