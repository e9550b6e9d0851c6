//! JSON lines, one object per event, exactly the fields of `../shared/SCHEMA.md`.

use std::io::{self, Write};
use std::sync::Arc;

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use hardwire::event::{FlowInfo, Objects};
use hardwire::json_text::{JsonObject, JsonValue, PlainString};
use hardwire::time::Rfc3339Text;
use hardwire::{EngineStats, Event, EventKind, MemoryStats, SaslPdus, Timestamp};

use crate::delivery::{Fanout, SinkFigures};
use crate::tally::{LiveCounters, Tally};

// A line is written by hand (`hardwire::json_text`): the head, the flow fields, the alert, the
// objects. The objects are reused while the next lines carry the same (an alert's evidence is
// its record's own `Arc`), the flow fields of the last few flows too (a flow's lines come
// together, a few flows' lines interleave). Half the lines
// of a busy capture are alerts, and their evidence is most of their bytes.

/// Flows whose fields are kept as text: on the 400 MB capture, 4 write them 13,000 times
/// for 35,000 lines, 1 wrote them 19,600 times, 64 would 12,600.
const RECENT_FLOWS: usize = 4;

/// Opens a line with its head: `timestamp`, `event_type` and the sensor's `host`.
fn open_line<'a>(line: &'a mut Vec<u8>, timestamp: &[u8; 27], event_type: &str, host: Option<&str>) -> JsonObject<'a> {
    line.clear();
    let mut object = JsonObject::open(line);
    object.member("timestamp", &PlainString(timestamp));
    object.member("event_type", &PlainString(event_type.as_bytes()));
    object.optional("host", &host);
    object
}

/// The members of the last values written (most recent first), written again only when a line
/// carries another.
struct Reused<K> {
    recent: VecDeque<(K, Vec<u8>)>,
    capacity: usize,
}

impl<K: Clone> Reused<K> {
    fn new(capacity: usize) -> Self {
        Reused { recent: VecDeque::with_capacity(capacity), capacity }
    }

    fn members(&mut self, key: &K, same: impl Fn(&K, &K) -> bool, write: impl FnOnce(&mut JsonObject)) -> &[u8] {
        match self.recent.iter().position(|(held, _)| same(held, key)) {
            Some(0) => {}
            Some(at) => {
                if let Some(entry) = self.recent.remove(at) {
                    self.recent.push_front(entry);
                }
            }
            None => {
                // Once all are taken, the least recent one's buffer is reused.
                let evicted = if self.recent.len() >= self.capacity { self.recent.pop_back() } else { None };
                let mut members = evicted.map(|(_, members)| members).unwrap_or_default();
                members.clear();
                write(&mut JsonObject::continuing(&mut members));
                self.recent.push_front((key.clone(), members));
            }
        }
        self.recent.front().map_or(&[], |(_, members)| members.as_slice())
    }
}

#[derive(Serialize)]
struct StatsBody<'a> {
    packets: u64,
    bytes: u64,
    flows: u64,
    flows_active: u64,
    flows_evicted: u64,
    decode_errors: u64,
    reassembly_gaps: u64,
    retransmissions: u64,
    fragments_dropped: u64,
    tcp: &'a hardwire::stats::TcpStats,
    /// Only when some were shed: the line of a quiet sensor stays as it was.
    #[serde(skip_serializing_if = "is_zero")]
    correlation_shed: u64,
    parse_errors: &'a BTreeMap<&'static str, u64>,
    /// Only on a connection with a SASL security layer: other lines stay as they were.
    #[serde(skip_serializing_if = "SaslPdus::is_zero")]
    ldap_sasl_pdus: SaslPdus,
    events: BTreeMap<&'static str, u64>,
    alerts: BTreeMap<&'static str, u64>,
    memory: &'a MemoryStats,
    #[serde(skip_serializing_if = "Option::is_none")]
    kerberos: Option<KerberosBody<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    names: BTreeMap<&'static str, NamesBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kernel_drops: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interface_drops: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue_drops: Option<u64>,
    /// Each broker sink's figures, by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    sinks: BTreeMap<&'static str, SinkFigures>,
}

