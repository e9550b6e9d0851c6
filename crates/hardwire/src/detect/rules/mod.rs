//! One file per rule, named after its id (`smb.guest` is `smb_guest.rs`). A record rule is a
//! pure function of one record and the detection context (`check`); its alert's sentence is
//! worded apart (`words`), from what the rule found ([`Sentence`]), the alert's flow and its
//! evidence, only when the alert is written.

use super::{DetectContext, Finding, Subject, Wording};
use crate::detect::logon::Logon;
use crate::event::{Event, EventKind, Krb5Object, LdapObject, NtlmKind, Objects, SmbObject};
use ntlm_used::Carrier;

pub mod auth_bruteforce;
pub mod auth_spray;
pub mod dcerpc_coercion;
pub mod dcerpc_dcsync;
pub mod dcerpc_print_driver;
pub mod dcerpc_remote_service;
pub mod dcerpc_remote_task;
pub mod dcerpc_remote_wmi;
pub mod dcerpc_zerologon;
pub mod http_basic_cleartext;
pub mod kerberos_asrep_roastable;
pub mod kerberos_kerberoast;
pub mod kerberos_preauth_rc4;
pub mod kerberos_rc4;
pub mod kerberos_user_enum;
pub mod ldap_cleartext_bind;
pub mod ldap_unsigned_bind;
pub mod name_poisoning;
pub mod ntlm_mic_removed;
pub mod ntlm_relay;
pub mod ntlm_to_poisoner;
pub mod ntlm_used;
pub mod ntlm_v1;
pub mod smb_admin_share;
pub mod smb_anonymous;
pub mod smb_dialect_downgrade;
pub mod smb_dialect_legacy;
pub mod smb_encryption_none;
pub mod smb_guest;
pub mod smb_outbound_external;
pub mod smb_session_unsigned;
pub mod smb_signing_not_required;
pub mod smb_v1_negotiated;
pub mod smb_v1_offered;
pub mod stream_overlap_conflict;
pub mod webdav_fallback;
pub mod webdav_ntlm;
pub mod winrm_basic_cleartext;
pub mod winrm_credssp;
pub mod winrm_ntlm;
pub mod winrm_unencrypted;

/// A rule run on every record.
pub type RecordRule = fn(&Event, &DetectContext) -> Option<Finding>;

/// The one kind of record a rule can fire on, when it looks at one only (its `check` tests it
/// too): it is not run on the others, most of the 28 k records of the 400 MB capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKindOnly {
    Smb,
    Dcerpc,
    Krb5,
    Ldap,
    Name,
}

impl EventKindOnly {
    pub fn admits(self, kind: &EventKind) -> bool {
        matches!(
            (self, kind),
            (EventKindOnly::Smb, EventKind::Smb)
                | (EventKindOnly::Dcerpc, EventKind::Dcerpc)
                | (EventKindOnly::Krb5, EventKind::Krb5)
                | (EventKindOnly::Ldap, EventKind::Ldap)
                | (EventKindOnly::Name, EventKind::Name)
        )
    }
}

