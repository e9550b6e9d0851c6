//! A TCP connection as the two hosts saw it: the handshake, both sides' initial sequence
//! numbers, windows and TTLs, and what each segment means. The engine routes a flow's segments
//! here; the protocols above see only bytes the hosts really exchanged (see ARCHITECTURE.md,
//! "The TCP layer", for the policy choices).
//!
//! - The ISN of a side is the one the other side acknowledges: SYNs are candidates until the
//!   SYN-ACK (or, for the server's, the client's ACK) picks one. A SYN with a new ISN on a
//!   connection that has ended, or one the server answers, starts a new connection.
//! - RST and FIN act only inside the receiver's window (RFC 5961); an ACK for bytes never sent
//!   is counted and used for nothing.
//! - With both directions on the wire, bytes go up once the receiver acknowledges them; with one
//!   direction only (a one-sided SPAN), at once.
//! - A segment whose TTL (hop limit) departs from its side's by more than the tolerance is
//!   counted and not used; its bytes are kept aside (bounded) in case the side's TTL really
//!   changed: when the receiver acknowledges, in two ACKs, the ends of two segments that only
//!   the new TTL carried, the side's TTL becomes the new one and those bytes are used. So is
//!   a segment without data whose checksum is wrong on a side whose checksums are mostly
//!   right; the bytes of such a segment with data are used only if no right copy of them comes
//!   (edited captures keep their only copy). A side whose checksums are mostly wrong is taken
//!   to be the capturing host's own, whose checksums the network card fills in after capture
//!   (offload), as Suricata's `checksum-validation: auto` does.

use crate::key::Direction;
use crate::reassembly::{Arrival, OverlapConflict, OverlapPolicy, ReassemblyLimits, Stream, StreamSink, PIECE_OVERHEAD};

/// Whether TCP checksums are checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChecksumValidation {
    /// Checked, except on a side whose checksums are mostly wrong (offload).
    #[default]
    Auto,
    /// Checked on every segment.
    Yes,
    /// Not checked.
    No,
}

/// How the connection judges segments.
#[derive(Debug, Clone, Copy)]
pub struct TcpPolicy {
    pub limits: ReassemblyLimits,
    pub overlap: OverlapPolicy,
    /// How far a segment's TTL may depart from its side's before it is not believed.
    pub ttl_tolerance: u8,
    pub checksums: ChecksumValidation,
}

impl Default for TcpPolicy {
    fn default() -> Self {
        TcpPolicy {
            limits: ReassemblyLimits::default(),
            overlap: OverlapPolicy::First,
            ttl_tolerance: 5,
            checksums: ChecksumValidation::Auto,
        }
    }
}

/// The TCP header fields the connection acts on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Segment<'a> {
    pub seq: u32,
    pub ack: u32,
    pub syn: bool,
    pub has_ack: bool,
    pub fin: bool,
    pub rst: bool,
    /// The advertised window, unscaled, and the window scale option (SYNs).
    pub window: u16,
    pub window_scale: Option<u8>,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    pub payload: &'a [u8],
    /// Payload bytes announced by the IP header but not captured.
    pub missing: u32,
}

/// What the connection refused or doubted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpCounters {
    /// Data, FIN or RST outside the receiver's window.
    pub out_of_window: u64,
    /// ACKs of bytes never sent (or of an ISN never offered).
    pub invalid_ack: u64,
    /// Segments with a wrong checksum, not used; and those accepted as offloaded.
    pub bad_checksum: u64,
    pub checksum_offloaded: u64,
    /// Segments whose TTL departed from their side's.
    pub ttl_changed: u64,
    /// SYNs with another ISN on a live connection that nobody answered.
    pub syn_ignored: u64,
}

/// What a segment's checksum makes of it.
enum Checksum {
    Believed,
    /// Its bytes are used only if no right copy comes.
    Doubtful,
    Refused,
}

/// What the engine does with the flow after a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Continue,
    /// An accepted RST, or both FINs: the connection is over.
    Closed,
    /// The segment opens a new connection on the same ports: close this one and feed the
    /// segment to a new one.
    Restart,
}

/// Where a connection's bytes go, per direction.
pub trait ConnectionSink {
    fn data(&mut self, dir: Direction, at: u64, data: &[u8]) -> u64;
    fn gap(&mut self, dir: Direction, at: u64, len: u64);
    fn overlap_conflict(&mut self, dir: Direction, at: u64, conflict: OverlapConflict);
    /// An empty buffer for `len` bytes a stream holds (see [`StreamSink::buffer`]).
    fn buffer(&mut self, len: usize) -> Vec<u8> {
        Vec::with_capacity(len)
    }
    /// The buffer of a piece a stream let go of (see [`StreamSink::recycle`]).
    fn recycle(&mut self, _buffer: Vec<u8>) {}
}

