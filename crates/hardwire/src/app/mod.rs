//! Protocol state machines above the reassembler. Each flow holds one [`App`]: still sniffing,
//! one protocol, or ignored. Apps never see raw TCP packets, only in-order stream bytes and
//! gaps; a UDP flow's app gets each datagram whole with its direction. They emit records;
//! detection runs on those records in [`crate::detect`].

pub mod auth;
pub mod dcerpc;
pub mod http;
pub mod krb5;
pub mod ldap;
pub mod names;
pub mod ntlm_scan;
pub mod smb;
pub mod tls;

use std::sync::Arc;

use hardwire_flow::{Direction, Endpoint};

use crate::config::Config;
use crate::dispatch::{sniff, sniff_datagram, Protocol, Sniff};
use crate::event::{EventKind, Objects};
use crate::shared::Shared;
use crate::stats::EngineStats;
use crate::time::Timestamp;

/// A record an app emits; the engine adds the flow fields and runs detection on it.
#[derive(Debug)]
pub(crate) struct Record {
    pub kind: EventKind,
    /// Shared: the event, its alerts and the app (an SMB session's last record) hold it as is.
    pub objects: Arc<Objects>,
    pub timestamp: Timestamp,
    /// For a further record of the same thing (an SMB session whose state changed): the objects
    /// of its previous record, so that detection raises only what is new.
    pub previous: Option<Arc<Objects>>,
}

/// What an app may use while it handles bytes.
pub(crate) struct AppContext<'a> {
    pub now: Timestamp,
    pub config: &'a Config,
    pub shared: &'a Shared,
    pub records: &'a mut Vec<Record>,
    pub stats: &'a mut EngineStats,
    /// The server's address and port, for protocols that care (WinRM on 5985, the servers
    /// remembered for SMB downgrades...).
    pub server_ip: std::net::IpAddr,
    pub server_port: u16,
}

/// Runs `f` with an `AppContext` over the default configuration, as for a server at
/// 127.0.0.1:445; returns what `f` returned, the records made and the stats. For unit tests.
#[cfg(test)]
pub(crate) fn with_test_context<T>(f: impl FnOnce(&mut AppContext) -> T) -> (T, Vec<Record>, EngineStats) {
    let config = Config::default();
    let shared = Shared::new(&config);
    let mut records = Vec::new();
    let mut stats = EngineStats::default();
    let mut cx = AppContext {
        now: Timestamp(0),
        config: &config,
        shared: &shared,
        records: &mut records,
        stats: &mut stats,
        server_ip: std::net::Ipv4Addr::LOCALHOST.into(),
        server_port: 445,
    };
    let out = f(&mut cx);
    (out, records, stats)
}

impl AppContext<'_> {
    pub fn emit(&mut self, kind: EventKind, objects: Objects) {
        self.records.push(Record { kind, objects: Arc::new(objects), timestamp: self.now, previous: None });
    }

    /// A further record of something already recorded, whose previous record was `previous`.
    pub fn emit_update(&mut self, kind: EventKind, objects: Arc<Objects>, previous: Option<Arc<Objects>>) {
        self.records.push(Record { kind, objects, timestamp: self.now, previous });
    }

    pub fn parse_error(&mut self, protocol: &'static str) {
        *self.stats.parse_errors.entry(protocol).or_default() += 1;
    }
}

