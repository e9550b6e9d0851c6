//! Counters the engine keeps: they feed the `stats` line and the Prometheus endpoint.

use std::collections::{BTreeMap, BTreeSet};

use hardwire_flow::{StreamCounters, TcpCounters};
use hardwire_smb::names::known_dialect;
use serde::Serialize;

/// Engine-level counters. Events and alerts are counted where they are written (after
/// suppression), not here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineStats {
    pub packets: u64,
    pub bytes: u64,
    pub flows: u64,
    pub flows_active: u64,
    pub flows_evicted: u64,
    pub decode_errors: u64,
    pub reassembly_gaps: u64,
    pub retransmissions: u64,
    pub fragments_dropped: u64,
    /// What the TCP layer refused or doubted.
    pub tcp: TcpStats,
    /// New keys the cross-connection correlation tables refused, full of live entries. The
    /// tables are shared by the workers, so each worker reports the same figure.
    pub correlation_shed: u64,
    /// Malformed protocol messages, per protocol (`smb`, `http`, `dcerpc`, `tls`, `auth`, `krb5`).
    pub parse_errors: BTreeMap<&'static str, u64>,
    /// SMB dialects negotiated (by spelling, see [`EngineStats::count_smb_dialect`]),
    /// authentication mechanisms seen.
    pub smb_dialects: BTreeMap<&'static str, u64>,
    pub auth_mechanisms: BTreeMap<&'static str, u64>,
    pub kerberos: KerberosPosture,
    pub names: NamePosture,
    /// NTLMSSP messages the fallback scanner parsed: its work, bounded per flow.
    pub ntlm_scan_parsed: u64,
    /// LDAP PDUs wrapped by a SASL security layer, read or not.
    pub ldap_sasl_pdus: SaslPdus,
    /// Newest packet time seen (microseconds), for capture lag.
    pub last_packet_us: u64,
    /// Bytes held against the memory budget and what was shed to stay inside it (the
    /// `stats.memory` object).
    pub memory: MemoryStats,
}

/// The `stats.memory` object (SCHEMA.md): bytes held against the budget, and what was shed to
/// stay inside it and the caps. Live, each worker's figures include its share of the shared
/// state, and the sensor's are the workers' summed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemoryStats {
    /// `limits.memory_budget` of every worker.
    pub budget_bytes: u64,
    /// Held now: flows (table, reassembly, protocol state), fragments, stats maps, and the
    /// shared state (suppression windows, server memory, correlation tables).
    pub bytes: u64,
    /// The most held at once (live: the workers' own peaks summed, an upper bound).
    pub peak_bytes: u64,
    /// Flows shed to stay within the budget, by tier, their records written as at a timeout:
    /// bulk and stateless flows, flows with protocol state, flows in the middle of an
    /// authentication.
    pub flows_shed_bulk: u64,
    pub flows_shed_protocol: u64,
    pub flows_shed_authenticating: u64,
    /// Suppression windows closed (their summaries written) before their time, to stay within
    /// `suppression.max_windows` or the budget.
    pub suppressor_windows_closed_early: u64,
    /// Servers the downgrade memory forgot, to stay within `limits.max_servers_remembered` or
    /// the budget. Shared by the workers: live mode keeps the largest worker figure.
    pub servers_forgotten: u64,
    /// Entries of a connection's tables given up to stay within their caps (`limits.max_smb_*`,
    /// `limits.max_dcerpc_contexts`), by table; written only when some were.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub app_state_evicted: BTreeMap<&'static str, u64>,
}

impl MemoryStats {
    /// Flows shed, by tier ([`crate::app::Tier`] order).
    pub(crate) fn count_shed(&mut self, tier: usize) {
        match tier {
            0 => self.flows_shed_bulk += 1,
            1 => self.flows_shed_protocol += 1,
            _ => self.flows_shed_authenticating += 1,
        }
    }

    /// One entry of a connection's table given up (see `app_state_evicted`).
    pub(crate) fn count_evicted(&mut self, table: &'static str) {
        *self.app_state_evicted.entry(table).or_default() += 1;
    }

