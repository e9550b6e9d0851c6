//! Kerberos messages to and from a KDC (RFC 4120 §5.4, §5.9.1): AS-REQ / AS-REP, TGS-REQ /
//! TGS-REP and KRB-ERROR, reduced to names, numbers and encryption types.
//!
//! ```text
//! AS-REQ ::= [APPLICATION 10] KDC-REQ        TGS-REQ ::= [APPLICATION 12] KDC-REQ
//! KDC-REQ ::= SEQUENCE { pvno [1] INTEGER (5), msg-type [2] INTEGER, padata [3] SEQUENCE OF
//!     PA-DATA OPTIONAL, req-body [4] KDC-REQ-BODY }
//! KDC-REQ-BODY ::= SEQUENCE { kdc-options [0] KDCOptions, cname [1] PrincipalName OPTIONAL,
//!     realm [2] Realm, sname [3] PrincipalName OPTIONAL, from [4], till [5], rtime [6],
//!     nonce [7] UInt32, etype [8] SEQUENCE OF Int32, addresses [9], enc-authorization-data [10],
//!     additional-tickets [11] SEQUENCE OF Ticket OPTIONAL }
//! PA-DATA ::= SEQUENCE { padata-type [1] Int32, padata-value [2] OCTET STRING }
//! AS-REP ::= [APPLICATION 11] KDC-REP        TGS-REP ::= [APPLICATION 13] KDC-REP
//! KDC-REP ::= SEQUENCE { pvno [0], msg-type [1], padata [2] OPTIONAL, crealm [3] Realm,
//!     cname [4] PrincipalName, ticket [5] Ticket, enc-part [6] EncryptedData }
//! KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1], ctime [2], cusec [3],
//!     stime [4], susec [5], error-code [6] Int32, crealm [7] OPTIONAL, cname [8] OPTIONAL,
//!     realm [9] Realm, sname [10] PrincipalName, e-text [11], e-data [12] }
//! ```
//! The fields are read by their tags, in any order, with the same DER reader and Kerberos types
//! as the AP-REQs inside SPNEGO ([`crate::kerberos`]): one implementation. rusticata's
//! `kerberos-parser` was measured and not taken: it refuses a KDC-REQ whose nonce is encoded as
//! a negative INTEGER, which Heimdal clients (Samba's smbclient, winbind) send for about half
//! of their requests (Heimdal encodes the UInt32 nonce as a signed Int32).
//!
//! Nothing secret survives the reduction: of each EncryptedData only the etype is kept, of the
//! pre-authentication data only the types (and the etype of an encrypted timestamp); tickets,
//! cipher texts, nonces and keys are read past.

use crate::der::{Class, Reader, Tlv, TAG_OCTET_STRING, TAG_SEQUENCE};
use crate::error::AuthError;
use crate::kerberos::{int32, parse_encrypted_data, parse_principal_name, EncType};

/// APPLICATION tags (first byte of the DER encoding) of the KDC messages.
const TAG_AS_REQ: u8 = 0x6a;
const TAG_TGS_REQ: u8 = 0x6c;
/// APPLICATION 1: a Ticket.
const TAG_TICKET: u32 = 1;

/// PA-DATA types (IANA "Kerberos Pre-authentication and Typed Data").
pub const PA_TGS_REQ: i32 = 1;
pub const PA_ENC_TIMESTAMP: i32 = 2;
pub const PA_PK_AS_REQ_OLD: i32 = 14;
pub const PA_PK_AS_REQ: i32 = 16;
pub const PA_FOR_USER: i32 = 129;
pub const PA_S4U_X509_USER: i32 = 130;
pub const PA_FX_FAST: i32 = 136;
pub const PA_ENCRYPTED_CHALLENGE: i32 = 138;

/// Which exchange a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exchange {
    /// Authentication Service: a TGT for a password, a key or a certificate.
    As,
    /// Ticket-Granting Service: a service ticket for a TGT.
    Tgs,
}

impl Exchange {
    pub fn as_str(self) -> &'static str {
        match self {
            Exchange::As => "AS",
            Exchange::Tgs => "TGS",
        }
    }
}

/// How an AS-REQ proves the client's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preauth {
    /// Armored with FAST (RFC 6113): the real pre-authentication is inside the armor.
    Fast,
    /// PKINIT (RFC 4556): a certificate.
    Pkinit,
    /// PA-ENC-TIMESTAMP: a timestamp encrypted with the client's long-term key.
    EncTimestamp,
    /// None at all: anything the KDC answers with an AS-REP can be cracked offline.
    None,
}