/// The protocol side of one flow.
#[derive(Debug, Default)]
pub(crate) enum App {
    /// No protocol recognised yet: the first bytes decide.
    #[default]
    Sniffing,
    /// No protocol of ours: the first bytes are searched for NTLM, then skipped.
    Scanning(Box<ntlm_scan::NtlmScan>),
    /// SMB over NetBIOS session framing (445, 139, or recognised on any port).
    Smb(Box<smb::SmbFlow>),
    /// DCE/RPC directly over TCP (ncacn_ip_tcp): one conversation, no pipe.
    Dcerpc(Box<dcerpc::Conversation>),
    /// HTTP/1.x: requests and responses paired per connection.
    Http(Box<http::Http>),
    /// TLS: the hellos, then the flow is skipped.
    Tls(Box<tls::Tls>),
    /// Kerberos to a KDC, over TCP or UDP.
    Krb5(Box<krb5::Kdc>),
    /// LLMNR, NBT-NS or mDNS: each datagram read on its own, paired across flows.
    Name(hardwire_names::Flavor),
    /// LDAP: binds, StartTLS.
    Ldap(Box<ldap::Ldap>),
    /// A UDP flow no protocol of ours speaks: its datagrams are counted with the flow, unread.
    Ignored,
}

/// What losing a flow would cost, in the order a memory budget sheds flows
/// ([`hardwire_flow::TIERS`]): bulk and stateless flows first, flows in the middle of an
/// authentication last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tier {
    /// Nothing read yet (a half-open connection, a protocol not yet recognised), or nothing
    /// more to read (TLS after its hellos, a tunnel, an unknown UDP flow, a finished scan).
    Bulk = 0,
    /// A protocol's state between its authentications.
    Protocol = 1,
    /// A logon under way: its tokens seen, its outcome not yet.
    Authenticating = 2,
}

/// What an entry of a map or list costs beyond its own size (node, links, allocator): an
/// estimate, as are the sizes of the strings a record holds.
pub(crate) const ENTRY_OVERHEAD: usize = 64;

/// The entry to give up before `key` goes into `map` (a connection's sessions, trees, pipes, a
/// conversation's contexts): its least recently used one, when the map is full and `key` is new.
/// A scan of the `cap` entries, only when full.
pub(crate) fn least_recently_used<K: Ord + Copy, V>(
    map: &std::collections::BTreeMap<K, V>,
    key: &K,
    cap: usize,
    used: impl Fn(&V) -> u64,
) -> Option<K> {
    if map.len() < cap || map.contains_key(key) {
        return None;
    }
    map.iter().min_by_key(|(_, value)| used(value)).map(|(key, _)| *key)
}

/// Bytes to see before giving up on recognising a protocol.
const SNIFF_LIMIT: usize = 64;

