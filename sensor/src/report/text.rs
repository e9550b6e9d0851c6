//! The terminal summary: aligned tables, coloured by severity when asked (stdout a terminal).
//! Every string from the wire is cleaned of control characters first: a user name must not be
//! able to move the cursor or change the terminal's colours.

use std::fmt::Write as _;

use super::counts::Top;
use super::model::{thousands, Finding, Report};

/// Where long text (remediation) wraps.
const WIDTH: usize = 100;

struct Paint {
    on: bool,
}

impl Paint {
    fn sev(&self, severity: &str, text: &str) -> String {
        let code = match severity {
            "critical" => "1;35",
            "high" => "1;31",
            "medium" => "33",
            "low" => "36",
            _ => "2",
        };
        self.code(code, text)
    }

    fn grade(&self, grade: &str, text: &str) -> String {
        let code = match grade {
            "A" => "1;32",
            "B" => "32",
            "C" => "33",
            "D" => "31",
            _ => "1;31",
        };
        self.code(code, text)
    }

    fn bold(&self, text: &str) -> String {
        self.code("1", text)
    }

    fn dim(&self, text: &str) -> String {
        self.code("2", text)
    }

    fn code(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Replaces control characters (escape sequences, newlines) by `?`.
pub fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

fn cols(text: &str) -> usize {
    text.chars().count()
}

/// Pads `text` (already cleaned) to `width` columns; `painted` is the same text with colour codes.
fn pad(painted: &str, text: &str, width: usize) -> String {
    format!("{painted}{}", " ".repeat(width.saturating_sub(cols(text))))
}

/// An aligned table: the header in bold, columns as wide as their widest cell. `paint` colours a
/// cell after it is measured.
fn table(out: &mut String, p: &Paint, header: &[&str], rows: &[Vec<String>], paint: &dyn Fn(usize, &[String], &str) -> String) {
    let mut widths: Vec<usize> = header.iter().map(|h| cols(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cols(cell));
            }
        }
    }
    let last = header.len().saturating_sub(1);
    let head: Vec<String> =
        header.iter().zip(&widths).enumerate().map(|(i, (h, w))| if i == last { h.to_string() } else { pad(h, h, *w) }).collect();
    let _ = writeln!(out, "  {}", p.bold(head.join("  ").trim_end()));
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| if i == last { paint(i, row, cell) } else { pad(&paint(i, row, cell), cell, *w) })
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
}

fn plain(_: usize, _: &[String], cell: &str) -> String {
    cell.to_string()
}

fn wrap(text: &str, indent: usize, width: usize) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && cols(&line) + 1 + cols(word) > width.saturating_sub(indent) {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join(&format!("\n{}", " ".repeat(indent)))
}

fn top(t: &Top) -> String {
    clean(&t.summary(false))
}

