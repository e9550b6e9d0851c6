//! One output line as the report reads it: the fields of `../shared/SCHEMA.md` the report uses,
//! borrowed from a JSON line (a daemon's output) or from an engine event (a capture read in
//! process). Both paths give the same `Line`, so the aggregation cannot tell them apart.

use std::borrow::Cow;
use std::net::IpAddr;

use serde::Deserialize;

use hardwire::event::{DcerpcObject, HttpObject, KerberosObject, Krb5Object, LdapObject, NameObject, NtlmObject, SmbObject, TlsObject};
use hardwire::{Event, EventKind, Objects};

/// A string that is borrowed where it can be (JSON with escapes is unescaped into an owned one).
pub type Str<'a> = Cow<'a, str>;

#[derive(Debug, Default, Deserialize)]
pub struct Line<'a> {
    /// Microseconds since the epoch (the JSON path parses the RFC 3339 text).
    #[serde(default, deserialize_with = "rfc3339")]
    pub timestamp: u64,
    #[serde(borrow)]
    pub event_type: Str<'a>,
    /// The sensor that wrote the line (`sensor` in its configuration), when one is named.
    #[serde(borrow)]
    pub host: Option<Str<'a>>,
    pub flow_id: Option<u64>,
    pub src_ip: Option<IpAddr>,
    pub dest_ip: Option<IpAddr>,
    pub dest_port: Option<u16>,
    #[serde(borrow)]
    pub community_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub alert: Option<Alert<'a>>,
    #[serde(borrow)]
    pub smb: Option<Smb<'a>>,
    #[serde(borrow)]
    pub ntlm: Option<Ntlm<'a>>,
    #[serde(borrow)]
    pub kerberos: Option<Kerberos<'a>>,
    #[serde(borrow)]
    pub http: Option<Http<'a>>,
    pub tls: Option<Tls>,
    #[serde(borrow)]
    pub dcerpc: Option<Dcerpc<'a>>,
    #[serde(borrow)]
    pub krb5: Option<Krb5<'a>>,
    #[serde(borrow)]
    pub ldap: Option<Ldap<'a>>,
    #[serde(borrow)]
    pub name: Option<Name<'a>>,
    /// The `stats` line: packets and bytes of the run.
    pub stats: Option<Stats>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Alert<'a> {
    #[serde(borrow)]
    pub rule: Str<'a>,
    #[serde(borrow)]
    pub severity: Str<'a>,
    #[serde(borrow, default)]
    pub message: Str<'a>,
    #[serde(default = "one")]
    pub count: u64,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Default, Deserialize)]
pub struct Smb<'a> {
    pub version: Option<u8>,
    #[serde(borrow)]
    pub session_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub dialects_offered: Option<Vec<Str<'a>>>,
    #[serde(borrow)]
    pub dialect: Option<Str<'a>>,
    pub signing_required: Option<bool>,
    pub signed: Option<bool>,
    pub encrypted: Option<bool>,
    pub guest: Option<bool>,
    pub anonymous: Option<bool>,
    #[serde(borrow)]
    pub server_name: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Ntlm<'a> {
    #[serde(borrow)]
    pub user: Option<Str<'a>>,
    #[serde(borrow)]
    pub domain: Option<Str<'a>>,
    #[serde(borrow)]
    pub host: Option<Str<'a>>,
    #[serde(borrow)]
    pub version: Option<Str<'a>>,
    /// `success` or `failure` where the carrying protocol shows the outcome.
    #[serde(borrow)]
    pub status: Option<Str<'a>>,
    #[serde(borrow)]
    pub server_dns_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub server_nb_name: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Kerberos<'a> {
    #[serde(borrow)]
    pub sname: Option<Str<'a>>,
    #[serde(borrow)]
    pub ticket_etype: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Http<'a> {
    #[serde(borrow)]
    pub auth_scheme: Option<Str<'a>>,
    #[serde(borrow)]
    pub user: Option<Str<'a>>,
    #[serde(borrow)]
    pub app: Option<Str<'a>>,
    #[serde(borrow)]
    pub encryption: Option<Str<'a>>,
    pub status: Option<u16>,
}

#[derive(Debug, Default, Deserialize)]
/// Only whether there is one.
pub struct Tls {}

#[derive(Debug, Default, Deserialize)]
pub struct Dcerpc<'a> {
    #[serde(borrow)]
    pub interface_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub operation: Option<Str<'a>>,
    #[serde(borrow)]
    pub command: Option<Str<'a>>,
    #[serde(borrow)]
    pub service_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub task_name: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Krb5<'a> {
    #[serde(borrow)]
    pub request_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub cname: Option<Str<'a>>,
    #[serde(borrow)]
    pub realm: Option<Str<'a>>,
    #[serde(borrow)]
    pub sname: Option<Str<'a>>,
    #[serde(borrow)]
    pub preauth: Option<Str<'a>>,
    #[serde(borrow)]
    pub status: Option<Str<'a>>,
    #[serde(borrow)]
    pub ticket_etype: Option<Str<'a>>,
    #[serde(borrow)]
    pub reply_etype: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Ldap<'a> {
    #[serde(borrow)]
    pub bind_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub bind_dn: Option<Str<'a>>,
    #[serde(borrow)]
    pub sasl_mech: Option<Str<'a>>,
    pub starttls: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Name<'a> {
    #[serde(borrow)]
    pub protocol: Option<Str<'a>>,
    #[serde(borrow)]
    pub query: Option<Str<'a>>,
    #[serde(borrow)]
    pub querier: Option<Str<'a>>,
    #[serde(borrow)]
    pub responder: Option<Str<'a>>,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
pub struct Stats {
    #[serde(default)]
    pub packets: u64,
    #[serde(default)]
    pub bytes: u64,
}