impl Preauth {
    pub fn as_str(self) -> &'static str {
        match self {
            Preauth::Fast => "fast",
            Preauth::Pkinit => "pkinit",
            Preauth::EncTimestamp => "enc_timestamp",
            Preauth::None => "none",
        }
    }
}

/// Service-for-user extensions (MS-SFU) a TGS-REQ asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S4u {
    /// A ticket to itself on behalf of a user (PA-FOR-USER or PA-S4U-X509-USER).
    S4u2Self,
    /// A ticket to another service with a user's ticket (constrained delegation).
    S4u2Proxy,
}

impl S4u {
    pub fn as_str(self) -> &'static str {
        match self {
            S4u::S4u2Self => "s4u2self",
            S4u::S4u2Proxy => "s4u2proxy",
        }
    }
}

/// KDCOptions bit numbers (RFC 4120 §5.4.1, bit 0 the most significant) and their names.
const KDC_OPTIONS: [(usize, &str); 15] = [
    (1, "forwardable"),
    (2, "forwarded"),
    (3, "proxiable"),
    (4, "proxy"),
    (5, "allow_postdate"),
    (6, "postdated"),
    (8, "renewable"),
    (14, "cname_in_addl_tkt"),
    (15, "canonicalize"),
    (16, "request_anonymous"),
    (26, "disable_transited_check"),
    (27, "renewable_ok"),
    (28, "enc_tkt_in_skey"),
    (30, "renew"),
    (31, "validate"),
];
const CNAME_IN_ADDL_TKT: usize = 14;

/// A KDC-REQ without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KdcRequest {
    pub exchange: Exchange,
    /// The client principal: AS-REQ only (a TGS-REQ's client is inside its encrypted
    /// authenticator).
    pub cname: Option<String>,
    /// The realm asked (the server's realm).
    pub realm: Option<String>,
    pub sname: Option<String>,
    /// The etypes the client offers, in its order.
    pub etypes: Vec<EncType>,
    pub padata_types: Vec<i32>,
    /// The etype of a PA-ENC-TIMESTAMP, where one is sent.
    pub timestamp_etype: Option<EncType>,
    /// The names of the KDCOptions flags set.
    pub kdc_options: Vec<&'static str>,
    pub s4u: Option<S4u>,
}

impl KdcRequest {
    /// How the request is pre-authenticated (meaningful for AS-REQs).
    pub fn preauth(&self) -> Preauth {
        let has = |t: i32| self.padata_types.contains(&t);
        if has(PA_FX_FAST) {
            Preauth::Fast
        } else if has(PA_PK_AS_REQ) || has(PA_PK_AS_REQ_OLD) {
            Preauth::Pkinit
        } else if has(PA_ENC_TIMESTAMP) || has(PA_ENCRYPTED_CHALLENGE) {
            Preauth::EncTimestamp
        } else {
            Preauth::None
        }
    }
}

/// A KDC-REP (AS-REP or TGS-REP) without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KdcReply {
    pub exchange: Exchange,
    pub crealm: Option<String>,
    pub cname: Option<String>,
    /// The service the ticket is for, from the ticket.
    pub sname: Option<String>,
    /// The etype of the ticket (the service's key).
    pub ticket_etype: EncType,
    /// The etype of the reply's encrypted part (the client's key, or the TGT session key).
    pub reply_etype: EncType,
}

/// A KRB-ERROR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KdcError {
    pub code: i32,
    pub crealm: Option<String>,
    pub cname: Option<String>,
    pub realm: Option<String>,
    pub sname: Option<String>,
}

impl KdcError {
    /// The RFC 4120 name ("KDC_ERR_PREAUTH_FAILED"), else `KRB_ERR_<n>`.
    pub fn name(&self) -> String {
        error_name(self.code)
    }
}

