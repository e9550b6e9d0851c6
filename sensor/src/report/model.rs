//! The report itself: what the aggregates say, resolved into findings, scores and tables. The
//! terminal, HTML and JSON outputs all render this one structure, so they cannot disagree.

use std::net::IpAddr;

use serde::Serialize;

use hardwire::Timestamp;

use super::aggregate::{Aggregate, AuthMix, FindingAcc};
use super::counts::{Counts, Item, Top};
use super::guidance::{self, Area};

#[derive(Debug, Serialize)]
pub struct Report {
    pub generator: String,
    pub inputs: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub totals: Totals,
    pub score_formula: &'static str,
    pub areas: Vec<AreaScore>,
    pub findings: Vec<Finding>,
    pub smb: SmbSection,
    pub authentication: AuthSection,
    pub kerberos: KerberosSection,
    pub winrm: Vec<WinrmRow>,
    pub webdav_requests: u64,
    pub name_resolution: Vec<Item>,
    pub ldap_binds: Vec<Item>,
    pub lateral_movement: LateralSection,
    pub limits: LimitsNote,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub packets: u64,
    pub bytes: u64,
    pub lines: u64,
    pub unreadable_lines: u64,
    pub records: Vec<Item>,
    pub alerts: u64,
    pub servers: u64,
    pub clients: u64,
    pub accounts: u64,
    pub findings_by_severity: Vec<Item>,
}

