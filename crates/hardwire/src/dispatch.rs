//! Which protocol a flow speaks: by its first bytes (TCP) or first datagram (UDP) on any port,
//! else by the port.

use hardwire_flow::Direction;

use crate::config::Ports;

/// Protocols with a state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Smb,
    Http,
    Tls,
    Dcerpc,
    Krb5,
    /// LLMNR, NBT-NS or mDNS (UDP only).
    Name(hardwire_names::Flavor),
    Ldap,
}

/// The verdict on a flow's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    Is(Protocol),
    NeedMore,
    No,
}

/// Looks at the first bytes of a flow (from either side) and, failing content, its server port.
pub fn sniff(dir: Direction, data: &[u8], server_port: u16, ports: &Ports) -> Sniff {
    let by_content = [
        sniff_smb(data, server_port, ports),
        sniff_http(dir, data),
        sniff_tls(data),
        sniff_dcerpc(dir, data),
        sniff_krb5_tcp(dir, data),
        sniff_ldap(dir, data),
    ];
    if let Some(hit) = by_content.iter().find_map(|s| match s {
        Sniff::Is(p) => Some(*p),
        _ => None,
    }) {
        return Sniff::Is(hit);
    }
    if by_content.contains(&Sniff::NeedMore) {
        return Sniff::NeedMore;
    }
    // Mid-stream starts: the port decides, and the protocol resynchronises on its own.
    let by_port = [
        (&ports.smb, Protocol::Smb),
        (&ports.http, Protocol::Http),
        (&ports.winrm, Protocol::Http),
        (&ports.tls, Protocol::Tls),
        (&ports.dcerpc, Protocol::Dcerpc),
        (&ports.kerberos, Protocol::Krb5),
        (&ports.ldap, Protocol::Ldap),
    ];
    by_port.iter().find(|(list, _)| list.contains(&server_port)).map_or(Sniff::No, |(_, protocol)| Sniff::Is(*protocol))
}

/// The protocol of a UDP flow, from its first datagram: a KDC request on any port, anything on
/// a KDC port, else the name protocol of the port.
pub fn sniff_datagram(dir: Direction, data: &[u8], server_port: u16, ports: &Ports) -> Option<Protocol> {
    use hardwire_names::Flavor;
    let kdc_request = dir == Direction::ToServer && hardwire_auth::kdc::looks_like_kdc_request(data) == Some(true);
    if kdc_request || ports.kerberos.contains(&server_port) {
        return Some(Protocol::Krb5);
    }
    let by_port = [(&ports.llmnr, Flavor::Llmnr), (&ports.nbns, Flavor::Nbns), (&ports.mdns, Flavor::Mdns)];
    by_port.iter().find(|(list, _)| list.contains(&server_port)).map(|(_, flavor)| Protocol::Name(*flavor))
}

/// A KDC request behind its TCP record mark (a length below 2^31; in practice below 2^24).
fn sniff_krb5_tcp(dir: Direction, data: &[u8]) -> Sniff {
    match data {
        _ if dir != Direction::ToServer => Sniff::No,
        [0x00, _, _, _, message @ ..] => match hardwire_auth::kdc::looks_like_kdc_request(message) {
            Some(true) => Sniff::Is(Protocol::Krb5),
            Some(false) => Sniff::No,
            None => Sniff::NeedMore,
        },
        [] | [0x00, ..] => Sniff::NeedMore,
        _ => Sniff::No,
    }
}

/// An LDAP request a client opens with (bind, search, extended operation), on any port.
fn sniff_ldap(dir: Direction, data: &[u8]) -> Sniff {
    match data {
        [0x30, ..] if dir == Direction::ToServer => match crate::app::ldap::looks_like_request(data) {
            Some(true) => Sniff::Is(Protocol::Ldap),
            Some(false) => Sniff::No,
            None => Sniff::NeedMore,
        },
        _ => Sniff::No,
    }
}

/// A NetBIOS session message whose payload starts with an SMB magic (`\xFFSMB`, `\xFESMB`,
/// `\xFDSMB` or `\xFCSMB`); on a NetBIOS port, also the session request that precedes SMB.
fn sniff_smb(data: &[u8], server_port: u16, ports: &Ports) -> Sniff {
    match data {
        [0x81 | 0x82 | 0x83 | 0x85, ..] if ports.smb.contains(&server_port) => Sniff::Is(Protocol::Smb),
        [0x00, _, _, _, 0xFC..=0xFF, b'S', b'M', b'B', ..] => Sniff::Is(Protocol::Smb),
        [0x00, ..] if data.len() < 8 => Sniff::NeedMore,
        _ => Sniff::No,
    }
}

fn sniff_http(dir: Direction, data: &[u8]) -> Sniff {
    let verdict = match dir {
        Direction::ToServer => hardwire_http::looks_like_http_request(data),
        Direction::ToClient => hardwire_http::looks_like_http_response(data),
    };
    match verdict {
        hardwire_http::Sniff::Yes => Sniff::Is(Protocol::Http),
        hardwire_http::Sniff::NeedMore => Sniff::NeedMore,
        hardwire_http::Sniff::No => Sniff::No,
    }
}

/// A TLS handshake record: content type 22, major version 3.
fn sniff_tls(data: &[u8]) -> Sniff {
    match data {
        [0x16, 0x03, minor, ..] if *minor <= 0x04 => Sniff::Is(Protocol::Tls),
        [0x16] | [0x16, 0x03] => Sniff::NeedMore,
        _ => Sniff::No,
    }
}

/// A connection-oriented DCE/RPC bind (version 5.0) from the client.
fn sniff_dcerpc(dir: Direction, data: &[u8]) -> Sniff {
    if dir != Direction::ToServer {
        return Sniff::No;
    }
    if data.len() < 16 {
        return if data.first().is_none_or(|&v| v == 5) { Sniff::NeedMore } else { Sniff::No };
    }
    if hardwire_dcerpc::looks_like_dcerpc_bind(data) {
        Sniff::Is(Protocol::Dcerpc)
    } else {
        Sniff::No
    }
}