/// The name of an error code (RFC 4120 §7.5.9, RFC 4556, RFC 6113), else `KRB_ERR_<n>`.
pub fn error_name(code: i32) -> String {
    let name = match code {
        0 => "KDC_ERR_NONE",
        1 => "KDC_ERR_NAME_EXP",
        2 => "KDC_ERR_SERVICE_EXP",
        3 => "KDC_ERR_BAD_PVNO",
        4 => "KDC_ERR_C_OLD_MAST_KVNO",
        5 => "KDC_ERR_S_OLD_MAST_KVNO",
        6 => "KDC_ERR_C_PRINCIPAL_UNKNOWN",
        7 => "KDC_ERR_S_PRINCIPAL_UNKNOWN",
        8 => "KDC_ERR_PRINCIPAL_NOT_UNIQUE",
        9 => "KDC_ERR_NULL_KEY",
        10 => "KDC_ERR_CANNOT_POSTDATE",
        11 => "KDC_ERR_NEVER_VALID",
        12 => "KDC_ERR_POLICY",
        13 => "KDC_ERR_BADOPTION",
        14 => "KDC_ERR_ETYPE_NOSUPP",
        15 => "KDC_ERR_SUMTYPE_NOSUPP",
        16 => "KDC_ERR_PADATA_TYPE_NOSUPP",
        17 => "KDC_ERR_TRTYPE_NOSUPP",
        18 => "KDC_ERR_CLIENT_REVOKED",
        19 => "KDC_ERR_SERVICE_REVOKED",
        20 => "KDC_ERR_TGT_REVOKED",
        21 => "KDC_ERR_CLIENT_NOTYET",
        22 => "KDC_ERR_SERVICE_NOTYET",
        23 => "KDC_ERR_KEY_EXPIRED",
        24 => "KDC_ERR_PREAUTH_FAILED",
        25 => "KDC_ERR_PREAUTH_REQUIRED",
        26 => "KDC_ERR_SERVER_NOMATCH",
        27 => "KDC_ERR_MUST_USE_USER2USER",
        28 => "KDC_ERR_PATH_NOT_ACCEPTED",
        29 => "KDC_ERR_SVC_UNAVAILABLE",
        31 => "KRB_AP_ERR_BAD_INTEGRITY",
        32 => "KRB_AP_ERR_TKT_EXPIRED",
        33 => "KRB_AP_ERR_TKT_NYV",
        34 => "KRB_AP_ERR_REPEAT",
        35 => "KRB_AP_ERR_NOT_US",
        36 => "KRB_AP_ERR_BADMATCH",
        37 => "KRB_AP_ERR_SKEW",
        38 => "KRB_AP_ERR_BADADDR",
        39 => "KRB_AP_ERR_BADVERSION",
        40 => "KRB_AP_ERR_MSG_TYPE",
        41 => "KRB_AP_ERR_MODIFIED",
        42 => "KRB_AP_ERR_BADORDER",
        44 => "KRB_AP_ERR_BADKEYVER",
        45 => "KRB_AP_ERR_NOKEY",
        46 => "KRB_AP_ERR_MUT_FAIL",
        47 => "KRB_AP_ERR_BADDIRECTION",
        48 => "KRB_AP_ERR_METHOD",
        49 => "KRB_AP_ERR_BADSEQ",
        50 => "KRB_AP_ERR_INAPP_CKSUM",
        51 => "KRB_AP_PATH_NOT_ACCEPTED",
        52 => "KRB_ERR_RESPONSE_TOO_BIG",
        60 => "KRB_ERR_GENERIC",
        61 => "KRB_ERR_FIELD_TOOLONG",
        62 => "KDC_ERROR_CLIENT_NOT_TRUSTED",
        63 => "KDC_ERROR_KDC_NOT_TRUSTED",
        64 => "KDC_ERROR_INVALID_SIG",
        65 => "KDC_ERR_KEY_TOO_WEAK",
        66 => "KDC_ERR_CERTIFICATE_MISMATCH",
        67 => "KRB_AP_ERR_NO_TGT",
        68 => "KDC_ERR_WRONG_REALM",
        69 => "KRB_AP_ERR_USER_TO_USER_REQUIRED",
        70 => "KDC_ERR_CANT_VERIFY_CERTIFICATE",
        71 => "KDC_ERR_INVALID_CERTIFICATE",
        72 => "KDC_ERR_REVOKED_CERTIFICATE",
        73 => "KDC_ERR_REVOCATION_STATUS_UNKNOWN",
        74 => "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE",
        75 => "KDC_ERR_CLIENT_NAME_MISMATCH",
        76 => "KDC_ERR_KDC_NAME_MISMATCH",
        90 => "KDC_ERR_PREAUTH_EXPIRED",
        91 => "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED",
        92 => "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET",
        93 => "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS",
        _ => return format!("KRB_ERR_{code}"),
    };
    name.to_string()
}

/// A message between a client and a KDC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KdcMessage {
    Request(KdcRequest),
    Reply(KdcReply),
    Error(KdcError),
}