/// Segments of a side (SYNs aside) whose checksums decide, in auto mode, whether the side's
/// checksums are filled in after capture (mostly wrong) or checked (mostly right).
const CHECKSUM_SAMPLE: u32 = 4;
/// Candidate SYNs before the handshake says which is real.
const MAX_ISN_CANDIDATES: usize = 4;
/// The smallest window believed: a side's window before it is known, or a zero window.
const MIN_WINDOW: u32 = 65_535;
/// The window scale assumed when the handshake was not seen.
const UNKNOWN_WINDOW_SCALE: u8 = 14;
/// Segments with another TTL kept aside per side, in case the side's TTL changed.
const MAX_ASIDE: usize = 32;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Isn {
    /// No SYN seen from this side.
    #[default]
    Unknown,
    /// SYNs seen, none acknowledged yet: (sequence number, TTL).
    Candidates([(u32, u8); MAX_ISN_CANDIDATES], usize),
    Fixed(u32),
}

/// What is known of one side (as a sender, and as the receiver of the other side's bytes).
#[derive(Debug, Default)]
struct Side {
    seen: bool,
    isn: Isn,
    ttl: Option<u8>,
    window_scale_offered: Option<u8>,
    /// The scale of the side's windows as the handshake seen so far says (see
    /// [`Connection::settle_window_shifts`]); `None` before it says anything.
    window_shift: Option<u8>,
    /// The largest window this side advertised, scaled.
    max_window: u32,
    /// The highest acknowledgement this side sent (accepted ones only).
    last_ack: Option<u32>,
    /// The end of the highest sequence number this side sent, for when its stream is not fed.
    snd_nxt: Option<u32>,
    /// Checksums seen right and wrong among the side's first segments (at most
    /// [`CHECKSUM_SAMPLE`]).
    checksums_right: u8,
    checksums_wrong: u8,
    fin: bool,
    /// Data segments whose TTL departed from the side's, while any are kept.
    aside: Option<Box<Aside>>,
}

impl Side {
    /// Still judging checksums in auto mode: fewer than [`CHECKSUM_SAMPLE`] seen.
    fn judging_checksums(&self) -> bool {
        u32::from(self.checksums_right + self.checksums_wrong) < CHECKSUM_SAMPLE
    }

    /// Judged (in auto mode) to have its checksums offloaded: its sample was mostly wrong.
    fn judged_offloaded(&self) -> bool {
        !self.judging_checksums() && self.checksums_wrong >= self.checksums_right
    }
}

/// Data segments a side sent with a TTL out of tolerance, kept until the receiver's
/// acknowledgements show whether the side's TTL really changed (see [`Connection::prove`]).
#[derive(Debug, Default)]
struct Aside {
    /// In arrival order.
    segments: Vec<AsideSegment>,
    /// Their bytes, each counted with [`PIECE_OVERHEAD`], against the stream's cap.
    cost: usize,
    /// The first proof: the TTL and the acknowledgement that made it.
    proof: Option<(u8, u32)>,
}

#[derive(Debug)]
struct AsideSegment {
    at: u64,
    seq: u32,
    ttl: u8,
    doubtful: bool,
    bytes: Vec<u8>,
}

impl AsideSegment {
    fn end(&self) -> u32 {
        self.seq.wrapping_add(self.bytes.len() as u32)
    }
}

/// One TCP connection.
#[derive(Debug, Default)]
pub struct Connection {
    /// By direction: [to the server, to the client].
    streams: [Stream; 2],
    /// By sender: [client, server].
    sides: [Side; 2],
    /// A SYN with another ISN on a live connection: a new connection if the server answers it.
    pending_syn: Option<u32>,
    ended: bool,
    released: bool,
    pub counters: TcpCounters,
}

/// One direction of a connection's sink, for its stream.
struct DirSink<'s, S> {
    sink: &'s mut S,
    dir: Direction,
}

impl<S: ConnectionSink> StreamSink for DirSink<'_, S> {
    fn data(&mut self, at: u64, data: &[u8]) -> u64 {
        self.sink.data(self.dir, at, data)
    }
    fn gap(&mut self, at: u64, len: u64) {
        self.sink.gap(self.dir, at, len);
    }
    fn overlap_conflict(&mut self, at: u64, conflict: OverlapConflict) {
        self.sink.overlap_conflict(self.dir, at, conflict);
    }
    fn buffer(&mut self, len: usize) -> Vec<u8> {
        self.sink.buffer(len)
    }
    fn recycle(&mut self, buffer: Vec<u8>) {
        self.sink.recycle(buffer);
    }
}

