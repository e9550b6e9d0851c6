//! The engine on its own, without the `hardwire` binary: open a capture with the `pcap` crate,
//! feed the [`Engine`] frame by frame, print one line per record and alert.
//!
//! ```text
//! cargo run -p hardwire --example summarize -- pcaps/smb/smb-ntlmv1.pcap
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use hardwire::{Config, Engine, Event, EventKind, LinkType, Shared, Timestamp};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: summarize CAPTURE.pcap");
        return ExitCode::FAILURE;
    };
    match summarize(&path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("summarize: {path}: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn summarize(path: &str) -> Result<(), String> {
    let mut capture = pcap::Capture::from_file(path).map_err(|e| e.to_string())?;
    let link = LinkType::from_dlt(capture.get_datalink().0).map_err(|e| e.to_string())?;
    let config = Arc::new(Config::default());
    let shared = Arc::new(Shared::new(&config));
    let mut engine = Engine::new(config, shared);
    let mut events = Vec::new();
    loop {
        match capture.next_packet() {
            Ok(packet) => {
                let ts = Timestamp::from_secs_micros(packet.header.ts.tv_sec, packet.header.ts.tv_usec);
                engine.feed(ts, link, packet.data, packet.header.len as usize, &mut events);
                events.drain(..).for_each(|event| println!("{}", one_line(&event.worded(1))));
            }
            Err(pcap::Error::NoMorePackets) => break,
            Err(e) => {
                eprintln!("summarize: {path}: {e} (reporting what was read)");
                break;
            }
        }
    }
    // The end of the capture closes every flow: sessions still open are reported now.
    engine.finish(&mut events);
    events.drain(..).for_each(|event| println!("{}", one_line(&event.worded(1))));
    let stats = engine.stats();
    println!("{} packets, {} flows, {} decode errors", stats.packets, stats.flows, stats.decode_errors);
    Ok(())
}

/// `time kind client -> server: what`.
fn one_line(event: &Event) -> String {
    let peers = event.flow.as_ref().map(|f| format!("{}:{} -> {}:{}", f.src_ip, f.src_port, f.dest_ip, f.dest_port)).unwrap_or_default();
    let objects = &event.objects;
    let what = match &event.kind {
        EventKind::Alert(alert) => format!("[{}] {}", alert.rule.id(), alert.message),
        // Worded above unless it has no flow to word it from.
        EventKind::Raised(raised) => format!("[{}]", raised.rule.id()),
        EventKind::Smb => objects.smb.as_ref().map_or(String::new(), |smb| {
            format!("dialect {} auth {} status {}", or_dash(&smb.dialect), or_dash(&smb.auth), or_dash(&smb.status))
        }),
        EventKind::Http => objects.http.as_ref().map_or(String::new(), |http| {
            format!("{} {} -> {}", or_dash(&http.method), or_dash(&http.uri), http.status.map_or("-".to_string(), |s| s.to_string()))
        }),
        EventKind::Dcerpc => {
            objects.dcerpc.as_ref().map_or(String::new(), |rpc| format!("{} {}", or_dash(&rpc.interface_name), or_dash(&rpc.operation)))
        }
        EventKind::Tls => {
            objects.tls.as_ref().map_or(String::new(), |tls| format!("TLS {} sni {}", or_dash(&tls.version), or_dash(&tls.sni)))
        }
        EventKind::Krb5 => objects.krb5.as_ref().map_or(String::new(), |krb5| {
            format!("{} {} -> {} {}", krb5.request_type.unwrap_or("-"), or_dash(&krb5.cname), or_dash(&krb5.sname), or_dash(&krb5.status))
        }),
        EventKind::Name => objects
            .name
            .as_ref()
            .map_or(String::new(), |name| format!("{} {} answered by {} for {}", name.protocol, name.query, name.responder, name.querier)),
        EventKind::Ldap => objects.ldap.as_ref().map_or(String::new(), |ldap| {
            format!("{} bind {} -> {}", ldap.bind_type.unwrap_or("-"), or_dash(&ldap.bind_dn), or_dash(&ldap.result))
        }),
        EventKind::Ntlm => String::new(),
    };
    let user = objects.ntlm.as_ref().and_then(|n| n.user.as_deref()).map(|u| format!(" user {u}")).unwrap_or_default();
    format!("{} {:<7} {peers}: {what}{user}", event.timestamp.rfc3339(), event.kind.name())
}

fn or_dash<S: AsRef<str>>(value: &Option<S>) -> &str {
    value.as_ref().map_or("-", AsRef::as_ref)
}
