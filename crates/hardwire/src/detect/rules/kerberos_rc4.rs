//! `kerberos.rc4`: a Kerberos ticket or key uses RC4-HMAC or DES instead of AES: an AP-REQ's
//! ticket or authenticator (inside SMB, HTTP, DCE/RPC), or a ticket or reply key a KDC issues
//! (a `krb5` record's ticket and reply etypes).

use super::{finding, is_weak_etype, krb5_record, own_authentication, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, KerberosObject, Krb5Object};

/// Where the weak etype was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weak {
    /// An AP-REQ's ticket or authenticator (the record's `kerberos` object).
    Used,
    /// The ticket a KDC issued (the record's `krb5` object): the service's key is weak.
    IssuedTicket,
    /// The reply's key of a KDC's reply whose ticket is not weak.
    IssuedKey,
}

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let weak = match krb5_record(record) {
        Some(krb5) => issued(krb5)?,
        None if own_authentication(record) => used(record.objects.kerberos.as_ref()?).map(|_| Weak::Used)?,
        None => return None,
    };
    finding(RuleId::KerberosRc4, record, Sentence::KerberosRc4(weak))
}

/// The first weak etype of an AP-REQ: its ticket's, else its authenticator's.
fn used(krb: &KerberosObject) -> Option<&str> {
    [krb.ticket_etype.as_deref(), krb.authenticator_etype.as_deref()].into_iter().flatten().find(|e| is_weak_etype(e))
}

/// What is weak in a KDC's reply: the ticket, else the reply's key.
fn issued(krb5: &Krb5Object) -> Option<Weak> {
    let weak = |etype: &Option<String>| etype.as_deref().is_some_and(is_weak_etype);
    if weak(&krb5.ticket_etype) {
        Some(Weak::IssuedTicket)
    } else if weak(&krb5.reply_etype) {
        Some(Weak::IssuedKey)
    } else {
        None
    }
}

pub fn words(w: &Wording, weak: &Weak) -> String {
    let krb5 = w.evidence.krb5.as_ref();
    // A KDC's reply: to whom, for what.
    let client = || krb5.and_then(|k| k.cname.as_deref()).unwrap_or("a client");
    let service = || krb5.and_then(|k| k.sname.as_deref()).unwrap_or("a service");
    match weak {
        Weak::Used => {
            let krb = w.evidence.kerberos.as_deref();
            let etype = krb.and_then(used).unwrap_or_default();
            let service = krb.and_then(|k| k.sname.as_deref()).unwrap_or("a service");
            format!("{} used a {etype} Kerberos ticket for {service} on {}", w.client(), w.server())
        }
        Weak::IssuedTicket => {
            let ticket = krb5.and_then(|k| k.ticket_etype.as_deref()).unwrap_or_default();
            format!("the KDC {} issued {} an {ticket} ticket for {}", w.server(), client(), service())
        }
        Weak::IssuedKey => {
            let key = krb5.and_then(|k| k.reply_etype.as_deref()).unwrap_or_default();
            format!("the KDC {} sent {} its {} ticket's session key encrypted with {key}", w.server(), client(), service())
        }
    }
}