fn other(dir: Direction) -> Direction {
    dir.reverse()
}

/// `a - b` as a signed distance in sequence space.
fn seq_distance(a: u32, b: u32) -> i64 {
    i64::from(a.wrapping_sub(b) as i32)
}

impl Connection {
    /// The streams, by direction (their counters, held bytes).
    pub fn streams(&self) -> &[Stream; 2] {
        &self.streams
    }

    /// Bytes held in both directions (segments kept aside included).
    pub fn held_bytes(&self) -> usize {
        let aside: usize = self.sides.iter().filter_map(|side| side.aside.as_ref()).map(|aside| aside.cost).sum();
        self.streams.iter().map(Stream::held_bytes).sum::<usize>() + aside
    }

    /// The protocols have seen enough: buffers go, segments are still judged (RST, FIN).
    pub fn release(&mut self) {
        if !self.released {
            self.released = true;
            self.streams.iter_mut().for_each(Stream::release);
            self.sides.iter_mut().for_each(|side| side.aside = None);
        }
    }

    /// A segment travelling `dir`, captured at `at` (microseconds). `checksum_ok` computes
    /// whether its checksum is right (`None`: cannot tell); it is called only when that matters.
    pub fn segment(
        &mut self,
        dir: Direction,
        seg: &Segment<'_>,
        at: u64,
        policy: &TcpPolicy,
        checksum_ok: impl FnOnce() -> Option<bool>,
        sink: &mut impl ConnectionSink,
    ) -> Verdict {
        let d = dir.index();
        if let Some(ttl) = self.sides[d].ttl {
            if ttl.abs_diff(seg.ttl) > policy.ttl_tolerance {
                self.counters.ttl_changed += 1;
                self.put_aside(dir, seg, at, policy, checksum_ok);
                return Verdict::Continue;
            }
        }
        let doubtful = match self.checksum(dir, seg, policy, checksum_ok) {
            Checksum::Believed => false,
            Checksum::Doubtful => true,
            Checksum::Refused => return Verdict::Continue,
        };
        self.sides[d].seen = true;
        if seg.syn {
            return self.syn(dir, seg);
        }
        self.sides[d].ttl.get_or_insert(seg.ttl);
        self.fix_own_isn(dir, seg.seq);
        self.note_window(dir, seg.window);
        if seg.rst {
            if self.in_window(dir, seg.seq) {
                self.ended = true;
                return Verdict::Closed;
            }
            self.counters.out_of_window += 1;
            return Verdict::Continue;
        }
        if seg.has_ack {
            self.ack(dir, seg.ack, at, policy, sink);
        }
        let len = seg.payload.len() as u32;
        if len > 0 || seg.missing > 0 {
            let arrival = Arrival { at, seq: seg.seq, payload: seg.payload, missing: seg.missing, doubtful };
            if !self.data(dir, arrival, policy, sink) {
                return Verdict::Continue;
            }
        }
        if seg.fin {
            if !self.in_window(dir, seg.seq) {
                self.counters.out_of_window += 1;
                return Verdict::Continue;
            }
            self.sides[d].fin = true;
            self.note_sent(dir, seg.seq.wrapping_add(len).wrapping_add(1));
            self.streams[d].fin(seg.seq, seg.payload.len());
            if self.sides.iter().all(|s| s.fin) {
                self.ended = true;
                return Verdict::Closed;
            }
        }
        Verdict::Continue
    }

    /// Bytes sent `dir`, from a segment judged usable; false when outside the window. Inlined
    /// into [`Self::segment`]: the call, with the arrival passed through memory, was a tenth of
    /// the connection's own cost.
    #[inline(always)]
    fn data(&mut self, dir: Direction, arrival: Arrival<'_>, policy: &TcpPolicy, sink: &mut impl ConnectionSink) -> bool {
        if !self.in_window(dir, arrival.seq) {
            self.counters.out_of_window += 1;
            return false;
        }
        let end = arrival.seq.wrapping_add(arrival.payload.len() as u32).wrapping_add(arrival.missing);
        self.note_sent(dir, end);
        if self.sides[dir.index()].aside.is_some() {
            self.prune_aside(dir);
        }
        if !self.released {
            let wait = self.sides[other(dir).index()].seen;
            let stream = &mut self.streams[dir.index()];
            stream.segment(arrival, wait, policy.overlap, &policy.limits, &mut DirSink { sink, dir });
        }
        true
    }

