//! LDAP messages (RFC 4511) as far as a sensor needs them: binds (simple, SASL, and Microsoft's
//! "Sicily" NTLM choices of MS-ADTS 5.1.1.1), their responses, StartTLS, unbind, and the
//! message id, operation and result code of every other message, so that a connection can be
//! followed without reading its searches.
//!
//! Why our own rather than rusticata's `ldap-parser`: it refuses a bind whose authentication is
//! a Sicily choice (the whole message fails, and Windows tools send them), it parses search
//! filters by recursion with no depth limit (nested `not` filters, two bytes a level, exhaust the
//! stack), it collects every attribute of every search result into vectors, refuses a DN that
//! is not UTF-8, and brings `asn1-rs` on nom 7 beside our nom 8. Here the bounded DER reader of
//! this crate does the work (LDAP uses BER with definite lengths only, RFC 4511 §5.1, which that
//! reader reads, long non-minimal lengths included): the depth is fixed by the code (message,
//! operation, SASL credentials: three levels, no recursion), values are borrowed, nothing is
//! allocated from a length field, and a search is never looked into.
//!
//! The simple bind's password never leaves [`parse_message`]: only whether it was empty.

use std::borrow::Cow;

use crate::der::{parse_header, Class, Reader, Tlv, TAG_ENUMERATED, TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE};
use crate::error::AuthError;

/// The StartTLS extended operation (RFC 4511 §4.14).
pub const START_TLS_OID: &str = "1.3.6.1.4.1.1466.20037";

/// Operation tags ([APPLICATION n]) of RFC 4511 §4.2 to §4.14.
pub const OP_BIND_REQUEST: u32 = 0;
pub const OP_BIND_RESPONSE: u32 = 1;
pub const OP_UNBIND_REQUEST: u32 = 2;
pub const OP_SEARCH_REQUEST: u32 = 3;
pub const OP_EXTENDED_REQUEST: u32 = 23;
pub const OP_EXTENDED_RESPONSE: u32 = 24;
/// Responses that are an LDAPResult and nothing more, or start with one: searchResDone,
/// modify, add, del, modDN, compare responses.
const RESULT_OPS: &[u32] = &[5, 7, 9, 11, 13, 15];

/// What the first bytes of a message say: enough to frame a stream and to choose which
/// messages are worth reading whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The whole message, header included.
    pub len: usize,
    pub id: u32,
    /// The operation's [APPLICATION n] tag.
    pub op: u32,
}