/// Every record rule, in catalog order, with the one kind of record it fires on (`None`: any).
pub const RECORD_RULES: &[(RecordRule, Option<EventKindOnly>)] = &[
    (smb_v1_negotiated::check, Some(EventKindOnly::Smb)),
    (smb_v1_offered::check, Some(EventKindOnly::Smb)),
    (smb_guest::check, Some(EventKindOnly::Smb)),
    (smb_anonymous::check, Some(EventKindOnly::Smb)),
    (smb_dialect_legacy::check, Some(EventKindOnly::Smb)),
    (smb_dialect_downgrade::check, Some(EventKindOnly::Smb)),
    (smb_signing_not_required::check, Some(EventKindOnly::Smb)),
    (smb_session_unsigned::check, Some(EventKindOnly::Smb)),
    (smb_encryption_none::check, Some(EventKindOnly::Smb)),
    (smb_admin_share::check, Some(EventKindOnly::Smb)),
    (ntlm_used::check, None),
    (ntlm_v1::check, None),
    (name_poisoning::check, Some(EventKindOnly::Name)),
    (ntlm_to_poisoner::check, None),
    (ntlm_relay::check, None),
    (ntlm_mic_removed::check, None),
    (ldap_cleartext_bind::check, Some(EventKindOnly::Ldap)),
    (ldap_unsigned_bind::check, Some(EventKindOnly::Ldap)),
    (kerberos_rc4::check, None),
    (kerberos_asrep_roastable::check, Some(EventKindOnly::Krb5)),
    (kerberos_kerberoast::check, Some(EventKindOnly::Krb5)),
    (kerberos_preauth_rc4::check, Some(EventKindOnly::Krb5)),
    (kerberos_user_enum::check, Some(EventKindOnly::Krb5)),
    (auth_spray::check, None),
    (auth_bruteforce::check, None),
    (http_basic_cleartext::check, None),
    (winrm_basic_cleartext::check, None),
    (winrm_unencrypted::check, None),
    (winrm_credssp::check, None),
    (winrm_ntlm::check, None),
    (webdav_fallback::check, None),
    (webdav_ntlm::check, None),
    (dcerpc_remote_task::check, Some(EventKindOnly::Dcerpc)),
    (dcerpc_remote_service::check, Some(EventKindOnly::Dcerpc)),
    (dcerpc_coercion::check, Some(EventKindOnly::Dcerpc)),
    (dcerpc_dcsync::check, Some(EventKindOnly::Dcerpc)),
    (dcerpc_remote_wmi::check, Some(EventKindOnly::Dcerpc)),
    (dcerpc_print_driver::check, Some(EventKindOnly::Dcerpc)),
    (dcerpc_zerologon::check, Some(EventKindOnly::Dcerpc)),
];

/// What an alert's sentence says beyond its flow and evidence: one variant per rule, holding
/// what the rule knew when it fired and the evidence does not show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sentence {
    SmbV1Negotiated,
    SmbV1Offered,
    SmbGuest,
    SmbAnonymous,
    SmbDialectLegacy,
    SmbDialectDowngrade,
    SmbSigningNotRequired,
    SmbSessionUnsigned,
    SmbEncryptionNone,
    SmbAdminShare,
    SmbOutboundExternal,
    NtlmUsed(Carrier),
    NtlmV1(Carrier),
    NamePoisoning(name_poisoning::Why),
    NtlmToPoisoner(Carrier),
    NtlmRelay(Carrier, ntlm_relay::Relayed),
    NtlmMicRemoved(Carrier),
    LdapCleartextBind,
    LdapUnsignedBind,
    KerberosRc4(kerberos_rc4::Weak),
    KerberosAsrepRoastable,
    KerberosKerberoast(kerberos_kerberoast::Why),
    KerberosPreauthRc4,
    KerberosUserEnum(Threshold),
    AuthSpray(Logon, Threshold),
    AuthBruteforce(Logon, Threshold),
    HttpBasicCleartext,
    WinrmBasicCleartext,
    WinrmUnencrypted,
    WinrmCredssp,
    WinrmNtlm,
    WebdavFallback,
    /// `external`: the server is outside the home networks.
    WebdavNtlm {
        external: bool,
    },
    DcerpcRemoteTask,
    DcerpcRemoteService,
    DcerpcCoercion,
    DcerpcDcsync,
    DcerpcRemoteWmi,
    DcerpcPrintDriver,
    DcerpcZerologon,
    StreamOverlapConflict,
}

impl Sentence {
    /// The logon attempt a correlation of failed logons tells of.
    pub fn logon(&self) -> Option<&Logon> {
        match self {
            Sentence::AuthSpray(logon, _) | Sentence::AuthBruteforce(logon, _) => Some(logon),
            _ => None,
        }
    }

