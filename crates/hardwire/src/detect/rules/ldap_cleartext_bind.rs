//! `ldap.cleartext_bind`: an LDAP simple bind with a non-empty password outside TLS (plain 389
//! or 3268, before any StartTLS). Fires whatever the answer: the password crossed the wire
//! either way. The record says only that a password was sent, never the password.

use super::{finding, ldap_record, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let ldap = ldap_record(record)?;
    if ldap.bind_type != Some("simple") || ldap.password_sent != Some(true) || ldap.tls == Some(true) {
        return None;
    }
    finding(RuleId::LdapCleartextBind, record, Sentence::LdapCleartextBind)
}

pub fn words(w: &Wording) -> String {
    let dn = w.evidence.ldap.as_ref().and_then(|l| l.bind_dn.as_deref()).unwrap_or("");
    format!("the password of \"{dn}\" crossed the wire to {} in clear (LDAP simple bind without TLS)", w.server())
}
