//! `webdav.ntlm`: NTLM over WebDAV or plain HTTP, the relay and coercion path; critical when
//! the server is outside the home networks. Fires on the record carrying the AUTHENTICATE.

use super::{finding, who, Sentence};
use crate::detect::{catalog::RuleId, catalog::Severity, DetectContext, Finding, Wording};
use crate::event::{Event, HttpApp, HttpAuthMechanism};

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.app == Some(HttpApp::Winrm)
        || http.request.mechanism != Some(HttpAuthMechanism::Ntlm)
        || !super::ntlm_authenticated(record)
    {
        return None;
    }
    let external = !cx.config.is_home(cx.flow.dest_ip);
    let mut found = finding(RuleId::WebdavNtlm, record, Sentence::WebdavNtlm { external })?;
    if external {
        found.severity = Some(Severity::Critical);
    }
    Some(found)
}

pub fn words(w: &Wording, external: bool) -> String {
    let place = if external { "an external server" } else { "server" };
    format!("{} sent NTLM over plain HTTP to {place} {}", who(w.evidence), w.server())
}
