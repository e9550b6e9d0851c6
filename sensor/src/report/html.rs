//! The report as one self-contained HTML page: inline CSS and SVG, no script, no font or image
//! fetched from anywhere, readable offline and printable. Every string from the wire is escaped.

use std::fmt::Write as _;

use super::counts::{Item, Top};
use super::model::{thousands, Finding, Report};

/// HTML-escapes text (element content and attribute values alike).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// Remediation text: `backquoted` parts become code.
fn guidance(text: &str) -> String {
    text.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { format!("<code>{}</code>", esc(part)) } else { esc(part) }).collect()
}

fn sev_color(severity: &str) -> &'static str {
    match severity {
        "critical" => "#7b1fa2",
        "high" => "#c62828",
        "medium" => "#ef6c00",
        "low" => "#0277bd",
        _ => "#607d8b",
    }
}

fn grade_color(grade: &str) -> &'static str {
    match grade {
        "A" => "#2e7d32",
        "B" => "#689f38",
        "C" => "#f9a825",
        "D" => "#ef6c00",
        _ => "#c62828",
    }
}

fn badge(severity: &str) -> String {
    format!("<span class=\"badge\" style=\"background:{}\">{}</span>", sev_color(severity), esc(severity))
}

fn top(t: &Top) -> String {
    if t.items.is_empty() {
        return "<span class=\"muted\">-</span>".into();
    }
    let mut html = t
        .items
        .iter()
        .map(|i| format!("{} <span class=\"muted\">({})</span>", esc(&i.name), thousands(i.count)))
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(more) = t.more_text() {
        let _ = write!(html, " <span class=\"muted\">and {}</span>", esc(&more));
    }
    html
}

/// Shortens a label for a chart axis.
fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(max.saturating_sub(1)).collect::<String>())
    }
}

