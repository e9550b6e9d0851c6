//! Counters the engine keeps: they feed the `stats` line and the Prometheus endpoint.

use std::collections::BTreeMap;

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
    /// Malformed protocol messages, per protocol (`smb`, `http`, `dcerpc`, `tls`, `auth`, `krb5`).
    pub parse_errors: BTreeMap<&'static str, u64>,
    /// SMB dialects negotiated (by spelling), authentication mechanisms seen.
    pub smb_dialects: BTreeMap<String, u64>,
    pub auth_mechanisms: BTreeMap<&'static str, u64>,
    /// Newest packet time seen (microseconds), for capture lag.
    pub last_packet_us: u64,
}

impl EngineStats {
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
        for (k, v) in &other.parse_errors {
            *self.parse_errors.entry(k).or_default() += v;
        }
        for (k, v) in &other.smb_dialects {
            *self.smb_dialects.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.auth_mechanisms {
            *self.auth_mechanisms.entry(k).or_default() += v;
        }
        self.last_packet_us = self.last_packet_us.max(other.last_packet_us);
    }
}