    /// The sentence, in the words of its rule.
    pub fn words(&self, w: &Wording) -> String {
        match self {
            Sentence::SmbV1Negotiated => smb_v1_negotiated::words(w),
            Sentence::SmbV1Offered => smb_v1_offered::words(w),
            Sentence::SmbGuest => smb_guest::words(w),
            Sentence::SmbAnonymous => smb_anonymous::words(w),
            Sentence::SmbDialectLegacy => smb_dialect_legacy::words(w),
            Sentence::SmbDialectDowngrade => smb_dialect_downgrade::words(w),
            Sentence::SmbSigningNotRequired => smb_signing_not_required::words(w),
            Sentence::SmbSessionUnsigned => smb_session_unsigned::words(w),
            Sentence::SmbEncryptionNone => smb_encryption_none::words(w),
            Sentence::SmbAdminShare => smb_admin_share::words(w),
            Sentence::SmbOutboundExternal => smb_outbound_external::words(w),
            Sentence::NtlmUsed(carrier) => ntlm_used::words(w, *carrier),
            Sentence::NtlmV1(carrier) => ntlm_v1::words(w, *carrier),
            Sentence::NamePoisoning(why) => name_poisoning::words(w, why),
            Sentence::NtlmToPoisoner(carrier) => ntlm_to_poisoner::words(w, *carrier),
            Sentence::NtlmRelay(carrier, relayed) => ntlm_relay::words(w, *carrier, relayed),
            Sentence::NtlmMicRemoved(carrier) => ntlm_mic_removed::words(w, *carrier),
            Sentence::LdapCleartextBind => ldap_cleartext_bind::words(w),
            Sentence::LdapUnsignedBind => ldap_unsigned_bind::words(w),
            Sentence::KerberosRc4(weak) => kerberos_rc4::words(w, weak),
            Sentence::KerberosAsrepRoastable => kerberos_asrep_roastable::words(w),
            Sentence::KerberosKerberoast(why) => kerberos_kerberoast::words(w, why),
            Sentence::KerberosPreauthRc4 => kerberos_preauth_rc4::words(w),
            Sentence::KerberosUserEnum(threshold) => kerberos_user_enum::words(w, threshold),
            Sentence::AuthSpray(logon, threshold) => auth_spray::words(w, logon, threshold),
            Sentence::AuthBruteforce(logon, threshold) => auth_bruteforce::words(w, logon, threshold),
            Sentence::HttpBasicCleartext => http_basic_cleartext::words(w),
            Sentence::WinrmBasicCleartext => winrm_basic_cleartext::words(w),
            Sentence::WinrmUnencrypted => winrm_unencrypted::words(w),
            Sentence::WinrmCredssp => winrm_credssp::words(w),
            Sentence::WinrmNtlm => winrm_ntlm::words(w),
            Sentence::WebdavFallback => webdav_fallback::words(w),
            Sentence::WebdavNtlm { external } => webdav_ntlm::words(w, *external),
            Sentence::DcerpcRemoteTask => dcerpc_remote_task::words(w),
            Sentence::DcerpcRemoteService => dcerpc_remote_service::words(w),
            Sentence::DcerpcCoercion => dcerpc_coercion::words(w),
            Sentence::DcerpcDcsync => dcerpc_dcsync::words(w),
            Sentence::DcerpcRemoteWmi => dcerpc_remote_wmi::words(w),
            Sentence::DcerpcPrintDriver => dcerpc_print_driver::words(w),
            Sentence::DcerpcZerologon => dcerpc_zerologon::words(w),
            Sentence::StreamOverlapConflict => stream_overlap_conflict::words(w),
        }
    }
}

/// A correlation rule's threshold, as configured when it fired: `count` or more within `secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    pub count: usize,
    pub secs: u64,
}

/// The attack class of a `dcerpc` request record.
fn rpc_attack(record: &Event) -> Option<hardwire_dcerpc::RpcAttack> {
    if !matches!(record.kind, EventKind::Dcerpc) {
        return None;
    }
    let call = record.objects.dcerpc.as_ref()?.call?;
    hardwire_dcerpc::rpc_attack(&call.interface?, call.opnum)
}

/// The `krb5` object of a `krb5` record.
fn krb5_record(record: &Event) -> Option<&Krb5Object> {
    match record.kind {
        EventKind::Krb5 => record.objects.krb5.as_deref(),
        _ => None,
    }
}

/// The `ldap` object of an `ldap` record.
fn ldap_record(record: &Event) -> Option<&LdapObject> {
    match record.kind {
        EventKind::Ldap => record.objects.ldap.as_deref(),
        _ => None,
    }
}

