//! GSS-API token framing (RFC 2743 §3.1) and SPNEGO negotiation tokens (RFC 4178, with the
//! NegTokenInit2 of MS-SPNG §2.2.1).
//!
//! ```text
//! InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
//!     thisMech MechType, innerContextToken ANY DEFINED BY thisMech }   -- 0x60 ...
//! NegotiationToken ::= CHOICE { negTokenInit [0] NegTokenInit, negTokenResp [1] NegTokenResp }
//! NegTokenInit ::= SEQUENCE { mechTypes [0] MechTypeList, reqFlags [1] ContextFlags OPTIONAL,
//!     mechToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
//! NegTokenInit2 (MS-SPNG): ... [3] NegHints OPTIONAL, mechListMIC [4] OCTET STRING OPTIONAL
//! NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL, supportedMech [1] MechType
//!     OPTIONAL, responseToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
//! ```
//! Only the first token of a context carries the 0x60 framing; later SPNEGO tokens are a bare
//! `NegotiationToken` (0xa1 ...).

use std::borrow::Cow;
use std::fmt;

use crate::der::{self, Class, Reader, TAG_ENUMERATED, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE};
use crate::error::AuthError;

/// DER content of the SPNEGO OID 1.3.6.1.5.5.2.
pub const OID_SPNEGO: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
/// DER content of the NTLMSSP OID 1.3.6.1.4.1.311.2.2.10.
pub const OID_NTLMSSP: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];
/// DER content of the Kerberos 5 OID 1.2.840.113554.1.2.2 (RFC 1964).
pub const OID_KRB5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
/// DER content of 1.2.840.48018.1.2.2, the Kerberos OID that Windows 2000 wrongly truncated and
/// that Windows clients still list first.
pub const OID_MS_KRB5: &[u8] = &[0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02];
/// DER content of the NegoEx OID 1.3.6.1.4.1.311.2.2.30 (MS-NEGOEX).
pub const OID_NEGOEX: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e];

/// The APPLICATION 0 tag of a GSS-API InitialContextToken.
const TAG_GSS_INITIAL: u32 = 0;
/// NegotiationToken choices.
const TAG_NEG_TOKEN_INIT: u32 = 0;
const TAG_NEG_TOKEN_RESP: u32 = 1;

/// A GSS-API mechanism, named when the sensor cares about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MechType {
    /// SPNEGO itself, 1.3.6.1.5.5.2 (the mechanism of a first SPNEGO token).
    Spnego,
    /// NTLMSSP, 1.3.6.1.4.1.311.2.2.10.
    Ntlmssp,
    /// Kerberos 5, 1.2.840.113554.1.2.2.
    Kerberos,
    /// Microsoft's Kerberos 5 OID, 1.2.840.48018.1.2.2.
    MsKerberos,
    /// NegoEx, 1.3.6.1.4.1.311.2.2.30.
    NegoEx,
    /// Any other mechanism, as a dotted OID.
    Other(String),
}

impl MechType {
    /// Names the mechanism from the content octets of its OBJECT IDENTIFIER.
    pub fn from_oid(content: &[u8]) -> Result<Self, AuthError> {
        Ok(match content {
            OID_SPNEGO => MechType::Spnego,
            OID_NTLMSSP => MechType::Ntlmssp,
            OID_KRB5 => MechType::Kerberos,
            OID_MS_KRB5 => MechType::MsKerberos,
            OID_NEGOEX => MechType::NegoEx,
            other => MechType::Other(der::oid_to_dotted(other)?),
        })
    }

    /// The dotted OID ("1.3.6.1.4.1.311.2.2.10").
    pub fn oid(&self) -> Cow<'_, str> {
        match self {
            MechType::Spnego => Cow::Borrowed("1.3.6.1.5.5.2"),
            MechType::Ntlmssp => Cow::Borrowed("1.3.6.1.4.1.311.2.2.10"),
            MechType::Kerberos => Cow::Borrowed("1.2.840.113554.1.2.2"),
            MechType::MsKerberos => Cow::Borrowed("1.2.840.48018.1.2.2"),
            MechType::NegoEx => Cow::Borrowed("1.3.6.1.4.1.311.2.2.30"),
            MechType::Other(dotted) => Cow::Borrowed(dotted),
        }
    }

    /// Either Kerberos OID.
    pub fn is_kerberos(&self) -> bool {
        matches!(self, MechType::Kerberos | MechType::MsKerberos)
    }
}