/// The head of the message at the start of `input`: `Ok(None)` when more bytes are needed to
/// know it, an error when these bytes are no LDAP message.
pub fn message_head(input: &[u8]) -> Result<Option<Head>, AuthError> {
    let (inner, outer) = match parse_header(input) {
        Ok(header) => header,
        Err(AuthError::Truncated(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if (outer.class, outer.constructed, outer.tag) != (Class::Universal, true, TAG_SEQUENCE) {
        return Err(AuthError::Malformed("LDAPMessage is not a SEQUENCE"));
    }
    let header_len = input.len() - inner.len();
    let len = header_len.checked_add(outer.len).ok_or(AuthError::Malformed("LDAP length"))?;
    // The id's and operation's headers must lie inside the message: cut short by its end, they
    // are malformed; cut short by the bytes there are so far, they need more.
    let whole = inner.len() >= outer.len;
    match read_head(&inner[..inner.len().min(outer.len)], len) {
        Ok(head) => Ok(Some(head)),
        Err(AuthError::Truncated(what)) if whole => Err(AuthError::Malformed(what)),
        Err(AuthError::Truncated(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The message id and operation tag from the content of the LDAPMessage SEQUENCE.
fn read_head(inner: &[u8], len: usize) -> Result<Head, AuthError> {
    let (after_id, id) = parse_header(inner)?;
    if (id.class, id.tag) != (Class::Universal, TAG_INTEGER) || id.len == 0 || id.len > 5 {
        return Err(AuthError::Malformed("LDAP messageID"));
    }
    let id_bytes = after_id.get(..id.len).ok_or(AuthError::Truncated("LDAP messageID"))?;
    let id = message_id(id_bytes)?;
    let op_start = &after_id[id_bytes.len()..];
    let (_, op) = parse_header(op_start)?;
    if op.class != Class::Application {
        return Err(AuthError::Malformed("LDAP protocolOp"));
    }
    Ok(Head { len, id, op: op.tag })
}

/// MessageID ::= INTEGER (0 .. maxInt).
fn message_id(bytes: &[u8]) -> Result<u32, AuthError> {
    let value = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    match bytes.first() {
        Some(first) if first & 0x80 == 0 => u32::try_from(value).map_err(|_| AuthError::Malformed("LDAP messageID")),
        _ => Err(AuthError::Malformed("LDAP messageID")),
    }
}

/// One LDAP message, its values borrowed from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    pub id: u32,
    pub op: Op<'a>,
}

/// The operations a sensor follows; the others keep their tag and, for responses, the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op<'a> {
    BindRequest(BindRequest<'a>),
    BindResponse(BindResponse<'a>),
    Unbind,
    ExtendedRequest { name: String },
    ExtendedResponse { result: u32, name: Option<String> },
    Other { op: u32, result: Option<u32> },
}

/// BindRequest ::= [APPLICATION 0] SEQUENCE { version, name, authentication }.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindRequest<'a> {
    pub version: i64,
    /// The DN (or, from Windows clients, a user principal or DOMAIN\user), lossy UTF-8.
    pub name: String,
    pub auth: Authentication<'a>,
}

/// AuthenticationChoice, with MS-ADTS's Sicily choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication<'a> {
    /// [0] simple: only whether a password was sent; the password is never kept.
    Simple { password_empty: bool },
    /// [3] SaslCredentials.
    Sasl { mechanism: String, credentials: Option<&'a [u8]> },
    /// [9] sicilyPackageDiscovery.
    SicilyDiscovery,
    /// [10] sicilyNegotiate: an NTLM NEGOTIATE.
    SicilyNegotiate(&'a [u8]),
    /// [11] sicilyResponse: an NTLM AUTHENTICATE.
    SicilyResponse(&'a [u8]),
    /// Another choice (1 and 2 are reserved).
    Other(u32),
}

/// BindResponse ::= [APPLICATION 1] SEQUENCE { COMPONENTS OF LDAPResult, serverSaslCreds [7] }.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindResponse<'a> {
    pub result: u32,
    /// The matchedDN octets: in a Sicily exchange, the package list or the NTLM CHALLENGE.
    pub matched_dn: &'a [u8],
    pub server_sasl_creds: Option<&'a [u8]>,
}

/// Reads one whole message (as framed by [`message_head`]).
pub fn parse_message(input: &[u8]) -> Result<Message<'_>, AuthError> {
    let outer = Reader::new(input).expect(Class::Universal, TAG_SEQUENCE, "LDAPMessage")?;
    let mut fields = outer.contents()?;
    let id = message_id(fields.expect(Class::Universal, TAG_INTEGER, "LDAP messageID")?.value)?;
    let op = fields.read()?;
    if op.class != Class::Application {
        return Err(AuthError::Malformed("LDAP protocolOp"));
    }
    let op = match op.tag {
        OP_BIND_REQUEST => Op::BindRequest(bind_request(&op)?),
        OP_BIND_RESPONSE => Op::BindResponse(bind_response(&op)?),
        OP_UNBIND_REQUEST => Op::Unbind,
        OP_EXTENDED_REQUEST => {
            let mut r = op.contents()?;
            let name = r.expect(Class::Context, 0, "requestName")?;
            Op::ExtendedRequest { name: String::from_utf8_lossy(name.value).into_owned() }
        }
        OP_EXTENDED_RESPONSE => {
            let mut r = op.contents()?;
            let result = ldap_result(&mut r)?;
            skip_referral(&mut r)?;
            let name = r.optional(Class::Context, 10)?.map(|n| String::from_utf8_lossy(n.value).into_owned());
            Op::ExtendedResponse { result, name }
        }
        tag if RESULT_OPS.contains(&tag) => Op::Other { op: tag, result: Some(ldap_result(&mut op.contents()?)?) },
        tag => Op::Other { op: tag, result: None },
    };
    Ok(Message { id, op })
}

fn bind_request<'a>(op: &Tlv<'a>) -> Result<BindRequest<'a>, AuthError> {
    let mut r = op.contents()?;
    let version = r.read()?.integer(TAG_INTEGER, "bind version")?;
    let name = String::from_utf8_lossy(r.read()?.universal(TAG_OCTET_STRING, "bind name")?).into_owned();
    let choice = r.read()?;
    if choice.class != Class::Context {
        return Err(AuthError::Malformed("AuthenticationChoice"));
    }
    let auth = match choice.tag {
        0 => Authentication::Simple { password_empty: choice.value.is_empty() },
        3 => {
            let mut sasl = choice.contents()?;
            let mechanism = String::from_utf8_lossy(sasl.read()?.universal(TAG_OCTET_STRING, "SASL mechanism")?).into_owned();
            let credentials = sasl.optional(Class::Universal, TAG_OCTET_STRING)?.map(|c| c.value);
            Authentication::Sasl { mechanism, credentials }
        }
        9 => Authentication::SicilyDiscovery,
        10 => Authentication::SicilyNegotiate(choice.value),
        11 => Authentication::SicilyResponse(choice.value),
        other => Authentication::Other(other),
    };
    Ok(BindRequest { version, name, auth })
}

fn bind_response<'a>(op: &Tlv<'a>) -> Result<BindResponse<'a>, AuthError> {
    let mut r = op.contents()?;
    let result = ldap_result_code(&mut r)?;
    let matched_dn = r.read()?.universal(TAG_OCTET_STRING, "matchedDN")?;
    r.read()?.universal(TAG_OCTET_STRING, "diagnosticMessage")?;
    skip_referral(&mut r)?;
    let server_sasl_creds = r.optional(Class::Context, 7)?.map(|c| c.value);
    Ok(BindResponse { result, matched_dn, server_sasl_creds })
}

/// LDAPResult's resultCode, matchedDN and diagnosticMessage; returns the code.
fn ldap_result(r: &mut Reader<'_>) -> Result<u32, AuthError> {
    let code = ldap_result_code(r)?;
    r.read()?.universal(TAG_OCTET_STRING, "matchedDN")?;
    r.read()?.universal(TAG_OCTET_STRING, "diagnosticMessage")?;
    Ok(code)
}

fn ldap_result_code(r: &mut Reader<'_>) -> Result<u32, AuthError> {
    let code = r.read()?.integer(TAG_ENUMERATED, "resultCode")?;
    u32::try_from(code).map_err(|_| AuthError::Malformed("resultCode"))
}

/// LDAPResult's optional `referral [3]`.
fn skip_referral(r: &mut Reader<'_>) -> Result<(), AuthError> {
    r.optional(Class::Context, 3).map(|_| ())
}

/// RFC 4511's name of a result code (§4.1.9 and Appendix A), `"resultCode-<n>"` for others.
pub fn result_name(code: u32) -> Cow<'static, str> {
    Cow::Borrowed(match code {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        4 => "sizeLimitExceeded",
        5 => "compareFalse",
        6 => "compareTrue",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        10 => "referral",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        14 => "saslBindInProgress",
        16 => "noSuchAttribute",
        17 => "undefinedAttributeType",
        18 => "inappropriateMatching",
        19 => "constraintViolation",
        20 => "attributeOrValueExists",
        21 => "invalidAttributeSyntax",
        32 => "noSuchObject",
        33 => "aliasProblem",
        34 => "invalidDNSyntax",
        36 => "aliasDereferencingProblem",
        48 => "inappropriateAuthentication",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        54 => "loopDetect",
        64 => "namingViolation",
        65 => "objectClassViolation",
        66 => "notAllowedOnNonLeaf",
        67 => "notAllowedOnRDN",
        68 => "entryAlreadyExists",
        69 => "objectClassModsProhibited",
        71 => "affectsMultipleDSAs",
        80 => "other",
        other => return Cow::Owned(format!("resultCode-{other}")),
    })
}

/// What protects the PDUs after a SASL bind (RFC 4422 §3.7: each is a 4-octet length and a
/// buffer the mechanism wrapped), as the first PDU after the bind shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslLayer {
    /// A bare LDAPMessage: no security layer.
    Plain,
    /// Wrapped with integrity only: the LDAP message is readable behind the signature.
    Signed,
    /// Wrapped and encrypted.
    Sealed,
    /// Length-framed, but by a mechanism whose wrapping is not recognised.
    Unknown,
}

