//! The one entry point protocol code needs: [`inspect`] takes any authentication blob (an SMB
//! security buffer, the base64-decoded value of an HTTP `Negotiate`/`NTLM` header, a DCE/RPC
//! auth_value) and returns what a sensor needs, whatever the wrapping.

use crate::error::AuthError;
use crate::kerberos::{parse_kerberos_message, parse_krb5_inner_token, ApReq, KerberosMessage};
use crate::ntlmssp::{parse_ntlmssp, Authenticate, Challenge, NtlmMessage};
use crate::spnego::{parse_gss_initial, parse_negotiation_token, MechType, NegState, NegotiationToken};

/// First octets that tell the forms apart.
const GSS_INITIAL_CONTEXT_TOKEN: u8 = 0x60;
const SPNEGO_NEG_TOKEN_INIT: u8 = 0xa0;
const SPNEGO_NEG_TOKEN_RESP: u8 = 0xa1;
const KRB_AP_REQ: u8 = 0x6e;
const KRB_AP_REP: u8 = 0x6f;
const KRB_ERROR: u8 = 0x7e;
const NTLMSSP_FIRST: u8 = b'N';

/// How the outermost layer of a token was framed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// A SPNEGO NegTokenInit, GSS-framed (0x60 + 1.3.6.1.5.5.2) or bare (0xa0).
    SpnegoInit,
    /// A SPNEGO NegTokenResp (0xa1, or GSS-framed by odd peers).
    SpnegoResp,
    /// A raw NTLMSSP message ("NTLMSSP\0"), as in HTTP `NTLM` and some `Negotiate` headers.
    RawNtlmssp,
    /// A GSS-API InitialContextToken of another mechanism (Kerberos with its TOK_ID, ...).
    Gss(MechType),
    /// A bare Kerberos message (0x6e AP-REQ, 0x6f AP-REP, 0x7e KRB-ERROR).
    RawKerberos,
}

/// What an authentication token says, secrets left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityToken<'a> {
    pub framing: Framing,
    /// mechTypes of a SPNEGO NegTokenInit, most preferred first (empty otherwise).
    pub mechs_offered: Vec<MechType>,
    /// negState of a SPNEGO NegTokenResp.
    pub neg_state: Option<NegState>,
    /// supportedMech of a SPNEGO NegTokenResp: the acceptor's choice.
    pub supported_mech: Option<MechType>,
    /// The NTLMSSP message carried, raw or inside SPNEGO.
    pub ntlm: Option<NtlmMessage<'a>>,
    /// The Kerberos message carried, bare, GSS-framed, or inside SPNEGO.
    pub kerberos: Option<KerberosMessage>,
}

impl<'a> SecurityToken<'a> {
    fn new(framing: Framing) -> Self {
        SecurityToken { framing, mechs_offered: Vec::new(), neg_state: None, supported_mech: None, ntlm: None, kerberos: None }
    }

    /// The Kerberos AP-REQ inside, if any.
    pub fn ap_req(&self) -> Option<&ApReq> {
        match &self.kerberos {
            Some(KerberosMessage::ApReq(ap_req)) => Some(ap_req),
            _ => None,
        }
    }

    /// The NTLM AUTHENTICATE inside, if any.
    pub fn ntlm_authenticate(&self) -> Option<&Authenticate> {
        match &self.ntlm {
            Some(NtlmMessage::Authenticate(auth)) => Some(auth),
            _ => None,
        }
    }

    /// The NTLM CHALLENGE inside, if any.
    pub fn ntlm_challenge(&self) -> Option<&Challenge<'a>> {
        match &self.ntlm {
            Some(NtlmMessage::Challenge(challenge)) => Some(challenge),
            _ => None,
        }
    }

    /// Fills `ntlm` / `kerberos` from a mechanism token (mechToken or responseToken).
    fn set_inner(&mut self, inner: Inner<'a>) {
        match inner {
            Inner::Ntlm(message) => self.ntlm = Some(message),
            Inner::Kerberos(message) => self.kerberos = Some(message),
            Inner::Opaque => {}
        }
    }
}

/// The authentication family of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mech {
    Ntlm,
    Kerberos,
    Unknown,
}

impl Mech {
    /// "ntlm", "kerberos" or "unknown", as in the JSON output.
    pub fn as_str(&self) -> &'static str {
        match self {
            Mech::Ntlm => "ntlm",
            Mech::Kerberos => "kerberos",
            Mech::Unknown => "unknown",
        }
    }
}