impl fmt::Display for MechType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.oid())
    }
}

/// The mechTypes of a NegTokenInit, most preferred first: checked when the token is parsed,
/// named only when read (folding a token needs none of them, so no list is built per logon).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct MechTypes<'a>(&'a [u8]);

impl<'a> MechTypes<'a> {
    /// Checks a MechTypeList's content: well-formed OBJECT IDENTIFIERs only.
    fn parse(mut list: Reader<'a>) -> Result<Self, AuthError> {
        let content = list.rest();
        while !list.is_empty() {
            der::check_oid(list.read()?.universal(TAG_OID, "mechTypes")?)?;
        }
        Ok(MechTypes(content))
    }

    /// The mechanisms, most preferred first.
    pub fn iter(&self) -> impl Iterator<Item = MechType> + 'a {
        // Checked by `parse`: every read and every name succeeds, up to the end.
        let mut list = Reader::new(self.0);
        std::iter::from_fn(move || MechType::from_oid(list.read().ok()?.value).ok())
    }

    /// No mechanism offered (or not a NegTokenInit).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for MechTypes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The state of the negotiation, from a NegTokenResp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegState {
    /// 0: the context is established.
    AcceptCompleted,
    /// 1: more tokens must follow.
    AcceptIncomplete,
    /// 2: the acceptor refused.
    Reject,
    /// 3: the acceptor asks for a mechListMIC.
    RequestMic,
    /// Any value outside RFC 4178.
    Unknown(i64),
}

impl NegState {
    fn from_value(value: i64) -> Self {
        match value {
            0 => NegState::AcceptCompleted,
            1 => NegState::AcceptIncomplete,
            2 => NegState::Reject,
            3 => NegState::RequestMic,
            other => NegState::Unknown(other),
        }
    }

    /// RFC 4178's name ("accept-completed", ...), or "unknown".
    pub fn as_str(&self) -> &'static str {
        match self {
            NegState::AcceptCompleted => "accept-completed",
            NegState::AcceptIncomplete => "accept-incomplete",
            NegState::Reject => "reject",
            NegState::RequestMic => "request-mic",
            NegState::Unknown(_) => "unknown",
        }
    }
}

/// Token bytes carried opaquely (a mechToken or responseToken). Their `Debug` shows only the
/// length, because the bytes may hold NTLM responses or Kerberos ciphertext.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenBytes<'a>(&'a [u8]);

impl<'a> TokenBytes<'a> {
    /// The raw bytes, for handing to the inner mechanism's parser.
    pub fn bytes(&self) -> &'a [u8] {
        self.0
    }
}

impl fmt::Debug for TokenBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenBytes({} bytes)", self.0.len())
    }
}

/// A GSS-API InitialContextToken: its mechanism and the inner token that follows the OID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GssInitialToken<'a> {
    /// thisMech.
    pub mech: MechType,
    /// innerContextToken, whose format the mechanism defines.
    pub inner: TokenBytes<'a>,
}

/// Parses the RFC 2743 framing `0x60 len OID inner...`.
pub fn parse_gss_initial(input: &[u8]) -> Result<GssInitialToken<'_>, AuthError> {
    let outer = Reader::new(input).expect(Class::Application, TAG_GSS_INITIAL, "GSS InitialContextToken")?;
    let mut body = outer.contents()?;
    let oid = body.read()?.universal(TAG_OID, "GSS thisMech")?;
    Ok(GssInitialToken { mech: MechType::from_oid(oid)?, inner: TokenBytes(body.rest()) })
}

/// GSS context flags of a NegTokenInit (RFC 4178 ContextFlags, RFC 2743 names), as the first
/// octet of the BIT STRING: bit 0 (delegFlag) is 0x80.
pub mod context_flags {
    /// delegFlag.
    pub const DELEG: u8 = 0x80;
    /// mutualFlag.
    pub const MUTUAL: u8 = 0x40;
    /// replayFlag.
    pub const REPLAY: u8 = 0x20;
    /// sequenceFlag.
    pub const SEQUENCE: u8 = 0x10;
    /// anonFlag.
    pub const ANON: u8 = 0x08;
    /// confFlag.
    pub const CONF: u8 = 0x04;
    /// integFlag.
    pub const INTEG: u8 = 0x02;
}

