//! `ntlm.used`: an NTLMSSP AUTHENTICATE was seen (SMB, HTTP, DCE/RPC), anonymous ones included,
//! as RULES.md says: the server proved nothing about itself either way.

use std::fmt;

use super::{finding, own_authentication, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, EventKind, NtlmKind, Outcome};

/// The protocol an NTLM authentication crossed, for sentences: "SMB", "HTTP", "DCE/RPC",
/// "LDAP" or "TCP 1433".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    Http,
    Dcerpc,
    Smb,
    Ldap,
    /// Another protocol, by its server port.
    Tcp(u16),
}

impl Carrier {
    /// What carried `record`'s authentication.
    pub fn of(record: &Event, cx: &DetectContext) -> Carrier {
        match record.kind {
            EventKind::Http => Carrier::Http,
            EventKind::Dcerpc => Carrier::Dcerpc,
            EventKind::Smb => Carrier::Smb,
            EventKind::Ldap => Carrier::Ldap,
            _ => Carrier::Tcp(cx.flow.dest_port),
        }
    }
}

impl fmt::Display for Carrier {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Carrier::Http => f.write_str("HTTP"),
            Carrier::Dcerpc => f.write_str("DCE/RPC"),
            Carrier::Smb => f.write_str("SMB"),
            Carrier::Ldap => f.write_str("LDAP"),
            Carrier::Tcp(port) => write!(f, "TCP {port}"),
        }
    }
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !own_authentication(record) {
        return None;
    }
    record.objects.ntlm.as_ref()?.version?;
    finding(RuleId::NtlmUsed, record, Sentence::NtlmUsed(Carrier::of(record, cx)))
}

pub fn words(w: &Wording, carrier: Carrier) -> String {
    let Some(ntlm) = &w.evidence.ntlm else { return String::new() };
    let kind = ntlm.version.unwrap_or(NtlmKind::Anonymous);
    let version = kind.as_str();
    // A refused logon still put an NTLM response on the wire: reported, never as "authenticated".
    let failed = ntlm.status == Some(Outcome::Failure);
    match ntlm.user.as_deref().filter(|u| !u.is_empty()) {
        Some(user) if kind != NtlmKind::Anonymous && failed => format!(
            "{user} failed to log on to {} over {carrier} with NTLM{version}; the NTLM response crossed the wire all the same",
            w.server()
        ),
        Some(user) if kind != NtlmKind::Anonymous => {
            format!("{user} authenticated to {} over {carrier} with NTLM{version} instead of Kerberos", w.server())
        }
        _ if failed => format!("{} failed an anonymous NTLM logon to {} over {carrier}", w.client(), w.server()),
        _ => format!("{} logged on to {} over {carrier} with anonymous NTLM", w.client(), w.server()),
    }
}