impl App {
    /// In-order bytes of one direction; returns how many were consumed (see
    /// [`hardwire_flow::StreamSink::data`]).
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        if let App::Sniffing = self {
            match sniff(dir, data, cx.server_port, &cx.config.ports) {
                Sniff::NeedMore if data.len() < SNIFF_LIMIT => return 0,
                Sniff::NeedMore | Sniff::No => {
                    *self = App::Scanning(Box::default());
                }
                Sniff::Is(protocol) => *self = App::start(protocol),
            }
        }
        match self {
            App::Sniffing => data.len() as u64,
            App::Scanning(scan) => scan.data(dir, data, cx),
            App::Smb(smb) => smb.data(dir, data, cx),
            App::Dcerpc(conversation) => conversation.data(dir, data, &Objects::default, cx),
            App::Http(http) => http.data(dir, data, cx),
            App::Tls(tls) => tls.data(dir, data, cx),
            App::Krb5(kdc) => kdc.data(dir, data, cx),
            App::Ldap(ldap) => ldap.data(dir, data, cx),
            App::Name(_) | App::Ignored => data.len() as u64,
        }
    }

    /// One UDP datagram of the flow, with its (source, destination): its first decides the
    /// protocol (by content, else port).
    pub fn datagram(&mut self, dir: Direction, ends: (Endpoint, Endpoint), data: &[u8], cx: &mut AppContext) {
        if let App::Sniffing = self {
            *self = sniff_datagram(dir, data, cx.server_port, &cx.config.ports).map_or(App::Ignored, App::start);
        }
        match self {
            App::Krb5(kdc) => kdc.datagram(data, cx),
            App::Name(flavor) => names::datagram(*flavor, ends, data, cx),
            _ => {}
        }
    }

    pub fn gap(&mut self, dir: Direction, len: u64, cx: &mut AppContext) {
        let _ = len;
        match self {
            App::Smb(smb) => smb.gap(dir, cx),
            App::Dcerpc(conversation) => conversation.gap(dir, cx),
            App::Http(http) => http.gap(dir),
            App::Tls(tls) => tls.gap(dir, cx),
            App::Krb5(kdc) => kdc.gap(dir),
            App::Ldap(ldap) => ldap.gap(dir),
            App::Sniffing | App::Scanning(_) | App::Name(_) | App::Ignored => {}
        }
    }

    /// The connection ended (closed, timed out, evicted, end of capture): flush records.
    pub fn close(&mut self, cx: &mut AppContext) {
        match self {
            App::Smb(smb) => smb.close(cx),
            App::Dcerpc(conversation) => conversation.close(&Objects::default, cx),
            App::Http(http) => http.close(cx),
            App::Tls(tls) => tls.close(cx),
            App::Krb5(kdc) => kdc.close(cx),
            App::Ldap(ldap) => ldap.close(cx),
            App::Sniffing | App::Scanning(_) | App::Name(_) | App::Ignored => {}
        }
    }

    /// The protocol has seen enough: the rest of the flow is skipped without buffering.
    pub fn seen_enough(&self) -> bool {
        match self {
            App::Scanning(scan) => scan.seen_enough(),
            App::Http(http) => http.seen_enough(),
            App::Tls(tls) => tls.seen_enough(),
            App::Ldap(ldap) => ldap.seen_enough(),
            App::Ignored => true,
            _ => false,
        }
    }

    /// Bytes the app holds, estimated from the sizes of its parts and the lengths of its tables
    /// and buffers (no walk over anything longer than a connection's handful of pipes).
    pub fn memory(&self) -> usize {
        use std::mem::size_of_val;
        match self {
            App::Sniffing | App::Name(_) | App::Ignored => 0,
            App::Scanning(scan) => size_of_val(&**scan) + scan.memory(),
            App::Smb(smb) => size_of_val(&**smb) + smb.memory(),
            App::Dcerpc(conversation) => size_of_val(&**conversation) + conversation.memory(),
            App::Http(http) => size_of_val(&**http) + http.memory(),
            App::Tls(tls) => size_of_val(&**tls),
            App::Krb5(kdc) => size_of_val(&**kdc) + kdc.memory(),
            App::Ldap(ldap) => size_of_val(&**ldap) + ldap.memory(),
        }
    }

    /// Where the flow stands in the order a memory budget sheds flows.
    pub fn tier(&self) -> Tier {
        let authenticating = match self {
            // A name flow keeps nothing: its pending queries are in the shared table.
            App::Sniffing | App::Name(_) => return Tier::Bulk,
            _ if self.seen_enough() => return Tier::Bulk,
            App::Scanning(scan) => scan.authenticating(),
            App::Smb(smb) => smb.authenticating(),
            App::Dcerpc(conversation) => conversation.authenticating(),
            App::Http(http) => http.authenticating(),
            App::Krb5(kdc) => kdc.authenticating(),
            App::Ldap(ldap) => ldap.authenticating(),
            App::Tls(_) | App::Ignored => false,
        };
        if authenticating {
            Tier::Authenticating
        } else {
            Tier::Protocol
        }
    }

    fn start(protocol: Protocol) -> App {
        match protocol {
            Protocol::Dcerpc => App::Dcerpc(Box::new(dcerpc::Conversation::new(None))),
            Protocol::Http => App::Http(Box::default()),
            Protocol::Tls => App::Tls(Box::default()),
            Protocol::Smb => App::Smb(Box::default()),
            Protocol::Krb5 => App::Krb5(Box::default()),
            Protocol::Name(flavor) => App::Name(flavor),
            Protocol::Ldap => App::Ldap(Box::default()),
        }
    }
}