/// The initiator's first SPNEGO token (or a server's NegTokenInit2 hint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegTokenInit<'a> {
    /// Mechanisms offered, most preferred first.
    pub mech_types: MechTypes<'a>,
    /// reqFlags, see [`context_flags`].
    pub req_flags: Option<u8>,
    /// The optimistic token for the first mechanism.
    pub mech_token: Option<TokenBytes<'a>>,
    /// A mechListMIC is present (its bytes are not kept).
    pub has_mech_list_mic: bool,
}

/// Any SPNEGO token after the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegTokenResp<'a> {
    /// negState.
    pub neg_state: Option<NegState>,
    /// The mechanism the acceptor chose (first reply only).
    pub supported_mech: Option<MechType>,
    /// The mechanism's token.
    pub response_token: Option<TokenBytes<'a>>,
    /// A mechListMIC is present (its bytes are not kept).
    pub has_mech_list_mic: bool,
}

/// A SPNEGO NegotiationToken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NegotiationToken<'a> {
    /// negTokenInit \[0\].
    Init(NegTokenInit<'a>),
    /// negTokenResp \[1\].
    Resp(NegTokenResp<'a>),
}

/// Parses a NegotiationToken: the innerContextToken of a SPNEGO InitialContextToken, or a bare
/// later token (0xa0 / 0xa1 ...).
pub fn parse_negotiation_token(input: &[u8]) -> Result<NegotiationToken<'_>, AuthError> {
    let choice = Reader::new(input).read()?;
    if choice.class != Class::Context {
        return Err(AuthError::Malformed("SPNEGO NegotiationToken"));
    }
    let sequence = choice.inner("SPNEGO NegotiationToken")?;
    if sequence.class != Class::Universal || sequence.tag != TAG_SEQUENCE {
        return Err(AuthError::Malformed("SPNEGO NegotiationToken"));
    }
    let fields = sequence.contents()?;
    match choice.tag {
        TAG_NEG_TOKEN_INIT => parse_neg_token_init(fields).map(NegotiationToken::Init),
        TAG_NEG_TOKEN_RESP => parse_neg_token_resp(fields).map(NegotiationToken::Resp),
        _ => Err(AuthError::Malformed("SPNEGO NegotiationToken choice")),
    }
}

/// The fields of a NegTokenInit or NegTokenInit2. Unknown tags are skipped so that extensions
/// do not hide the mechanism token.
fn parse_neg_token_init(mut fields: Reader<'_>) -> Result<NegTokenInit<'_>, AuthError> {
    let mut init = NegTokenInit { mech_types: MechTypes::default(), req_flags: None, mech_token: None, has_mech_list_mic: false };
    while !fields.is_empty() {
        let field = fields.read()?;
        if field.class != Class::Context {
            return Err(AuthError::Malformed("NegTokenInit field"));
        }
        let value = field.inner("NegTokenInit field")?;
        match field.tag {
            0 => init.mech_types = MechTypes::parse(value.contents()?)?,
            1 => init.req_flags = Some(value.bit_string_u32("reqFlags")?.to_be_bytes()[0]),
            2 => init.mech_token = Some(TokenBytes(value.universal(TAG_OCTET_STRING, "mechToken")?)),
            // [3] is mechListMIC in RFC 4178 but negHints (a SEQUENCE) in NegTokenInit2.
            3 | 4 => init.has_mech_list_mic |= value.class == Class::Universal && value.tag == TAG_OCTET_STRING,
            _ => {}
        }
    }
    Ok(init)
}

fn parse_neg_token_resp(mut fields: Reader<'_>) -> Result<NegTokenResp<'_>, AuthError> {
    let mut resp = NegTokenResp { neg_state: None, supported_mech: None, response_token: None, has_mech_list_mic: false };
    while !fields.is_empty() {
        let field = fields.read()?;
        if field.class != Class::Context {
            return Err(AuthError::Malformed("NegTokenResp field"));
        }
        let value = field.inner("NegTokenResp field")?;
        match field.tag {
            0 => resp.neg_state = Some(NegState::from_value(value.integer(TAG_ENUMERATED, "negState")?)),
            1 => resp.supported_mech = Some(MechType::from_oid(value.universal(TAG_OID, "supportedMech")?)?),
            2 => resp.response_token = Some(TokenBytes(value.universal(TAG_OCTET_STRING, "responseToken")?)),
            3 => resp.has_mech_list_mic = true,
            _ => {}
        }
    }
    Ok(resp)
}
