//! `ldap.unsigned_bind`: a successful SASL bind (NTLM, GSSAPI, GSS-SPNEGO) or Microsoft's
//! Sicily NTLM bind outside TLS whose connection then runs with no security layer (the LDAP app
//! reads it from the client's next PDU, or from the NTLM flags when none follows): the directory
//! accepts binds that can be relayed and sessions that can be tampered with.

use super::{finding, ldap_record, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

/// SASL mechanisms that can sign or seal; a bind by another (EXTERNAL, PLAIN...) is no sign of
/// a weak directory setting.
const SIGNING_MECHANISMS: &[&str] = &["GSS-SPNEGO", "GSSAPI", "NTLM"];

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let ldap = ldap_record(record)?;
    let mechanism = match ldap.bind_type? {
        "sasl" => ldap.sasl_mech.as_deref().filter(|m| SIGNING_MECHANISMS.contains(m))?,
        "sicily" => "NTLM (Sicily)",
        _ => return None,
    };
    if ldap.result.as_deref() != Some("success") || ldap.tls == Some(true) || ldap.signing != Some("none") {
        return None;
    }
    finding(
        RuleId::LdapUnsignedBind,
        record,
        format!(
            "{} bound to the directory on {} with {mechanism} and neither signing nor sealing: the bind can be relayed and the session tampered with",
            who(&record.objects),
            cx.server()
        ),
    )
}
