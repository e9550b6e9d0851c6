//! The sans-IO engine: frames in, events out.
//!
//! ```text
//! frame ─ hardwire_wire::Decoder ─ Packet ─ FlowTable ─ tcp::Connection ─ App ─ Record
//!                                                        (Stream per direction)   detect ─┘
//! ```
//! On the TCP path the engine only finds the flow and routes the segment: the connection
//! (`hardwire_flow::tcp`) decides what it means and hands the apps the bytes the hosts
//! exchanged.
//! Nothing here reads a file or a socket, spawns a thread or looks at the wall clock: the caller
//! feeds timestamped frames and collects events. `hardwire read` and each worker of
//! `hardwire live` are such callers.

use std::net::IpAddr;
use std::sync::Arc;

use hardwire_flow::community_id::{community_id, CommunityId};
use hardwire_flow::{
    ChecksumValidation, Connection, ConnectionSink, Direction, Endpoint, Flow, FlowKey, FlowTable, OverlapConflict, OverlapPolicy,
    ReassemblyLimits, Segment, TcpPolicy, Verdict,
};
use hardwire_wire::{tcp_checksum_ok, Decoder, DecoderLimits, DefragLimits, LinkType, Packet, TcpSegment, Transport};

use crate::app::{App, AppContext, Record, Tier, ENTRY_OVERHEAD};
use crate::config::{self, Config};
use crate::detect::{self, DetectContext};
use crate::event::{Event, FlowInfo, TcpObject};
use crate::shared::Shared;
use crate::stats::EngineStats;
use crate::time::Timestamp;

const IP_PROTO_TCP: u8 = 6;
const IP_PROTO_UDP: u8 = 17;

/// Per-flow state above the flow table.
#[derive(Debug)]
struct FlowState {
    /// TCP flows only, made at the first segment. Boxed: a connection is ~650 bytes, which
    /// every UDP flow carried unused (30 k of the benchmark capture's 42 k flows), and every
    /// flow is moved whole into the table and out of it again (~6 copies of its slot).
    conn: Option<Box<Connection>>,
    app: App,
    /// Hashed when the flow first emits a line: most flows never do.
    community_id: Option<CommunityId>,
    /// What the flow holds, as counted against the budget, and the app's part of it (measured
    /// again only when the app was handed something).
    charge: usize,
    app_bytes: usize,
    /// The flow's tier in the table, so the table is told (a lookup) only when it changes.
    tier: Tier,
}

/// What a flow costs before it holds anything: its state in the table's slot, its links, its
/// entry in the index.
const FLOW_BYTES: usize = std::mem::size_of::<Flow<FlowState>>() + 2 * ENTRY_OVERHEAD;

/// What a TCP flow's connection costs besides what it holds.
const CONNECTION_BYTES: usize = std::mem::size_of::<Connection>();

/// How often (in packets) a worker looks at what the shared state holds: often enough for the
/// figures, rarely enough not to contend for it. Past half its budget it looks every packet.
const SHARED_LOOK_EVERY: u32 = 1024;

/// A worker's account of its memory against `limits.memory_budget`: every flow's charge
/// (updated when it changes, not by walking the table), fragments held, its stats maps, and its
/// share of the shared state.
#[derive(Debug, Default)]
struct Memory {
    budget: usize,
    /// The flows' charges summed.
    flows: usize,
    /// Fragments held by the decoder.
    fragments: usize,
    /// The stats maps and this worker's share of the shared state, when last looked at.
    maps: usize,
    shared: usize,
    peak: usize,
    since_shared_look: u32,
}

impl Memory {
    fn held(&self) -> usize {
        self.flows + self.fragments + self.maps + self.shared
    }
}

/// The flow fields every line of a flow carries; the Community ID is hashed into `known` the
/// first time they are needed.
fn flow_info(id: u64, client: Endpoint, server: Endpoint, protocol: u8, known: &mut Option<CommunityId>) -> FlowInfo {
    let community_id = *known.get_or_insert_with(|| community_id(0, client, server, protocol));
    FlowInfo {
        flow_id: id,
        src_ip: client.ip,
        src_port: client.port,
        dest_ip: server.ip,
        dest_port: server.port,
        proto: if protocol == IP_PROTO_TCP { "TCP" } else { "UDP" },
        community_id,
    }
}

