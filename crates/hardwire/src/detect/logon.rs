//! Failed logons: the one fact `auth.spray` and `auth.bruteforce` count, whatever protocol
//! carried the logon. Each protocol that shows whether a logon worked has one arm here:
//! Kerberos (an AS exchange's reply or KDC_ERR_PREAUTH_FAILED), SMB and HTTP (the `ntlm.status`
//! their apps set from the SESSION_SETUP status or the HTTP status), HTTP Basic (401 or not),
//! LDAP binds (`success` or `invalidCredentials`; the NTLM user, else the bind DN's first RDN).

pub use crate::event::Outcome;
use crate::event::{Event, EventKind, HttpAuthMechanism, Objects};
use crate::shared::value_hash;

/// The SESSION_SETUP statuses that refuse credentials: STATUS_LOGON_FAILURE and its friends.
const SMB_LOGON_FAILURES: &[&str] = &[
    "STATUS_LOGON_FAILURE",
    "STATUS_WRONG_PASSWORD",
    "STATUS_NO_SUCH_USER",
    "STATUS_ACCOUNT_LOCKED_OUT",
    "STATUS_ACCOUNT_RESTRICTION",
    "STATUS_ACCOUNT_DISABLED",
    "STATUS_PASSWORD_EXPIRED",
];

/// One failed logon attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logon {
    /// `"kerberos"`, `"smb"`, `"http"`, `"ldap"`.
    pub protocol: &'static str,
    /// The account, lower-cased and without its domain or realm, so that one account tried
    /// over Kerberos and over NTLM is one account.
    pub account: String,
}

/// A failed logon as the rules that count them take it: with its account's [`value_hash`],
/// what the correlation tables count it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub logon: Logon,
    pub account_hash: u64,
}

/// The failed logon a record reports, if it reports a logon whose credentials were refused.
/// The account is made only then: most logons succeed.
pub fn failed(record: &Event) -> Option<Failure> {
    let objects = &record.objects;
    let (protocol, user, outcome) = match record.kind {
        EventKind::Krb5 => {
            let krb5 = objects.krb5.as_ref().filter(|k| k.request_type == Some("AS"))?;
            let outcome = match krb5.status.as_deref()? {
                "success" => Outcome::Success,
                "KDC_ERR_PREAUTH_FAILED" => Outcome::Failure,
                _ => return None,
            };
            ("kerberos", krb5.cname.as_deref()?, outcome)
        }
        EventKind::Smb | EventKind::Http => {
            let protocol = if matches!(record.kind, EventKind::Smb) { "smb" } else { "http" };
            if let Some(ntlm) = &objects.ntlm {
                let outcome = match ntlm.status? {
                    Outcome::Success => Outcome::Success,
                    Outcome::Failure if refused_credentials(objects) => Outcome::Failure,
                    _ => return None,
                };
                (protocol, ntlm.user.as_deref()?, outcome)
            } else {
                let http = objects.http.as_ref().filter(|h| h.request.mechanism == Some(HttpAuthMechanism::Password))?;
                let outcome = if http.status? == 401 { Outcome::Failure } else { Outcome::Success };
                ("http", http.user.as_deref()?, outcome)
            }
        }
        EventKind::Ldap => {
            let ldap = objects.ldap.as_ref()?;
            let outcome = match ldap.result.as_deref()? {
                "success" => Outcome::Success,
                "invalidCredentials" => Outcome::Failure,
                _ => return None,
            };
            // An NTLM bind names its user in the AUTHENTICATE; a simple bind in its DN.
            let user = match objects.ntlm.as_ref().and_then(|n| n.user.as_deref()) {
                Some(user) => user,
                None => first_rdn_value(ldap.bind_dn.as_deref()?),
            };
            ("ldap", user, outcome)
        }
        _ => return None,
    };
    if outcome != Outcome::Failure {
        return None;
    }
    let account = user.rsplit(['\\', '/']).next().unwrap_or(user);
    let account = account.split('@').next().unwrap_or(account).to_lowercase();
    (!account.is_empty()).then(|| Failure { account_hash: value_hash(&account), logon: Logon { protocol, account } })
}

/// The account a bind DN names: the value of its first RDN (`CN=alice,CN=Users,DC=corp` is
/// `alice`); a name that is no DN (`alice@corp.example`, `CORP\alice`) as it is.
fn first_rdn_value(dn: &str) -> &str {
    match dn.split(',').next().and_then(|rdn| rdn.split_once('=')) {
        Some((_, value)) => value.trim(),
        None => dn,
    }
}

/// A failed NTLM logon refused the credentials: over SMB, a status of [`SMB_LOGON_FAILURES`]
/// (not some other SESSION_SETUP error, such as a multichannel bind denied); over HTTP, a 401.
fn refused_credentials(objects: &Objects) -> bool {
    match &objects.smb {
        Some(smb) => smb.status.as_deref().is_some_and(|status| SMB_LOGON_FAILURES.contains(&status)),
        None => true,
    }
}
