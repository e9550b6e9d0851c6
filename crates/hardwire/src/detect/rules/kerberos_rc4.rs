//! `kerberos.rc4`: an AP-REQ ticket or authenticator uses RC4-HMAC or DES instead of AES.

use super::{finding, own_authentication};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

fn is_weak(etype: &str) -> bool {
    etype.starts_with("rc4-") || etype.starts_with("des-") || etype.starts_with("des3-")
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !own_authentication(record) {
        return None;
    }
    let krb = record.objects.kerberos.as_ref()?;
    let weak = [krb.ticket_etype.as_deref(), krb.authenticator_etype.as_deref()].into_iter().flatten().find(|e| is_weak(e))?;
    let service = krb.sname.as_deref().unwrap_or("a service");
    finding(RuleId::KerberosRc4, record, format!("{} used a {weak} Kerberos ticket for {service} on {}", cx.flow.src_ip, cx.flow.dest_ip))
}