/// A tracked flow's fields.
fn info_of(flow: &mut Flow<FlowState>) -> FlowInfo {
    flow_info(flow.id, flow.client, flow.server, flow.key.protocol(), &mut flow.state.community_id)
}

/// The engine. One per thread; the [`Shared`] part is common to all of a sensor's engines.
pub struct Engine {
    decoder: Decoder,
    core: Core,
}

/// Everything but the decoder, so a decoded packet (which borrows the decoder) can be handed
/// to it.
struct Core {
    config: Arc<Config>,
    shared: Arc<Shared>,
    flows: FlowTable<FlowState>,
    tcp: TcpPolicy,
    /// Overlap conflicts found while a segment was handled, alerted once it is.
    conflicts: Vec<(u64, TcpObject)>,
    /// Buffers of pieces the streams delivered, for the next pieces they hold.
    piece_buffers: Vec<Vec<u8>>,
    server_ports: ServerPorts,
    stats: EngineStats,
    records: Vec<Record>,
    next_flow_id: u64,
    flow_id_stride: u64,
    last_expiry_us: u64,
    memory: Memory,
}

/// How often (in packet time) idle flows are looked for.
const EXPIRY_INTERVAL_US: u64 = 1_000_000;

impl Engine {
    /// A single engine (offline reading): flow ids 1, 2, 3...
    pub fn new(config: Arc<Config>, shared: Arc<Shared>) -> Engine {
        Engine::worker(config, shared, 0, 1)
    }

    /// Engine `index` of `count` workers: flow ids stay unique across workers.
    pub fn worker(config: Arc<Config>, shared: Arc<Shared>, index: u64, count: u64) -> Engine {
        let limits = &config.limits;
        let decoder = Decoder::new(DecoderLimits {
            defrag: DefragLimits {
                max_bytes: limits.max_fragment_bytes,
                timeout_us: limits.fragment_timeout_secs.saturating_mul(1_000_000),
                ..DefragLimits::default()
            },
        });
        let budget = limits.memory_budget;
        let core = Core {
            flows: FlowTable::new(limits.max_flows),
            tcp: tcp_policy(&config),
            conflicts: Vec::new(),
            piece_buffers: Vec::new(),
            server_ports: ServerPorts::new(&config),
            config,
            shared,
            stats: EngineStats::default(),
            records: Vec::new(),
            next_flow_id: index + 1,
            flow_id_stride: count.max(1),
            last_expiry_us: 0,
            memory: Memory { budget, ..Memory::default() },
        };
        Engine { decoder, core }
    }

    /// Feeds one frame captured at `timestamp`; events it completes are appended to `out`.
    /// `wire_len` is the frame's length on the wire (the capture may hold less).
    pub fn feed(&mut self, timestamp: Timestamp, link: LinkType, frame: &[u8], wire_len: usize, out: &mut Vec<Event>) {
        let core = &mut self.core;
        core.stats.packets += 1;
        core.stats.bytes += wire_len as u64;
        core.stats.last_packet_us = core.stats.last_packet_us.max(timestamp.0);
        core.expire_if_due(timestamp, out);
        if self.decoder.decode(timestamp.0, link, frame, |packet| core.packet(timestamp, packet, out)).is_err() {
            core.stats.decode_errors += 1;
        }
        core.keep_to_budget(self.decoder.fragment_bytes_held(), out);
    }

    /// Ends flows idle for longer than the timeout at `now` (live mode calls this on the wall
    /// clock when traffic is quiet).
    pub fn tick(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        self.core.expire(now, out);
    }

    /// Ends every flow: end of a capture, or shutdown. Records of open sessions are flushed.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        while let Some(flow) = self.core.flows.pop_oldest() {
            self.core.close_flow(flow, out);
        }
    }

    /// The engine's counters, with the decoder's and the table's folded in.
    pub fn stats(&self) -> EngineStats {
        let mut stats = self.core.stats.clone();
        stats.flows = self.core.flows.created;
        stats.flows_evicted = self.core.flows.evicted;
        stats.flows_active = self.core.flows.len() as u64;
        stats.fragments_dropped = self.decoder.fragments_dropped();
        stats.correlation_shed = self.core.shared.correlation_shed();
        let memory = &self.core.memory;
        let now = memory.flows + self.decoder.fragment_bytes_held() + stats.map_bytes() + self.core.shared.budget.per_worker();
        stats.memory.budget_bytes = memory.budget as u64;
        stats.memory.bytes = now as u64;
        stats.memory.peak_bytes = memory.peak.max(now) as u64;
        stats.memory.servers_forgotten = self.core.shared.dialects.forgotten();
        stats
    }
}