/// The family a token belongs to: the message it carries, else the mechanism the SPNEGO acceptor
/// chose, else `Unknown` (an offer without a token, or a final empty NegTokenResp, says nothing
/// about what was used).
pub fn mechanism_of(token: &SecurityToken<'_>) -> Mech {
    if token.ntlm.is_some() {
        return Mech::Ntlm;
    }
    if token.kerberos.is_some() {
        return Mech::Kerberos;
    }
    match &token.supported_mech {
        Some(MechType::Ntlmssp) => Mech::Ntlm,
        Some(mech) if mech.is_kerberos() => Mech::Kerberos,
        _ => Mech::Unknown,
    }
}

/// Decodes an authentication blob of any known framing: GSS-API/SPNEGO NegTokenInit or
/// NegTokenResp, raw NTLMSSP, GSS-framed Kerberos, or a bare Kerberos message. A token inside
/// SPNEGO is decoded one level down only (a SPNEGO token nested in SPNEGO is left opaque), so the
/// work is bounded; an inner token of an unknown mechanism (NegoEx, ...) is left opaque too.
pub fn inspect(blob: &[u8]) -> Result<SecurityToken<'_>, AuthError> {
    match blob.first() {
        Some(&NTLMSSP_FIRST) => {
            let mut token = SecurityToken::new(Framing::RawNtlmssp);
            token.ntlm = Some(parse_ntlmssp(blob)?);
            Ok(token)
        }
        Some(&GSS_INITIAL_CONTEXT_TOKEN) => {
            let gss = parse_gss_initial(blob)?;
            if gss.mech == MechType::Spnego {
                return spnego(gss.inner.bytes());
            }
            let inner = gss_inner(&gss.mech, gss.inner.bytes())?;
            let mut token = SecurityToken::new(Framing::Gss(gss.mech));
            token.set_inner(inner);
            Ok(token)
        }
        Some(&SPNEGO_NEG_TOKEN_INIT | &SPNEGO_NEG_TOKEN_RESP) => spnego(blob),
        Some(&KRB_AP_REQ | &KRB_AP_REP | &KRB_ERROR) => {
            let mut token = SecurityToken::new(Framing::RawKerberos);
            token.kerberos = Some(parse_kerberos_message(blob)?);
            Ok(token)
        }
        None => Err(AuthError::Truncated("empty token")),
        Some(_) => Err(AuthError::UnknownToken),
    }
}

/// A SPNEGO NegotiationToken and the mechanism token inside it.
fn spnego(bytes: &[u8]) -> Result<SecurityToken<'_>, AuthError> {
    match parse_negotiation_token(bytes)? {
        NegotiationToken::Init(init) => {
            let mut token = SecurityToken::new(Framing::SpnegoInit);
            if let Some(mech_token) = init.mech_token {
                token.set_inner(mech_token_inner(mech_token.bytes())?);
            }
            token.mechs_offered = init.mech_types;
            Ok(token)
        }
        NegotiationToken::Resp(resp) => {
            let mut token = SecurityToken::new(Framing::SpnegoResp);
            if let Some(response_token) = resp.response_token {
                token.set_inner(mech_token_inner(response_token.bytes())?);
            }
            token.neg_state = resp.neg_state;
            token.supported_mech = resp.supported_mech;
            Ok(token)
        }
    }
}

/// What a mechanism token decodes to.
enum Inner<'a> {
    Ntlm(NtlmMessage<'a>),
    Kerberos(KerberosMessage),
    /// A mechanism we do not decode (NegoEx, nested SPNEGO, ...).
    Opaque,
}

/// Decodes a SPNEGO mechToken / responseToken: raw NTLMSSP, a GSS-framed Kerberos token, or a
/// bare Kerberos message.
fn mech_token_inner(bytes: &[u8]) -> Result<Inner<'_>, AuthError> {
    match bytes.first() {
        Some(&NTLMSSP_FIRST) => parse_ntlmssp(bytes).map(Inner::Ntlm),
        Some(&GSS_INITIAL_CONTEXT_TOKEN) => {
            let gss = parse_gss_initial(bytes)?;
            gss_inner(&gss.mech, gss.inner.bytes())
        }
        Some(&KRB_AP_REQ | &KRB_AP_REP | &KRB_ERROR) => parse_kerberos_message(bytes).map(Inner::Kerberos),
        _ => Ok(Inner::Opaque),
    }
}

/// The innerContextToken of a non-SPNEGO GSS-API InitialContextToken.
fn gss_inner<'a>(mech: &MechType, inner: &'a [u8]) -> Result<Inner<'a>, AuthError> {
    match mech {
        MechType::Kerberos | MechType::MsKerberos => parse_krb5_inner_token(inner).map(Inner::Kerberos),
        MechType::Ntlmssp => parse_ntlmssp(inner).map(Inner::Ntlm),
        _ => Ok(Inner::Opaque),
    }
}
