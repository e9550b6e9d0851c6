//! Counters the engine keeps: they feed the `stats` line and the Prometheus endpoint.

use std::collections::{BTreeMap, BTreeSet};

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
    pub kerberos: KerberosPosture,
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
        self.kerberos.merge(&other.kerberos);
    }
}

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