impl Core {
    /// Past the budget, flows are shed (their records written, as at a timeout) in tiers: bulk
    /// and stateless flows first, flows in the middle of an authentication last; least recently
    /// seen first within a tier. The worker's share of the shared state is looked at every
    /// [`SHARED_LOOK_EVERY`] packets, and at every packet once half the budget is held. (The
    /// shared state sheds on its own past its half of the sensor's budget, so flows always
    /// keep about half of each worker's.) The peak is what is held after each packet.
    fn keep_to_budget(&mut self, fragments: usize, out: &mut Vec<Event>) {
        let memory = &mut self.memory;
        memory.fragments = fragments;
        memory.since_shared_look += 1;
        if memory.flows + fragments > memory.budget / 2 || memory.since_shared_look >= SHARED_LOOK_EVERY {
            memory.since_shared_look = 0;
            memory.maps = self.stats.map_bytes();
            memory.shared = self.shared.budget.per_worker();
        }
        while self.memory.held() > self.memory.budget {
            let Some((tier, flow)) = self.flows.shed() else { break };
            self.stats.memory.count_shed(tier);
            self.close_flow(flow, out);
        }
        self.memory.peak = self.memory.peak.max(self.memory.held());
    }

    /// Measures a flow again after a packet: the bytes its connection holds, and when its app
    /// was handed something, the app's; returns the flow's tier when it changed. Small enough to
    /// be inlined in the packet path; the app's measure (a walk of its tables) is not.
    fn recharge(memory: &mut Memory, state: &mut FlowState, app_touched: bool) -> Option<Tier> {
        let tier = if app_touched { Core::measure_app(state) } else { None };
        let connection = state.conn.as_ref().map_or(0, |conn| CONNECTION_BYTES + conn.held_bytes());
        let charge = FLOW_BYTES + connection + state.app_bytes;
        memory.flows = memory.flows - state.charge + charge;
        state.charge = charge;
        tier
    }

    #[inline(never)]
    fn measure_app(state: &mut FlowState) -> Option<Tier> {
        state.app_bytes = state.app.memory();
        let tier = state.app.tier();
        (tier != state.tier).then(|| {
            state.tier = tier;
            tier
        })
    }

    fn expire_if_due(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        if now.0.saturating_sub(self.last_expiry_us) >= EXPIRY_INTERVAL_US {
            self.expire(now, out);
        }
    }

    fn expire(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        self.last_expiry_us = now.0;
        let idle = self.config.limits.flow_timeout_secs.saturating_mul(1_000_000);
        for flow in self.flows.expire(now.0, idle) {
            self.close_flow(flow, out);
        }
    }

    /// The packet is borrowed all the way down, from where the decoder made it: copying it at
    /// each call was a tenth of the engine's time.
    fn packet(&mut self, now: Timestamp, packet: &Packet<'_>, out: &mut Vec<Event>) {
        match &packet.transport {
            Transport::Tcp(segment) => self.tcp(now, packet.src, packet.dst, packet.ttl, segment, out),
            &Transport::Udp { src_port, dst_port, payload } => {
                let src = Endpoint { ip: packet.src, port: src_port };
                let dst = Endpoint { ip: packet.dst, port: dst_port };
                self.udp(now, src, dst, payload, out);
            }
            Transport::Other(_) => {}
        }
    }

    /// A UDP datagram: its flow's app gets it whole, with its direction.
    fn udp(&mut self, now: Timestamp, src: Endpoint, dst: Endpoint, payload: &[u8], out: &mut Vec<Event>) {
        let key = FlowKey::of(src, dst, IP_PROTO_UDP);
        if self.datagram_of_known_flow(now, key, src, payload, out) {
            return;
        }
        let (client, server) = orient(src, dst, false, false, &self.server_ports);
        self.new_flow(now, key, client, server, out);
        self.datagram_of_known_flow(now, key, src, payload, out);
    }

