//! `kerberos.preauth_rc4`: an AS-REQ pre-authenticated with an RC4-HMAC encrypted timestamp.
//! The RC4 key is the NT hash: this is how overpass-the-hash looks (a modern Windows client with
//! AES keys pre-authenticates with AES).

use super::{finding, is_weak_etype, krb5_record, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let krb5 = krb5_record(record)?;
    let etype = krb5.preauth_etype.as_deref().filter(|e| e.starts_with("rc4-"))?;
    if krb5.request_type != Some("AS") || !is_weak_etype(etype) {
        return None;
    }
    finding(RuleId::KerberosPreauthRc4, record, Sentence::KerberosPreauthRc4)
}

pub fn words(w: &Wording) -> String {
    let krb5 = w.evidence.krb5.as_ref();
    let account = krb5.and_then(|k| k.cname.as_deref()).unwrap_or("an account");
    let etype = krb5.and_then(|k| k.preauth_etype.as_deref()).unwrap_or_default();
    format!(
        "{} pre-authenticated to the KDC {} as {account} with an {etype} timestamp: the key is the NT hash (overpass-the-hash)",
        w.client(),
        w.server()
    )
}
