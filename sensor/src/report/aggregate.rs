//! The fold from lines to aggregates: per finding (rule) its counts, hosts, accounts, time span
//! and a few example flows; per server and client what SMB and authentication showed; Kerberos,
//! WinRM, WebDAV, name resolution and lateral movement inventories. Memory is bounded by
//! [`Limits`]: tables hold at most `max_keys` keys each, lists a fixed number of entries.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::net::IpAddr;

use super::counts::Counts;
use super::guidance;
use super::line::{Line, Str};

/// How much the report holds, whatever the input's size, and how much of it each list shows
/// (`hardwire report --max-keys`, `--top`...).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Keys per table (hosts, accounts, names, command lines).
    pub max_keys: usize,
    /// Hosts, accounts or details each finding names before "and N more".
    pub top: usize,
    /// Rows of the per-host tables.
    pub rows: usize,
    /// Example flows kept per finding.
    pub examples: usize,
    /// Lateral movement events kept with their command lines.
    pub lateral: usize,
    /// Distinct finding ids (rule ids come from a fixed catalog; this bounds a hostile input).
    pub findings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_keys: 10_000, top: 5, rows: 15, examples: 3, lateral: 200, findings: 256 }
    }
}

#[derive(Debug, Clone)]
pub struct Example {
    pub flow_id: u64,
    pub community_id: String,
    pub time: u64,
}

/// One finding, as the lines built it up.
#[derive(Debug)]
pub struct FindingAcc {
    pub from_rule: bool,
    pub severity: String,
    pub count: u64,
    pub first: u64,
    pub last: u64,
    pub servers: Counts<IpAddr>,
    pub clients: Counts<IpAddr>,
    pub accounts: Counts<String>,
    pub details: Counts<String>,
    pub examples: Vec<Example>,
    pub message: String,
}

/// What SMB showed about one server.
#[derive(Debug, Default)]
pub struct SmbServer {
    pub sessions: u64,
    pub dialects: BTreeMap<String, u64>,
    pub smb1: u64,
    pub signing_required: u64,
    pub signing_not_required: u64,
    pub signed: u64,
    pub encrypted: u64,
    pub guest: u64,
    pub anonymous: u64,
}

/// Authentications by mechanism, for one host.
#[derive(Debug, Default, Clone, Copy)]
pub struct AuthMix {
    /// NTLM logons that did not fail (succeeded, or the protocol does not say).
    pub ntlm: u64,
    pub ntlm_v1: u64,
    /// NTLM logons refused (`ntlm.status` failure): attempts, outside the NTLM share.
    pub ntlm_failed: u64,
    pub kerberos: u64,
    pub basic: u64,
}

#[derive(Debug, Default)]
pub struct Winrm {
    pub requests: u64,
    pub schemes: BTreeMap<String, u64>,
    pub basic: u64,
    pub clear: u64,
    pub credssp: u64,
    pub tls: u64,
}

#[derive(Debug, Clone)]
pub struct Lateral {
    pub time: u64,
    pub client: Option<IpAddr>,
    pub server: Option<IpAddr>,
    pub operation: String,
    pub command: String,
    pub name: String,
    pub flow_id: Option<u64>,
    pub community_id: String,
}