    /// A datagram of the flow of `key`; false (and nothing done) when there is no such flow.
    fn datagram_of_known_flow(&mut self, now: Timestamp, key: FlowKey, src: Endpoint, payload: &[u8], out: &mut Vec<Event>) -> bool {
        let Core { flows, config, shared, stats, records, .. } = self;
        let Some(flow) = flows.get_mut(&key, now.0) else { return false };
        let dir = flow.direction_from(src);
        let mut cx = AppContext { now, config, shared, records, stats, server_ip: flow.server.ip, server_port: flow.server.port };
        let dst = if src == flow.client { flow.server } else { flow.client };
        flow.state.app.datagram(dir, (src, dst), payload, &mut cx);
        let tier = Core::recharge(&mut self.memory, &mut flow.state, true);
        if !records.is_empty() {
            let info = info_of(flow);
            self.emit_records(&info, out);
        }
        if let Some(tier) = tier {
            self.flows.set_tier(&key, tier as usize);
        }
        true
    }

    fn new_flow(&mut self, now: Timestamp, key: FlowKey, client: Endpoint, server: Endpoint, out: &mut Vec<Event>) -> FlowKey {
        let id = self.next_flow_id;
        self.next_flow_id += self.flow_id_stride;
        // Hashed here only if a flow rule fires, and then kept.
        let mut community_id = None;
        if key.protocol() == IP_PROTO_TCP {
            let info = || flow_info(id, client, server, key.protocol(), &mut community_id);
            detect::on_new_tcp_flow(now, &self.config, &self.shared, client, server, info, out);
        }
        // The table puts a new flow in tier 0.
        let state = FlowState { conn: None, app: App::default(), community_id, charge: FLOW_BYTES, app_bytes: 0, tier: Tier::Bulk };
        self.memory.flows += FLOW_BYTES;
        let flow = Flow { key, id, client, server, first_seen_us: now.0, last_seen_us: now.0, state };
        let (_, evicted) = self.flows.insert(flow);
        if let Some(evicted) = evicted {
            self.close_flow(evicted, out);
        }
        key
    }

    fn tcp(&mut self, now: Timestamp, src_ip: IpAddr, dst_ip: IpAddr, ttl: u8, seg: &TcpSegment<'_>, out: &mut Vec<Event>) {
        let src = Endpoint { ip: src_ip, port: seg.src_port };
        let dst = Endpoint { ip: dst_ip, port: seg.dst_port };
        let key = FlowKey::of(src, dst, IP_PROTO_TCP);
        let segment = Segment {
            seq: seg.seq,
            ack: seg.ack,
            syn: seg.flags.syn,
            has_ack: seg.flags.ack,
            fin: seg.flags.fin,
            rst: seg.flags.rst,
            window: seg.window,
            window_scale: seg.window_scale,
            ttl,
            payload: seg.payload(),
            missing: seg.missing,
        };
        let checksum_ok = || tcp_checksum_ok(src_ip, dst_ip, seg.raw, seg.missing);
        match self.tcp_of_known_flow(now, key, src, &segment, checksum_ok, out) {
            Some(Verdict::Restart) => {
                // A new connection on the same ports: the old one's records go first.
                if let Some(flow) = self.flows.remove(&key) {
                    self.close_flow(flow, out);
                }
            }
            Some(_) => return,
            // A bare ACK, FIN or RST of a flow we do not know is the tail of one that ended.
            None if !seg.flags.syn && seg.payload().is_empty() => return,
            None => {}
        }
        let (client, server) = orient(src, dst, seg.flags.syn, seg.flags.ack, &self.server_ports);
        self.new_flow(now, key, client, server, out);
        self.tcp_of_known_flow(now, key, src, &segment, checksum_ok, out);
    }