/// An NTLM signature (MS-NLMP 2.2.2.9): version 1, checksum, sequence number.
const NTLM_SIGNATURE_LEN: usize = 16;
/// RFC 4121 §4.2.6.2 Wrap token id, and its Sealed flag.
const CFX_WRAP: [u8; 2] = [0x05, 0x04];
const CFX_SEALED: u8 = 0x02;
/// The Kerberos GSS-API mechanism OID's content octets (1.2.840.113554.1.2.2) and RFC 1964's
/// wrap token id.
const KRB5_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
const RFC1964_WRAP: [u8; 2] = [0x02, 0x01];
/// Bytes of a wrapped PDU enough to tell its layer (length, GSS header, signature, message head).
pub const SASL_LAYER_BYTES: usize = 48;

/// The layer a PDU sent after a successful SASL bind shows; `None` until enough bytes are there
/// (at most [`SASL_LAYER_BYTES`], or the whole PDU if shorter).
pub fn sasl_layer(pdu: &[u8]) -> Option<SaslLayer> {
    let (&first, _) = pdu.split_first()?;
    if first == 0x30 {
        return Some(SaslLayer::Plain);
    }
    let (len, body) = match pdu {
        [a, b, c, d, body @ ..] => (u32::from_be_bytes([*a, *b, *c, *d]) as usize, body),
        _ => return None,
    };
    if body.len() < len.min(SASL_LAYER_BYTES - 4) {
        return None;
    }
    let body = &body[..body.len().min(len)];
    Some(match body {
        [0x01, 0x00, 0x00, 0x00, ..] => match body.get(NTLM_SIGNATURE_LEN..) {
            // Signed only: a readable message follows the signature.
            Some(inner) if matches!(message_head(inner), Ok(Some(_))) => SaslLayer::Signed,
            _ => SaslLayer::Sealed,
        },
        [a, b, flags, ..] if [*a, *b] == CFX_WRAP => {
            if flags & CFX_SEALED != 0 {
                SaslLayer::Sealed
            } else {
                SaslLayer::Signed
            }
        }
        [0x60, ..] => rfc1964_layer(body),
        _ => SaslLayer::Unknown,
    })
}