#[derive(Debug)]
pub struct Aggregate {
    pub limits: Limits,
    pub lines: u64,
    pub bad_lines: u64,
    pub first: Option<u64>,
    pub last: u64,
    pub by_type: BTreeMap<String, u64>,
    pub packets: u64,
    pub bytes: u64,
    /// The largest `stats` figures (packets, bytes) of the JSON input being read, per sensor
    /// (`host`: a fleet's broker holds many), added to the above at its end.
    file_traffic: BTreeMap<String, (u64, u64)>,
    pub findings: HashMap<String, FindingAcc>,
    pub findings_shed: u64,
    pub servers: Counts<IpAddr>,
    pub clients: Counts<IpAddr>,
    pub accounts: Counts<String>,
    /// Host names learnt from the traffic (NTLM challenge, SMB, NTLM workstation).
    pub names: HashMap<IpAddr, String>,
    pub smb_servers: HashMap<IpAddr, SmbServer>,
    pub smb_sessions: u64,
    pub dialects: Counts<String>,
    pub smb1_clients: Counts<IpAddr>,
    pub auth_servers: HashMap<IpAddr, AuthMix>,
    pub auth_clients: HashMap<IpAddr, AuthMix>,
    pub auth_total: AuthMix,
    /// Authentications already counted: (flow, SMB session, failed), so a session's later
    /// records (SCHEMA.md: a new record when its state changes) are not counted again, and a
    /// connection's refused logon does not hide its successful one; SMB sessions too (`smb:`
    /// keys). Cleared at the cap.
    seen_auth: HashSet<(u64, String, bool)>,
    /// Failed logons (Kerberos pre-authentication, NTLM, HTTP Basic) per client and account:
    /// the accounts a spray or brute force tried, which its alerts (one story per client) do not list.
    pub failed_logons: Counts<(IpAddr, String)>,
    pub kdc_as: u64,
    pub kdc_tgs: u64,
    pub kdc_fast: u64,
    pub kdc_no_preauth: u64,
    pub ticket_etypes: Counts<String>,
    pub winrm: HashMap<IpAddr, Winrm>,
    pub webdav_requests: u64,
    pub names_answered: BTreeMap<String, u64>,
    pub ldap_binds: Counts<String>,
    pub lateral: Vec<Lateral>,
    pub lateral_total: u64,
    /// Keys a table could not hold (hosts past the cap).
    pub shed: u64,
    scratch: String,
}

fn parse_ip(text: &Option<Str<'_>>) -> Option<IpAddr> {
    text.as_deref()?.parse().ok()
}

