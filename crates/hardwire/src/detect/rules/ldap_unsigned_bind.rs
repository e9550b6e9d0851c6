//! `ldap.unsigned_bind`: a successful SASL bind (NTLM, GSSAPI, GSS-SPNEGO) or Microsoft's
//! Sicily NTLM bind outside TLS whose connection then runs with no security layer (the LDAP app
//! reads it from the client's next PDU, or from the NTLM flags when none follows): the directory
//! accepts binds that can be relayed and sessions that can be tampered with.

use super::{finding, ldap_record, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, LdapObject};

/// SASL mechanisms that can sign or seal; a bind by another (EXTERNAL, PLAIN...) is no sign of
/// a weak directory setting.
const SIGNING_MECHANISMS: &[&str] = &["GSS-SPNEGO", "GSSAPI", "NTLM"];

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let ldap = ldap_record(record)?;
    mechanism(ldap)?;
    if ldap.result.as_deref() != Some("success") || ldap.tls == Some(true) || ldap.signing != Some("none") {
        return None;
    }
    finding(RuleId::LdapUnsignedBind, record, Sentence::LdapUnsignedBind)
}

/// The bind's mechanism, if it is one that can sign or seal.
fn mechanism(ldap: &LdapObject) -> Option<&str> {
    match ldap.bind_type? {
        "sasl" => ldap.sasl_mech.as_deref().filter(|m| SIGNING_MECHANISMS.contains(m)),
        "sicily" => Some("NTLM (Sicily)"),
        _ => None,
    }
}

pub fn words(w: &Wording) -> String {
    let mechanism = w.evidence.ldap.as_deref().and_then(mechanism).unwrap_or_default();
    format!(
        "{} bound to the directory on {} with {mechanism} and neither signing nor sealing: the bind can be relayed and the session tampered with",
        who(w.evidence),
        w.server()
    )
}