/// An RFC 4121 wrap token's header: TOK_ID, Flags, Filler, EC, RRC, SND_SEQ.
const CFX_HEADER_LEN: usize = 16;

/// The clear LDAP bytes of a SASL buffer (a wrapped PDU without its 4-octet length) protected
/// by integrity only: after an NTLM signature (MS-NLMP 3.4.3), or in an RFC 4121 wrap token
/// without the Sealed flag, whose plain text is followed by an EC-octet checksum, the whole
/// rotated right by RRC octets (§4.2.5); read when the rotation leaves the plain text in one
/// piece (RRC at most EC: MIT sends 0, Samba's Heimdal EC). `None` for a sealed buffer, or one
/// not read: RFC 1964 tokens, a rotation that splits the plain text, anything else.
pub fn unwrap_integrity(buffer: &[u8]) -> Option<&[u8]> {
    match buffer {
        [0x01, 0x00, 0x00, 0x00, ..] => buffer.get(NTLM_SIGNATURE_LEN..).filter(|inner| matches!(message_head(inner), Ok(Some(_)))),
        [a, b, flags, _, ec_hi, ec_lo, rrc_hi, rrc_lo, ..] if [*a, *b] == CFX_WRAP && flags & CFX_SEALED == 0 => {
            let body = buffer.get(CFX_HEADER_LEN..)?;
            let ec = usize::from(u16::from_be_bytes([*ec_hi, *ec_lo]));
            let rrc = usize::from(u16::from_be_bytes([*rrc_hi, *rrc_lo]));
            let plain_len = body.len().checked_sub(ec)?;
            // (a rotation by the whole body or more is one by its remainder)
            let rrc = rrc.checked_rem(body.len()).unwrap_or(0);
            if rrc > ec {
                return None;
            }
            body.get(rrc..rrc + plain_len)
        }
        _ => None,
    }
}

