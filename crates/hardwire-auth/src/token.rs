//! The one entry point protocol code needs: [`inspect`] takes any authentication blob (an SMB
//! security buffer, the base64-decoded value of an HTTP `Negotiate`/`NTLM` header, a DCE/RPC
//! auth_value) and returns what a sensor needs, whatever the wrapping.

use crate::error::AuthError;
use crate::kerberos::{parse_kerberos_message, parse_krb5_inner_token, ApReq, KerberosMessage};
use crate::ntlmssp::{parse_ntlmssp, Authenticate, Challenge, NtlmMessage};
use crate::spnego::{parse_gss_initial, parse_negotiation_token, MechType, MechTypes, NegState, NegotiationToken};

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
    pub mechs_offered: MechTypes<'a>,
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
        SecurityToken { framing, mechs_offered: MechTypes::default(), neg_state: None, supported_mech: None, ntlm: None, kerberos: None }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kerberos::EncType;
    use crate::ntlmssp::{AuthKind, NegotiateFlags, NtlmVersion};
    use crate::test_vectors::*;
    use proptest::prelude::*;

    const WINDOWS_10_1511: NtlmVersion = NtlmVersion { major: 10, minor: 0, build: 10586, ntlm_revision: 15 };

    fn offered(token: &SecurityToken<'_>) -> Vec<MechType> {
        token.mechs_offered.iter().collect()
    }

    fn inspect_hex(vector: &str) -> SecurityToken<'static> {
        let bytes: &'static [u8] = Box::leak(hex(vector).into_boxed_slice());
        inspect(bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The NTLMSSP message inside a SPNEGO test vector, located by its signature.
    fn ntlmssp_bytes(vector: &str) -> Vec<u8> {
        let bytes = hex(vector);
        let at = bytes.windows(8).position(|w| w == b"NTLMSSP\0").expect("NTLMSSP signature");
        bytes[at..].to_vec()
    }

    /// Expected values from tshark (`-e ntlmssp.negotiateflags -e ntlmssp.version.*`).
    #[test]
    fn spnego_init_with_ntlm_negotiate() {
        let token = inspect_hex(NTLM_NEGOTIATE_SPNEGO);
        assert_eq!(token.framing, Framing::SpnegoInit);
        assert_eq!(offered(&token), vec![MechType::Ntlmssp]);
        assert_eq!(mechanism_of(&token), Mech::Ntlm);
        let Some(NtlmMessage::Negotiate(negotiate)) = &token.ntlm else { panic!("no NEGOTIATE") };
        assert_eq!(negotiate.flags, NegotiateFlags(0xe208_8297));
        assert_eq!((negotiate.domain.as_deref(), negotiate.workstation.as_deref()), (None, None));
        assert_eq!(negotiate.version, Some(WINDOWS_10_1511));
    }

    /// tshark: domain VNET3, calling workstation BLU, flags 0x60080215 (no VERSION).
    #[test]
    fn ntlm_negotiate_with_oem_names() {
        let token = inspect_hex(NTLM_NEGOTIATE_OEM);
        let Some(NtlmMessage::Negotiate(negotiate)) = &token.ntlm else { panic!("no NEGOTIATE") };
        assert_eq!(negotiate.flags, NegotiateFlags(0x6008_0215));
        assert_eq!((negotiate.domain.as_deref(), negotiate.workstation.as_deref()), (Some("VNET3"), Some("BLU")));
        assert_eq!(negotiate.version, None);
    }

    /// tshark: negResult accept-incomplete, supportedMech NTLMSSP, target name and all four AV
    /// names DESKTOP-V1FA0UQ, timestamp Oct 16, 2016 08:13:29.536711100 UTC.
    #[test]
    fn spnego_resp_with_ntlm_challenge() {
        let token = inspect_hex(NTLM_CHALLENGE_SPNEGO);
        assert_eq!(token.framing, Framing::SpnegoResp);
        assert_eq!(token.neg_state, Some(NegState::AcceptIncomplete));
        assert_eq!(token.supported_mech, Some(MechType::Ntlmssp));
        assert_eq!(mechanism_of(&token), Mech::Ntlm);
        let challenge = token.ntlm_challenge().expect("CHALLENGE");
        assert_eq!(challenge.flags, NegotiateFlags(0xe28a_8215));
        assert_eq!(challenge.target_name(), "DESKTOP-V1FA0UQ");
        let names = challenge.server_names();
        for name in [names.nb_computer, names.nb_domain, names.dns_computer, names.dns_domain] {
            assert_eq!(name.as_deref(), Some("DESKTOP-V1FA0UQ"));
        }
        assert_eq!(challenge.dns_tree_name(), None);
        // FILETIME counts 100 ns from 1601; the Unix epoch is 11644473600 s later.
        let filetime = challenge.timestamp().expect("timestamp");
        assert_eq!((filetime / 10_000_000 - 11_644_473_600, filetime % 10_000_000), (1_476_605_609, 5_367_111));
        assert_eq!(challenge.version, Some(WINDOWS_10_1511));
    }

    /// tshark: users "Tim Tester" and "Willi Wireshark", domain and host DESKTOP-2AEFM7G,
    /// LM 24 bytes, NTLMv2 response 328 bytes, session key 16, a MIC.
    #[test]
    fn ntlm_v2_authenticate() {
        for (vector, user) in [(NTLM_V2_AUTH_TIM, "Tim Tester"), (NTLM_V2_AUTH_WILLI, "Willi Wireshark")] {
            let token = inspect_hex(vector);
            let auth = token.ntlm_authenticate().expect("AUTHENTICATE");
            assert_eq!(auth.user, user);
            assert_eq!(auth.domain, "DESKTOP-2AEFM7G");
            assert_eq!(auth.workstation, "DESKTOP-2AEFM7G");
            assert_eq!(auth.kind(), AuthKind::V2);
            assert!(auth.has_mic);
            assert_eq!(auth.version, Some(WINDOWS_10_1511));
            assert_eq!(mechanism_of(&token), Mech::Ntlm);
        }
        let token = inspect_hex(NTLM_V2_AUTH_TIM);
        let auth = token.ntlm_authenticate().expect("AUTHENTICATE");
        assert_eq!((auth.lm_response_len, auth.nt_response_len, auth.session_key_len), (24, 328, 16));
        assert_eq!(auth.flags, NegotiateFlags(0xe288_8215));
        // tshark: ntlmssp.ntlmv2_response.flags 0x00000002 (MIC present), target_name
        // cifs/192.168.199.133; NEGOTIATE_SIGN set in 0xe2888215, NEGOTIATE_SEAL (0x20) not.
        assert_eq!(auth.av_flags, Some(crate::ntlmssp::AV_FLAG_MIC_PRESENT));
        assert_eq!(auth.target_name.as_deref(), Some("cifs/192.168.199.133"));
        assert!(auth.mic_nonzero);
        assert!(auth.flags.contains(NegotiateFlags::SIGN) && !auth.flags.contains(NegotiateFlags::SEAL));
        assert!(auth.nt_proof.is_some());
        // The proof never shows in debug output.
        assert!(format!("{auth:?}").contains("nt_proof: Some(Secret(..))"));
        let willi = inspect_hex(NTLM_V2_AUTH_WILLI);
        let willi = willi.ntlm_authenticate().expect("AUTHENTICATE");
        assert_ne!(willi.nt_proof, auth.nt_proof);
    }

    /// tshark counts ntlmv1_auth=1: user administrator, domain VNET3, host BLU.
    #[test]
    fn ntlm_v1_authenticate() {
        let token = inspect_hex(NTLM_V1_AUTH);
        assert_eq!(token.framing, Framing::SpnegoResp);
        let auth = token.ntlm_authenticate().expect("AUTHENTICATE");
        assert_eq!((auth.user.as_str(), auth.domain.as_str(), auth.workstation.as_str()), ("administrator", "VNET3", "BLU"));
        assert_eq!((auth.lm_response_len, auth.nt_response_len), (24, 24));
        assert_eq!(auth.kind(), AuthKind::V1);
        assert_eq!((auth.version, auth.has_mic, auth.mic_nonzero), (None, false, false));
        // No NTLMv2 response: no AV pairs, no proof.
        assert_eq!((auth.av_flags, auth.target_name.as_deref(), auth.nt_proof), (None, None, None));
    }

    /// tshark counts ntlm_auth_anonymous=1 in this capture: user and domain NULL, host DESKTOP-V1FA0UQ,
    /// LM response one zero byte, no NT response.
    #[test]
    fn ntlm_anonymous_authenticate() {
        let token = inspect_hex(NTLM_ANONYMOUS_AUTH);
        let auth = token.ntlm_authenticate().expect("AUTHENTICATE");
        assert_eq!((auth.user.as_str(), auth.domain.as_str(), auth.workstation.as_str()), ("", "", "DESKTOP-V1FA0UQ"));
        assert_eq!((auth.lm_response_len, auth.lm_response_is_zero_byte, auth.nt_response_len), (1, true, 0));
        assert_eq!(auth.kind(), AuthKind::Anonymous);
        // tshark: version 10.0.10586 rev 15 and a MIC (4e2c41e3...).
        assert_eq!((auth.version, auth.has_mic), (Some(WINDOWS_10_1511), true));
    }

    /// Arkime crashed on this one: the LM/NT descriptors are 0xff... Refused, no panic.
    #[test]
    fn fuzzed_authenticate_is_refused() {
        let blob = hex(NTLM_V1_AUTH_FUZZED);
        assert_eq!(inspect(&blob), Err(AuthError::FieldOutOfBounds("AUTHENTICATE LmChallengeResponse")));
    }

    /// The same messages without SPNEGO, as HTTP `NTLM` and DCE/RPC carry them.
    #[test]
    fn raw_ntlmssp() {
        let bytes = ntlmssp_bytes(NTLM_V1_AUTH);
        let token = inspect(&bytes).expect("raw AUTHENTICATE");
        assert_eq!(token.framing, Framing::RawNtlmssp);
        assert_eq!(token.ntlm_authenticate().map(|a| a.user.as_str()), Some("administrator"));
        assert!(token.mechs_offered.is_empty() && token.neg_state.is_none());
        let challenge = hex(NTLM_CHALLENGE_UNTERMINATED_AV);
        assert_eq!(
            inspect(&challenge).expect("raw CHALLENGE").ntlm_challenge().and_then(|c| c.server_names().nb_computer).as_deref(),
            Some("SATURN")
        );
    }

    /// HTTP `Negotiate` carrying raw NTLMSSP; tshark: user eve, domain HTTP6DOM, host HTTP6HOST,
    /// NT response of 24 bytes, flags 0x02000205, version 10.0 build 22621.
    #[test]
    fn raw_ntlmssp_in_http_negotiate() {
        let token = inspect_hex(HTTP_NEGOTIATE_RAW_NTLM_V1);
        assert_eq!(token.framing, Framing::RawNtlmssp);
        let auth = token.ntlm_authenticate().expect("AUTHENTICATE");
        assert_eq!((auth.user.as_str(), auth.domain.as_str(), auth.workstation.as_str()), ("eve", "HTTP6DOM", "HTTP6HOST"));
        assert_eq!((auth.flags, auth.kind()), (NegotiateFlags(0x0200_0205), AuthKind::V1));
        assert_eq!(auth.version, Some(NtlmVersion { major: 10, minor: 0, build: 22621, ntlm_revision: 15 }));
    }

    /// zeek kerberos.log (scripts.base.protocols.krb.smb_gssapi): service
    /// cifs/EDISK03A.housing.hksarg, cipher rc4-hmac; tshark: realm HOUSING.HKSARG, etypes 23,23,
    /// mechTypes MS KRB5 then NTLMSSP.
    #[test]
    fn kerberos_rc4_ap_req_in_spnego() {
        let token = inspect_hex(KRB_AP_REQ_RC4);
        assert_eq!(token.framing, Framing::SpnegoInit);
        assert_eq!(offered(&token), vec![MechType::MsKerberos, MechType::Ntlmssp]);
        assert_eq!(mechanism_of(&token), Mech::Kerberos);
        let ap_req = token.ap_req().expect("AP-REQ");
        assert_eq!(ap_req.realm, "HOUSING.HKSARG");
        assert_eq!(ap_req.sname, "cifs/EDISK03A.housing.hksarg");
        assert_eq!(ap_req.sname_type, 2);
        assert_eq!((ap_req.ticket_etype, ap_req.authenticator_etype), (EncType::RC4_HMAC, EncType::RC4_HMAC));
        assert_eq!(ap_req.ticket_etype.name(), "rc4-hmac");
        assert!(ap_req.is_weak());
        // tshark: ap-options 20000000, mutual-required.
        assert_eq!(ap_req.ap_options, 0x2000_0000);
    }

    /// zeek kerberos.log.445 (scripts.base.protocols.dce-rpc.spnego-gssapi-kerberos): service
    /// cifs/BLACKCLOVER-DC, cipher aes256-cts-hmac-sha1-96; tshark: realm SRT-AD.LOCAL,
    /// etypes 18,18; and smb2_krb.pcap: realm DS.SUSQ.COM, cifs/phxlabbal821.techlab.susq.com.
    #[test]
    fn kerberos_aes_ap_req_in_spnego() {
        let token = inspect_hex(KRB_AP_REQ_AES_445);
        assert_eq!(offered(&token), vec![MechType::MsKerberos, MechType::Kerberos, MechType::NegoEx, MechType::Ntlmssp]);
        let ap_req = token.ap_req().expect("AP-REQ");
        assert_eq!((ap_req.realm.as_str(), ap_req.sname.as_str()), ("SRT-AD.LOCAL", "cifs/BLACKCLOVER-DC"));
        assert_eq!(ap_req.ticket_etype.name(), "aes256-cts-hmac-sha1-96");
        assert_eq!(ap_req.authenticator_etype, EncType::AES256_CTS_HMAC_SHA1_96);
        assert!(!ap_req.is_weak());

        let token = inspect_hex(KRB_AP_REQ_SMB2);
        let ap_req = token.ap_req().expect("AP-REQ");
        assert_eq!((ap_req.realm.as_str(), ap_req.sname.as_str()), ("DS.SUSQ.COM", "cifs/phxlabbal821.techlab.susq.com"));
        assert_eq!((ap_req.ticket_etype, ap_req.authenticator_etype), (EncType(18), EncType(18)));
    }

    /// tshark: negResult accept-completed, supportedMech 1.2.840.48018.1.2.2, krb5 AP-REP etype 18.
    #[test]
    fn kerberos_ap_rep_in_spnego_resp() {
        let token = inspect_hex(KRB_AP_REP_AES_445);
        assert_eq!(token.neg_state, Some(NegState::AcceptCompleted));
        assert_eq!(token.supported_mech, Some(MechType::MsKerberos));
        assert_eq!(token.kerberos, Some(KerberosMessage::ApRep { etype: EncType(18) }));
        assert_eq!(mechanism_of(&token), Mech::Kerberos);
    }

    /// tshark: the server's NegTokenInit2 lists NegoEx, MS KRB5, KRB5, KRB5 user-to-user,
    /// NTLMSSP, and carries the negHints "not_defined_in_RFC4178@please_ignore".
    #[test]
    fn spnego_init2_hint_from_a_server() {
        let token = inspect_hex(SPNEGO_NEG_TOKEN_INIT2);
        assert_eq!(
            offered(&token),
            vec![
                MechType::NegoEx,
                MechType::MsKerberos,
                MechType::Kerberos,
                MechType::Other("1.2.840.113554.1.2.2.3".into()),
                MechType::Ntlmssp
            ]
        );
        assert_eq!((token.ntlm.is_none(), token.kerberos.is_none()), (true, true));
        assert_eq!(mechanism_of(&token), Mech::Unknown);
        assert_eq!(offered(&token)[3].oid(), "1.2.840.113554.1.2.2.3");
    }

    /// A malformed OID among the mechTypes refuses the token, though the list is named only
    /// when read.
    #[test]
    fn malformed_mech_type_is_refused() {
        let good = hex(SPNEGO_NEG_TOKEN_INIT2);
        // 1.2.840.113554.1.2.2.3, its last octet given the continuation bit.
        let oid = [0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03];
        let at = good.windows(oid.len()).position(|w| w == oid).expect("KRB5 user-to-user OID");
        let mut bad = good.clone();
        bad[at + oid.len() - 1] = 0x83;
        assert!(inspect(&good).is_ok());
        assert_eq!(inspect(&bad), Err(AuthError::Malformed("OID ends inside an arc")));
    }

    /// The Kerberos token of the RC4 vector without SPNEGO: GSS-framed, then bare.
    #[test]
    fn kerberos_without_spnego() {
        let blob = hex(KRB_AP_REQ_RC4);
        let Ok(NegotiationToken::Init(init)) = parse_negotiation_token(parse_gss_initial(&blob).unwrap().inner.bytes()) else {
            panic!("no NegTokenInit")
        };
        let gss = init.mech_token.expect("mechToken").bytes();
        let token = inspect(gss).expect("GSS krb5");
        assert_eq!(token.framing, Framing::Gss(MechType::Kerberos));
        assert_eq!(token.ap_req().map(|a| a.realm.as_str()), Some("HOUSING.HKSARG"));
        let bare = &parse_gss_initial(gss).unwrap().inner.bytes()[2..];
        let token = inspect(bare).expect("bare AP-REQ");
        assert_eq!(token.framing, Framing::RawKerberos);
        assert_eq!(token.ap_req().map(|a| a.sname.as_str()), Some("cifs/EDISK03A.housing.hksarg"));
        assert_eq!(mechanism_of(&token), Mech::Kerberos);
    }

    fn lower_hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A secret must not appear in any rendering of the parsed values: neither as hex nor as
    /// the `Debug` of a byte slice.
    fn assert_absent(haystack: &str, secret: &[u8]) {
        let slice_debug = format!("{:?}", &secret[..8]);
        assert!(!haystack.contains(slice_debug.trim_end_matches(']')), "secret bytes leaked: {haystack}");
        assert!(!haystack.to_lowercase().contains(&lower_hex(&secret[..8])), "secret hex leaked");
    }

    #[test]
    fn authenticate_keeps_no_secret() {
        let message = ntlmssp_bytes(NTLM_V2_AUTH_TIM);
        // Descriptors: LM at 12, NT at 20, session key at 52; the MIC is at 72 (tshark:
        // 17c2c075ccd92534ec66100f17f18906).
        let field = |at: usize| {
            let len = usize::from(u16::from_le_bytes([message[at], message[at + 1]]));
            let offset = u32::from_le_bytes([message[at + 4], message[at + 5], message[at + 6], message[at + 7]]) as usize;
            message[offset..offset + len].to_vec()
        };
        let secrets = [field(12), field(20), field(52), message[72..88].to_vec()];
        assert_eq!(lower_hex(&secrets[3]), "17c2c075ccd92534ec66100f17f18906");
        let token = inspect_hex(NTLM_V2_AUTH_TIM);
        let rendered = format!("{token:?} {:#?}", token.ntlm_authenticate());
        for secret in &secrets {
            assert_absent(&rendered, secret);
        }
    }

    #[test]
    fn ap_req_keeps_no_cipher() {
        let token = inspect_hex(KRB_AP_REQ_RC4);
        let rendered = format!("{token:?}");
        // tshark: ticket cipher ff4e7b1f822fcb0f..., authenticator cipher e80fca45fe4b7e54...
        for cipher in [hex("ff4e7b1f822fcb0fa5e5bc6a"), hex("e80fca45fe4b7e548f2328c1")] {
            assert_absent(&rendered, &cipher);
        }
        // The raw SPNEGO token does hold them: the check above is not vacuous.
        assert!(lower_hex(&hex(KRB_AP_REQ_RC4)).contains("ff4e7b1f822fcb0f"));
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert_eq!(inspect(&[]), Err(AuthError::Truncated("empty token")));
        assert_eq!(inspect(b"Basic dXNlcjpwYXNz"), Err(AuthError::UnknownToken));
        // A GSS token of an unknown mechanism is framed but opaque.
        let other = [0x60, 0x06, 0x06, 0x03, 0x2a, 0x03, 0x04, 0xff];
        let token = inspect(&other).expect("GSS token");
        assert_eq!(token.framing, Framing::Gss(MechType::Other("1.2.3.4".into())));
        assert_eq!(mechanism_of(&token), Mech::Unknown);
    }

    /// A SPNEGO token whose mechToken field nests 10 000 SEQUENCEs: refused, in bounded work.
    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let mut nested = vec![0x04, 0x00];
        for _ in 0..10_000 {
            let len = nested.len();
            let mut outer = vec![0x30, 0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8];
            outer.append(&mut nested);
            nested = outer;
        }
        let mut blob = vec![0xa0, 0x83, 0, 0, 0];
        let len = nested.len() + 5 + 5;
        blob.extend_from_slice(&[0x30, 0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
        blob.extend_from_slice(&[0xa2, 0x83, ((len - 10) >> 16) as u8, ((len - 10) >> 8) as u8, (len - 10) as u8]);
        blob.extend_from_slice(&nested);
        let total = blob.len() - 5;
        blob[2..5].copy_from_slice(&[(total >> 16) as u8, (total >> 8) as u8, total as u8]);
        assert!(inspect(&blob).is_err());
    }

    const ALL_VECTORS: [&str; 16] = [
        HTTP_NEGOTIATE_RAW_NTLM_V1,
        NTLM_NEGOTIATE_SPNEGO,
        NTLM_CHALLENGE_SPNEGO,
        NTLM_V2_AUTH_TIM,
        NTLM_V2_AUTH_WILLI,
        NTLM_ANONYMOUS_AUTH,
        NTLM_NEGOTIATE_OEM,
        NTLM_V1_AUTH,
        NTLM_V1_AUTH_FUZZED,
        KRB_AP_REQ_RC4,
        KRB_AP_REQ_AES_445,
        KRB_AP_REP_AES_445,
        SPNEGO_NEG_TOKEN_INIT2,
        KRB_AP_REQ_SMB2,
        NTLM_CHALLENGE_EMPTY_AV,
        NTLM_CHALLENGE_UNTERMINATED_AV,
    ];

    /// Every prefix of every real token: an error or a value, never a panic.
    #[test]
    fn every_truncation_of_real_tokens_is_safe() {
        for vector in ALL_VECTORS {
            let bytes = hex(vector);
            for end in 0..bytes.len() {
                let _ = inspect(&bytes[..end]);
            }
            let ntlm = bytes.windows(8).position(|w| w == b"NTLMSSP\0");
            if let Some(at) = ntlm {
                for end in at..bytes.len() {
                    let _ = inspect(&bytes[at..end]);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = inspect(&bytes);
        }

        /// Arbitrary bodies behind each known opening, to get past the first dispatch.
        #[test]
        fn arbitrary_bodies_never_panic(opening in prop_oneof![
                Just(vec![0x60, 0x82]), Just(vec![0xa0]), Just(vec![0xa1]), Just(vec![0x6e]),
                Just(b"NTLMSSP\0\x03\0\0\0".to_vec()), Just(b"NTLMSSP\0\x02\0\0\0".to_vec())],
                body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut blob = opening;
            blob.extend_from_slice(&body);
            let _ = inspect(&blob);
        }

        /// Real tokens with a few bytes changed: the deep paths with hostile values.
        #[test]
        fn mutated_real_tokens_never_panic(index in 0..ALL_VECTORS.len(),
                edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
            let mut bytes = hex(ALL_VECTORS[index]);
            for (at, value) in edits {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            let _ = inspect(&bytes);
        }
    }
}