    /// Keeps the bytes of a segment whose TTL departed from its side's, in case the side's TTL
    /// changed (bounded: [`MAX_ASIDE`] segments, their cost with the stream's under its cap).
    fn put_aside(&mut self, dir: Direction, seg: &Segment<'_>, at: u64, policy: &TcpPolicy, checksum_ok: impl FnOnce() -> Option<bool>) {
        let d = dir.index();
        if seg.payload.is_empty() || seg.missing > 0 || seg.syn || seg.rst || self.released || !self.in_window(dir, seg.seq) {
            return;
        }
        // Bytes a usable copy already carried can prove nothing.
        if self.sides[d].snd_nxt.is_some_and(|nxt| seq_distance(seg.seq.wrapping_add(seg.payload.len() as u32), nxt) <= 0) {
            return;
        }
        let doubtful = match policy.checksums {
            ChecksumValidation::No => false,
            ChecksumValidation::Auto if self.sides[d].judged_offloaded() => false,
            _ => checksum_ok() == Some(false),
        };
        if doubtful && policy.checksums == ChecksumValidation::Yes {
            self.counters.bad_checksum += 1;
            return;
        }
        let cost = seg.payload.len() + PIECE_OVERHEAD;
        let held = self.streams[d].held_bytes();
        let aside = self.sides[d].aside.get_or_insert_with(Box::default);
        if aside.segments.len() >= MAX_ASIDE || held + aside.cost + cost > policy.limits.max_out_of_order {
            self.streams[d].counters.pieces_shed += 1;
            return;
        }
        aside.cost += cost;
        aside.segments.push(AsideSegment { at, seq: seg.seq, ttl: seg.ttl, doubtful, bytes: seg.payload.to_vec() });
    }

    /// Drops the segments kept aside whose bytes a usable copy has carried since, and the
    /// proof under way: the side's TTL still carries data.
    fn prune_aside(&mut self, dir: Direction) {
        let side = &mut self.sides[dir.index()];
        let (Some(nxt), Some(aside)) = (side.snd_nxt, side.aside.as_mut()) else { return };
        aside.proof = None;
        aside.segments.retain(|segment| seq_distance(segment.end(), nxt) > 0);
        aside.cost = aside.segments.iter().map(|segment| segment.bytes.len() + PIECE_OVERHEAD).sum();
        if aside.segments.is_empty() {
            side.aside = None;
        }
    }

    /// The receiver acknowledged `ack` of `dir`, beyond every byte a usable segment carried.
    /// If segments kept aside with one TTL carried all the bytes up to `ack`, and `ack` is the
    /// end of one of them, that is a proof that the host took them. The second proof (another,
    /// later ACK, so another segment's end) makes that TTL the side's: the segments kept aside
    /// with it are used, and true is returned. One forged ACK cannot choose the bytes; nor can
    /// a copy kept aside where a usable copy came.
    fn prove(&mut self, dir: Direction, ack: u32, policy: &TcpPolicy, sink: &mut impl ConnectionSink) -> bool {
        let side = &mut self.sides[dir.index()];
        let (Some(nxt), Some(aside)) = (side.snd_nxt, side.aside.as_mut()) else { return false };
        let Some(ttl) = aside.segments.iter().find(|segment| segment.end() == ack).map(|segment| segment.ttl) else { return false };
        let tolerance = policy.ttl_tolerance;
        // The bytes from `nxt` to `ack` must all lie in segments with that TTL.
        let mut spans = [(0i64, 0i64); MAX_ASIDE];
        let mut n = 0;
        for segment in aside.segments.iter().filter(|segment| segment.ttl.abs_diff(ttl) <= tolerance) {
            spans[n] = (seq_distance(segment.seq, nxt), seq_distance(segment.end(), nxt));
            n += 1;
        }
        let spans = &mut spans[..n];
        spans.sort_unstable();
        let mut covered = 0i64;
        for &(start, end) in spans.iter() {
            if start > covered {
                break;
            }
            covered = covered.max(end);
        }
        if covered < seq_distance(ack, nxt) {
            return false;
        }
        match aside.proof {
            Some((first_ttl, first_ack)) if first_ttl.abs_diff(ttl) <= tolerance && seq_distance(ack, first_ack) > 0 => {}
            _ => {
                aside.proof = Some((ttl, ack));
                return false;
            }
        }
        side.ttl = Some(ttl);
        let Some(aside) = side.aside.take() else { return false };
        for segment in aside.segments.iter().filter(|segment| segment.ttl.abs_diff(ttl) <= tolerance) {
            let arrival = Arrival { at: segment.at, seq: segment.seq, payload: &segment.bytes, missing: 0, doubtful: segment.doubtful };
            self.data(dir, arrival, policy, sink);
        }
        true
    }

