//! `kerberos.rc4`: a Kerberos ticket or key uses RC4-HMAC or DES instead of AES: an AP-REQ's
//! ticket or authenticator (inside SMB, HTTP, DCE/RPC), or a ticket or reply key a KDC issues
//! (a `krb5` record's ticket and reply etypes).

use super::{finding, is_weak_etype, krb5_record, own_authentication};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if let Some(krb5) = krb5_record(record) {
        return issued(record, krb5, cx);
    }
    if !own_authentication(record) {
        return None;
    }
    let krb = record.objects.kerberos.as_ref()?;
    let weak = [krb.ticket_etype.as_deref(), krb.authenticator_etype.as_deref()].into_iter().flatten().find(|e| is_weak_etype(e))?;
    let service = krb.sname.as_deref().unwrap_or("a service");
    finding(RuleId::KerberosRc4, record, format!("{} used a {weak} Kerberos ticket for {service} on {}", cx.client(), cx.server()))
}

/// A KDC's reply: the ticket (the service's key) or the reply's key is weak.
fn issued(record: &Event, krb5: &crate::event::Krb5Object, cx: &DetectContext) -> Option<Finding> {
    let service = krb5.sname.as_deref().unwrap_or("a service");
    let client = krb5.cname.as_deref().unwrap_or("a client");
    let message =
        match (krb5.ticket_etype.as_deref().filter(|e| is_weak_etype(e)), krb5.reply_etype.as_deref().filter(|e| is_weak_etype(e))) {
            (Some(ticket), _) => format!("the KDC {} issued {client} an {ticket} ticket for {service}", cx.server()),
            (None, Some(key)) => {
                format!("the KDC {} sent {client} its {service} ticket's session key encrypted with {key}", cx.server())
            }
            (None, None) => return None,
        };
    finding(RuleId::KerberosRc4, record, message)
}
