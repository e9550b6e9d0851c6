//! Posture figures for `/metrics`: how many SMB servers require signing, how many still speak
//! SMB1, how much of the authentication is NTLM, how many directories accept LDAP binds in clear
//! or without signing. Counts only, never a per-address label, so the
//! number of series is fixed whatever the network's size; the servers behind the counts are
//! held in a table of at most [`MAX_SERVERS`] addresses (past it, new servers are counted as
//! shed). `hardwire report` gives the same facts per server.

use std::collections::HashMap;
use std::net::IpAddr;

use foldhash::fast::RandomState;
use hardwire::event::NtlmKind;
use hardwire::{Event, EventKind};

/// Servers the posture remembers (a few bytes each).
pub const MAX_SERVERS: usize = 65_536;

const SIGNING_REQUIRED: u8 = 1;
const SIGNING_NOT_REQUIRED: u8 = 2;
const SMB1: u8 = 4;
const NTLM_IN: u8 = 8;
const LDAP_UNSIGNED: u8 = 16;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Posture {
    /// What each server showed, as the bits above.
    /// Hashed with foldhash, seeded at random (addresses come off the wire), not SipHash: a
    /// lookup for every SMB, HTTP and LDAP line.
    servers: HashMap<IpAddr, u8, RandomState>,
    /// Servers not remembered because the table was full.
    pub servers_shed: u64,
    /// Records carrying an NTLM AUTHENTICATE, a Kerberos AP-REQ; of the former, NTLMv1.
    pub ntlm: u64,
    pub kerberos: u64,
    pub ntlm_v1: u64,
}

/// The gauges, computed from the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostureGauges {
    pub smb_signing_required: u64,
    pub smb_signing_not_required: u64,
    pub smb_signing_mixed: u64,
    pub smb1_servers: u64,
    pub ntlm_servers: u64,
    /// LDAP servers that accepted a simple bind with a password in clear, or a SASL or Sicily
    /// bind without signing or sealing, outside TLS.
    pub ldap_unsigned_servers: u64,
    pub servers: u64,
}

impl Posture {
    /// Folds in a record (alerts repeat their record's evidence and are passed over).
    pub fn observe(&mut self, event: &Event) {
        if matches!(event.kind, EventKind::Alert(_)) {
            return;
        }
        let objects = &event.objects;
        let ntlm = objects.ntlm.as_ref().filter(|n| n.version != Some(NtlmKind::Anonymous));
        if let Some(n) = ntlm {
            self.ntlm += 1;
            self.ntlm_v1 += u64::from(n.version == Some(NtlmKind::V1));
        } else if objects.kerberos.is_some() {
            self.kerberos += 1;
        }
        let mut bits = u8::from(ntlm.is_some()) * NTLM_IN;
        if let Some(smb) = &objects.smb {
            bits |= match smb.signing_required {
                Some(true) => SIGNING_REQUIRED,
                Some(false) => SIGNING_NOT_REQUIRED,
                None => 0,
            };
            bits |= u8::from(smb.version == Some(1)) * SMB1;
        }
        if let Some(ldap) = objects.ldap.as_ref().filter(|l| l.result.as_deref() == Some("success") && l.tls != Some(true)) {
            let in_clear = ldap.bind_type == Some("simple") && ldap.password_sent == Some(true);
            bits |= u8::from(in_clear || ldap.signing == Some("none")) * LDAP_UNSIGNED;
        }
        let Some(server) = event.flow.as_ref().map(|f| f.dest_ip).filter(|_| bits != 0) else { return };
        let room = self.servers.len() < MAX_SERVERS;
        match self.servers.get_mut(&server) {
            Some(known) => *known |= bits,
            None if room => {
                self.servers.insert(server, bits);
            }
            None => self.servers_shed += 1,
        }
    }