/// The Kerberos posture figures: per KDC, its AS-REQs and the shares armored with FAST and
/// made with PKINIT; weak tickets per service; accounts without pre-authentication.
#[derive(Serialize)]
struct KerberosBody<'a> {
    kdcs: std::collections::BTreeMap<&'a str, KdcBody>,
    weak_tickets: &'a std::collections::BTreeMap<String, u64>,
    accounts_without_preauth: u64,
}

#[derive(Serialize)]
struct KdcBody {
    as_requests: u64,
    fast: u64,
    pkinit: u64,
    fast_share: f64,
    pkinit_share: f64,
}

impl<'a> KerberosBody<'a> {
    fn of(posture: &'a hardwire::stats::KerberosPosture) -> Option<Self> {
        let share = |part: u64, all: u64| if all == 0 { 0.0 } else { part as f64 / all as f64 };
        let kdcs = posture
            .kdcs
            .iter()
            .map(|(kdc, r)| {
                let body = KdcBody {
                    as_requests: r.all,
                    fast: r.fast,
                    pkinit: r.pkinit,
                    fast_share: share(r.fast, r.all),
                    pkinit_share: share(r.pkinit, r.all),
                };
                (kdc.as_str(), body)
            })
            .collect();
        (!posture.is_empty()).then(|| KerberosBody {
            kdcs,
            weak_tickets: &posture.weak_tickets,
            accounts_without_preauth: posture.accounts_without_preauth.len() as u64 + posture.accounts_without_preauth_unlisted,
        })
    }
}

/// One name protocol's use: queries per querier, answers per responder.
#[derive(Serialize, Default)]
struct NamesBody<'a> {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    queries: BTreeMap<&'a str, u64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    answers: BTreeMap<&'a str, u64>,
}

fn names_body(posture: &hardwire::stats::NamePosture) -> BTreeMap<&'static str, NamesBody<'_>> {
    let mut body: BTreeMap<&'static str, NamesBody<'_>> = BTreeMap::new();
    for ((protocol, host), count) in &posture.queries {
        body.entry(protocol).or_default().queries.insert(host, *count);
    }
    for ((protocol, host), count) in &posture.answers {
        body.entry(protocol).or_default().answers.insert(host, *count);
    }
    body
}

/// JSON text serde_json wrote: the stats line's body, once a run or an interval.
struct Written(Vec<u8>);

impl JsonValue for Written {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// Writes events as JSON lines and counts them; hands each line to the broker sinks too.
pub struct JsonLines<W: Write> {
    out: W,
    pub tally: Tally,
    /// The sensor's name, `host` on every line.
    host: Option<String>,
    brokers: Fanout,
    /// The line being built: written out whole, one `write_all` per line.
    line: Vec<u8>,
    /// The text of the last line's time: the next line's is often in the same second.
    timestamp: Rfc3339Text,
    /// The flow fields of the last few flows: the lines of a few flows interleave (a session's
    /// record, a suppression summary), and a flow's fields cost ~1,300 instructions to write.
    flow: Reused<FlowInfo>,
    /// The objects of the last line: an alert's evidence is the `Arc` of the record before it.
    objects: Reused<Arc<Objects>>,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines {
            out,
            tally: Tally::default(),
            host: None,
            brokers: Fanout::new(Vec::new()),
            line: Vec::with_capacity(4096),
            timestamp: Rfc3339Text::default(),
            flow: Reused::new(RECENT_FLOWS),
            objects: Reused::new(1),
        }
    }

    /// Names the sensor on every line (`host`).
    pub fn with_host(mut self, host: Option<String>) -> Self {
        self.host = host;
        self
    }

