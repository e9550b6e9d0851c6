//! `kerberos.asrep_roastable`: the KDC answers an AS-REQ that carried no pre-authentication
//! (no encrypted timestamp, no PKINIT, no FAST armor) with an AS-REP. The account does not
//! require pre-authentication: anyone may ask, and the reply's encrypted part, made with the
//! account's key, can be cracked offline.

use super::{finding, krb5_record, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let krb5 = krb5_record(record)?;
    if krb5.request_type != Some("AS") || krb5.preauth != Some("none") || krb5.status.as_deref() != Some("success") {
        return None;
    }
    finding(RuleId::KerberosAsrepRoastable, record, Sentence::KerberosAsrepRoastable)
}

pub fn words(w: &Wording) -> String {
    let krb5 = w.evidence.krb5.as_ref();
    let account = krb5.and_then(|k| k.cname.as_deref()).unwrap_or("an account");
    let etype = krb5.and_then(|k| k.reply_etype.as_deref()).unwrap_or("an unknown etype");
    format!(
        "the KDC {} gave {} an AS-REP for {account} without pre-authentication: its {etype} encrypted part can be cracked offline (AS-REP roasting)",
        w.server(), w.client()
    )
}
