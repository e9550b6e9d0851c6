//! Protocol state machines above the reassembler. Each flow holds one [`App`]: still sniffing,
//! one protocol, or ignored. Apps never see raw packets, only in-order stream bytes and gaps,
//! and they emit records; detection runs on those records in [`crate::detect`].

pub mod auth;
pub mod dcerpc;

use hardwire_flow::Direction;

use crate::config::Config;
use crate::dispatch::{sniff, Protocol, Sniff};
use crate::event::{EventKind, Objects};
use crate::shared::Shared;
use crate::stats::EngineStats;
use crate::time::Timestamp;

/// A record an app emits; the engine adds the flow fields and runs detection on it.
#[derive(Debug)]
pub(crate) struct Record {
    pub kind: EventKind,
    pub objects: Objects,
    pub timestamp: Timestamp,
}

/// What an app may use while it handles bytes.
pub(crate) struct AppContext<'a> {
    pub now: Timestamp,
    pub config: &'a Config,
    pub shared: &'a Shared,
    pub records: &'a mut Vec<Record>,
    pub stats: &'a mut EngineStats,
    /// Ports of the flow, for protocols that care (WinRM on 5985...).
    pub server_port: u16,
}

impl AppContext<'_> {
    pub fn emit(&mut self, kind: EventKind, objects: Objects) {
        self.records.push(Record { kind, objects, timestamp: self.now });
    }

    pub fn parse_error(&mut self, protocol: &'static str) {
        *self.stats.parse_errors.entry(protocol).or_default() += 1;
    }
}

/// The protocol side of one flow.
#[derive(Debug, Default)]
pub(crate) enum App {
    /// No protocol recognised yet: the first bytes decide.
    #[default]
    Sniffing,
    /// Not a protocol we inspect: payload is skipped.
    Ignored,
}

/// Bytes to see before giving up on recognising a protocol.
const SNIFF_LIMIT: usize = 64;

impl App {
    /// In-order bytes of one direction; returns how many were consumed (see
    /// [`hardwire_flow::StreamSink::data`]).
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        if let App::Sniffing = self {
            match sniff(dir, data, cx.server_port, &cx.config.ports) {
                Sniff::NeedMore if data.len() < SNIFF_LIMIT => return 0,
                Sniff::NeedMore | Sniff::No => {
                    *self = App::Ignored;
                }
                Sniff::Is(protocol) => *self = App::start(protocol),
            }
        }
        match self {
            App::Sniffing | App::Ignored => data.len() as u64,
        }
    }

    pub fn gap(&mut self, dir: Direction, len: u64, cx: &mut AppContext) {
        let _ = (dir, len, cx);
    }

    /// The connection ended (closed, timed out, evicted, end of capture): flush records.
    pub fn close(&mut self, cx: &mut AppContext) {
        let _ = cx;
    }

    /// The protocol has seen enough: the rest of the flow is skipped without buffering.
    pub fn seen_enough(&self) -> bool {
        matches!(self, App::Ignored)
    }

    fn start(protocol: Protocol) -> App {
        match protocol {
            Protocol::Smb | Protocol::Http | Protocol::Tls | Protocol::Dcerpc => App::Ignored,
        }
    }
}