    /// End of the connection: what waits is delivered.
    pub fn finish(&mut self, at: u64, policy: &TcpPolicy, sink: &mut impl ConnectionSink) {
        if self.released {
            return;
        }
        for dir in [Direction::ToServer, Direction::ToClient] {
            self.streams[dir.index()].finish(at, &policy.limits, &mut DirSink { sink: &mut *sink, dir });
        }
    }

    /// What the segment's checksum says about it. Bulk bytes the protocol skips are not checked
    /// (they are not looked at, and summing them is most of the cost). In auto mode a side is
    /// judged on its first few segments without data after its SYN, and the judgement then stays: forged
    /// segments with right checksums later cannot turn an offloaded side into a checked one.
    /// SYNs are not judged there: the handshake already says which SYN is real.
    fn checksum(&mut self, dir: Direction, seg: &Segment<'_>, policy: &TcpPolicy, checksum_ok: impl FnOnce() -> Option<bool>) -> Checksum {
        let side = &mut self.sides[dir.index()];
        let auto = policy.checksums == ChecksumValidation::Auto;
        if policy.checksums == ChecksumValidation::No || (auto && seg.syn) {
            return Checksum::Believed;
        }
        let judging = side.judging_checksums();
        if auto && side.judged_offloaded() {
            // Judged offloaded: nothing to learn from summing.
            self.counters.checksum_offloaded += 1;
            return Checksum::Believed;
        }
        // Segments with data are summed once the side is judged checked: the judgement rests on
        // the short segments (ACKs, FIN, RST), which cost little to sum, and most flows are short.
        let control = seg.syn || seg.fin || seg.rst;
        if !control && !seg.payload.is_empty() && (judging || self.released || self.streams[dir.index()].skips(seg.seq, seg.payload.len()))
        {
            return Checksum::Believed;
        }
        match checksum_ok() {
            Some(true) => {
                side.checksums_right += u8::from(judging);
                Checksum::Believed
            }
            None => Checksum::Believed,
            Some(false) => {
                side.checksums_wrong += u8::from(judging);
                if auto && side.checksums_wrong >= side.checksums_right {
                    self.counters.checksum_offloaded += 1;
                    return Checksum::Believed;
                }
                self.counters.bad_checksum += 1;
                if auto && !seg.payload.is_empty() {
                    Checksum::Doubtful
                } else {
                    Checksum::Refused
                }
            }
        }
    }

    fn syn(&mut self, dir: Direction, seg: &Segment<'_>) -> Verdict {
        let d = dir.index();
        match self.sides[d].isn {
            Isn::Fixed(isn) if isn == seg.seq => {}
            Isn::Fixed(_) => {
                // Another ISN on a connection we know: a new connection if this one is over, or
                // if the server answers the client's new SYN; else nobody took it up.
                if self.ended || self.sides.iter().any(|s| s.fin) {
                    return Verdict::Restart;
                }
                if !seg.has_ack && dir == Direction::ToServer {
                    self.pending_syn = Some(seg.seq);
                } else if seg.has_ack && self.pending_syn.is_some_and(|syn| syn.wrapping_add(1) == seg.ack) {
                    return Verdict::Restart;
                }
                self.counters.syn_ignored += 1;
                return Verdict::Continue;
            }
            Isn::Unknown => self.sides[d].isn = Isn::Candidates([(seg.seq, seg.ttl); MAX_ISN_CANDIDATES], 1),
            Isn::Candidates(ref mut list, ref mut len) => {
                if !list[..*len].iter().any(|&(seq, _)| seq == seg.seq) {
                    // The oldest candidate makes room.
                    list.rotate_left(usize::from(*len == MAX_ISN_CANDIDATES));
                    *len = (*len + 1).min(MAX_ISN_CANDIDATES);
                    list[*len - 1] = (seg.seq, seg.ttl);
                }
            }
        }
        if let Some(scale) = seg.window_scale {
            self.sides[d].window_scale_offered = Some(scale);
        }
        self.settle_window_shifts();
        // The window of a SYN is never scaled.
        self.sides[d].max_window = self.sides[d].max_window.max(u32::from(seg.window));
        if seg.has_ack {
            if self.confirm_isn(other(dir), seg.ack) {
                self.sides[d].last_ack = Some(seg.ack);
            } else {
                self.counters.invalid_ack += 1;
            }
        }
        Verdict::Continue
    }