    /// A segment of the flow of `key`, handed to its connection; `None` (and nothing done) when
    /// there is no such flow. One table lookup for the packets of known flows, nearly all.
    fn tcp_of_known_flow(
        &mut self,
        now: Timestamp,
        key: FlowKey,
        src: Endpoint,
        seg: &Segment<'_>,
        checksum_ok: impl FnOnce() -> Option<bool>,
        out: &mut Vec<Event>,
    ) -> Option<Verdict> {
        let Core { flows, config, shared, stats, records, tcp, conflicts, piece_buffers, memory, .. } = self;
        let flow = flows.get_mut(&key, now.0)?;
        let dir = flow.direction_from(src);
        let FlowState { conn, app, .. } = &mut flow.state;
        let conn = conn.get_or_insert_with(Box::default);
        let server = &flow.server;
        let mut sink = AppSink { app, config, shared, records, stats, server, conflicts, piece_buffers, touched: false };
        let verdict = conn.segment(dir, seg, now.0, tcp, checksum_ok, &mut sink);
        // Only an app handed something can have seen enough since the last packet.
        let touched = sink.touched;
        if touched && sink.app.seen_enough() {
            conn.release();
        }
        let tier = Core::recharge(memory, &mut flow.state, touched);
        // Most packets complete no record: only those that do copy the flow fields out.
        if !records.is_empty() || !conflicts.is_empty() {
            let info = info_of(flow);
            self.emit_records(&info, out);
        }
        if let Some(tier) = tier {
            self.flows.set_tier(&key, tier as usize);
        }
        if verdict == Verdict::Closed {
            if let Some(flow) = self.flows.remove(&key) {
                self.close_flow(flow, out);
            }
        }
        Some(verdict)
    }

    /// Ends a flow: the connection delivers what it holds, the app flushes its records.
    fn close_flow(&mut self, mut flow: Flow<FlowState>, out: &mut Vec<Event>) {
        self.memory.flows -= flow.state.charge;
        let now = Timestamp(flow.last_seen_us);
        let state = &mut flow.state;
        {
            let Core { config, shared, stats, records, tcp, conflicts, piece_buffers, .. } = self;
            let server = &flow.server;
            let mut sink =
                AppSink { app: &mut state.app, config, shared, records, stats, server, conflicts, piece_buffers, touched: false };
            if let Some(conn) = &mut state.conn {
                conn.finish(now.0, tcp, &mut sink);
            }
            let (app, mut cx) = sink.app_and_context(now.0);
            app.close(&mut cx);
        }
        if let Some(conn) = &state.conn {
            let streams = conn.streams();
            for stream in streams {
                self.stats.reassembly_gaps += stream.counters.gaps;
                self.stats.retransmissions += stream.counters.retransmissions;
            }
            self.stats.tcp.add(&conn.counters, &[streams[0].counters, streams[1].counters]);
        }
        if !self.records.is_empty() || !self.conflicts.is_empty() {
            let info = info_of(&mut flow);
            self.emit_records(&info, out);
        }
    }

    /// Wraps the records the apps emitted with the flow fields and runs detection on them.
    fn emit_records(&mut self, info: &FlowInfo, out: &mut Vec<Event>) {
        let cx = DetectContext { config: &self.config, shared: &self.shared, flow: info, failed_logon: None };
        let kept = match self.tcp.overlap {
            OverlapPolicy::First => "first",
            OverlapPolicy::Last => "last",
        };
        for (at, conflict) in self.conflicts.drain(..) {
            detect::on_overlap_conflict(Timestamp(at), TcpObject { kept, ..conflict }, &cx, out);
        }
        for record in self.records.drain(..) {
            let event = Event { timestamp: record.timestamp, flow: Some(*info), kind: record.kind, objects: record.objects };
            // The record goes before its alerts: they are appended first, then it is slipped in.
            let at = out.len();
            let previous = record.previous.map(|objects| Event { objects, ..event.clone() });
            detect::on_record(&event, previous.as_ref(), &cx, out);
            out.insert(at, event);
        }
    }
}

/// Which side is the client: the SYN's sender; else the side not on a well-known server port;
/// else the first sender.
fn orient(src: Endpoint, dst: Endpoint, syn: bool, ack: bool, server_ports: &ServerPorts) -> (Endpoint, Endpoint) {
    if syn {
        return if ack { (dst, src) } else { (src, dst) };
    }
    match (server_ports.contains(src.port), server_ports.contains(dst.port)) {
        (true, false) => (dst, src),
        _ => (src, dst),
    }
}

/// The ports a server is taken to listen on: every configured protocol port and every port
/// below 1024, one bit each. Looked up for each new flow without a SYN; searching the ten
/// configured lists was ~300 instructions a flow.
struct ServerPorts(Box<[u64; 1024]>);