/// Parses one whole KDC message (the payload of a UDP datagram, or of one TCP record).
pub fn parse_kdc_message(input: &[u8]) -> Result<KdcMessage, AuthError> {
    let outer = Reader::new(input).read()?;
    if outer.class != Class::Application {
        return Err(AuthError::Malformed("not a KDC message"));
    }
    let (exchange, pvno_tag) = match outer.tag {
        10 | 11 => (Exchange::As, if outer.tag == 10 { 1 } else { 0 }),
        12 | 13 => (Exchange::Tgs, if outer.tag == 12 { 1 } else { 0 }),
        30 => (Exchange::As, 0),
        _ => return Err(AuthError::Malformed("not a KDC message")),
    };
    let body = outer.inner("KDC message")?;
    if body.class != Class::Universal || body.tag != TAG_SEQUENCE {
        return Err(AuthError::Malformed("KDC message"));
    }
    let fields = Fields::of(body)?;
    let pvno = fields.get(pvno_tag).ok_or(AuthError::Malformed("pvno"))?;
    if int32(&pvno, "pvno")? != 5 {
        return Err(AuthError::Malformed("pvno is not 5"));
    }
    match outer.tag {
        10 | 12 => request(exchange, &fields).map(KdcMessage::Request),
        11 | 13 => reply(exchange, &fields).map(KdcMessage::Reply),
        _ => error(&fields).map(KdcMessage::Error),
    }
}

/// The `[n] EXPLICIT` fields of a SEQUENCE, by tag number (Kerberos messages have at most 13).
struct Fields<'a>([Option<Tlv<'a>>; 13]);

impl<'a> Fields<'a> {
    fn of(sequence: Tlv<'a>) -> Result<Self, AuthError> {
        let mut fields = [None; 13];
        let mut reader = sequence.contents()?;
        while !reader.is_empty() {
            let field = reader.read()?;
            if field.class != Class::Context {
                return Err(AuthError::Malformed("untagged field in a Kerberos SEQUENCE"));
            }
            if let Some(slot) = usize::try_from(field.tag).ok().and_then(|tag| fields.get_mut(tag)) {
                *slot = Some(field.inner("Kerberos field")?);
            }
        }
        Ok(Fields(fields))
    }

    fn get(&self, tag: usize) -> Option<Tlv<'a>> {
        self.0.get(tag).copied().flatten()
    }

    fn principal(&self, tag: usize) -> Result<Option<String>, AuthError> {
        self.get(tag).map(|t| parse_principal_name(t).map(|(_, name)| name)).transpose()
    }

    fn text(&self, tag: usize, what: &'static str) -> Result<Option<String>, AuthError> {
        self.get(tag).map(|t| t.text(what)).transpose()
    }
}