    /// The other side acknowledged `ack`: if `dir`'s ISN is still a candidate, `ack - 1` picks it.
    /// False when it names no candidate.
    fn confirm_isn(&mut self, dir: Direction, ack: u32) -> bool {
        let d = dir.index();
        let isn = ack.wrapping_sub(1);
        match self.sides[d].isn {
            Isn::Candidates(list, len) => {
                let Some(&(_, ttl)) = list[..len].iter().find(|&&(seq, _)| seq == isn) else { return false };
                self.sides[d].ttl = Some(ttl);
                self.fix(dir, isn);
            }
            // The SYN was not captured: the acknowledgement says what it was.
            Isn::Unknown if !self.streams[d].started() => self.fix(dir, isn),
            _ => {}
        }
        true
    }

    fn fix(&mut self, dir: Direction, isn: u32) {
        self.sides[dir.index()].isn = Isn::Fixed(isn);
        self.settle_window_shifts();
        self.streams[dir.index()].syn(isn);
        self.note_sent(dir, isn.wrapping_add(1));
    }

    /// A segment from a side whose SYN nobody acknowledged (a one-sided capture, or the answer
    /// was lost): the candidate its sequence number follows, else the latest.
    fn fix_own_isn(&mut self, dir: Direction, seq: u32) {
        if let Isn::Candidates(list, len) = self.sides[dir.index()].isn {
            let candidates = &list[..len];
            let (isn, ttl) = candidates.iter().copied().find(|&(isn, _)| isn.wrapping_add(1) == seq).unwrap_or(candidates[len - 1]);
            self.sides[dir.index()].ttl.get_or_insert(ttl);
            self.fix(dir, isn);
        }
    }

    fn note_sent(&mut self, dir: Direction, end: u32) {
        let side = &mut self.sides[dir.index()];
        match side.snd_nxt {
            Some(nxt) if seq_distance(end, nxt) <= 0 => {}
            _ => side.snd_nxt = Some(end),
        }
    }

    /// The sides' window scales, from what the handshake said: they change only with a SYN or
    /// a fixed ISN, so each segment's window is scaled without asking again.
    fn settle_window_shifts(&mut self) {
        let shifts = match (self.sides[0].window_scale_offered, self.sides[1].window_scale_offered) {
            (Some(client), Some(server)) => [Some(client), Some(server)],
            // Both SYNs seen, one without the option: no scaling.
            _ if self.sides.iter().all(|s| s.isn != Isn::Unknown) => [Some(0); 2],
            _ => [None; 2],
        };
        for (side, shift) in self.sides.iter_mut().zip(shifts) {
            side.window_shift = shift;
        }
    }

    fn note_window(&mut self, dir: Direction, window: u16) {
        let side = &mut self.sides[dir.index()];
        let scale = side.window_shift.unwrap_or(UNKNOWN_WINDOW_SCALE);
        side.max_window = side.max_window.max(u32::from(window) << scale);
    }

    /// Whether `seq`, sent `dir`, lies inside the receiver's window around the next byte it
    /// expects. Unknown sequence spaces are not judged.
    fn in_window(&self, dir: Direction, seq: u32) -> bool {
        let (sender, receiver) = (&self.sides[dir.index()], &self.sides[other(dir).index()]);
        let Some(expected) = receiver.last_ack.or(sender.snd_nxt) else { return true };
        let window = i64::from(receiver.max_window.max(MIN_WINDOW));
        seq_distance(seq, expected).abs() <= window
    }