    fn merge(&mut self, other: &MemoryStats) {
        self.budget_bytes += other.budget_bytes;
        self.bytes += other.bytes;
        self.peak_bytes += other.peak_bytes;
        self.flows_shed_bulk += other.flows_shed_bulk;
        self.flows_shed_protocol += other.flows_shed_protocol;
        self.flows_shed_authenticating += other.flows_shed_authenticating;
        self.suppressor_windows_closed_early += other.suppressor_windows_closed_early;
        self.servers_forgotten = self.servers_forgotten.max(other.servers_forgotten);
        for (table, count) in &other.app_state_evicted {
            *self.app_state_evicted.entry(table).or_default() += count;
        }
    }
}

impl EngineStats {
    /// What the stats maps hold (the posture tables' labels; the other maps have a handful of
    /// fixed keys), for the memory budget.
    pub(crate) fn map_bytes(&self) -> usize {
        let fixed = self.parse_errors.len() + self.smb_dialects.len() + self.auth_mechanisms.len();
        let k = &self.kerberos;
        let labels = k.kdcs.len() + k.weak_tickets.len() + k.accounts_without_preauth.len();
        fixed * 64 + labels * LABEL_BYTES
    }

    /// Counts a negotiated dialect under its spelling if it is a known one, else as `other`:
    /// made-up SMB1 dialect strings cannot grow the map, the copies of it the workers publish,
    /// or the label set of `/metrics`.
    pub fn count_smb_dialect(&mut self, spelling: &str) {
        let key = known_dialect(spelling).unwrap_or("other");
        *self.smb_dialects.entry(key).or_default() += 1;
    }

    /// Adds another worker's counters (live mode sums its workers).
    pub fn merge(&mut self, other: &EngineStats) {
        self.packets += other.packets;
        self.bytes += other.bytes;
        self.flows += other.flows;
        self.flows_active += other.flows_active;
        self.flows_evicted += other.flows_evicted;
        self.decode_errors += other.decode_errors;
        self.reassembly_gaps += other.reassembly_gaps;
        self.retransmissions += other.retransmissions;
        self.fragments_dropped += other.fragments_dropped;
        self.tcp.merge(&other.tcp);
        self.correlation_shed = self.correlation_shed.max(other.correlation_shed);
        self.ntlm_scan_parsed += other.ntlm_scan_parsed;
        self.ldap_sasl_pdus.read += other.ldap_sasl_pdus.read;
        self.ldap_sasl_pdus.unread += other.ldap_sasl_pdus.unread;
        for (k, v) in &other.parse_errors {
            *self.parse_errors.entry(k).or_default() += v;
        }
        for (k, v) in &other.smb_dialects {
            *self.smb_dialects.entry(k).or_default() += v;
        }
        self.memory.merge(&other.memory);
        for (k, v) in &other.auth_mechanisms {
            *self.auth_mechanisms.entry(k).or_default() += v;
        }
        self.last_packet_us = self.last_packet_us.max(other.last_packet_us);
        self.kerberos.merge(&other.kerberos);
        self.names.merge(&other.names);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posture_tables_keep_to_their_cap() {
        let mut posture = KerberosPosture::default();
        for kdc in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
            posture.as_request(kdc, "none", 2);
        }
        posture.as_request("10.0.0.1", "pkinit", 2);
        let labels: Vec<&str> = posture.kdcs.keys().map(String::as_str).collect();
        assert_eq!(labels, ["10.0.0.1", "10.0.0.2", "other"]);
        assert_eq!(posture.kdcs["10.0.0.1"], AsRequests { all: 2, fast: 0, pkinit: 1 });
        for account in ["a", "b", "c", "a"] {
            posture.without_preauth(account, 2);
        }
        assert_eq!((posture.accounts_without_preauth.len(), posture.accounts_without_preauth_unlisted), (2, 1));
    }

    #[test]
    fn made_up_dialects_are_counted_as_other() {
        let mut stats = EngineStats::default();
        stats.count_smb_dialect("NT LM 0.12");
        stats.count_smb_dialect("3.1.1");
        for i in 0..1000 {
            stats.count_smb_dialect(&format!("attacker dialect {i}"));
        }
        assert_eq!(stats.smb_dialects, BTreeMap::from([("NT LM 0.12", 1), ("3.1.1", 1), ("other", 1000)]));
    }
}

