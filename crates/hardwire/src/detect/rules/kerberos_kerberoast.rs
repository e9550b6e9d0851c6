//! `kerberos.kerberoast`: a TGS-REQ for a user service (not `krbtgt`, not a computer account)
//! that offers RC4 and no AES, or one client asking for tickets to many distinct user services
//! within a short window (`correlation.kerberoast_*`). Either way the service tickets, made with
//! the service account's key, are being collected for offline cracking. The services per client
//! are counted in [`Shared::service_tickets`](crate::shared::Shared), across workers.
//!
//! Computer accounts: a name ending in `$`, and the service classes Windows registers on every
//! computer account (the HOST family, `ldap`, `gc`, `dns`, `wsman`, the DRS interface), whose
//! keys are long random ones nobody cracks.

use super::{krb5_record, story, Sentence, Threshold};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

/// Service classes of computer accounts (HOST and what it stands for, and the DC's).
const COMPUTER_SERVICES: &[&str] = &[
    "krbtgt",
    "kadmin",
    "host",
    "cifs",
    "rpcss",
    "restrictedkrbhost",
    "termsrv",
    "wsman",
    "ldap",
    "gc",
    "dns",
    "e3514235-4b06-11d1-ab04-00c04fc2dcd2",
];

/// A service whose key may be a person's password.
fn user_service(sname: &str) -> bool {
    let class = sname.split('/').next().unwrap_or(sname).to_ascii_lowercase();
    !sname.ends_with('$') && !COMPUTER_SERVICES.contains(&class.as_str())
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let krb5 = krb5_record(record)?;
    let sname = krb5.sname.as_deref().filter(|s| user_service(s))?;
    if krb5.request_type != Some("TGS") {
        return None;
    }
    let offered = krb5.req_etypes.as_deref().unwrap_or_default();
    let rc4_only = offered.iter().any(|e| e.starts_with("rc4-")) && !offered.iter().any(|e| e.starts_with("aes"));
    let many = cx.shared.service_tickets.observe(record.timestamp, cx.flow.src_ip, &sname.to_lowercase());
    let c = &cx.config.correlation;
    let why = if rc4_only {
        Why::Rc4Only
    } else if many {
        Why::Many(Threshold { count: c.kerberoast_services, secs: c.kerberoast_window_secs })
    } else {
        return None;
    };
    story(RuleId::KerberosKerberoast, record, Sentence::KerberosKerberoast(why))
}

/// Why the ticket request is Kerberoasting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// It offers RC4 and no AES.
    Rc4Only,
    /// The client asked for tickets to this many user services.
    Many(Threshold),
}

pub fn words(w: &Wording, why: &Why) -> String {
    let sname = w.evidence.krb5.as_ref().and_then(|k| k.sname.as_deref()).unwrap_or_default();
    match why {
        Why::Rc4Only => format!(
            "{} asked the KDC {} for an RC4-only ticket to {sname}: a ticket to crack offline (Kerberoasting)",
            w.client(),
            w.server()
        ),
        Why::Many(threshold) => format!(
            "{} asked the KDC {} for tickets to {} or more user services within {} s (last {sname}): Kerberoasting",
            w.client(),
            w.server(),
            threshold.count,
            threshold.secs
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::user_service;

    #[test]
    fn user_services_are_neither_krbtgt_nor_computers() {
        for service in ["MSSQLSvc/db1.corp.example:1433", "HTTP/web.corp.example", "svc_backup"] {
            assert!(user_service(service), "{service}");
        }
        for service in ["krbtgt/CORP.EXAMPLE", "cifs/fs1.corp.example", "HOST/ws1", "ldap/dc1", "WS1$"] {
            assert!(!user_service(service), "{service}");
        }
    }
}