    /// `dir`'s sender acknowledges `ack` of the other direction.
    fn ack(&mut self, dir: Direction, ack: u32, at: u64, policy: &TcpPolicy, sink: &mut impl ConnectionSink) {
        let back = other(dir);
        let (d, b) = (dir.index(), back.index());
        if matches!(self.sides[b].isn, Isn::Candidates(..)) && !self.confirm_isn(back, ack) {
            self.counters.invalid_ack += 1;
            return;
        }
        let Some(sent_end) = self.sides[b].snd_nxt else { return };
        if seq_distance(ack, sent_end) > 0 {
            let proved = self.sides[b].aside.is_some() && self.prove(back, ack, policy, sink);
            if !proved || self.sides[b].snd_nxt.is_none_or(|end| seq_distance(ack, end) > 0) {
                self.counters.invalid_ack += 1;
                return;
            }
        }
        if self.sides[d].last_ack.is_none_or(|last| seq_distance(ack, last) > 0) {
            self.sides[d].last_ack = Some(ack);
        }
        let stream = &mut self.streams[b];
        if !self.released && stream.acks_more(ack) && stream.acceptable_ack(ack) == Some(true) {
            stream.acked(at, ack, &policy.limits, &mut DirSink { sink, dir: back });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Recorder {
        data: [Vec<u8>; 2],
        gaps: u64,
        conflicts: u64,
    }

    impl ConnectionSink for Recorder {
        fn data(&mut self, dir: Direction, _: u64, data: &[u8]) -> u64 {
            self.data[dir.index()].extend_from_slice(data);
            data.len() as u64
        }
        fn gap(&mut self, _: Direction, _: u64, _: u64) {
            self.gaps += 1;
        }
        fn overlap_conflict(&mut self, _: Direction, _: u64, _: OverlapConflict) {
            self.conflicts += 1;
        }
    }

    const C: Direction = Direction::ToServer;
    const S: Direction = Direction::ToClient;

    fn feed(conn: &mut Connection, sink: &mut Recorder, dir: Direction, seg: Segment<'_>) -> Verdict {
        conn.segment(dir, &seg, 0, &TcpPolicy::default(), || Some(true), sink)
    }

    fn syn(seq: u32, ttl: u8) -> Segment<'static> {
        Segment { seq, syn: true, ttl, window: 1000, ..Segment::default() }
    }

    fn data(seq: u32, ack: u32, payload: &[u8]) -> Segment<'_> {
        Segment { seq, ack, has_ack: true, ttl: 64, window: 1000, payload, ..Segment::default() }
    }

    /// A handshake with client ISN 100 and server ISN 5000, after a decoy SYN (ISN 9999, TTL 3).
    fn handshake(conn: &mut Connection, sink: &mut Recorder) {
        feed(conn, sink, C, syn(9999, 3));
        feed(conn, sink, C, syn(100, 64));
        feed(conn, sink, S, Segment { ack: 101, has_ack: true, ..syn(5000, 64) });
        feed(conn, sink, C, data(101, 5001, b""));
    }

    #[test]
    fn the_acknowledged_syn_is_the_real_one_and_bytes_wait_for_their_ack() {
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        handshake(&mut conn, &mut sink);
        feed(&mut conn, &mut sink, C, data(101, 5001, b"hello"));
        assert!(sink.data[0].is_empty(), "not acknowledged yet");
        // A forged ACK beyond what the client sent: counted, no gap, nothing delivered.
        feed(&mut conn, &mut sink, S, data(5001, 200, b""));
        assert_eq!((conn.counters.invalid_ack, sink.gaps), (1, 0));
        feed(&mut conn, &mut sink, S, data(5001, 106, b"world"));
        assert_eq!(sink.data[0], b"hello");
        feed(&mut conn, &mut sink, C, data(106, 5006, b""));
        assert_eq!(sink.data[1], b"world");
    }

    #[test]
    fn rst_and_fin_outside_the_window_are_ignored() {
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        handshake(&mut conn, &mut sink);
        let far = Segment { rst: true, ..data(101u32.wrapping_add(1 << 31), 5001, b"") };
        assert_eq!(feed(&mut conn, &mut sink, C, far), Verdict::Continue);
        let far_fin = Segment { fin: true, ..data(101u32.wrapping_add(1 << 24), 5001, b"") };
        assert_eq!(feed(&mut conn, &mut sink, C, far_fin), Verdict::Continue);
        assert_eq!(conn.counters.out_of_window, 2);
        assert_eq!(feed(&mut conn, &mut sink, C, Segment { rst: true, ..data(101, 5001, b"") }), Verdict::Closed);
    }

    #[test]
    fn a_segment_with_another_ttl_or_a_bad_checksum_is_not_used() {
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        handshake(&mut conn, &mut sink);
        // Three more right checksums on segments without data: the client's are checked.
        for _ in 0..3 {
            feed(&mut conn, &mut sink, C, data(101, 5001, b""));
        }
        feed(&mut conn, &mut sink, C, Segment { ttl: 3, ..data(101, 5001, b"decoy") });
        conn.segment(C, &data(101, 5001, b"forge"), 0, &TcpPolicy::default(), || Some(false), &mut sink);
        feed(&mut conn, &mut sink, C, data(101, 5001, b"hello"));
        feed(&mut conn, &mut sink, S, data(5001, 106, b""));
        assert_eq!(sink.data[0], b"hello");
        // The wrong checksum's copy was compared with the right one, and lost.
        assert_eq!((conn.counters.ttl_changed, conn.counters.bad_checksum, sink.conflicts), (1, 1, 1));
    }

