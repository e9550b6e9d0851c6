//! What an authentication token says, as the `ntlm` and `kerberos` objects of SCHEMA.md. One
//! implementation for SMB, HTTP and DCE/RPC: each hands over the token bytes it carries.
//!
//! Only names and types leave here: never an NTLM response, a Kerberos cipher or a key (the
//! auth parsers do not even keep them).

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::OnceLock;

use hardwire_auth::{inspect, AuthKind, Challenge, KerberosMessage, Mech, NegotiateFlags, NtlmMessage, SecurityToken, AV_FLAG_MIC_PRESENT};

use crate::event::{KerberosObject, NtlmKind, NtlmObject};

/// What one connection (or session) has learnt from its tokens so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthState {
    /// Server names from the CHALLENGE, kept until the AUTHENTICATE arrives.
    pub ntlm: Option<NtlmObject>,
    pub kerberos: Option<KerberosObject>,
    /// NTLM or Kerberos, `None` while unknown.
    pub mechanism: Option<Mech>,
    /// An AUTHENTICATE was seen (the `ntlm` object carries the user).
    pub ntlm_authenticated: bool,
}

/// Why a token could not be read (counted as an `auth` parse error by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

impl AuthState {
    /// Reads one token (SPNEGO, raw NTLMSSP or Kerberos) and folds what it says in.
    pub fn observe(&mut self, blob: &[u8]) -> Result<(), Unreadable> {
        if blob.is_empty() {
            return Ok(());
        }
        let token = inspect(blob).map_err(|_| Unreadable)?;
        self.fold(token);
        Ok(())
    }

    /// Takes what the token says; its names move into the objects, uncopied.
    fn fold(&mut self, token: SecurityToken<'_>) {
        match hardwire_auth::mechanism_of(&token) {
            mech @ (Mech::Ntlm | Mech::Kerberos) => self.mechanism = Some(mech),
            Mech::Unknown => {}
        }
        match token.ntlm {
            Some(NtlmMessage::Challenge(challenge)) => {
                let ntlm = self.ntlm.get_or_insert_with(NtlmObject::default);
                fold_challenge(ntlm, &challenge);
                ntlm.challenge_key = Some(secret_key(challenge.server_challenge.expose()));
            }
            Some(NtlmMessage::Authenticate(auth)) => {
                let ntlm = self.ntlm.get_or_insert_with(NtlmObject::default);
                let kind = auth.kind();
                ntlm.version = Some(ntlm_kind(kind));
                ntlm.mic = Some(auth.mic_nonzero);
                ntlm.mic_flagged = (kind == AuthKind::V2).then(|| auth.av_flags.is_some_and(|f| f & AV_FLAG_MIC_PRESENT != 0));
                ntlm.signing = Some(auth.flags.contains(NegotiateFlags::SIGN));
                ntlm.sealing = Some(auth.flags.contains(NegotiateFlags::SEAL));
                ntlm.proof_key = auth.nt_proof.map(|proof| secret_key(proof.expose()));
                ntlm.user = Some(auth.user);
                ntlm.domain = Some(auth.domain);
                ntlm.host = Some(auth.workstation);
                ntlm.target_name = auth.target_name;
                self.ntlm_authenticated = true;
            }
            Some(NtlmMessage::Negotiate(_)) | None => {}
        }
        if let Some(KerberosMessage::ApReq(ap_req)) = token.kerberos {
            self.kerberos = Some(KerberosObject {
                ticket_etype: Some(ap_req.ticket_etype.name().into_owned()),
                authenticator_etype: Some(ap_req.authenticator_etype.name().into_owned()),
                realm: Some(ap_req.realm),
                sname: Some(ap_req.sname),
            });
        }
    }

    /// A logon under way: a token was seen, but no NTLM AUTHENTICATE or Kerberos AP-REQ yet.
    pub fn in_progress(&self) -> bool {
        self.mechanism.is_some() && !self.ntlm_authenticated && self.kerberos.is_none()
    }

    /// The `ntlm` object for a record: only once an AUTHENTICATE was seen.
    pub fn ntlm_object(&self) -> Option<NtlmObject> {
        self.ntlm.clone().filter(|_| self.ntlm_authenticated)
    }

    /// [`AuthState::ntlm_object`], taken out of the state, which is then as before any NTLM
    /// token: a later handshake starts from its own CHALLENGE.
    pub fn take_ntlm_object(&mut self) -> Option<NtlmObject> {
        if !std::mem::take(&mut self.ntlm_authenticated) {
            return None;
        }
        self.ntlm.take()
    }

    /// Nothing learnt yet (the state of a new connection or session).
    pub fn is_empty(&self) -> bool {
        *self == AuthState::default()
    }

    /// An anonymous NTLM logon (empty user, empty NT response).
    pub fn is_anonymous(&self) -> bool {
        self.ntlm_authenticated && self.ntlm.as_ref().and_then(|n| n.version) == Some(NtlmKind::Anonymous)
    }
}

/// A server challenge or NTProofStr as a 64-bit SipHash under a key drawn at random once per
/// process: equal values still compare equal (what `ntlm.relay` needs), the value itself is
/// never stored and cannot be recovered without the key, which never leaves memory.
fn secret_key(secret: &[u8]) -> u64 {
    static KEY: OnceLock<RandomState> = OnceLock::new();
    let mut hasher = KEY.get_or_init(RandomState::new).build_hasher();
    // The bytes alone, without the length prefix `hash_one` would hash first: each kind of
    // secret has one length, and one SipHash block fewer is a quarter of the work.
    hasher.write(secret);
    hasher.finish()
}

/// SCHEMA.md's `ntlm.version`: LM-only responses are v1 (as weak, and `ntlm.v1` covers them).
fn ntlm_kind(kind: AuthKind) -> NtlmKind {
    match kind {
        AuthKind::V2 => NtlmKind::V2,
        AuthKind::V1 | AuthKind::LmOnly => NtlmKind::V1,
        AuthKind::Anonymous => NtlmKind::Anonymous,
        AuthKind::Unknown => NtlmKind::Unknown,
    }
}

fn fold_challenge(ntlm: &mut NtlmObject, challenge: &Challenge<'_>) {
    let names = challenge.server_names();
    ntlm.server_nb_name = names.nb_computer;
    ntlm.server_dns_name = names.dns_computer;
    ntlm.server_nb_domain = names.nb_domain;
    ntlm.server_dns_domain = names.dns_domain;
}