pub fn render(r: &Report, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let period = match (&r.first_seen, &r.last_seen) {
        (Some(first), Some(last)) => format!("{first} to {last}"),
        _ => "no timestamped traffic".to_string(),
    };
    let _ = writeln!(out, "{}", p.bold("hardwire posture report"));
    let _ = writeln!(out, "  inputs   {}", clean(&r.inputs.join(", ")));
    let _ = writeln!(out, "  period   {period}");
    let t = &r.totals;
    let _ = writeln!(
        out,
        "  seen     {} packets, {} lines, {} servers, {} clients, {} accounts, {} alerts",
        thousands(t.packets),
        thousands(t.lines),
        thousands(t.servers),
        thousands(t.clients),
        thousands(t.accounts),
        thousands(t.alerts)
    );
    let severities: Vec<String> =
        t.findings_by_severity.iter().filter(|i| i.count > 0).map(|i| p.sev(&i.name, &format!("{} {}", i.count, i.name))).collect();
    let _ = writeln!(out, "  findings {}", if severities.is_empty() { "none".to_string() } else { severities.join(", ") });
    if t.unreadable_lines > 0 {
        let _ = writeln!(out, "  skipped  {} lines that were not hardwire JSON", thousands(t.unreadable_lines));
    }

    let _ = writeln!(out, "\n{}", p.bold("POSTURE BY AREA"));
    let rows: Vec<Vec<String>> = r
        .areas
        .iter()
        .map(|a| {
            vec![
                a.title.to_string(),
                a.score.map_or("-".into(), |s| s.to_string()),
                a.grade.unwrap_or(if a.observed { "" } else { "not observed" }).to_string(),
                a.findings.to_string(),
                a.worst.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(&mut out, &p, &["area", "score", "grade", "findings", "worst"], &rows, &|i, row, cell| match i {
        2 if cell.len() == 1 => p.grade(cell, cell),
        2 => p.dim(cell),
        4 => p.sev(cell, cell),
        _ => {
            let _ = row;
            cell.to_string()
        }
    });
    let _ = writeln!(out, "  {}", p.dim(&wrap(r.score_formula, 2, WIDTH)));

    if !r.findings.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("FINDINGS"));
        let rows: Vec<Vec<String>> = r
            .findings
            .iter()
            .map(|f| vec![f.severity.to_uppercase(), thousands(f.count), clean(&f.title), top_short(&f.servers), top_short(&f.clients)])
            .collect();
        table(&mut out, &p, &["severity", "count", "finding", "servers", "clients"], &rows, &|i, row, cell| match i {
            0 => p.sev(&row[0].to_lowercase(), cell),
            _ => cell.to_string(),
        });
        let _ = writeln!(out, "\n{}", p.bold("WHAT TO DO"));
        for f in &r.findings {
            finding(&mut out, &p, f);
        }
    }

    smb(&mut out, &p, r);
    auth(&mut out, &p, r);
    others(&mut out, &p, r);
    out
}

/// The top two of a list and how many more, for the findings table.
fn top_short(t: &Top) -> String {
    let mut short = t.clone();
    let cut = short.items.len().saturating_sub(2) as u64;
    short.items.truncate(2);
    short.more += cut;
    top(&short)
}

fn finding(out: &mut String, p: &Paint, f: &Finding) {
    let _ = writeln!(
        out,
        "\n  {} {}  {}",
        p.sev(&f.severity, &format!("[{}]", f.severity.to_uppercase())),
        p.bold(&clean(&f.title)),
        p.dim(&format!("{} x{}, {} to {}", f.id, thousands(f.count), f.first_seen, f.last_seen))
    );
    let mut field = |name: &str, value: String| {
        if value != "-" && !value.is_empty() {
            let _ = writeln!(out, "    {name:<9} {}", wrap(&value, 14, WIDTH));
        }
    };
    field("servers", top(&f.servers));
    field("clients", top(&f.clients));
    field("accounts", top(&f.accounts));
    field("seen", clean(&f.details.summary(true)));
    field("flows", f.examples.iter().map(|e| format!("flow {} {}", e.flow_id, clean(&e.community_id))).collect::<Vec<_>>().join(", "));
    field("fix", f.remediation.to_string());
}

fn smb(out: &mut String, p: &Paint, r: &Report) {
    let s = &r.smb;
    if s.sessions == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}  {} sessions; servers requiring signing: {}, not requiring: {}, mixed: {}",
        p.bold("SMB SERVERS"),
        thousands(s.sessions),
        s.servers_signing_required,
        s.servers_signing_not_required,
        s.servers_signing_mixed
    );
    let rows: Vec<Vec<String>> = s
        .servers
        .iter()
        .map(|row| {
            vec![
                clean(&row.server),
                row.sessions.to_string(),
                clean(&row.dialects.join(" ")),
                if row.smb1 { "yes".into() } else { "no".into() },
                row.signing_required.to_string(),
                row.signed_sessions.to_string(),
                row.encrypted_sessions.to_string(),
                row.guest_sessions.to_string(),
            ]
        })
        .collect();
    table(out, p, &["server", "sessions", "dialects", "SMB1", "signing required", "signed", "encrypted", "guest"], &rows, &|i, _, cell| {
        match (i, cell) {
            (3, "yes") | (4, "no") => p.sev("high", cell),
            (4, "mixed") => p.sev("medium", cell),
            _ => cell.to_string(),
        }
    });
    if s.servers_more > 0 {
        let _ = writeln!(out, "  and {} more servers", s.servers_more);
    }
    let dialects: Vec<String> = s.dialects.iter().map(|d| format!("{} {}", clean(&d.name), d.count)).collect();
    let _ = writeln!(out, "  dialects in use: {}", dialects.join(", "));
    if !s.smb1_clients.items.is_empty() {
        let _ = writeln!(out, "  clients offering SMB1: {}", top(&s.smb1_clients));
    }
}