    /// Hands every line to these broker sinks as well.
    pub fn with_brokers(mut self, brokers: Fanout) -> Self {
        self.brokers = brokers;
        self
    }

    /// Each broker sink's figures.
    pub fn broker_figures(&self) -> Vec<(&'static str, SinkFigures)> {
        self.brokers.figures()
    }

    /// Lets the broker sinks deliver what they hold (up to their drain time); their final figures.
    pub fn close_brokers(&mut self) -> Vec<(&'static str, SinkFigures)> {
        self.brokers.close()
    }

    /// Writes the line built in `self.line` (without its newline) and offers it to the brokers.
    fn emit(&mut self, event_type: &str) -> io::Result<()> {
        self.brokers.offer(event_type, &self.line);
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    /// Writes one event as one line.
    pub fn write_event(&mut self, event: &Event) -> io::Result<()> {
        self.tally.count(event);
        let timestamp = self.timestamp.of(event.timestamp);
        let mut line = open_line(&mut self.line, timestamp, event.kind.name(), self.host.as_deref());
        if let Some(flow) = &event.flow {
            line.splice(self.flow.members(flow, FlowInfo::eq, |members| flow.write_members(members)));
        }
        if let EventKind::Alert(alert) = &event.kind {
            line.member("alert", alert);
        }
        line.splice(self.objects.members(&event.objects, Arc::ptr_eq, |members| event.objects.write_members(members)));
        line.close();
        self.emit(event.kind.name())
    }

    /// Writes the `stats` line (the last line offline; one per interval live).
    pub fn write_stats(&mut self, timestamp: Timestamp, stats: &EngineStats, live: Option<LiveCounters>) -> io::Result<()> {
        let body = StatsBody {
            packets: stats.packets,
            bytes: stats.bytes,
            flows: stats.flows,
            flows_active: stats.flows_active,
            flows_evicted: stats.flows_evicted,
            decode_errors: stats.decode_errors,
            reassembly_gaps: stats.reassembly_gaps,
            retransmissions: stats.retransmissions,
            fragments_dropped: stats.fragments_dropped,
            tcp: &stats.tcp,
            correlation_shed: stats.correlation_shed,
            parse_errors: &stats.parse_errors,
            ldap_sasl_pdus: stats.ldap_sasl_pdus,
            events: self.tally.events.iter().map(|(&name, &n)| (name, n)).collect(),
            alerts: self.tally.alerts.iter().map(|(&rule, &n)| (rule, n)).collect(),
            memory: &stats.memory,
            kerberos: KerberosBody::of(&stats.kerberos),
            names: names_body(&stats.names),
            kernel_drops: live.map(|l| l.kernel_drops),
            interface_drops: live.map(|l| l.interface_drops),
            queue_drops: live.map(|l| l.queue_drops),
            sinks: self.brokers.figures().into_iter().collect(),
        };
        let body = Written(serde_json::to_vec(&body)?);
        let mut line = open_line(&mut self.line, self.timestamp.of(timestamp), "stats", self.host.as_deref());
        line.member("stats", &body);
        line.close();
        self.emit("stats")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The writer, e.g. to swap a file after SIGHUP.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use hardwire::detect::catalog::{RuleId, Severity};
    use hardwire::event::{AlertObject, NtlmObject, SmbObject};
    use hardwire_flow::community_id::community_id;
    use hardwire_flow::key::Endpoint;
    use serde_json::{json, Value};

    use super::*;

    fn flow() -> FlowInfo {
        let client = Endpoint { ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), port: 50000 };
        let server = Endpoint { ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), port: 445 };
        FlowInfo {
            flow_id: 3,
            src_ip: client.ip,
            src_port: client.port,
            dest_ip: server.ip,
            dest_port: server.port,
            proto: "TCP",
            community_id: community_id(0, client, server, 6),
        }
    }