fn rfc3339<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let text = Str::deserialize(deserializer)?;
    let time = chrono::DateTime::parse_from_rfc3339(&text).map_err(serde::de::Error::custom)?;
    Ok(u64::try_from(time.timestamp_micros()).unwrap_or(0))
}

impl<'a> Line<'a> {
    /// Reads one JSON line.
    pub fn parse(text: &'a str) -> serde_json::Result<Line<'a>> {
        serde_json::from_str(text)
    }

    /// The same view of an engine event, borrowed from it: no JSON in between.
    pub fn of_event(event: &'a Event) -> Line<'a> {
        // Destructured whole: an object added to the engine's output does not compile until
        // it is mapped here (its JSON twin above is what the daemon's output gives).
        // `tcp` (stream.overlap.conflict's evidence) says nothing the report counts.
        let Objects { smb, ntlm, kerberos, krb5, http, tls, dcerpc, ldap, name, tcp: _ } = &*event.objects;
        let flow = event.flow.as_ref();
        Line {
            timestamp: event.timestamp.micros(),
            event_type: Cow::Borrowed(event.kind.name()),
            // A capture read in process is one sensor's traffic.
            host: None,
            flow_id: flow.map(|f| f.flow_id),
            src_ip: flow.map(|f| f.src_ip),
            dest_ip: flow.map(|f| f.dest_ip),
            dest_port: flow.map(|f| f.dest_port),
            community_id: flow.map(|f| Cow::Borrowed(f.community_id.as_str())),
            alert: match &event.kind {
                EventKind::Alert(a) => Some(Alert {
                    rule: Cow::Borrowed(a.rule.id()),
                    severity: Cow::Borrowed(a.severity.name()),
                    message: Cow::Borrowed(&a.message),
                    count: a.count,
                }),
                _ => None,
            },
            smb: smb.as_ref().map(Smb::of),
            ntlm: ntlm.as_ref().map(Ntlm::of),
            kerberos: kerberos.as_deref().map(Kerberos::of),
            http: http.as_ref().map(Http::of),
            tls: tls.as_deref().map(|_: &TlsObject| Tls {}),
            dcerpc: dcerpc.as_deref().map(Dcerpc::of),
            krb5: krb5.as_deref().map(Krb5::of),
            ldap: ldap.as_deref().map(Ldap::of),
            name: name.as_deref().map(Name::of),
            stats: None,
        }
    }
}

fn b(value: &Option<String>) -> Option<Str<'_>> {
    value.as_deref().map(Cow::Borrowed)
}

impl<'a> Smb<'a> {
    fn of(s: &'a SmbObject) -> Smb<'a> {
        Smb {
            version: s.version,
            session_id: s.session_id.as_deref().map(Cow::Borrowed),
            dialects_offered: s.dialects_offered.as_ref().map(|d| d.iter().map(|x| Cow::Borrowed(&**x)).collect()),
            dialect: s.dialect.as_deref().map(Cow::Borrowed),
            signing_required: s.signing_required,
            signed: s.signed,
            encrypted: s.encrypted,
            guest: s.guest,
            anonymous: s.anonymous,
            server_name: b(&s.server_name),
        }
    }
}

impl<'a> Ntlm<'a> {
    fn of(n: &'a NtlmObject) -> Ntlm<'a> {
        Ntlm {
            user: b(&n.user),
            domain: b(&n.domain),
            host: b(&n.host),
            version: n.version.map(|v| Cow::Borrowed(v.as_str())),
            status: n.status.map(|s| Cow::Borrowed(s.as_str())),
            server_dns_name: b(&n.server_dns_name),
            server_nb_name: b(&n.server_nb_name),
        }
    }
}

impl<'a> Ldap<'a> {
    fn of(l: &'a LdapObject) -> Ldap<'a> {
        Ldap { bind_type: l.bind_type.map(Cow::Borrowed), bind_dn: b(&l.bind_dn), sasl_mech: b(&l.sasl_mech), starttls: l.starttls }
    }
}

impl<'a> Kerberos<'a> {
    fn of(k: &'a KerberosObject) -> Kerberos<'a> {
        Kerberos { sname: b(&k.sname), ticket_etype: b(&k.ticket_etype) }
    }
}

impl<'a> Http<'a> {
    fn of(h: &'a HttpObject) -> Http<'a> {
        Http { auth_scheme: b(&h.auth_scheme), user: b(&h.user), app: b(&h.app), encryption: b(&h.encryption), status: h.status }
    }
}

impl<'a> Dcerpc<'a> {
    fn of(d: &'a DcerpcObject) -> Dcerpc<'a> {
        Dcerpc {
            interface_name: d.interface_name.map(Cow::Borrowed),
            operation: d.operation.map(Cow::Borrowed),
            command: b(&d.command),
            service_name: b(&d.service_name),
            task_name: b(&d.task_name),
        }
    }
}

impl Name<'_> {
    fn of(n: &NameObject) -> Name<'_> {
        Name {
            protocol: Some(Cow::Borrowed(n.protocol)),
            query: Some(Cow::Borrowed(&n.query)),
            querier: Some(Cow::Owned(n.querier.to_string())),
            responder: Some(Cow::Owned(n.responder.to_string())),
        }
    }
}

impl<'a> Krb5<'a> {
    fn of(k: &'a Krb5Object) -> Krb5<'a> {
        Krb5 {
            request_type: k.request_type.map(Cow::Borrowed),
            cname: b(&k.cname),
            realm: b(&k.realm),
            sname: b(&k.sname),
            preauth: k.preauth.map(Cow::Borrowed),
            status: b(&k.status),
            ticket_etype: b(&k.ticket_etype),
            reply_etype: b(&k.reply_etype),
        }
    }
}