fn auth(out: &mut String, p: &Paint, r: &Report) {
    let a = &r.authentication;
    if a.ntlm + a.ntlm_failed + a.kerberos + a.basic == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}  NTLM {} (v1 {}, {} more refused), Kerberos {}, Basic {}; NTLM share {}",
        p.bold("NTLM VERSUS KERBEROS"),
        a.ntlm,
        a.ntlm_v1,
        a.ntlm_failed,
        a.kerberos,
        a.basic,
        a.ntlm_percent.map_or("-".into(), |n| format!("{n} %"))
    );
    for (title, rows, more) in [("server", &a.servers, a.servers_more), ("client", &a.clients, a.clients_more)] {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|row| {
                vec![
                    clean(&row.host),
                    row.ntlm.to_string(),
                    row.ntlm_v1.to_string(),
                    row.ntlm_failed.to_string(),
                    row.kerberos.to_string(),
                    row.ntlm_percent.map_or("-".into(), |n| format!("{n} %")),
                    bar(row.ntlm_percent),
                ]
            })
            .collect();
        table(out, p, &[title, "NTLM", "NTLMv1", "refused", "Kerberos", "NTLM share", ""], &cells, &|i, _, cell| {
            if i == 6 {
                p.sev("high", cell)
            } else {
                cell.to_string()
            }
        });
        if more > 0 {
            let _ = writeln!(out, "  and {more} more");
        }
    }
}

/// A 20-column bar of the NTLM share.
fn bar(percent: Option<u32>) -> String {
    let Some(percent) = percent else { return String::new() };
    let filled = ((percent.min(100) as usize) * 20 + 50) / 100;
    format!("{}{}", "#".repeat(filled), ".".repeat(20 - filled))
}

fn others(out: &mut String, p: &Paint, r: &Report) {
    let k = &r.kerberos;
    if k.as_exchanges + k.tgs_exchanges > 0 {
        let etypes: Vec<String> = k.ticket_etypes.iter().map(|e| format!("{} {}", clean(&e.name), e.count)).collect();
        let _ = writeln!(
            out,
            "\n{}  AS {} (FAST-armored {}, {}), TGS {}, AS-REP without pre-authentication {}; ticket etypes: {}",
            p.bold("KERBEROS"),
            k.as_exchanges,
            k.fast_armored,
            k.fast_percent.map_or("-".into(), |n| format!("{n} %")),
            k.tgs_exchanges,
            k.without_preauth,
            if etypes.is_empty() { "-".into() } else { etypes.join(", ") }
        );
    }
    if !r.winrm.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("WINRM"));
        let rows: Vec<Vec<String>> = r
            .winrm
            .iter()
            .map(|w| {
                vec![
                    clean(&w.server),
                    w.requests.to_string(),
                    clean(&w.schemes.iter().map(|s| format!("{} {}", s.name, s.count)).collect::<Vec<_>>().join(", ")),
                    w.basic.to_string(),
                    w.clear_soap.to_string(),
                    w.credssp.to_string(),
                    w.https_connections.to_string(),
                ]
            })
            .collect();
        table(out, p, &["server", "requests", "schemes", "Basic", "clear SOAP", "CredSSP", "HTTPS"], &rows, &plain);
    }
    if r.webdav_requests > 0 {
        let _ = writeln!(out, "\n{}  {} requests", p.bold("WEBDAV"), r.webdav_requests);
    }
    if !r.name_resolution.is_empty() {
        let names: Vec<String> = r.name_resolution.iter().map(|n| format!("{} {}", clean(&n.name), n.count)).collect();
        let _ = writeln!(out, "\n{}  answered queries: {}", p.bold("NAME RESOLUTION"), names.join(", "));
    }
    if !r.ldap_binds.is_empty() {
        let binds: Vec<String> = r.ldap_binds.iter().map(|n| format!("{} {}", clean(&n.name), n.count)).collect();
        let _ = writeln!(out, "\n{}  binds: {}", p.bold("LDAP"), binds.join(", "));
    }
    let l = &r.lateral_movement;
    if l.total > 0 {
        let _ = writeln!(out, "\n{}  {} remote executions with a readable stub", p.bold("LATERAL MOVEMENT"), l.total);
        let rows: Vec<Vec<String>> = l
            .events
            .iter()
            .take(20)
            .map(|e| vec![e.timestamp.clone(), clean(&e.client), clean(&e.server), clean(&e.operation), clean(&e.name), clean(&e.command)])
            .collect();
        table(out, p, &["time", "client", "server", "operation", "name", "command"], &rows, &plain);
    }
}