    fn smb_objects() -> Objects {
        Objects {
            smb: Some(SmbObject { dialect: Some("3.1.1".into()), shares: Some(vec![r"\\srv\IPC$".into()]), ..SmbObject::default() }),
            ntlm: Some(NtlmObject { user: Some("a \"quoted\"\nuser".into()), ..NtlmObject::default() }),
            ..Objects::default()
        }
    }

    fn alert(rule: &str, objects: Arc<Objects>, flow: Option<FlowInfo>) -> Event {
        let rule = RuleId::from_id(rule).expect("a catalog rule");
        let alert = AlertObject { rule, severity: Severity::High, message: "m".into(), mitre: &["T1557"], count: 1 };
        Event { timestamp: Timestamp(1), flow, kind: EventKind::Alert(alert), objects }
    }

    fn lines(events: &[Event]) -> Vec<String> {
        let mut sink = JsonLines::new(Vec::new());
        for event in events {
            sink.write_event(event).expect("writes to a Vec");
        }
        String::from_utf8(sink.out).expect("JSON is UTF-8").lines().map(str::to_owned).collect()
    }

    /// A record, two alerts carrying its objects (the reused members), an alert carrying an equal
    /// copy (members serialised afresh), and an alert with no evidence and no flow.
    #[test]
    fn alerts_carry_their_records_objects_whole() {
        let shared = Arc::new(smb_objects());
        let events = [
            Event { timestamp: Timestamp(1), flow: Some(flow()), kind: EventKind::Smb, objects: Arc::clone(&shared) },
            alert("smb.session.unsigned", Arc::clone(&shared), Some(flow())),
            alert("smb.signing.not_required", Arc::clone(&shared), Some(flow())),
            alert("smb.session.unsigned", Arc::new(smb_objects()), Some(flow())),
            alert("smb.v1.negotiated", Arc::new(Objects::default()), None),
        ];
        let lines = lines(&events);
        assert_eq!(lines.len(), 5);
        let evidence = json!({
            "smb": {"dialect": "3.1.1", "shares": [r"\\srv\IPC$"]},
            "ntlm": {"user": "a \"quoted\"\nuser"},
        });
        let flow_fields = json!({
            "flow_id": 3, "src_ip": "10.0.0.1", "src_port": 50000, "dest_ip": "10.0.0.2", "dest_port": 445,
            "proto": "TCP", "community_id": flow().community_id.as_str(),
        });
        for (line, event) in lines.iter().zip(&events) {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let object = value.as_object().expect("a JSON object");
            assert_eq!(object["timestamp"], "1970-01-01T00:00:00.000001Z", "{line}");
            assert_eq!(object["event_type"], event.kind.name(), "{line}");
            let expected_flow = if event.flow.is_some() { flow_fields.as_object() } else { None };
            for (key, expected) in expected_flow.into_iter().flatten() {
                assert_eq!(&object[key], expected, "{key} in {line}");
            }
            let expected_objects = if event.objects.smb.is_some() { evidence.as_object() } else { None };
            for (key, expected) in expected_objects.into_iter().flatten() {
                assert_eq!(&object[key], expected, "{key} in {line}");
            }
            let keys =
                2 + expected_flow.map_or(0, |f| f.len()) + expected_objects.map_or(0, |o| o.len()) + usize::from(event.alert().is_some());
            assert_eq!(object.len(), keys, "{line}");
        }
        assert_eq!(
            lines[4],
            r#"{"timestamp":"1970-01-01T00:00:00.000001Z","event_type":"alert","alert":{"rule":"smb.v1.negotiated","severity":"high","message":"m","mitre":["T1557"],"count":1}}"#
        );
        // The evidence is written after the alert object, the record's bytes exactly.
        let record_objects = lines[0].find(r#","smb":"#).map(|at| &lines[0][at..]).expect("smb member");
        assert!(lines[1].ends_with(record_objects) && lines[3].ends_with(record_objects), "{lines:#?}");
    }
}