#[derive(Debug, Serialize)]
pub struct AreaScore {
    pub area: Area,
    pub title: &'static str,
    pub observed: bool,
    pub score: Option<u32>,
    pub grade: Option<&'static str>,
    pub findings: usize,
    pub worst: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Finding {
    pub id: String,
    /// `rule` (an alert of RULES.md) or `records` (the report's own reading of the records).
    pub source: &'static str,
    pub area: Area,
    pub title: String,
    pub severity: String,
    pub count: u64,
    pub servers: Top,
    pub clients: Top,
    pub accounts: Top,
    pub details: Top,
    pub first_seen: String,
    pub last_seen: String,
    pub examples: Vec<ExampleFlow>,
    pub remediation: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ExampleFlow {
    pub flow_id: u64,
    pub community_id: String,
    pub timestamp: String,
}

#[derive(Debug, Serialize)]
pub struct SmbSection {
    pub sessions: u64,
    pub servers: Vec<SmbServerRow>,
    pub servers_more: u64,
    pub dialects: Vec<Item>,
    pub smb1_servers: Vec<String>,
    pub smb1_clients: Top,
    pub servers_signing_required: u64,
    pub servers_signing_not_required: u64,
    pub servers_signing_mixed: u64,
}

#[derive(Debug, Serialize)]
pub struct SmbServerRow {
    pub server: String,
    pub sessions: u64,
    pub dialects: Vec<String>,
    pub smb1: bool,
    /// `yes`, `no`, `mixed` (differs between sessions) or `unknown`.
    pub signing_required: &'static str,
    pub signed_sessions: u64,
    pub encrypted_sessions: u64,
    pub guest_sessions: u64,
    pub anonymous_sessions: u64,
}

#[derive(Debug, Serialize)]
pub struct AuthSection {
    pub ntlm: u64,
    pub ntlm_v1: u64,
    pub ntlm_failed: u64,
    pub kerberos: u64,
    pub basic: u64,
    pub ntlm_percent: Option<u32>,
    pub servers: Vec<AuthRow>,
    pub servers_more: u64,
    pub clients: Vec<AuthRow>,
    pub clients_more: u64,
}

#[derive(Debug, Serialize)]
pub struct AuthRow {
    pub host: String,
    pub ntlm: u64,
    pub ntlm_v1: u64,
    pub ntlm_failed: u64,
    pub kerberos: u64,
    pub basic: u64,
    pub ntlm_percent: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct KerberosSection {
    /// Successful AS exchanges (logons).
    pub as_exchanges: u64,
    pub tgs_exchanges: u64,
    pub fast_armored: u64,
    pub fast_percent: Option<u32>,
    pub without_preauth: u64,
    pub ticket_etypes: Vec<Item>,
}

#[derive(Debug, Serialize)]
pub struct WinrmRow {
    pub server: String,
    pub requests: u64,
    pub schemes: Vec<Item>,
    pub basic: u64,
    pub clear_soap: u64,
    pub credssp: u64,
    pub https_connections: u64,
}

#[derive(Debug, Serialize)]
pub struct LateralSection {
    pub total: u64,
    pub events: Vec<LateralRow>,
}

#[derive(Debug, Serialize)]
pub struct LateralRow {
    pub timestamp: String,
    pub client: String,
    pub server: String,
    pub operation: String,
    pub name: String,
    pub command: String,
    pub flow_id: Option<u64>,
    pub community_id: String,
}

#[derive(Debug, Serialize)]
pub struct LimitsNote {
    pub max_keys_per_table: usize,
    /// Names per finding and rows per table shown.
    pub top: usize,
    pub rows: usize,
    /// Occurrences that fell past a table's cap (their keys are not listed).
    pub shed: u64,
}

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn time(us: u64) -> String {
    Timestamp(us).rfc3339()
}

impl Report {
    pub fn build(agg: &Aggregate, inputs: Vec<String>) -> Report {
        let host = |ip: &IpAddr| match agg.names.get(ip) {
            Some(name) => format!("{ip} ({name})"),
            None => ip.to_string(),
        };
        let mut findings: Vec<Finding> = agg.findings.iter().map(|(id, f)| finding(id, f, agg, &host)).collect();
        findings.sort_by(|a, b| {
            guidance::severity_rank(&a.severity)
                .cmp(&guidance::severity_rank(&b.severity))
                .then(b.count.cmp(&a.count))
                .then_with(|| a.id.cmp(&b.id))
        });
        let by_severity = guidance::SEVERITIES
            .iter()
            .map(|s| Item { name: s.to_string(), count: findings.iter().filter(|f| f.severity == *s).count() as u64 })
            .collect();
        let areas =
            Area::ALL.iter().map(|&area| area_score(area, agg, &findings)).filter(|a| a.observed || a.area != Area::Other).collect();

        Report {
            generator: format!("hardwire report {}", env!("CARGO_PKG_VERSION")),
            inputs,
            first_seen: agg.first.map(time),
            last_seen: agg.first.map(|_| time(agg.last)),
            totals: Totals {
                packets: agg.packets,
                bytes: agg.bytes,
                lines: agg.lines,
                unreadable_lines: agg.bad_lines,
                records: agg.by_type.iter().map(|(k, v)| Item { name: k.clone(), count: *v }).collect(),
                alerts: agg.findings.values().filter(|f| f.from_rule).map(|f| f.count).sum(),
                servers: agg.servers.len() as u64,
                clients: agg.clients.len() as u64,
                accounts: agg.accounts.len() as u64,
                findings_by_severity: by_severity,
            },
            score_formula: guidance::SCORE_FORMULA,
            areas,
            findings,
            smb: smb_section(agg, &host),
            authentication: auth_section(agg, &host),
            kerberos: KerberosSection {
                as_exchanges: agg.kdc_as,
                tgs_exchanges: agg.kdc_tgs,
                fast_armored: agg.kdc_fast,
                fast_percent: (agg.kdc_as > 0).then(|| ((agg.kdc_fast * 100 + agg.kdc_as / 2) / agg.kdc_as) as u32),
                without_preauth: agg.kdc_no_preauth,
                ticket_etypes: agg.ticket_etypes.top(32, String::clone).items,
            },
            winrm: {
                let mut rows: Vec<WinrmRow> = agg
                    .winrm
                    .iter()
                    .map(|(ip, w)| WinrmRow {
                        server: host(ip),
                        requests: w.requests,
                        schemes: w.schemes.iter().map(|(k, v)| Item { name: k.clone(), count: *v }).collect(),
                        basic: w.basic,
                        clear_soap: w.clear,
                        credssp: w.credssp,
                        https_connections: w.tls,
                    })
                    .collect();
                rows.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.server.cmp(&b.server)));
                rows.truncate(agg.limits.rows);
                rows
            },
            webdav_requests: agg.webdav_requests,
            name_resolution: agg.names_answered.iter().map(|(k, v)| Item { name: k.clone(), count: *v }).collect(),
            ldap_binds: agg.ldap_binds.top(16, String::clone).items,
            lateral_movement: LateralSection {
                total: agg.lateral_total,
                events: agg
                    .lateral
                    .iter()
                    .map(|l| LateralRow {
                        timestamp: time(l.time),
                        client: l.client.as_ref().map(&host).unwrap_or_default(),
                        server: l.server.as_ref().map(&host).unwrap_or_default(),
                        operation: l.operation.clone(),
                        name: l.name.clone(),
                        command: l.command.clone(),
                        flow_id: l.flow_id,
                        community_id: l.community_id.clone(),
                    })
                    .collect(),
            },
            limits: LimitsNote {
                max_keys_per_table: agg.limits.max_keys,
                top: agg.limits.top,
                rows: agg.limits.rows,
                shed: agg.shed + agg.findings_shed,
            },
        }
    }
}

fn finding(id: &str, f: &FindingAcc, agg: &Aggregate, host: &impl Fn(&IpAddr) -> String) -> Finding {
    let g = guidance::of(id);
    let top = agg.limits.top;
    // A spray or brute force is one story per client: its accounts are those that client's
    // failed logons tried, not the few its alert lines carry.
    let tried = matches!(id, "auth.spray" | "auth.bruteforce").then(|| tried_accounts(agg, f)).filter(|t| t.len() > 0);
    let title = if g.title.is_empty() { f.message.clone() } else { g.title.to_string() };
    Finding {
        id: id.to_string(),
        source: if f.from_rule { "rule" } else { "records" },
        area: g.area,
        title: if title.is_empty() { id.to_string() } else { title },
        severity: f.severity.clone(),
        count: f.count,
        servers: f.servers.top(top, host),
        clients: f.clients.top(top, host),
        accounts: tried.as_ref().unwrap_or(&f.accounts).top(top, String::clone),
        details: f.details.top(top, String::clone),
        first_seen: time(f.first),
        last_seen: time(f.last),
        examples: f
            .examples
            .iter()
            .map(|e| ExampleFlow { flow_id: e.flow_id, community_id: e.community_id.clone(), timestamp: time(e.time) })
            .collect(),
        remediation: g.remediation,
    }
}

/// The accounts of the failed logons from a finding's clients, with their failures.
fn tried_accounts(agg: &Aggregate, f: &FindingAcc) -> Counts<String> {
    let mut tried = Counts::new(agg.limits.max_keys);
    for ((client, account), failures) in agg.failed_logons.iter() {
        if f.clients.contains(client) {
            tried.add(account.as_str(), failures);
        }
    }
    tried
}

fn area_score(area: Area, agg: &Aggregate, findings: &[Finding]) -> AreaScore {
    let mine: Vec<&Finding> = findings.iter().filter(|f| f.area == area).collect();
    let seen = |t: &str| agg.by_type.contains_key(t);
    let traffic = match area {
        Area::Smb => seen("smb"),
        Area::Ntlm => agg.auth_total.ntlm > 0,
        Area::Kerberos => agg.auth_total.kerberos > 0 || seen("krb5"),
        Area::Ldap => seen("ldap"),
        Area::Winrm => !agg.winrm.is_empty(),
        Area::Webdav => seen("http"),
        Area::NameResolution => seen("name"),
        Area::LateralMovement => seen("dcerpc"),
        Area::Interception => agg.auth_total.ntlm > 0 || seen("name") || seen("dcerpc"),
        Area::Credentials => agg.auth_total.ntlm + agg.auth_total.kerberos + agg.auth_total.basic > 0 || seen("krb5"),
        Area::Other => false,
    };
    let observed = traffic || !mine.is_empty();
    let penalty: u32 = mine.iter().map(|f| guidance::weight(&f.severity)).sum();
    let score = observed.then(|| 100u32.saturating_sub(penalty));
    AreaScore {
        area,
        title: area.title(),
        observed,
        score,
        grade: score.map(guidance::grade),
        findings: mine.len(),
        worst: mine.first().map(|f| f.severity.clone()),
    }
}

fn smb_section(agg: &Aggregate, host: &impl Fn(&IpAddr) -> String) -> SmbSection {
    let mut servers: Vec<(&IpAddr, &super::aggregate::SmbServer)> = agg.smb_servers.iter().collect();
    // Worst first: SMB1, then signing not required, then most sessions.
    servers.sort_by(|(ia, a), (ib, b)| {
        (b.smb1 > 0)
            .cmp(&(a.smb1 > 0))
            .then((b.signing_not_required > 0).cmp(&(a.signing_not_required > 0)))
            .then(b.sessions.cmp(&a.sessions))
            .then(ia.cmp(ib))
    });
    let signing = |s: &super::aggregate::SmbServer| match (s.signing_required > 0, s.signing_not_required > 0) {
        (true, false) => "yes",
        (false, true) => "no",
        (true, true) => "mixed",
        (false, false) => "unknown",
    };
    let mut smb1_servers: Vec<String> = servers.iter().filter(|(_, s)| s.smb1 > 0).map(|(ip, _)| host(ip)).collect();
    smb1_servers.sort();
    SmbSection {
        sessions: agg.smb_sessions,
        servers_more: servers.len().saturating_sub(agg.limits.rows) as u64,
        servers_signing_required: servers.iter().filter(|(_, s)| signing(s) == "yes").count() as u64,
        servers_signing_not_required: servers.iter().filter(|(_, s)| signing(s) == "no").count() as u64,
        servers_signing_mixed: servers.iter().filter(|(_, s)| signing(s) == "mixed").count() as u64,
        smb1_servers,
        servers: servers
            .iter()
            .take(agg.limits.rows)
            .map(|(ip, s)| SmbServerRow {
                server: host(ip),
                sessions: s.sessions,
                dialects: s.dialects.keys().cloned().collect(),
                smb1: s.smb1 > 0,
                signing_required: signing(s),
                signed_sessions: s.signed,
                encrypted_sessions: s.encrypted,
                guest_sessions: s.guest,
                anonymous_sessions: s.anonymous,
            })
            .collect(),
        dialects: {
            let mut d = agg.dialects.top(32, String::clone).items;
            d.sort_by(|a, b| dialect_order(&a.name).cmp(&dialect_order(&b.name)).then_with(|| a.name.cmp(&b.name)));
            d
        },
        smb1_clients: agg.smb1_clients.top(agg.limits.top, host),
    }
}

/// Dialects oldest first: SMB1 strings, then 2.0.2 ... 3.1.1.
fn dialect_order(d: &str) -> (u8, String) {
    if super::aggregate::is_smb1_dialect(&std::borrow::Cow::Borrowed(d)) {
        (0, d.to_string())
    } else {
        (1, d.to_string())
    }
}

fn auth_rows(
    table: &std::collections::HashMap<IpAddr, AuthMix>,
    max_rows: usize,
    host: &impl Fn(&IpAddr) -> String,
) -> (Vec<AuthRow>, u64) {
    let mut rows: Vec<(&IpAddr, &AuthMix)> = table.iter().collect();
    let total = |m: &AuthMix| m.ntlm + m.ntlm_failed + m.kerberos + m.basic;
    rows.sort_by(|(ia, a), (ib, b)| total(b).cmp(&total(a)).then(ia.cmp(ib)));
    let more = rows.len().saturating_sub(max_rows) as u64;
    let rows = rows
        .into_iter()
        .take(max_rows)
        .map(|(ip, m)| AuthRow {
            host: host(ip),
            ntlm: m.ntlm,
            ntlm_v1: m.ntlm_v1,
            ntlm_failed: m.ntlm_failed,
            kerberos: m.kerberos,
            basic: m.basic,
            ntlm_percent: m.ntlm_percent(),
        })
        .collect();
    (rows, more)
}

fn auth_section(agg: &Aggregate, host: &impl Fn(&IpAddr) -> String) -> AuthSection {
    let (servers, servers_more) = auth_rows(&agg.auth_servers, agg.limits.rows, host);
    let (clients, clients_more) = auth_rows(&agg.auth_clients, agg.limits.rows, host);
    let t = agg.auth_total;
    AuthSection {
        ntlm: t.ntlm,
        ntlm_v1: t.ntlm_v1,
        ntlm_failed: t.ntlm_failed,
        kerberos: t.kerberos,
        basic: t.basic,
        ntlm_percent: t.ntlm_percent(),
        servers,
        servers_more,
        clients,
        clients_more,
    }
}