/// A horizontal bar chart: one row per item, bars proportional to the largest value.
fn bars(title: &str, items: &[(String, u64, &str)], empty: &str) -> String {
    let row = 26;
    let label_w = 130;
    let width = 420;
    let bar_w = width - label_w - 60;
    let height = 34 + row * items.len().max(1);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\
<text x=\"0\" y=\"16\" class=\"ct\">{}</text>",
        esc(title),
        esc(title)
    );
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    if items.is_empty() {
        let _ = write!(svg, "<text x=\"0\" y=\"46\" class=\"cl\">{}</text>", esc(empty));
    }
    for (n, (label, value, color)) in items.iter().enumerate() {
        let y = 30 + n * row;
        let w = ((*value as f64 / max as f64) * bar_w as f64).round().max(if *value > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" class=\"cl\" text-anchor=\"end\">{}</text>\
<rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"18\" rx=\"3\" fill=\"{color}\"/>\
<text x=\"{}\" y=\"{}\" class=\"cv\">{}</text>",
            label_w - 8,
            y + 13,
            esc(&short(label, 18)),
            label_w as f64 + w + 6.0,
            y + 13,
            thousands(*value)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// NTLM versus Kerberos per server: one 100 % stacked bar per server, counts on the bar.
fn ntlm_kerberos(r: &Report) -> String {
    let rows: Vec<_> = r.authentication.servers.iter().filter(|s| s.ntlm + s.kerberos > 0).take(10).collect();
    let row = 26;
    let label_w = 170;
    let width = 520;
    let bar_w = width - label_w - 20;
    let height = 56 + row * rows.len().max(1);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"NTLM versus Kerberos per server\">\
<text x=\"0\" y=\"16\" class=\"ct\">NTLM versus Kerberos, per server</text>\
<rect x=\"{label_w}\" y=\"24\" width=\"12\" height=\"12\" fill=\"#c62828\"/><text x=\"{}\" y=\"34\" class=\"cl\">NTLM</text>\
<rect x=\"{}\" y=\"24\" width=\"12\" height=\"12\" fill=\"#2e7d32\"/><text x=\"{}\" y=\"34\" class=\"cl\">Kerberos</text>",
        label_w + 16,
        label_w + 70,
        label_w + 86
    );
    if rows.is_empty() {
        let _ = write!(svg, "<text x=\"0\" y=\"66\" class=\"cl\">No NTLM or Kerberos authentication seen.</text>");
    }
    for (n, s) in rows.iter().enumerate() {
        let y = 48 + n * row;
        let total = (s.ntlm + s.kerberos) as f64;
        let ntlm_w = (s.ntlm as f64 / total * bar_w as f64).round();
        let krb_w = bar_w as f64 - ntlm_w;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" class=\"cl\" text-anchor=\"end\">{}</text>\
<rect x=\"{label_w}\" y=\"{y}\" width=\"{ntlm_w}\" height=\"18\" fill=\"#c62828\"/>\
<rect x=\"{}\" y=\"{y}\" width=\"{krb_w}\" height=\"18\" fill=\"#2e7d32\"/>",
            label_w - 8,
            y + 13,
            esc(&short(&s.host, 24)),
            label_w as f64 + ntlm_w
        );
        if s.ntlm > 0 {
            let _ = write!(svg, "<text x=\"{}\" y=\"{}\" class=\"cw\">{}</text>", label_w + 4, y + 13, thousands(s.ntlm));
        }
        if s.kerberos > 0 {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" class=\"cw\" text-anchor=\"end\">{}</text>",
                label_w + bar_w - 4,
                y + 13,
                thousands(s.kerberos)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn dialect_color(d: &str) -> &'static str {
    match d {
        "3.1.1" => "#2e7d32",
        "3.0" | "3.0.2" => "#f9a825",
        d if d.starts_with("2.") => "#ef6c00",
        _ => "#c62828",
    }
}

const CSS: &str = "
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Helvetica,Arial,sans-serif;color:#1f2933;background:#f4f6f8;font-size:14px;line-height:1.45}
header{background:#102a43;color:#fff;padding:28px 40px 24px}
header h1{margin:0 0 6px;font-size:26px;font-weight:600;letter-spacing:.2px}
header .sub{color:#bcccdc;font-size:13px}
main{padding:24px 40px 40px;max-width:1280px}
h2{font-size:18px;margin:32px 0 12px;color:#102a43;border-bottom:2px solid #d9e2ec;padding-bottom:6px}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin-top:-4px}
.kpi{background:#fff;border-radius:8px;padding:12px 18px;min-width:130px;box-shadow:0 1px 2px rgba(16,42,67,.12)}
.kpi b{display:block;font-size:22px;color:#102a43}
.kpi span{color:#627d98;font-size:12px;text-transform:uppercase;letter-spacing:.5px}
.areas{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px}
.area{background:#fff;border-radius:8px;padding:12px 14px;display:flex;gap:12px;align-items:center;box-shadow:0 1px 2px rgba(16,42,67,.12)}
.grade{width:46px;height:46px;border-radius:50%;color:#fff;font-size:24px;font-weight:700;display:flex;align-items:center;justify-content:center;flex:none}
.grade.na{background:#bcccdc;font-size:13px}
.area .name{font-weight:600;color:#102a43}
.area .meta{color:#627d98;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.panel{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(16,42,67,.12)}
.chart .ct{font-size:14px;font-weight:600;fill:#102a43}
.chart .cl{font-size:12px;fill:#334e68}
.chart .cv{font-size:12px;fill:#102a43;font-weight:600}
.chart .cw{font-size:11px;fill:#fff;font-weight:600}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 2px rgba(16,42,67,.12)}
th{background:#e6ecf2;color:#243b53;text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.4px;padding:8px 10px}
td{padding:7px 10px;border-top:1px solid #eef2f6;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;color:#fff;border-radius:10px;padding:1px 9px;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.4px}
.finding{background:#fff;border-radius:8px;margin:0 0 14px;padding:14px 18px;box-shadow:0 1px 2px rgba(16,42,67,.12);border-left:5px solid #607d8b;page-break-inside:avoid}
.finding h3{margin:0 0 4px;font-size:16px;color:#102a43}
.finding .when{color:#627d98;font-size:12px;margin-bottom:8px}
.finding dl{display:grid;grid-template-columns:110px 1fr;gap:4px 12px;margin:0}
.finding dt{color:#627d98;font-size:12px;text-transform:uppercase;letter-spacing:.4px;padding-top:2px}
.finding dd{margin:0;word-break:break-word}
.fix{background:#f0f7f1;border-left:3px solid #2e7d32;padding:8px 12px;margin-top:10px;border-radius:4px}
.fix b{color:#1b5e20}
code{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;background:#eef2f6;border-radius:3px;padding:0 3px}
.fix code{background:#dcedc8}
.muted{color:#829ab1}
ol.first{background:#fff;border-radius:8px;padding:12px 18px 12px 40px;margin:0;box-shadow:0 1px 2px rgba(16,42,67,.12)}
ol.first li{margin:6px 0}
.bad{color:#c62828;font-weight:600}
.good{color:#2e7d32;font-weight:600}
footer{color:#627d98;font-size:12px;padding:0 40px 32px;max-width:1280px}
@media print{body{background:#fff;font-size:12px}header{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.area,.panel,.finding,table,.kpi{box-shadow:none;border:1px solid #d9e2ec}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}h2{page-break-after:avoid}}
";

/// `2026-11-22T04:46:49.419391Z` -> `2026-11-22 04:46:49 UTC`.
fn when(rfc3339: &str) -> String {
    match rfc3339.get(..19) {
        Some(head) => format!("{} UTC", head.replace('T', " ")),
        None => rfc3339.to_string(),
    }
}

/// The inputs, the first three named.
fn inputs(list: &[String]) -> String {
    let named = list.iter().take(3).map(|i| esc(i)).collect::<Vec<_>>().join(", ");
    match list.len() {
        0..=3 => named,
        n => format!("{named} and {} more inputs", n - 3),
    }
}

/// The first sentence of a remediation, for the summary.
fn first_sentence(text: &str) -> &str {
    text.find(". ").map_or(text, |at| text.get(..=at).unwrap_or(text))
}

pub fn render(r: &Report) -> String {
    let mut h = String::with_capacity(64 << 10);
    let period = match (&r.first_seen, &r.last_seen) {
        (Some(first), Some(last)) => format!("{} to {}", when(first), when(last)),
        _ => "no timestamped traffic".to_string(),
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Network posture report</title><style>{CSS}</style></head><body>\
<header><h1>Windows network posture report</h1><div class=\"sub\">{} &middot; {}</div></header><main>",
        esc(&period),
        inputs(&r.inputs)
    );

    let t = &r.totals;
    let _ = write!(h, "<div class=\"kpis\" id=\"totals\">");
    for (value, label) in [
        (t.packets, "packets"),
        (t.servers, "servers"),
        (t.clients, "clients"),
        (t.accounts, "accounts"),
        (r.findings.len() as u64, "findings"),
        (t.alerts, "alerts"),
    ] {
        let _ = write!(h, "<div class=\"kpi\"><b>{}</b><span>{label}</span></div>", thousands(value));
    }
    h.push_str("</div>");

    let urgent: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == "critical" || f.severity == "high").take(5).collect();
    if !urgent.is_empty() {
        h.push_str("<h2>Fix first</h2><ol class=\"first\" id=\"priorities\">");
        for f in urgent {
            let hosts = f.servers.items.len() as u64 + f.servers.more;
            let _ = write!(
                h,
                "<li>{} <a href=\"#{}\"><b>{}</b></a> &middot; {} server{}, {} occurrence{}. {}</li>",
                badge(&f.severity),
                esc(&f.id),
                esc(&f.title),
                thousands(hosts),
                if hosts == 1 { "" } else { "s" },
                thousands(f.count),
                if f.count == 1 { "" } else { "s" },
                guidance(first_sentence(f.remediation))
            );
        }
        h.push_str("</ol>");
    }

    h.push_str("<h2>Posture by area</h2><div class=\"areas\" id=\"areas\">");
    for a in &r.areas {
        let (circle, meta) = match (a.grade, a.score) {
            (Some(grade), Some(score)) => (
                format!("<div class=\"grade\" style=\"background:{}\">{grade}</div>", grade_color(grade)),
                format!("score {score}/100 &middot; {} finding{}", a.findings, if a.findings == 1 { "" } else { "s" }),
            ),
            _ => ("<div class=\"grade na\">n/a</div>".to_string(), "not observed".to_string()),
        };
        let _ = write!(
            h,
            "<div class=\"area\">{circle}<div><div class=\"name\">{}</div><div class=\"meta\">{meta}</div></div></div>",
            esc(a.title)
        );
    }
    h.push_str("</div>");

    h.push_str("<h2>At a glance</h2><div class=\"charts\">");
    let severities: Vec<(String, u64, &str)> =
        t.findings_by_severity.iter().map(|i| (i.name.clone(), i.count, sev_color(&i.name))).collect();
    let _ = write!(h, "<div class=\"panel\">{}</div>", bars("Findings by severity", &severities, "No findings."));
    let dialects: Vec<(String, u64, &str)> = r.smb.dialects.iter().map(|d| (d.name.clone(), d.count, dialect_color(&d.name))).collect();
    let _ = write!(h, "<div class=\"panel\">{}</div>", bars("SMB dialects in use (sessions)", &dialects, "No SMB sessions seen."));
    let _ = write!(h, "<div class=\"panel\">{}</div>", ntlm_kerberos(r));
    h.push_str("</div>");

    if !r.findings.is_empty() {
        h.push_str("<h2>Findings</h2><table id=\"findings\"><tr><th>Severity</th><th>Finding</th><th class=\"n\">Count</th><th>Servers</th><th>Clients</th><th>Accounts</th></tr>");
        for f in &r.findings {
            let _ = write!(
                h,
                "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                badge(&f.severity),
                esc(&f.id),
                esc(&f.title),
                thousands(f.count),
                top(&f.servers),
                top(&f.clients),
                top(&f.accounts)
            );
        }
        h.push_str("</table><h2>What to do</h2>");
        for f in &r.findings {
            finding(&mut h, f);
        }
    }

    smb(&mut h, r);
    auth(&mut h, r);
    others(&mut h, r);

    let _ = write!(
        h,
        "</main><footer><p><b>Scores.</b> {}</p><p>Tables hold at most {} entries each; {} occurrences fell past a table's cap. \
Generated by {} from the sensor's records and alerts; no password, hash, challenge or ticket is ever recorded.</p></footer></body></html>",
        esc(r.score_formula),
        thousands(r.limits.max_keys_per_table as u64),
        thousands(r.limits.shed),
        esc(&r.generator)
    );
    h.push('\n');
    h
}

fn finding(h: &mut String, f: &Finding) {
    let _ = write!(
        h,
        "<div class=\"finding\" id=\"{}\" style=\"border-left-color:{}\"><h3>{} {}</h3>\
<div class=\"when\"><code>{}</code> &middot; {} occurrence{} &middot; first {} &middot; last {}</div><dl>",
        esc(&f.id),
        sev_color(&f.severity),
        badge(&f.severity),
        esc(&f.title),
        esc(&f.id),
        thousands(f.count),
        if f.count == 1 { "" } else { "s" },
        esc(&when(&f.first_seen)),
        esc(&when(&f.last_seen))
    );
    for (name, t) in [("Servers", &f.servers), ("Clients", &f.clients), ("Accounts", &f.accounts), ("Evidence", &f.details)] {
        if !t.items.is_empty() {
            let _ = write!(h, "<dt>{name}</dt><dd>{}</dd>", top(t));
        }
    }
    if !f.examples.is_empty() {
        let flows: Vec<String> = f
            .examples
            .iter()
            .map(|e| format!("flow {} <code>{}</code> <span class=\"muted\">{}</span>", e.flow_id, esc(&e.community_id), esc(&e.timestamp)))
            .collect();
        let _ = write!(h, "<dt>Example flows</dt><dd>{}</dd>", flows.join("<br>"));
    }
    let _ = write!(h, "</dl><div class=\"fix\"><b>Fix:</b> {}</div></div>", guidance(f.remediation));
}

fn items(list: &[Item]) -> String {
    list.iter().map(|i| format!("{} <span class=\"muted\">({})</span>", esc(&i.name), thousands(i.count))).collect::<Vec<_>>().join(", ")
}

fn smb(h: &mut String, r: &Report) {
    let s = &r.smb;
    if s.sessions == 0 {
        return;
    }
    let _ = write!(
        h,
        "<h2>SMB servers</h2><p>{} sessions. Servers requiring signing: <span class=\"good\">{}</span>, not requiring it: <span class=\"bad\">{}</span>, \
mixed: {}. SMB1 servers: {}.</p><table id=\"smb-servers\"><tr><th>Server</th><th class=\"n\">Sessions</th><th>Dialects</th><th>SMB1</th>\
<th>Signing required</th><th class=\"n\">Signed</th><th class=\"n\">Encrypted</th><th class=\"n\">Guest</th><th class=\"n\">Null</th></tr>",
        thousands(s.sessions),
        s.servers_signing_required,
        s.servers_signing_not_required,
        s.servers_signing_mixed,
        if s.smb1_servers.is_empty() { "none".to_string() } else { esc(&s.smb1_servers.join(", ")) }
    );
    for row in &s.servers {
        let signing = match row.signing_required {
            "yes" => "<span class=\"good\">yes</span>",
            "no" => "<span class=\"bad\">no</span>",
            other => other,
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{signing}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&row.server),
            thousands(row.sessions),
            esc(&row.dialects.join(", ")),
            if row.smb1 { "<span class=\"bad\">yes</span>" } else { "no" },
            row.signed_sessions,
            row.encrypted_sessions,
            row.guest_sessions,
            row.anonymous_sessions
        );
    }
    h.push_str("</table>");
    if s.servers_more > 0 {
        let _ = write!(h, "<p class=\"muted\">and {} more servers (see the JSON report)</p>", s.servers_more);
    }
    if !s.smb1_clients.items.is_empty() {
        let _ = write!(h, "<p>Clients still offering SMB1: {}</p>", top(&s.smb1_clients));
    }
}

fn auth(h: &mut String, r: &Report) {
    let a = &r.authentication;
    if a.ntlm + a.ntlm_failed + a.kerberos + a.basic == 0 {
        return;
    }
    let _ = write!(
        h,
        "<h2>NTLM versus Kerberos</h2><p>{} NTLM authentications ({} NTLMv1) and {} more refused, {} Kerberos, {} HTTP Basic: NTLM is <b>{}</b> of NTLM and Kerberos \
(refused logons are attempts, not use). This is the audit to run before restricting NTLM: every pair below must move to Kerberos first.</p>",
        thousands(a.ntlm),
        thousands(a.ntlm_v1),
        thousands(a.ntlm_failed),
        thousands(a.kerberos),
        thousands(a.basic),
        a.ntlm_percent.map_or("-".into(), |n| format!("{n} %"))
    );
    for (title, id, rows, more) in
        [("Server", "auth-servers", &a.servers, a.servers_more), ("Client", "auth-clients", &a.clients, a.clients_more)]
    {
        let _ = write!(
            h,
            "<table id=\"{id}\" style=\"margin-bottom:12px\"><tr><th>{title}</th><th class=\"n\">NTLM</th><th class=\"n\">NTLMv1</th><th class=\"n\">refused</th><th class=\"n\">Kerberos</th><th class=\"n\">Basic</th><th class=\"n\">NTLM share</th></tr>"
        );
        for row in rows {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&row.host),
                thousands(row.ntlm),
                thousands(row.ntlm_v1),
                thousands(row.ntlm_failed),
                thousands(row.kerberos),
                thousands(row.basic),
                row.ntlm_percent.map_or("-".into(), |n| format!("{n} %"))
            );
        }
        h.push_str("</table>");
        if more > 0 {
            let _ = write!(h, "<p class=\"muted\">and {more} more</p>");
        }
    }
}

fn others(h: &mut String, r: &Report) {
    let k = &r.kerberos;
    if k.as_exchanges + k.tgs_exchanges > 0 {
        let _ = write!(
            h,
            "<h2>Kerberos</h2><p>{} AS exchanges ({} FAST-armored, {}), {} TGS exchanges, {} AS-REPs without pre-authentication. Ticket encryption types: {}.</p>",
            thousands(k.as_exchanges),
            thousands(k.fast_armored),
            k.fast_percent.map_or("-".into(), |n| format!("{n} %")),
            thousands(k.tgs_exchanges),
            thousands(k.without_preauth),
            if k.ticket_etypes.is_empty() { "-".into() } else { items(&k.ticket_etypes) }
        );
    }
    if !r.winrm.is_empty() {
        h.push_str("<h2>WinRM</h2><table id=\"winrm\"><tr><th>Server</th><th class=\"n\">Requests</th><th>Schemes</th><th class=\"n\">Basic</th><th class=\"n\">Clear SOAP</th><th class=\"n\">CredSSP</th><th class=\"n\">HTTPS connections</th></tr>");
        for w in &r.winrm {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&w.server),
                thousands(w.requests),
                items(&w.schemes),
                w.basic,
                w.clear_soap,
                w.credssp,
                w.https_connections
            );
        }
        h.push_str("</table>");
    }
    if r.webdav_requests > 0 {
        let _ = write!(h, "<h2>WebDAV</h2><p>{} WebDAV requests over plain HTTP.</p>", thousands(r.webdav_requests));
    }
    if !r.name_resolution.is_empty() {
        let _ = write!(h, "<h2>Name resolution</h2><p>Answered queries: {}.</p>", items(&r.name_resolution));
    }
    if !r.ldap_binds.is_empty() {
        let _ = write!(h, "<h2>LDAP</h2><p>Binds: {}.</p>", items(&r.ldap_binds));
    }
    let l = &r.lateral_movement;
    if l.total > 0 {
        let _ = write!(
            h,
            "<h2>Lateral movement</h2><p>{} remote task, service or WMI executions with a readable command.</p><table id=\"lateral\"><tr><th>Time</th><th>Client</th><th>Server</th><th>Operation</th><th>Name</th><th>Command line</th></tr>",
            thousands(l.total)
        );
        for e in &l.events {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&e.timestamp),
                esc(&e.client),
                esc(&e.server),
                esc(&e.operation),
                esc(&e.name),
                esc(&e.command)
            );
        }
        h.push_str("</table>");
    }
}