    #[test]
    fn a_new_ttl_is_learned_when_the_receiver_acknowledges_two_of_its_segments() {
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        handshake(&mut conn, &mut sink);
        // The client's TTL goes from 64 to 20: its bytes wait aside until the server's ACKs
        // show, twice, that the host took them.
        feed(&mut conn, &mut sink, C, Segment { ttl: 20, ..data(101, 5001, b"one ") });
        feed(&mut conn, &mut sink, S, data(5001, 105, b""));
        feed(&mut conn, &mut sink, C, Segment { ttl: 20, ..data(105, 5001, b"two ") });
        assert!(sink.data[0].is_empty());
        assert!(conn.held_bytes() > 0, "what is kept aside is counted");
        feed(&mut conn, &mut sink, S, data(5001, 109, b""));
        assert_eq!(sink.data[0], b"one two ");
        feed(&mut conn, &mut sink, C, Segment { ttl: 21, ..data(109, 5001, b"three") });
        feed(&mut conn, &mut sink, S, data(5001, 114, b""));
        assert_eq!(sink.data[0], b"one two three");
        // The old TTL is now the one out of tolerance.
        assert_eq!(feed(&mut conn, &mut sink, C, Segment { rst: true, ..data(114, 5001, b"") }), Verdict::Continue);
        assert_eq!((conn.counters.ttl_changed, conn.counters.invalid_ack, conn.held_bytes()), (3, 1, 0));
    }

    #[test]
    fn one_forged_ack_does_not_make_a_ttl_limited_decoy_count() {
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        handshake(&mut conn, &mut sink);
        // The decoy expires before the host; a forged ACK "from the server" claims it arrived.
        feed(&mut conn, &mut sink, C, Segment { ttl: 3, ..data(101, 5001, b"decoy") });
        feed(&mut conn, &mut sink, S, data(5001, 106, b""));
        feed(&mut conn, &mut sink, C, data(101, 5001, b"hello"));
        feed(&mut conn, &mut sink, S, data(5001, 106, b""));
        assert_eq!(sink.data[0], b"hello");
        // Once a usable copy carried them, the decoy's bytes are no longer held.
        assert_eq!((conn.counters.invalid_ack, conn.held_bytes()), (1, 0));
        // Two decoys and one forged ACK of each, but the real bytes came in between.
        feed(&mut conn, &mut sink, C, Segment { ttl: 3, ..data(106, 5001, b"decoy") });
        feed(&mut conn, &mut sink, S, data(5001, 111, b""));
        feed(&mut conn, &mut sink, C, data(106, 5001, b"world"));
        feed(&mut conn, &mut sink, C, Segment { ttl: 3, ..data(111, 5001, b"decoy") });
        feed(&mut conn, &mut sink, S, data(5001, 116, b""));
        feed(&mut conn, &mut sink, C, data(111, 5001, b"again"));
        feed(&mut conn, &mut sink, S, data(5001, 116, b""));
        assert_eq!(sink.data[0], b"helloworldagain");
    }

    #[test]
    fn checksums_never_right_are_taken_as_offloaded() {
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        let policy = TcpPolicy::default();
        for _ in 0..CHECKSUM_SAMPLE {
            conn.segment(C, &data(1, 0, b""), 0, &policy, || Some(false), &mut sink);
        }
        conn.segment(C, &data(1, 0, b"one "), 0, &policy, || Some(false), &mut sink);
        conn.segment(C, &data(5, 0, b"two"), 0, &policy, || panic!("an offloaded side is not summed"), &mut sink);
        assert_eq!(sink.data[0], b"one two");
        assert_eq!((conn.counters.checksum_offloaded, conn.counters.bad_checksum), (6, 0));
    }

    #[test]
    fn one_direction_only_is_delivered_at_once() {
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        feed(&mut conn, &mut sink, C, syn(100, 64));
        feed(&mut conn, &mut sink, C, data(101, 7, b"hello"));
        assert_eq!(sink.data[0], b"hello");
    }

    #[test]
    fn a_new_syn_after_the_end_or_answered_restarts() {
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        handshake(&mut conn, &mut sink);
        assert_eq!(feed(&mut conn, &mut sink, C, syn(77_777, 64)), Verdict::Continue, "nobody answered it yet");
        let answer = Segment { ack: 77_778, has_ack: true, ..syn(123, 64) };
        assert_eq!(feed(&mut conn, &mut sink, S, answer), Verdict::Restart);
        let (mut conn, mut sink) = (Connection::default(), Recorder::default());
        handshake(&mut conn, &mut sink);
        feed(&mut conn, &mut sink, C, Segment { fin: true, ..data(101, 5001, b"") });
        assert_eq!(feed(&mut conn, &mut sink, C, syn(77_777, 64)), Verdict::Restart);
    }
}