    pub fn gauges(&self) -> PostureGauges {
        let mut g = PostureGauges { servers: self.servers.len() as u64, ..PostureGauges::default() };
        for &bits in self.servers.values() {
            match (bits & SIGNING_REQUIRED != 0, bits & SIGNING_NOT_REQUIRED != 0) {
                (true, false) => g.smb_signing_required += 1,
                (false, true) => g.smb_signing_not_required += 1,
                (true, true) => g.smb_signing_mixed += 1,
                (false, false) => {}
            }
            g.smb1_servers += u64::from(bits & SMB1 != 0);
            g.ntlm_servers += u64::from(bits & NTLM_IN != 0);
            g.ldap_unsigned_servers += u64::from(bits & LDAP_UNSIGNED != 0);
        }
        g
    }

    /// NTLM's share of the NTLM and Kerberos authentications seen (0 when there were none).
    pub fn ntlm_share(&self) -> f64 {
        let total = self.ntlm + self.kerberos;
        if total == 0 {
            0.0
        } else {
            self.ntlm as f64 / total as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::sync::Arc;

    use hardwire::event::{FlowInfo, LdapObject, NtlmObject, Objects, SmbObject};
    use hardwire::Timestamp;
    use hardwire_flow::community_id::community_id;
    use hardwire_flow::key::Endpoint;

    use super::*;

    fn record(server: u8, objects: Objects) -> Event {
        let client = Endpoint { ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), port: 50000 };
        let server = Endpoint { ip: IpAddr::V4(Ipv4Addr::new(10, 0, 1, server)), port: 445 };
        let flow = FlowInfo {
            flow_id: 1,
            src_ip: client.ip,
            src_port: client.port,
            dest_ip: server.ip,
            dest_port: server.port,
            proto: "TCP",
            community_id: community_id(0, client, server, 6),
        };
        Event { timestamp: Timestamp(1), flow: Some(flow), kind: EventKind::Smb, objects: Arc::new(objects) }
    }

    fn smb(signing_required: bool, version: u8) -> Option<SmbObject> {
        Some(SmbObject { signing_required: Some(signing_required), version: Some(version), ..SmbObject::default() })
    }

    #[test]
    fn servers_are_counted_by_what_they_showed() {
        let mut p = Posture::default();
        let ntlm = |v: NtlmKind| Some(NtlmObject { user: Some("u".into()), version: Some(v), ..NtlmObject::default() });
        p.observe(&record(1, Objects { smb: smb(true, 2), ntlm: ntlm(NtlmKind::V2), ..Objects::default() }));
        p.observe(&record(2, Objects { smb: smb(false, 1), ntlm: ntlm(NtlmKind::V1), ..Objects::default() }));
        p.observe(&record(3, Objects { smb: smb(false, 2), kerberos: Some(Box::default()), ..Objects::default() }));
        p.observe(&record(3, Objects { smb: smb(true, 2), ntlm: ntlm(NtlmKind::Anonymous), ..Objects::default() }));
        let bind = |result: &str, signing: Option<&'static str>| LdapObject {
            bind_type: Some("sasl"),
            result: Some(result.into()),
            tls: Some(false),
            signing,
            ..LdapObject::default()
        };
        // A sealed bind and a refused unsigned one say nothing weak; an unsigned success does.
        p.observe(&record(4, Objects { ldap: Some(Box::new(bind("success", Some("sealed")))), ..Objects::default() }));
        p.observe(&record(4, Objects { ldap: Some(Box::new(bind("strongerAuthRequired", Some("none")))), ..Objects::default() }));
        p.observe(&record(1, Objects { ldap: Some(Box::new(bind("success", Some("none")))), ..Objects::default() }));
        assert_eq!(
            p.gauges(),
            PostureGauges {
                smb_signing_required: 1,
                smb_signing_not_required: 1,
                smb_signing_mixed: 1,
                smb1_servers: 1,
                ntlm_servers: 2,
                ldap_unsigned_servers: 1,
                servers: 3
            }
        );
        assert_eq!((p.ntlm, p.ntlm_v1, p.kerberos), (2, 1, 1));
        assert!((p.ntlm_share() - 2.0 / 3.0).abs() < 1e-9);
    }
}
