//! `ntlm.used`: an NTLMSSP AUTHENTICATE was seen (SMB, HTTP, DCE/RPC), anonymous ones included,
//! as RULES.md says: the server proved nothing about itself either way.

use super::{finding, own_authentication};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::{Event, EventKind, NtlmKind, Outcome};

/// "SMB", "HTTP", "DCE/RPC", "LDAP" or "TCP 1433", for sentences.
pub fn carrier(record: &Event, cx: &DetectContext) -> String {
    match record.kind {
        EventKind::Http => "HTTP".to_string(),
        EventKind::Dcerpc => "DCE/RPC".to_string(),
        EventKind::Smb => "SMB".to_string(),
        EventKind::Ldap => "LDAP".to_string(),
        _ => format!("TCP {}", cx.flow.dest_port),
    }
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !own_authentication(record) {
        return None;
    }
    let ntlm = record.objects.ntlm.as_ref()?;
    let kind = ntlm.version?;
    let version = kind.as_str();
    // A refused logon still put an NTLM response on the wire: reported, never as "authenticated".
    let failed = ntlm.status == Some(Outcome::Failure);
    let message = match ntlm.user.as_deref().filter(|u| !u.is_empty()) {
        Some(user) if kind != NtlmKind::Anonymous && failed => format!(
            "{user} failed to log on to {} over {} with NTLM{version}; the NTLM response crossed the wire all the same",
            cx.server(),
            carrier(record, cx)
        ),
        Some(user) if kind != NtlmKind::Anonymous => {
            format!("{user} authenticated to {} over {} with NTLM{version} instead of Kerberos", cx.server(), carrier(record, cx))
        }
        _ if failed => format!("{} failed an anonymous NTLM logon to {} over {}", cx.client(), cx.server(), carrier(record, cx)),
        _ => format!("{} logged on to {} over {} with anonymous NTLM", cx.client(), cx.server(), carrier(record, cx)),
    };
    finding(RuleId::NtlmUsed, record, message)
}