/// RC4-HMAC and the DES family, by SCHEMA.md's etype names.
fn is_weak_etype(etype: &str) -> bool {
    etype.starts_with("rc4-") || etype.starts_with("des-") || etype.starts_with("des3-")
}

/// The `smb` object of an `smb` record.
fn smb_record(record: &Event) -> Option<&SmbObject> {
    match record.kind {
        EventKind::Smb => record.objects.smb.as_ref(),
        _ => None,
    }
}

/// The evidence's negotiated SMB dialect.
fn smb_dialect<'a>(w: &Wording<'a>) -> Option<&'a str> {
    w.evidence.smb.as_ref()?.dialect.as_deref()
}

/// The evidence's HTTP user, for sentences ("" when none).
fn http_user<'a>(w: &Wording<'a>) -> &'a str {
    w.evidence.http.as_ref().and_then(|h| h.user.as_deref()).unwrap_or("")
}

/// A session whose SESSION_SETUP succeeded.
fn succeeded(smb: &SmbObject) -> bool {
    smb.status.as_deref() == Some("STATUS_SUCCESS")
}

/// A session that proved a real identity: succeeded, and neither guest nor null.
fn authenticated(smb: &SmbObject) -> bool {
    succeeded(smb) && smb.guest != Some(true) && smb.anonymous != Some(true)
}

/// SMB2 dialects in order; `None` for SMB1 strings and unknown codes.
fn smb2_dialect_rank(dialect: &str) -> Option<u16> {
    Some(match dialect {
        "2.0.2" => 0x0202,
        "2.1" => 0x0210,
        "3.0" => 0x0300,
        "3.0.2" => 0x0302,
        "3.1.1" => 0x0311,
        _ => return None,
    })
}

/// The record's `ntlm`/`kerberos` objects are its own authentication, not evidence borrowed
/// from the SMB session a named pipe runs in (whose own record already carried them).
fn own_authentication(record: &Event) -> bool {
    !(matches!(record.kind, EventKind::Dcerpc) && record.objects.dcerpc.as_ref().is_some_and(|d| d.pipe.is_some()))
}

/// The user a record is about (NTLM, HTTP Basic, a KDC exchange's client, an LDAP bind's
/// name), for messages and suppression.
pub fn user_of(objects: &Objects) -> Option<&str> {
    objects
        .ntlm
        .as_ref()
        .and_then(|n| n.user.as_deref())
        .or_else(|| objects.http.as_ref().and_then(|h| h.user.as_deref()))
        .or_else(|| objects.krb5.as_ref().and_then(|k| k.cname.as_deref()))
        .filter(|u| !u.is_empty())
        .or_else(|| objects.ldap.as_ref().and_then(|l| l.bind_dn.as_deref()).filter(|dn| !dn.is_empty()))
}

/// The record carries an NTLM AUTHENTICATE that proves an identity (not the NEGOTIATE leg of
/// the handshake, not an anonymous logon): the point where "authenticated with NTLM" is true.
fn ntlm_authenticated(record: &Event) -> bool {
    record.objects.ntlm.as_ref().and_then(|n| n.version).is_some_and(|v| v != NtlmKind::Anonymous)
}

/// "alice" or "a client", for sentences.
fn who(objects: &Objects) -> &str {
    user_of(objects).unwrap_or("a client")
}

/// A finding whose evidence is the whole record, about the user it names.
fn finding(rule: super::catalog::RuleId, record: &Event, sentence: Sentence) -> Option<Finding> {
    Some(Finding { rule, sentence, evidence: record.objects.clone(), subject: Subject::EvidenceUser, severity: None })
}

/// A finding about a client's many attempts (many accounts, names or services): about no one
/// user, so that suppression folds the attempts past the threshold into one line per client
/// and server, with their count.
fn story(rule: super::catalog::RuleId, record: &Event, sentence: Sentence) -> Option<Finding> {
    Some(Finding { rule, sentence, evidence: record.objects.clone(), subject: Subject::Nobody, severity: None })
}