/// What a label of the posture tables costs: the entry, and a name (up to a few dozen bytes).
const LABEL_BYTES: usize = 192;

/// How a domain's Kerberos is set up, as its KDC traffic shows it. Each table holds at most
/// `limits.max_posture_labels` labels per worker; beyond, KDCs and services are counted under
/// `"other"` and accounts only in `accounts_without_preauth_unlisted`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KerberosPosture {
    /// AS-REQs per KDC address.
    pub kdcs: BTreeMap<String, AsRequests>,
    /// Tickets issued with RC4 or DES, per service.
    pub weak_tickets: BTreeMap<String, u64>,
    /// Accounts the KDC answered with an AS-REP without pre-authentication.
    pub accounts_without_preauth: BTreeSet<String>,
    pub accounts_without_preauth_unlisted: u64,
}

/// A KDC's AS-REQs: all, those armored with FAST, those with PKINIT.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsRequests {
    pub all: u64,
    pub fast: u64,
    pub pkinit: u64,
}

/// The label a new key gets in a table of at most `cap` labels.
fn label(known: bool, len: usize, cap: usize, key: &str) -> String {
    if known || len < cap {
        key.to_string()
    } else {
        "other".to_string()
    }
}

impl KerberosPosture {
    pub fn is_empty(&self) -> bool {
        self.kdcs.is_empty() && self.weak_tickets.is_empty() && self.accounts_without_preauth_unlisted == 0
    }

    /// Counts an AS-REQ to `kdc` and how it was pre-authenticated.
    pub fn as_request(&mut self, kdc: &str, preauth: &str, cap: usize) {
        let key = label(self.kdcs.contains_key(kdc), self.kdcs.len(), cap, kdc);
        let requests = self.kdcs.entry(key).or_default();
        requests.all += 1;
        requests.fast += u64::from(preauth == "fast");
        requests.pkinit += u64::from(preauth == "pkinit");
    }

    /// Counts a ticket for `service` issued with a weak etype.
    pub fn weak_ticket(&mut self, service: &str, cap: usize) {
        let key = label(self.weak_tickets.contains_key(service), self.weak_tickets.len(), cap, service);
        *self.weak_tickets.entry(key).or_default() += 1;
    }

    /// Notes an account that got an AS-REP without pre-authentication.
    pub fn without_preauth(&mut self, account: &str, cap: usize) {
        if self.accounts_without_preauth.contains(account) {
            return;
        }
        if self.accounts_without_preauth.len() < cap {
            self.accounts_without_preauth.insert(account.to_string());
        } else {
            self.accounts_without_preauth_unlisted += 1;
        }
    }

    fn merge(&mut self, other: &KerberosPosture) {
        for (kdc, requests) in &other.kdcs {
            let mine = self.kdcs.entry(kdc.clone()).or_default();
            mine.all += requests.all;
            mine.fast += requests.fast;
            mine.pkinit += requests.pkinit;
        }
        for (service, count) in &other.weak_tickets {
            *self.weak_tickets.entry(service.clone()).or_default() += count;
        }
        self.accounts_without_preauth.extend(other.accounts_without_preauth.iter().cloned());
        self.accounts_without_preauth_unlisted += other.accounts_without_preauth_unlisted;
    }
}

/// Who still uses the local name protocols (LLMNR and NBT-NS should be off in a hardened
/// network; mDNS too on Windows clients): queries sent and answers given per protocol and host.
/// Each table holds at most `limits.max_posture_labels` hosts per worker; beyond, `"other"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamePosture {
    /// (protocol, querier address) → queries.
    pub queries: BTreeMap<(&'static str, String), u64>,
    /// (protocol, responder address) → answers.
    pub answers: BTreeMap<(&'static str, String), u64>,
}

impl NamePosture {
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty() && self.answers.is_empty()
    }

    pub fn query(&mut self, protocol: &'static str, host: std::net::IpAddr, cap: usize) {
        count_host(&mut self.queries, protocol, host, cap);
    }

    pub fn answer(&mut self, protocol: &'static str, host: std::net::IpAddr, cap: usize) {
        count_host(&mut self.answers, protocol, host, cap);
    }

    fn merge(&mut self, other: &NamePosture) {
        for (key, count) in &other.queries {
            *self.queries.entry(key.clone()).or_default() += count;
        }
        for (key, count) in &other.answers {
            *self.answers.entry(key.clone()).or_default() += count;
        }
    }
}