/// The elements of a SEQUENCE OF.
fn elements(tlv: Option<Tlv<'_>>) -> Result<Vec<Tlv<'_>>, AuthError> {
    let mut out = Vec::new();
    if let Some(tlv) = tlv {
        let mut reader = tlv.contents()?;
        while !reader.is_empty() {
            out.push(reader.read()?);
        }
    }
    Ok(out)
}

/// (padata-type, padata-value) of a PA-DATA.
fn padata(tlv: Tlv<'_>) -> Result<(i32, &[u8]), AuthError> {
    let fields = Fields::of(tlv)?;
    let kind = int32(&fields.get(1).ok_or(AuthError::Malformed("padata-type"))?, "padata-type")?;
    let value = fields.get(2).map(|v| v.universal(TAG_OCTET_STRING, "padata-value")).transpose()?.unwrap_or_default();
    Ok((kind, value))
}

fn request(exchange: Exchange, fields: &Fields<'_>) -> Result<KdcRequest, AuthError> {
    let mut padata_types = Vec::new();
    let mut timestamp_etype = None;
    for pa in elements(fields.get(3))? {
        let (kind, value) = padata(pa)?;
        padata_types.push(kind);
        if kind == PA_ENC_TIMESTAMP {
            // An encrypted timestamp that cannot be read is still a pre-authentication.
            timestamp_etype = Reader::new(value).read().and_then(parse_encrypted_data).ok().map(|(etype, _)| etype);
        }
    }
    let body = Fields::of(fields.get(4).ok_or(AuthError::Malformed("req-body"))?)?;
    let options = body.get(0).map(|t| t.bit_string_u32("kdc-options")).transpose()?.unwrap_or(0);
    let is_set = |bit: usize| options & (0x8000_0000u32 >> bit) != 0;
    let etypes = elements(body.get(8))?.iter().map(|e| int32(e, "etype").map(EncType)).collect::<Result<_, _>>()?;
    let s4u = if padata_types.contains(&PA_FOR_USER) || padata_types.contains(&PA_S4U_X509_USER) {
        Some(S4u::S4u2Self)
    } else if exchange == Exchange::Tgs && is_set(CNAME_IN_ADDL_TKT) && body.get(11).is_some() {
        Some(S4u::S4u2Proxy)
    } else {
        None
    };
    Ok(KdcRequest {
        exchange,
        cname: body.principal(1)?,
        realm: body.text(2, "realm")?,
        sname: body.principal(3)?,
        etypes,
        padata_types,
        timestamp_etype,
        kdc_options: KDC_OPTIONS.iter().filter(|(bit, _)| is_set(*bit)).map(|(_, name)| *name).collect(),
        s4u,
    })
}

fn reply(exchange: Exchange, fields: &Fields<'_>) -> Result<KdcReply, AuthError> {
    let ticket = fields.get(5).ok_or(AuthError::Malformed("ticket"))?;
    if ticket.class != Class::Application || ticket.tag != TAG_TICKET {
        return Err(AuthError::Malformed("ticket"));
    }
    let ticket = Fields::of(ticket.inner("ticket")?)?;
    let ticket_etype = parse_encrypted_data(ticket.get(3).ok_or(AuthError::Malformed("ticket enc-part"))?)?.0;
    let reply_etype = parse_encrypted_data(fields.get(6).ok_or(AuthError::Malformed("enc-part"))?)?.0;
    Ok(KdcReply {
        exchange,
        crealm: fields.text(3, "crealm")?,
        cname: fields.principal(4)?,
        sname: ticket.principal(2)?,
        ticket_etype,
        reply_etype,
    })
}

fn error(fields: &Fields<'_>) -> Result<KdcError, AuthError> {
    Ok(KdcError {
        code: int32(&fields.get(6).ok_or(AuthError::Malformed("error-code"))?, "error-code")?,
        crealm: fields.text(7, "crealm")?,
        cname: fields.principal(8)?,
        realm: fields.text(9, "realm")?,
        sname: fields.principal(10)?,
    })
}

/// Whether `input` starts like a KDC-REQ: an AS-REQ or TGS-REQ tag, a SEQUENCE, then
/// `pvno [1] INTEGER 5`. `None` when more bytes are needed to tell.
pub fn looks_like_kdc_request(input: &[u8]) -> Option<bool> {
    let mut at = 0;
    for expected in [[TAG_AS_REQ, TAG_TGS_REQ], [0x30, 0x30]] {
        match input.get(at) {
            None => return None,
            Some(tag) if expected.contains(tag) => {}
            Some(_) => return Some(false),
        }
        // The length: short form, or long form of 1 to 3 bytes.
        at += match input.get(at + 1) {
            None => return None,
            Some(&len) if len < 0x80 => 2,
            Some(&len @ 0x81..=0x83) => 2 + usize::from(len & 0x7f),
            Some(_) => return Some(false),
        };
    }
    const PVNO_5: [u8; 5] = [0xa1, 0x03, 0x02, 0x01, 0x05];
    let have = input.get(at..).unwrap_or_default();
    let n = have.len().min(PVNO_5.len());
    if have[..n] != PVNO_5[..n] {
        Some(false)
    } else if n < PVNO_5.len() {
        None
    } else {
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn error_names() {
        assert_eq!(error_name(24), "KDC_ERR_PREAUTH_FAILED");
        assert_eq!(error_name(25), "KDC_ERR_PREAUTH_REQUIRED");
        assert_eq!(error_name(6), "KDC_ERR_C_PRINCIPAL_UNKNOWN");
        assert_eq!(error_name(37), "KRB_AP_ERR_SKEW");
        assert_eq!(error_name(1000), "KRB_ERR_1000");
    }

    #[test]
    fn recognises_the_start_of_a_request() {
        // AS-REQ, long-form lengths, pvno 5: the first bytes of an MIT kinit request.
        let as_req = [0x6a, 0x81, 0xb4, 0x30, 0x81, 0xb1, 0xa1, 0x03, 0x02, 0x01, 0x05, 0xa2];
        assert_eq!(looks_like_kdc_request(&as_req), Some(true));
        assert_eq!(looks_like_kdc_request(&as_req[..8]), None);
        assert_eq!(looks_like_kdc_request(&[]), None);
        let mut wrong_pvno = as_req;
        wrong_pvno[10] = 4;
        assert_eq!(looks_like_kdc_request(&wrong_pvno), Some(false));
        assert_eq!(looks_like_kdc_request(b"GET / HTTP/1.1\r\n"), Some(false));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(first in prop_oneof![Just(0x6au8), Just(0x6b), Just(0x6c), Just(0x6d), Just(0x7e), any::<u8>()],
                body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut msg = vec![first];
            msg.extend_from_slice(&body);
            let _ = parse_kdc_message(&msg);
            let _ = looks_like_kdc_request(&msg);
        }
    }
}