impl ServerPorts {
    fn new(config: &Config) -> ServerPorts {
        let p = &config.ports;
        let configured = [&p.smb, &p.http, &p.winrm, &p.tls, &p.dcerpc, &p.kerberos, &p.llmnr, &p.nbns, &p.mdns, &p.ldap];
        let mut bits = Box::new([0u64; 1024]);
        for port in (0..1024).chain(configured.into_iter().flatten().copied()) {
            bits[usize::from(port >> 6)] |= 1 << (port & 63);
        }
        ServerPorts(bits)
    }

    fn contains(&self, port: u16) -> bool {
        self.0[usize::from(port >> 6)] >> (port & 63) & 1 == 1
    }
}

/// The TCP layer's settings from the configuration.
fn tcp_policy(config: &Config) -> TcpPolicy {
    let limits = &config.limits;
    let tcp = &config.tcp;
    TcpPolicy {
        limits: ReassemblyLimits { max_out_of_order: limits.max_out_of_order_bytes, max_pending: limits.max_pending_bytes },
        overlap: match tcp.overlap_policy {
            config::OverlapPolicy::First => OverlapPolicy::First,
            config::OverlapPolicy::Last => OverlapPolicy::Last,
        },
        ttl_tolerance: tcp.ttl_tolerance,
        checksums: match tcp.checksum_validation {
            config::ChecksumValidation::Auto => ChecksumValidation::Auto,
            config::ChecksumValidation::Yes => ChecksumValidation::Yes,
            config::ChecksumValidation::No => ChecksumValidation::No,
        },
    }
}

/// Piece buffers kept for reuse, and the largest kept: most segments wait for their
/// acknowledgement, and an allocation and a free for each was a tenth of the TCP layer's own
/// cost. Outside the memory budget (a piece is counted by its length), bounded by these.
const MAX_PIECE_BUFFERS: usize = 64;
const MAX_PIECE_BUFFER_BYTES: usize = 2048;

/// Connects a connection's bytes to the flow's app. Records take the time of the packet that
/// carried their last bytes, not of the acknowledgement that let them through.
struct AppSink<'s> {
    app: &'s mut App,
    config: &'s Config,
    shared: &'s Shared,
    records: &'s mut Vec<Record>,
    stats: &'s mut EngineStats,
    server: &'s Endpoint,
    conflicts: &'s mut Vec<(u64, TcpObject)>,
    piece_buffers: &'s mut Vec<Vec<u8>>,
    /// The app was handed bytes or a gap: its size and tier may have changed.
    touched: bool,
}

impl AppSink<'_> {
    /// The app, and its context for bytes captured at `at`: made when the app is handed
    /// something, not for every packet (most hand it nothing).
    fn app_and_context(&mut self, at: u64) -> (&mut App, AppContext<'_>) {
        let AppSink { app, config, shared, records, stats, server, .. } = self;
        let cx = AppContext { now: Timestamp(at), config, shared, records, stats, server_ip: server.ip, server_port: server.port };
        (app, cx)
    }
}

impl ConnectionSink for AppSink<'_> {
    fn data(&mut self, dir: Direction, at: u64, data: &[u8]) -> u64 {
        if self.app.seen_enough() {
            return data.len() as u64;
        }
        self.touched = true;
        let (app, mut cx) = self.app_and_context(at);
        app.data(dir, data, &mut cx)
    }

    fn gap(&mut self, dir: Direction, at: u64, len: u64) {
        self.touched = true;
        let (app, mut cx) = self.app_and_context(at);
        app.gap(dir, len, &mut cx);
    }

    fn overlap_conflict(&mut self, dir: Direction, at: u64, conflict: OverlapConflict) {
        let tcp = TcpObject {
            direction: if dir == Direction::ToServer { "to_server" } else { "to_client" },
            offset: conflict.offset,
            overlap_bytes: conflict.len,
            differing_bytes: conflict.differing,
            kept: "",
        };
        self.conflicts.push((at, tcp));
    }

    fn buffer(&mut self, len: usize) -> Vec<u8> {
        // One too small goes: the pool keeps to the sizes pieces have.
        match self.piece_buffers.pop() {
            Some(buffer) if buffer.capacity() >= len => buffer,
            _ => Vec::with_capacity(len),
        }
    }

    fn recycle(&mut self, mut buffer: Vec<u8>) {
        if self.piece_buffers.len() < MAX_PIECE_BUFFERS && buffer.capacity() <= MAX_PIECE_BUFFER_BYTES {
            buffer.clear();
            self.piece_buffers.push(buffer);
        }
    }
}