fn ip_or(ip: Option<IpAddr>) -> IpAddr {
    ip.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

impl Aggregate {
    pub fn new(limits: Limits) -> Self {
        let n = limits.max_keys;
        Aggregate {
            limits,
            lines: 0,
            bad_lines: 0,
            first: None,
            last: 0,
            by_type: BTreeMap::new(),
            packets: 0,
            bytes: 0,
            file_traffic: BTreeMap::new(),
            findings: HashMap::new(),
            findings_shed: 0,
            servers: Counts::new(n),
            clients: Counts::new(n),
            accounts: Counts::new(n),
            names: HashMap::new(),
            smb_servers: HashMap::new(),
            smb_sessions: 0,
            dialects: Counts::new(256),
            smb1_clients: Counts::new(n),
            auth_servers: HashMap::new(),
            auth_clients: HashMap::new(),
            auth_total: AuthMix::default(),
            seen_auth: HashSet::new(),
            failed_logons: Counts::new(n),
            kdc_as: 0,
            kdc_tgs: 0,
            kdc_fast: 0,
            kdc_no_preauth: 0,
            ticket_etypes: Counts::new(64),
            winrm: HashMap::new(),
            webdav_requests: 0,
            names_answered: BTreeMap::new(),
            ldap_binds: Counts::new(64),
            lateral: Vec::new(),
            lateral_total: 0,
            shed: 0,
            scratch: String::new(),
        }
    }

    /// Folds one line in.
    pub fn observe(&mut self, line: &Line<'_>) {
        if line.event_type == "stats" {
            // One stats line per run (offline) or per interval (live, cumulative): the largest
            // of a file counts per sensor, as `add_traffic` does for a capture.
            if let Some(stats) = line.stats {
                // Sensors beyond the table's bound share one entry (their traffic undercounted).
                let host = line.host.as_deref().unwrap_or_default();
                let key = if self.file_traffic.len() < self.limits.max_keys || self.file_traffic.contains_key(host) { host } else { "" };
                let (packets, bytes) = self.file_traffic.entry(key.to_string()).or_default();
                (*packets, *bytes) = ((*packets).max(stats.packets), (*bytes).max(stats.bytes));
            }
            return;
        }
        self.lines += 1;
        if line.timestamp > 0 {
            self.first = Some(self.first.map_or(line.timestamp, |f| f.min(line.timestamp)));
            self.last = self.last.max(line.timestamp);
        }
        if let Some(count) = self.by_type.get_mut(line.event_type.as_ref()) {
            *count += 1;
        } else if self.by_type.len() < 64 {
            self.by_type.insert(line.event_type.to_string(), 1);
        }
        self.learn_names(line);
        match &line.alert {
            Some(alert) => self.alert(line, &alert.rule, &alert.severity, &alert.message, alert.count),
            None => self.record(line),
        }
    }

    /// Adds the run's packet and byte counts (a capture read in process).
    pub fn add_traffic(&mut self, packets: u64, bytes: u64) {
        self.packets += packets;
        self.bytes += bytes;
    }

    /// The end of a JSON-lines file: its `stats` figures count once.
    pub fn end_of_file(&mut self) {
        for (packets, bytes) in std::mem::take(&mut self.file_traffic).into_values() {
            self.add_traffic(packets, bytes);
        }
    }

    fn learn_names(&mut self, line: &Line<'_>) {
        if self.names.len() >= self.limits.max_keys {
            return;
        }
        let server_name = line.smb.as_ref().and_then(|s| s.server_name.as_deref()).or_else(|| {
            let ntlm = line.ntlm.as_ref()?;
            ntlm.server_dns_name.as_deref().or(ntlm.server_nb_name.as_deref())
        });
        // A name that is only an address (`\\10.0.0.5\share`) says nothing more.
        let named = |n: &&str| !n.is_empty() && n.parse::<IpAddr>().is_err();
        if let (Some(ip), Some(name)) = (line.dest_ip, server_name.filter(named)) {
            self.names.entry(ip).or_insert_with(|| name.to_string());
        }
        if let (Some(ip), Some(host)) = (line.src_ip, line.ntlm.as_ref().and_then(|n| n.host.as_deref()).filter(named)) {
            self.names.entry(ip).or_insert_with(|| host.to_string());
        }
    }

    /// The account a line names, written into `out` (empty when none).
    fn account(line: &Line<'_>, out: &mut String) {
        out.clear();
        if let Some(ntlm) = &line.ntlm {
            let user = ntlm.user.as_deref().unwrap_or_default();
            if user.is_empty() {
                out.push_str("(anonymous)");
            } else {
                match ntlm.domain.as_deref().filter(|d| !d.is_empty()) {
                    Some(domain) => {
                        let _ = write!(out, "{domain}\\{user}");
                    }
                    None => out.push_str(user),
                }
            }
        } else if let Some(krb) = &line.krb5 {
            if let Some(cname) = krb.cname.as_deref() {
                out.push_str(cname);
                if let Some(realm) = krb.realm.as_deref() {
                    let _ = write!(out, "@{realm}");
                }
            }
        } else if let Some(user) = line.http.as_ref().and_then(|h| h.user.as_deref()) {
            out.push_str(user);
        } else if let Some(dn) = line.ldap.as_ref().and_then(|l| l.bind_dn.as_deref()).filter(|d| !d.is_empty()) {
            out.push_str(dn);
        }
    }

    /// What a finding's evidence says beyond hosts and accounts: the command line, the name
    /// asked, the service ticket, the dialect.
    fn detail(line: &Line<'_>, out: &mut String) {
        out.clear();
        if let Some(d) = &line.dcerpc {
            out.push_str(d.operation.as_deref().or(d.interface_name.as_deref()).unwrap_or("call"));
            if let Some(name) = d.service_name.as_deref().or(d.task_name.as_deref()) {
                let _ = write!(out, " {name}");
            }
            if let Some(command) = d.command.as_deref() {
                let _ = write!(out, ": {command}");
            }
        } else if let Some(name) = &line.name {
            out.push_str(name.query.as_deref().unwrap_or_default());
        } else if let Some(k) = &line.krb5 {
            let _ = write!(
                out,
                "{} {}",
                k.sname.as_deref().unwrap_or("?"),
                k.ticket_etype.as_deref().or(k.reply_etype.as_deref()).unwrap_or("")
            );
        } else if let Some(k) = &line.kerberos {
            let _ = write!(out, "{} {}", k.sname.as_deref().unwrap_or("?"), k.ticket_etype.as_deref().unwrap_or(""));
        } else if let Some(dialect) = line.smb.as_ref().and_then(|s| s.dialect.as_deref()) {
            let _ = write!(out, "dialect {dialect}");
        } else if let Some(scheme) = line.http.as_ref().and_then(|h| h.auth_scheme.as_deref()) {
            let _ = write!(out, "{scheme} authentication");
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
    }

    /// Folds an alert (or one of the report's own observations) into its finding.
    fn alert(&mut self, line: &Line<'_>, rule: &str, severity: &str, message: &str, count: u64) {
        self.finding(line, rule, severity, message, count, true);
    }

    fn finding(&mut self, line: &Line<'_>, id: &str, severity: &str, message: &str, count: u64, from_rule: bool) {
        let limits = self.limits;
        if !self.findings.contains_key(id) {
            if self.findings.len() >= limits.findings {
                self.findings_shed += count;
                return;
            }
            let n = limits.max_keys;
            self.findings.insert(
                id.to_string(),
                FindingAcc {
                    from_rule,
                    severity: severity.to_string(),
                    count: 0,
                    first: line.timestamp,
                    last: line.timestamp,
                    servers: Counts::new(n),
                    clients: Counts::new(n),
                    accounts: Counts::new(n),
                    details: Counts::new(n),
                    examples: Vec::new(),
                    message: message.to_string(),
                },
            );
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        if let Some(f) = self.findings.get_mut(id) {
            f.count = f.count.saturating_add(count);
            f.first = f.first.min(line.timestamp);
            f.last = f.last.max(line.timestamp);
            if guidance::severity_rank(severity) < guidance::severity_rank(&f.severity) {
                f.severity = severity.to_string();
            }
            // A name record's answer travels responder -> querier: the record says which is which.
            let (server, client) = match &line.name {
                Some(name) => (parse_ip(&name.responder), parse_ip(&name.querier)),
                None => (line.dest_ip, line.src_ip),
            };
            if let Some(ip) = server {
                f.servers.add(&ip, count);
            }
            if let Some(ip) = client {
                f.clients.add(&ip, count);
            }
            Self::account(line, &mut scratch);
            if !scratch.is_empty() {
                f.accounts.add(scratch.as_str(), count);
            }
            Self::detail(line, &mut scratch);
            if !scratch.is_empty() {
                f.details.add(scratch.as_str(), count);
            }
            if f.examples.len() < limits.examples {
                if let (Some(flow_id), Some(cid)) = (line.flow_id, line.community_id.as_deref()) {
                    if !f.examples.iter().any(|e| e.flow_id == flow_id) {
                        f.examples.push(Example { flow_id, community_id: cid.to_string(), time: line.timestamp });
                    }
                }
            }
        }
        self.scratch = scratch;
    }

    fn record(&mut self, line: &Line<'_>) {
        if let Some(ip) = line.dest_ip {
            self.servers.add(&ip, 1);
        }
        if let Some(ip) = line.src_ip {
            self.clients.add(&ip, 1);
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        Self::account(line, &mut scratch);
        if !scratch.is_empty() && scratch != "(anonymous)" {
            self.accounts.add(scratch.as_str(), 1);
            if failed_logon(line) {
                self.failed_logons.add(&(ip_or(line.src_ip), scratch.clone()), 1);
            }
        }
        self.scratch = scratch;
        self.authentication(line);
        if let Some(smb) = &line.smb {
            self.smb(line, smb);
        }
        if let Some(http) = &line.http {
            if http.app.as_deref() == Some("winrm") {
                self.winrm_request(line);
            } else if http.app.as_deref() == Some("webdav") {
                self.webdav_requests += 1;
            }
        }
        if line.tls.is_some() && line.dest_port == Some(5986) {
            if let Some(w) = self.host_entry_winrm(line.dest_ip) {
                w.tls += 1;
            }
        }
        if let Some(k) = &line.krb5 {
            self.krb5(line, k);
        }
        if let Some(name) = &line.name {
            let protocol = name.protocol.as_deref().unwrap_or("unknown");
            if let Some(n) = self.names_answered.get_mut(protocol) {
                *n += 1;
            } else if self.names_answered.len() < 16 {
                self.names_answered.insert(protocol.to_string(), 1);
            }
            let (id, severity) = match protocol {
                "llmnr" => ("posture.name.llmnr", "medium"),
                "nbns" => ("posture.name.nbns", "medium"),
                _ => ("posture.name.mdns", "low"),
            };
            self.finding(line, id, severity, "", 1, false);
        }
        if let Some(ldap) = &line.ldap {
            let kind = match (ldap.bind_type.as_deref(), ldap.sasl_mech.as_deref()) {
                (Some("sasl"), Some(mech)) => mech,
                (Some(kind), _) => kind,
                _ if ldap.starttls == Some(true) => "StartTLS",
                _ => "unknown",
            };
            self.ldap_binds.add(kind, 1);
        }
        if let Some(d) = &line.dcerpc {
            self.lateral(line, d);
        }
    }

    fn host_entry_winrm(&mut self, server: Option<IpAddr>) -> Option<&mut Winrm> {
        let ip = server?;
        if !self.winrm.contains_key(&ip) && self.winrm.len() >= self.limits.max_keys {
            self.shed += 1;
            return None;
        }
        Some(self.winrm.entry(ip).or_default())
    }

    fn winrm_request(&mut self, line: &Line<'_>) {
        let Some(http) = &line.http else { return };
        let scheme = http.auth_scheme.as_deref().map(str::to_string);
        let clear = http.encryption.as_deref() == Some("none");
        let Some(w) = self.host_entry_winrm(line.dest_ip) else { return };
        w.requests += 1;
        if let Some(scheme) = scheme {
            if scheme == "basic" {
                w.basic += 1;
            }
            if scheme == "credssp" {
                w.credssp += 1;
            }
            if w.schemes.len() < 16 || w.schemes.contains_key(&scheme) {
                *w.schemes.entry(scheme).or_default() += 1;
            }
        }
        if clear {
            w.clear += 1;
        }
    }

    /// NTLM versus Kerberos: an `ntlm` object is an NTLM AUTHENTICATE, a `kerberos` object an
    /// AP-REQ, on any record; counted once per SMB session or per connection.
    fn authentication(&mut self, line: &Line<'_>) {
        let basic = line.http.as_ref().is_some_and(|h| h.auth_scheme.as_deref() == Some("basic"));
        if line.ntlm.is_none() && line.kerberos.is_none() && !basic {
            return;
        }
        let session = line.smb.as_ref().and_then(|s| s.session_id.as_deref()).unwrap_or_default();
        let failed = line.ntlm.as_ref().is_some_and(|n| n.status.as_deref() == Some("failure"));
        if let Some(flow_id) = line.flow_id {
            if self.seen_auth.len() >= self.limits.max_keys * 10 {
                self.seen_auth.clear();
            }
            if !self.seen_auth.insert((flow_id, session.to_string(), failed)) {
                return;
            }
        }
        let mut mix = AuthMix::default();
        if let Some(ntlm) = &line.ntlm {
            if ntlm.version.as_deref() == Some("anonymous") {
                return;
            }
            match failed {
                true => mix.ntlm_failed = 1,
                false => mix.ntlm = 1,
            }
            mix.ntlm_v1 = u64::from(ntlm.version.as_deref() == Some("v1"));
        } else if line.kerberos.is_some() {
            mix.kerberos = 1;
        } else {
            mix.basic = 1;
        }
        let cap = self.limits.max_keys;
        for (table, ip) in [(&mut self.auth_servers, line.dest_ip), (&mut self.auth_clients, line.src_ip)] {
            let ip = ip_or(ip);
            if table.len() < cap || table.contains_key(&ip) {
                table.entry(ip).or_default().add(mix);
            } else {
                self.shed += 1;
            }
        }
        self.auth_total.add(mix);
    }

    fn smb(&mut self, line: &Line<'_>, smb: &super::line::Smb<'_>) {
        let offered_smb1 = smb.dialects_offered.as_ref().is_some_and(|d| d.iter().any(is_smb1_dialect));
        if offered_smb1 {
            if let Some(ip) = line.src_ip {
                self.smb1_clients.add(&ip, 1);
            }
        }
        // A session's later records repeat its state: count sessions once, by the same key
        // as authentications (a session without authentication still counts once per flow).
        let key = (line.flow_id.unwrap_or(u64::MAX), format!("smb:{}", smb.session_id.as_deref().unwrap_or_default()), false);
        if line.flow_id.is_some() && !self.seen_auth.insert(key) {
            return;
        }
        self.smb_sessions += 1;
        if let Some(dialect) = smb.dialect.as_deref() {
            self.dialects.add(dialect, 1);
        }
        let ip = ip_or(line.dest_ip);
        if !self.smb_servers.contains_key(&ip) && self.smb_servers.len() >= self.limits.max_keys {
            self.shed += 1;
            return;
        }
        let server = self.smb_servers.entry(ip).or_default();
        server.sessions += 1;
        if let Some(dialect) = smb.dialect.as_deref() {
            if server.dialects.len() < 16 || server.dialects.contains_key(dialect) {
                *server.dialects.entry(dialect.to_string()).or_default() += 1;
            }
        }
        let smb1 = smb.version == Some(1) || smb.dialect.as_ref().is_some_and(is_smb1_dialect);
        server.smb1 += u64::from(smb1);
        match smb.signing_required {
            Some(true) => server.signing_required += 1,
            Some(false) => server.signing_not_required += 1,
            None => {}
        }
        server.signed += u64::from(smb.signed == Some(true));
        server.encrypted += u64::from(smb.encrypted == Some(true));
        server.guest += u64::from(smb.guest == Some(true));
        server.anonymous += u64::from(smb.anonymous == Some(true));
    }

    fn krb5(&mut self, line: &Line<'_>, k: &super::line::Krb5<'_>) {
        match k.request_type.as_deref() {
            // Logons: the successful AS exchanges (a first request without pre-authentication
            // answered PREAUTH_REQUIRED is part of every normal logon).
            Some("AS") if k.status.as_deref() == Some("success") => {
                self.kdc_as += 1;
                match k.preauth.as_deref() {
                    Some("fast") => self.kdc_fast += 1,
                    preauth => {
                        self.kdc_no_preauth += u64::from(preauth == Some("none"));
                        self.finding(line, "posture.kerberos.no_fast", "low", "", 1, false);
                    }
                }
            }
            Some("TGS") => self.kdc_tgs += 1,
            _ => {}
        }
        if let Some(etype) = k.ticket_etype.as_deref() {
            self.ticket_etypes.add(etype, 1);
        }
    }

    fn lateral(&mut self, line: &Line<'_>, d: &super::line::Dcerpc<'_>) {
        // Only calls that do something on the server: the rules say which; a record carries a
        // command line or a service/task name when the stub was readable.
        if d.command.is_none() && d.service_name.is_none() && d.task_name.is_none() {
            return;
        }
        self.lateral_total += 1;
        if self.lateral.len() >= self.limits.lateral {
            return;
        }
        let s = |v: &Option<Str<'_>>| v.as_deref().unwrap_or_default().to_string();
        self.lateral.push(Lateral {
            time: line.timestamp,
            client: line.src_ip,
            server: line.dest_ip,
            operation: s(&d.operation),
            command: s(&d.command),
            name: d.service_name.as_deref().or(d.task_name.as_deref()).unwrap_or_default().to_string(),
            flow_id: line.flow_id,
            community_id: s(&line.community_id),
        });
    }
}

impl AuthMix {
    fn add(&mut self, other: AuthMix) {
        self.ntlm += other.ntlm;
        self.ntlm_v1 += other.ntlm_v1;
        self.ntlm_failed += other.ntlm_failed;
        self.kerberos += other.kerberos;
        self.basic += other.basic;
    }

    /// NTLM's share of NTLM and Kerberos authentications, in percent (refused NTLM logons are
    /// attempts, not use: a password spray over NTLM must not make NTLM look used).
    pub fn ntlm_percent(&self) -> Option<u32> {
        let total = self.ntlm + self.kerberos;
        (total > 0).then(|| ((self.ntlm * 100 + total / 2) / total) as u32)
    }
}

/// Whether a line is a refused logon, as `detect/logon.rs` reads one: a Kerberos AS exchange
/// answered KDC_ERR_PREAUTH_FAILED, an NTLM AUTHENTICATE the carrier refused (`ntlm.status`),
/// HTTP Basic answered 401.
fn failed_logon(line: &Line<'_>) -> bool {
    match (&line.ntlm, &line.krb5, &line.http) {
        (Some(ntlm), _, _) => ntlm.status.as_deref() == Some("failure"),
        (None, Some(k), _) => k.request_type.as_deref() == Some("AS") && k.status.as_deref() == Some("KDC_ERR_PREAUTH_FAILED"),
        (None, None, Some(h)) => h.auth_scheme.as_deref() == Some("basic") && h.status == Some(401),
        _ => false,
    }
}

/// SMB1 dialect strings (`NT LM 0.12`, `LANMAN2.1`...), as opposed to SMB2 codes (`2.1`, `3.1.1`,
/// `2.???`, `0x0222`).
pub fn is_smb1_dialect(dialect: &Str<'_>) -> bool {
    let d = dialect.as_ref();
    !(d.starts_with("2.") || d.starts_with("3.") || d.starts_with("0x") || d.starts_with("SMB 2"))
}