fn count_host(table: &mut BTreeMap<(&'static str, String), u64>, protocol: &'static str, host: std::net::IpAddr, cap: usize) {
    let host = host.to_string();
    let key = (protocol, host);
    let known = table.contains_key(&key);
    let key = (protocol, label(known, table.len(), cap, &key.1));
    *table.entry(key).or_default() += 1;
}

/// The `stats.ldap_sasl_pdus` object: LDAP PDUs after a bind's SASL security layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SaslPdus {
    /// Wrapped with integrity only, and read.
    pub read: u64,
    /// Sealed (never decrypted), or not readable (a wrapping not read, over
    /// `limits.max_pending_bytes`): skipped by their length.
    pub unread: u64,
}

impl SaslPdus {
    pub fn is_zero(&self) -> bool {
        *self == SaslPdus::default()
    }
}

/// The `stats.tcp` object: segments the TCP layer refused or doubted (SCHEMA.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TcpStats {
    /// Data, FIN or RST outside the receiver's window (and segments too far off to place).
    pub out_of_window: u64,
    /// ACKs of bytes never sent.
    pub invalid_ack: u64,
    /// Segments overlapping bytes held, and those whose bytes differed.
    pub overlaps: u64,
    pub overlap_conflicts: u64,
    /// Segments with a wrong checksum, not used; and those taken as checksum-offloaded.
    pub bad_checksum: u64,
    pub checksum_offloaded: u64,
    /// Segments whose TTL (hop limit) departed from their side's.
    pub ttl_changed: u64,
    /// SYNs with another ISN on a live connection that the server did not answer.
    pub syn_ignored: u64,
    /// Out-of-order pieces dropped to stay under the per-direction cap.
    pub segments_shed: u64,
}

impl TcpStats {
    /// Adds a finished connection's counters.
    pub fn add(&mut self, tcp: &TcpCounters, streams: &[StreamCounters]) {
        self.out_of_window += tcp.out_of_window;
        self.invalid_ack += tcp.invalid_ack;
        self.bad_checksum += tcp.bad_checksum;
        self.checksum_offloaded += tcp.checksum_offloaded;
        self.ttl_changed += tcp.ttl_changed;
        self.syn_ignored += tcp.syn_ignored;
        for stream in streams {
            self.out_of_window += stream.wild_segments;
            self.overlaps += stream.overlaps;
            self.overlap_conflicts += stream.overlap_conflicts;
            self.segments_shed += stream.pieces_shed;
        }
    }

    pub fn merge(&mut self, other: &TcpStats) {
        let TcpStats {
            out_of_window,
            invalid_ack,
            overlaps,
            overlap_conflicts,
            bad_checksum,
            checksum_offloaded,
            ttl_changed,
            syn_ignored,
            segments_shed,
        } = *other;
        self.out_of_window += out_of_window;
        self.invalid_ack += invalid_ack;
        self.overlaps += overlaps;
        self.overlap_conflicts += overlap_conflicts;
        self.bad_checksum += bad_checksum;
        self.checksum_offloaded += checksum_offloaded;
        self.ttl_changed += ttl_changed;
        self.syn_ignored += syn_ignored;
        self.segments_shed += segments_shed;
    }

    /// Each counter with its name, as on the `stats` line.
    pub fn named(&self) -> [(&'static str, u64); 9] {
        [
            ("out_of_window", self.out_of_window),
            ("invalid_ack", self.invalid_ack),
            ("overlaps", self.overlaps),
            ("overlap_conflicts", self.overlap_conflicts),
            ("bad_checksum", self.bad_checksum),
            ("checksum_offloaded", self.checksum_offloaded),
            ("ttl_changed", self.ttl_changed),
            ("syn_ignored", self.syn_ignored),
            ("segments_shed", self.segments_shed),
        ]
    }
}
