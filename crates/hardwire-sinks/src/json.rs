//! JSON lines, one object per event, exactly the fields of `../shared/SCHEMA.md`.

use std::io::{self, Write};

use serde::Serialize;

use hardwire::event::{AlertObject, FlowInfo, Objects};
use hardwire::{EngineStats, Event, EventKind, Timestamp};

use crate::tally::{LiveCounters, Tally};

#[derive(Serialize)]
struct Line<'a> {
    timestamp: Timestamp,
    event_type: &'static str,
    #[serde(flatten)]
    flow: Option<&'a FlowInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert: Option<&'a AlertObject>,
    #[serde(flatten)]
    objects: &'a Objects,
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
    parse_errors: &'a std::collections::BTreeMap<&'static str, u64>,
    events: &'a std::collections::BTreeMap<&'static str, u64>,
    alerts: &'a std::collections::BTreeMap<&'static str, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kernel_drops: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interface_drops: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue_drops: Option<u64>,
}

#[derive(Serialize)]
struct StatsLine<'a> {
    timestamp: Timestamp,
    event_type: &'static str,
    stats: StatsBody<'a>,
}

/// Writes events as JSON lines and counts them.
pub struct JsonLines<W: Write> {
    out: W,
    pub tally: Tally,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines { out, tally: Tally::default() }
    }

    /// Writes one event as one line.
    pub fn write_event(&mut self, event: &Event) -> io::Result<()> {
        self.tally.count(event);
        let alert = match &event.kind {
            EventKind::Alert(alert) => Some(alert),
            _ => None,
        };
        let line = Line { timestamp: event.timestamp, event_type: event.kind.name(), flow: event.flow.as_ref(), alert, objects: &event.objects };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")
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
            parse_errors: &stats.parse_errors,
            events: &self.tally.events,
            alerts: &self.tally.alerts,
            kernel_drops: live.map(|l| l.kernel_drops),
            interface_drops: live.map(|l| l.interface_drops),
            queue_drops: live.map(|l| l.queue_drops),
        };
        serde_json::to_writer(&mut self.out, &StatsLine { timestamp, event_type: "stats", stats: body })?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The writer, e.g. to swap a file after SIGHUP.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}