/// An RFC 1964 wrap token: GSS framing, the Kerberos OID, TOK_ID 02 01, SGN_ALG, SEAL_ALG
/// (0xffff: none).
fn rfc1964_layer(body: &[u8]) -> SaslLayer {
    let Ok((inner, _)) = parse_header(body) else { return SaslLayer::Unknown };
    let Ok((after_oid, oid)) = parse_header(inner) else { return SaslLayer::Unknown };
    if oid.tag != crate::der::TAG_OID || after_oid.get(..oid.len) != Some(KRB5_OID) {
        return SaslLayer::Unknown;
    }
    match after_oid.get(oid.len..oid.len + 6) {
        Some([a, b, _, _, 0xff, 0xff]) if [*a, *b] == RFC1964_WRAP => SaslLayer::Signed,
        Some([a, b, ..]) if [*a, *b] == RFC1964_WRAP => SaslLayer::Sealed,
        _ => SaslLayer::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A simple bind of "cn=admin" with password "secret", id 1 (RFC 4511 encoding, as ldap3
    /// sends it).
    const SIMPLE_BIND: &[u8] = b"\x30\x1a\x02\x01\x01\x60\x15\x02\x01\x03\x04\x08cn=admin\x80\x06secret";

    #[test]
    fn reads_a_simple_bind_without_keeping_its_password() {
        assert_eq!(message_head(SIMPLE_BIND).unwrap(), Some(Head { len: SIMPLE_BIND.len(), id: 1, op: OP_BIND_REQUEST }));
        let message = parse_message(SIMPLE_BIND).unwrap();
        let Op::BindRequest(bind) = &message.op else { panic!("{message:?}") };
        assert_eq!((bind.version, bind.name.as_str()), (3, "cn=admin"));
        assert_eq!(bind.auth, Authentication::Simple { password_empty: false });
        assert!(!format!("{message:?}").contains("secret"));
    }

    #[test]
    fn frames_from_the_first_bytes_and_long_lengths() {
        for cut in 0..7 {
            assert_eq!(message_head(&SIMPLE_BIND[..cut]).unwrap(), None, "{cut}");
        }
        assert_eq!(message_head(&SIMPLE_BIND[..7]).unwrap().map(|h| h.len), Some(SIMPLE_BIND.len()));
        // Windows writes four-octet lengths: a bind response, success, id 7.
        let response = b"\x30\x84\x00\x00\x00\x10\x02\x01\x07\x61\x84\x00\x00\x00\x07\x0a\x01\x00\x04\x00\x04\x00";
        let message = parse_message(response).unwrap();
        assert_eq!(message.id, 7);
        assert_eq!(message.op, Op::BindResponse(BindResponse { result: 0, matched_dn: b"", server_sasl_creds: None }));
        assert!(message_head(b"\x31\x03\x02\x01\x01").is_err());
        assert!(message_head(b"\x30\x03\x04\x01\x01").is_err());
    }

    #[test]
    fn reads_sasl_sicily_and_starttls() {
        let sasl = b"\x30\x22\x02\x01\x02\x60\x1d\x02\x01\x03\x04\x00\xa3\x16\x04\x0aGSS-SPNEGO\x04\x08NTLMSSP\0";
        let Op::BindRequest(bind) = parse_message(sasl).unwrap().op else { panic!() };
        assert_eq!(bind.auth, Authentication::Sasl { mechanism: "GSS-SPNEGO".into(), credentials: Some(b"NTLMSSP\0") });
        let sicily = b"\x30\x12\x02\x01\x03\x60\x0d\x02\x01\x03\x04\x00\x8a\x06NTLMSS";
        let Op::BindRequest(bind) = parse_message(sicily).unwrap().op else { panic!() };
        assert_eq!(bind.auth, Authentication::SicilyNegotiate(b"NTLMSS"));
        let starttls = b"\x30\x1d\x02\x01\x01\x77\x18\x80\x161.3.6.1.4.1.1466.20037";
        assert_eq!(parse_message(starttls).unwrap().op, Op::ExtendedRequest { name: START_TLS_OID.into() });
        let done = b"\x30\x0c\x02\x01\x04\x65\x07\x0a\x01\x20\x04\x00\x04\x00";
        assert_eq!(parse_message(done).unwrap().op, Op::Other { op: 5, result: Some(32) });
        assert_eq!(parse_message(b"\x30\x05\x02\x01\x09\x42\x00").unwrap().op, Op::Unbind);
    }

    #[test]
    fn names_results() {
        assert_eq!(result_name(49), "invalidCredentials");
        assert_eq!(result_name(14), "saslBindInProgress");
        assert_eq!(result_name(4096), "resultCode-4096");
    }

    #[test]
    fn tells_sasl_layers_apart() {
        assert_eq!(sasl_layer(SIMPLE_BIND), Some(SaslLayer::Plain));
        assert_eq!(sasl_layer(b"\x00\x00"), None);
        // NTLM: signature then a readable message (signed) or cipher text (sealed).
        let mut signed = vec![0, 0, 0, (16 + SIMPLE_BIND.len()) as u8, 1, 0, 0, 0];
        signed.extend_from_slice(&[0xaa; 12]);
        signed.extend_from_slice(SIMPLE_BIND);
        assert_eq!(sasl_layer(&signed), Some(SaslLayer::Signed));
        let mut sealed = signed.clone();
        sealed[20] = 0x9c;
        assert_eq!(sasl_layer(&sealed), Some(SaslLayer::Sealed));
        let cfx = |flags: u8| [&[0, 0, 0, 60, 0x05, 0x04, flags, 0xff][..], &[0u8; 52]].concat();
        assert_eq!(sasl_layer(&cfx(0x02)), Some(SaslLayer::Sealed));
        assert_eq!(sasl_layer(&cfx(0x00)), Some(SaslLayer::Signed));
        assert_eq!(sasl_layer(&[0, 0, 0, 60, 0x42, 0x42, 0, 0]), None);
        assert_eq!(sasl_layer(&[&[0, 0, 0, 60, 0x42][..], &[0u8; 60]].concat()), Some(SaslLayer::Unknown));
    }

    #[test]
    fn unwraps_integrity_only_buffers() {
        // NTLM: the message after the 16-octet signature; sealed bytes there are not read.
        let signed = [&[1, 0, 0, 0][..], &[0xaa; 12], SIMPLE_BIND].concat();
        assert_eq!(unwrap_integrity(&signed), Some(SIMPLE_BIND));
        let mut sealed = signed.clone();
        sealed[16] = 0x9c;
        assert_eq!(unwrap_integrity(&sealed), None);
        // RFC 4121: header, then the plain text and a 12-octet checksum rotated right by RRC.
        let cfx = |flags: u8, rrc: u8| {
            let mut body = [SIMPLE_BIND, &[0xcc; 12]].concat();
            body.rotate_right(usize::from(rrc));
            [&[0x05, 0x04, flags, 0xff, 0, 12, 0, rrc, 0, 0, 0, 0, 0, 0, 0, 7][..], &body].concat()
        };
        for rrc in [0, 5, 12] {
            assert_eq!(unwrap_integrity(&cfx(0x04, rrc)), Some(SIMPLE_BIND), "RRC {rrc}");
        }
        // Sealed, a rotation splitting the plain text, an EC beyond the token: not read.
        assert_eq!(unwrap_integrity(&cfx(0x06, 0)), None);
        assert_eq!(unwrap_integrity(&cfx(0x04, 13)), None);
        let mut short = cfx(0x04, 0);
        short[4] = 0x7f;
        assert_eq!(unwrap_integrity(&short), None);
        assert_eq!(unwrap_integrity(&[0x05, 0x04, 0, 0xff]), None);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = message_head(&bytes);
            let _ = parse_message(&bytes);
            let _ = sasl_layer(&bytes);
            let _ = unwrap_integrity(&bytes);
        }
    }
}
