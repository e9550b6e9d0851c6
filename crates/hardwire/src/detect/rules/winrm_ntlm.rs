//! `winrm.ntlm`: WinRM authenticated with NTLM (server identity not proven). Fires on the
//! record carrying the AUTHENTICATE, not on the NEGOTIATE leg before it.

use super::{finding, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, HttpApp, HttpAuthMechanism};

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.app != Some(HttpApp::Winrm)
        || http.request.mechanism != Some(HttpAuthMechanism::Ntlm)
        || !super::ntlm_authenticated(record)
    {
        return None;
    }
    finding(RuleId::WinrmNtlm, record, Sentence::WinrmNtlm)
}

pub fn words(w: &Wording) -> String {
    format!("{} authenticated to WinRM on {} with NTLM instead of Kerberos", who(w.evidence), w.server())
}
