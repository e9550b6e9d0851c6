//! TCP reassembly, one [`Stream`] per direction.
//!
//! The [`crate::tcp::Connection`] decides what a segment means (is it in the window, is its
//! checksum right, does its TTL fit); a stream only puts the accepted bytes in order and hands
//! them to a [`StreamSink`] (the protocol). Bytes wait in a bounded buffer until the receiver
//! acknowledges them (when both directions are on the wire) or until the hole before them is
//! filled (one direction only). Two copies of the same bytes are compared while they wait: a
//! difference is an overlap conflict, reported, and the overlap policy says which copy stays.
//! The sink says how many bytes it consumed; what it left is kept (bounded) and offered again
//! with the next bytes, and what it consumed beyond the bytes it was given is skipped as it
//! arrives, never buffered: a protocol that has read a message header can skip a bulk body for
//! free. Bytes that never came (capture loss, a mid-stream start) are reported as a gap once
//! they are known to be missing, after which the protocol resynchronises.
//!
//! Cost: each segment costs a few lookups among the pieces held (constant while they arrive in
//! order, logarithmic otherwise: see [`Pieces`]), plus one step per held piece it overlaps, which
//! is bounded by its length; memory is counted as each piece's bytes plus [`PIECE_OVERHEAD`], so
//! a flood of one-byte segments meets the cap after a few thousand pieces, not after a quarter of
//! a million.

use std::collections::{BTreeMap, VecDeque};

/// The protocol side of a stream. `at` is the capture time (microseconds) of the packet that
/// carried the bytes, so records keep the time of the data, not of the acknowledgement.
pub trait StreamSink {
    /// In-order bytes. Returns how many were consumed; a value beyond `data.len()` asks for the
    /// excess to be skipped as it arrives.
    fn data(&mut self, at: u64, data: &[u8]) -> u64;
    /// `len` bytes of the stream are missing; the next bytes follow the hole.
    fn gap(&mut self, at: u64, len: u64);
    /// Two copies of the same stream bytes differ.
    fn overlap_conflict(&mut self, at: u64, conflict: OverlapConflict);
    /// An empty buffer for `len` bytes to hold: the sink may hand out one it was given back.
    fn buffer(&mut self, len: usize) -> Vec<u8> {
        Vec::with_capacity(len)
    }
    /// The buffer of a piece delivered or shed, which [`Self::buffer`] may hand out again.
    fn recycle(&mut self, _buffer: Vec<u8>) {}
}

/// Two copies of bytes at the same place in a stream that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverlapConflict {
    /// Stream offset (bytes after the SYN, or after the first byte seen) of the overlap.
    pub offset: u64,
    /// Bytes the two copies share.
    pub len: u64,
    /// How many of them differ.
    pub differing: u64,
}

/// Which copy of overlapping bytes is kept: what the receiving host will have accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OverlapPolicy {
    /// The copy that arrived first (Windows, and Linux and the BSDs for a segment that does not
    /// start before the bytes it overlaps: the common case).
    #[default]
    First,
    /// The copy that arrived last (some older stacks: Solaris, HP-UX, some embedded ones).
    Last,
}

/// Per-stream memory limits.
#[derive(Debug, Clone, Copy)]
pub struct ReassemblyLimits {
    /// Cost of the bytes held waiting (for an acknowledgement or a hole to fill), each piece
    /// counted with [`PIECE_OVERHEAD`].
    pub max_out_of_order: usize,
    /// Bytes the protocol may leave unconsumed (a message being accumulated).
    pub max_pending: usize,
}

impl Default for ReassemblyLimits {
    fn default() -> Self {
        ReassemblyLimits { max_out_of_order: 256 << 10, max_pending: 256 << 10 }
    }
}

/// What a held piece costs beyond its bytes: its share of the map's node, the vector's header
/// and the allocator's rounding.
pub const PIECE_OVERHEAD: usize = 64;

/// What happened on a stream, for the statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamCounters {
    pub gaps: u64,
    pub gap_bytes: u64,
    /// Segments (or parts) that repeated bytes already seen.
    pub retransmissions: u64,
    /// Segments too far from the expected sequence number to be believed.
    pub wild_segments: u64,
    /// Segments that overlapped bytes held, and those whose bytes differed.
    pub overlaps: u64,
    pub overlap_conflicts: u64,
    /// Pieces dropped (furthest first) to stay under the cap while acknowledgements are awaited.
    pub pieces_shed: u64,
    /// Pieces visited, inserted or delivered: the work done, linear in the segments.
    pub steps: u64,
    /// The most pieces held at once.
    pub max_pieces: u64,
}

/// The bytes of one segment, as the stream takes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Arrival<'a> {
    /// Capture time of the packet (microseconds).
    pub at: u64,
    pub seq: u32,
    pub payload: &'a [u8],
    /// Bytes that follow `payload` but were not captured.
    pub missing: u32,
    /// The segment's checksum was wrong where checksums are otherwise right: its bytes are
    /// used only if no right copy comes.
    pub doubtful: bool,
}

/// Segments further than this from the expected sequence number are not believed.
const MAX_WINDOW: i64 = 1 << 30;

/// Bytes of one segment waiting in a stream.
#[derive(Debug)]
struct Piece {
    /// Capture time of the packet that carried them.
    at: u64,
    /// Carried by a segment whose checksum was wrong: any right copy replaces them.
    doubtful: bool,
    bytes: Vec<u8>,
}

/// The pieces a stream holds, by stream offset, never overlapping. Nearly always each comes
/// after the last (a sender's segments waiting for their acknowledgement): they sit in a deque,
/// added at its back and delivered from its front, with no search and no node to allocate. A
/// piece that goes anywhere else but the front moves them all into an ordered map (logarithmic),
/// where they stay until the stream holds nothing again; a piece moves at most once, so the work
/// stays linear in the segments.
#[derive(Debug)]
enum Pieces {
    InOrder(VecDeque<(u64, Piece)>),
    Sorted(BTreeMap<u64, Piece>),
}

impl Default for Pieces {
    fn default() -> Self {
        Pieces::InOrder(VecDeque::new())
    }
}

impl Pieces {
    fn len(&self) -> usize {
        match self {
            Pieces::InOrder(deque) => deque.len(),
            Pieces::Sorted(map) => map.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn first(&self) -> Option<(u64, &Piece)> {
        match self {
            Pieces::InOrder(deque) => deque.front().map(|(start, piece)| (*start, piece)),
            Pieces::Sorted(map) => map.first_key_value().map(|(&start, piece)| (start, piece)),
        }
    }

    /// Where the last piece ends (0 with none).
    fn end(&self) -> u64 {
        let last = match self {
            Pieces::InOrder(deque) => deque.back().map(|(start, piece)| (*start, piece)),
            Pieces::Sorted(map) => map.last_key_value().map(|(&start, piece)| (start, piece)),
        };
        last.map_or(0, |(start, piece)| start + piece.bytes.len() as u64)
    }

    /// The start of the last piece starting before `offset`.
    fn before(&self, offset: u64) -> Option<u64> {
        match self {
            Pieces::InOrder(deque) => deque.partition_point(|(start, _)| *start < offset).checked_sub(1).map(|i| deque[i].0),
            Pieces::Sorted(map) => map.range(..offset).next_back().map(|(&start, _)| start),
        }
    }

    /// The start of the first piece starting in `from..to`.
    fn first_in(&self, from: u64, to: u64) -> Option<u64> {
        let start = match self {
            Pieces::InOrder(deque) => deque.get(deque.partition_point(|(start, _)| *start < from)).map(|(start, _)| *start),
            Pieces::Sorted(map) => map.range(from..).next().map(|(&start, _)| start),
        };
        start.filter(|&start| start < to)
    }

    fn get_mut(&mut self, start: u64) -> Option<&mut Piece> {
        match self {
            Pieces::InOrder(deque) => {
                let i = deque.binary_search_by_key(&start, |(start, _)| *start).ok()?;
                Some(&mut deque[i].1)
            }
            Pieces::Sorted(map) => map.get_mut(&start),
        }
    }

    /// A piece overlapping none held.
    fn insert(&mut self, start: u64, piece: Piece) {
        match self {
            Pieces::InOrder(deque) if deque.back().is_none_or(|(last, _)| *last < start) => deque.push_back((start, piece)),
            Pieces::InOrder(deque) if deque.front().is_some_and(|(first, _)| start < *first) => deque.push_front((start, piece)),
            Pieces::InOrder(deque) => {
                let mut map: BTreeMap<u64, Piece> = deque.drain(..).collect();
                map.insert(start, piece);
                *self = Pieces::Sorted(map);
            }
            Pieces::Sorted(map) => {
                map.insert(start, piece);
            }
        }
    }

    fn pop_first(&mut self) -> Option<(u64, Piece)> {
        let first = match self {
            Pieces::InOrder(deque) => deque.pop_front(),
            Pieces::Sorted(map) => map.pop_first(),
        };
        self.back_in_order();
        first
    }

    fn pop_last(&mut self) -> Option<(u64, Piece)> {
        let last = match self {
            Pieces::InOrder(deque) => deque.pop_back(),
            Pieces::Sorted(map) => map.pop_last(),
        };
        self.back_in_order();
        last
    }

    /// An emptied map gives way to a deque again.
    fn back_in_order(&mut self) {
        if matches!(self, Pieces::Sorted(map) if map.is_empty()) {
            *self = Pieces::default();
        }
    }
}

/// One direction of a TCP connection.
#[derive(Debug, Default)]
pub struct Stream {
    started: bool,
    /// Sequence number of the next byte to deliver.
    next_seq: u32,
    /// Stream offset of that byte.
    next_offset: u64,
    /// Bytes waiting.
    held: Pieces,
    held_cost: usize,
    /// End of the bytes seen sent (captured or announced by the IP header).
    sent_end: u64,
    /// Bytes delivered but not consumed by the sink.
    pending: Vec<u8>,
    /// Bytes the sink asked to skip.
    skip: u64,
    /// Stream offset of the FIN: it takes a sequence number, but no data lies at or beyond it.
    fin_offset: Option<u64>,
    pub counters: StreamCounters,
}

impl Stream {
    /// Bytes held by this stream (waiting plus pending), as counted against the caps.
    pub fn held_bytes(&self) -> usize {
        self.held_cost + self.pending.len()
    }

    /// The stream offset of the next byte to deliver.
    pub fn offset(&self) -> u64 {
        self.next_offset
    }

    /// Whether the stream's sequence space is known (a SYN, or a first segment).
    pub fn started(&self) -> bool {
        self.started
    }

    /// The sequence number just past the bytes seen sent.
    pub fn sent_end_seq(&self) -> u32 {
        self.seq_of(self.sent_end)
    }

    fn seq_of(&self, offset: u64) -> u32 {
        self.next_seq.wrapping_add(offset.wrapping_sub(self.next_offset) as u32)
    }

    /// The initial sequence number (the SYN's), once the handshake says which it is.
    pub fn syn(&mut self, isn: u32) {
        if !self.started {
            self.started = true;
            self.next_seq = isn.wrapping_add(1);
        }
    }

    /// A FIN after `payload_len` bytes from `seq`: the peer's ACK of it is not data.
    pub fn fin(&mut self, seq: u32, payload_len: usize) {
        if let Some(start) = self.offset_of(seq) {
            let fin = *self.fin_offset.get_or_insert(start + payload_len as u64);
            self.sent_end = self.sent_end.max(fin);
        }
    }

    /// Lets go of every buffer: the protocol has seen enough.
    pub fn release(&mut self) {
        self.held = Pieces::default();
        self.held_cost = 0;
        self.pending = Vec::new();
    }

    /// Whether `len` bytes at `seq` fall where the protocol skips anyway (nothing else waits).
    pub fn skips(&self, seq: u32, len: usize) -> bool {
        self.started
            && self.held.is_empty()
            && self.offset_of(seq).is_some_and(|start| start >= self.next_offset && start + len as u64 <= self.next_offset + self.skip)
    }

    fn offset_of(&self, seq: u32) -> Option<u64> {
        let delta = i64::from(seq.wrapping_sub(self.next_seq) as i32);
        if delta.abs() > MAX_WINDOW {
            return None;
        }
        u64::try_from(self.next_offset as i64 + delta).ok()
    }

    /// A segment of this direction (see [`Arrival`]). With `wait_for_ack` the bytes are held
    /// until the receiver acknowledges them. Inlined into the connection's segment path: its
    /// call, with the arrival passed through memory, cost a tenth of its work.
    #[inline(always)]
    pub fn segment(
        &mut self,
        arrival: Arrival<'_>,
        wait_for_ack: bool,
        policy: OverlapPolicy,
        limits: &ReassemblyLimits,
        sink: &mut impl StreamSink,
    ) {
        let Arrival { at, seq, payload, missing, doubtful } = arrival;
        if payload.is_empty() && missing == 0 {
            return;
        }
        if !self.started {
            // mid-stream start: the first bytes we see define the stream
            self.started = true;
            self.next_seq = seq;
        }
        let Some(mut start) = self.offset_of(seq) else {
            self.counters.wild_segments += 1;
            return;
        };
        self.counters.steps += 1;
        let end = start + payload.len() as u64;
        self.sent_end = self.sent_end.max(end + u64::from(missing));
        if end <= self.next_offset {
            if !payload.is_empty() {
                self.counters.retransmissions += 1;
            }
            self.declare_missing(at, end, missing, wait_for_ack, sink);
            return;
        }
        let mut data = if start < self.next_offset {
            self.counters.retransmissions += 1;
            let from = (self.next_offset - start) as usize;
            start = self.next_offset;
            &payload[from..]
        } else {
            payload
        };
        if start == self.next_offset && self.held.is_empty() {
            // In order with nothing waiting: what the protocol skips, or everything when no
            // acknowledgement is awaited, goes straight through.
            let now = if wait_for_ack { self.skip.min(data.len() as u64) as usize } else { data.len() };
            if now > 0 {
                self.deliver(at, &data[..now], limits, sink);
                data = &data[now..];
                start += now as u64;
            }
        }
        if !data.is_empty() {
            self.hold(at, start, data, doubtful, policy, sink);
            if !wait_for_ack {
                self.drain(at, u64::MAX, false, limits, sink);
            }
            self.enforce_cap(at, wait_for_ack, limits, sink);
        }
        self.declare_missing(at, end, missing, wait_for_ack, sink);
    }

    /// With no acknowledgement to wait for, bytes announced but not captured right after what
    /// was delivered are a gap at once.
    fn declare_missing(&mut self, at: u64, end: u64, missing: u32, wait_for_ack: bool, sink: &mut impl StreamSink) {
        if missing > 0 && !wait_for_ack && end == self.next_offset {
            self.declare_gap(at, u64::from(missing), sink);
        }
    }

    /// Whether an acknowledgement number of the peer covers only bytes seen sent (and the FIN);
    /// `None` when this stream's sequence space is unknown.
    pub fn acceptable_ack(&self, ack: u32) -> Option<bool> {
        if !self.started {
            return None;
        }
        let fin = u64::from(self.fin_offset.is_some());
        Some(self.offset_of(ack).is_some_and(|acked| acked <= self.sent_end + fin))
    }

    /// Whether the peer's acknowledgement `ack` reaches past the next byte to deliver: only
    /// such an ACK can deliver anything (most acknowledge what was delivered already).
    pub fn acks_more(&self, ack: u32) -> bool {
        self.started && i64::from(ack.wrapping_sub(self.next_seq) as i32) > 0
    }

    /// The peer acknowledged `ack` (checked with [`Self::acceptable_ack`]): bytes before it
    /// reached the host, so they are delivered, and a hole among them is data the capture missed.
    /// (Delivery reaches every acknowledgement, so the highest needs no keeping.)
    pub fn acked(&mut self, at: u64, ack: u32, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        let Some(acked) = self.offset_of(ack) else { return };
        let acked = self.fin_offset.map_or(acked, |fin| acked.min(fin)).min(self.sent_end);
        if acked > self.next_offset {
            self.drain(at, acked, true, limits, sink);
        }
    }

    /// End of the connection: what waits is delivered, holes as gaps.
    pub fn finish(&mut self, at: u64, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        let end = self.held.end().max(self.sent_end);
        let end = self.fin_offset.map_or(end, |fin| end.min(fin));
        if end > self.next_offset {
            self.drain(at, end, true, limits, sink);
        }
    }

    /// Keeps the bytes of a segment that are not yet delivered; where they overlap bytes held,
    /// compares the two copies and keeps the one the policy says.
    fn hold(&mut self, at: u64, start: u64, data: &[u8], doubtful: bool, policy: OverlapPolicy, sink: &mut impl StreamSink) {
        if self.held.end() <= start {
            // The common case, a segment after every piece waiting: nothing to walk.
            self.insert_piece(at, start, data, doubtful, sink);
            return;
        }
        let end = start + data.len() as u64;
        let mut cursor = start;
        // A piece starting before the segment may reach into it; the others start inside it.
        let mut next = self.held.before(start).or_else(|| self.held.first_in(start, end));
        while let Some(piece_start) = next {
            self.counters.steps += 1;
            let Some(piece) = self.held.get_mut(piece_start) else { break };
            let piece_end = piece_start + piece.bytes.len() as u64;
            if piece_end > cursor && piece_start < end {
                if piece_start > cursor {
                    let fresh = &data[(cursor - start) as usize..(piece_start - start) as usize];
                    self.insert_piece(at, cursor, fresh, doubtful, sink);
                    cursor = piece_start;
                }
                let Some(piece) = self.held.get_mut(piece_start) else { break };
                let (from, to) = (cursor, piece_end.min(end));
                let held = &mut piece.bytes[(from - piece_start) as usize..(to - piece_start) as usize];
                let new = &data[(from - start) as usize..(to - start) as usize];
                self.counters.overlaps += 1;
                let differing = held.iter().zip(new).filter(|(a, b)| a != b).count() as u64;
                if differing > 0 {
                    self.counters.overlap_conflicts += 1;
                    // A right checksum beats a wrong one; between equals, the policy decides.
                    let replace = if piece.doubtful == doubtful { policy == OverlapPolicy::Last } else { piece.doubtful };
                    if replace {
                        held.copy_from_slice(new);
                        piece.at = at;
                    }
                    sink.overlap_conflict(at, OverlapConflict { offset: from, len: to - from, differing });
                }
                cursor = to;
            }
            if cursor >= end {
                break;
            }
            next = self.held.first_in(piece_end.max(cursor), end);
        }
        if cursor < end {
            self.insert_piece(at, cursor, &data[(cursor - start) as usize..], doubtful, sink);
        }
    }

    fn insert_piece(&mut self, at: u64, offset: u64, bytes: &[u8], doubtful: bool, sink: &mut impl StreamSink) {
        if !bytes.is_empty() {
            self.counters.steps += 1;
            self.held_cost += bytes.len() + PIECE_OVERHEAD;
            let mut buffer = sink.buffer(bytes.len());
            buffer.extend_from_slice(bytes);
            self.held.insert(offset, Piece { at, doubtful, bytes: buffer });
            self.counters.max_pieces = self.counters.max_pieces.max(self.held.len() as u64);
        }
    }

    /// Over the cap: bytes next in order go to the protocol without their acknowledgement; if
    /// that is not enough, while acknowledgements can still say what is missing, the furthest
    /// pieces are dropped (a flood of far segments cannot push out the bytes next in line);
    /// with one direction only, the hole before the first piece is declared a gap.
    fn enforce_cap(&mut self, at: u64, wait_for_ack: bool, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        if self.held_cost <= limits.max_out_of_order {
            return;
        }
        self.drain(at, u64::MAX, false, limits, sink);
        while self.held_cost > limits.max_out_of_order {
            if wait_for_ack {
                let Some((_, piece)) = self.held.pop_last() else { break };
                self.counters.steps += 1;
                self.counters.pieces_shed += 1;
                self.held_cost -= piece.bytes.len() + PIECE_OVERHEAD;
                sink.recycle(piece.bytes);
            } else {
                let Some((first, _)) = self.held.first() else { break };
                self.drain(at, first + 1, true, limits, sink);
                self.drain(at, u64::MAX, false, limits, sink);
            }
        }
    }

    /// Delivers what lies before `limit`, in order. A hole is declared a gap when `gaps` is
    /// set, else delivery stops at it.
    fn drain(&mut self, at: u64, limit: u64, gaps: bool, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        while self.next_offset < limit {
            let Some((start, piece)) = self.held.first() else {
                if gaps && limit != u64::MAX {
                    self.declare_gap(at, limit - self.next_offset, sink);
                }
                return;
            };
            self.counters.steps += 1;
            if start > self.next_offset {
                if !gaps {
                    return;
                }
                self.declare_gap(at, start.min(limit) - self.next_offset, sink);
                continue;
            }
            let piece_end = start + piece.bytes.len() as u64;
            let from = (self.next_offset - start) as usize;
            let to = (piece_end.min(limit) - start) as usize;
            let Some((_, piece)) = self.held.pop_first() else { return };
            if piece_end <= limit {
                self.held_cost -= piece.bytes.len() + PIECE_OVERHEAD;
            } else {
                // Partly acknowledged: the rest waits, as a piece of its own.
                let mut rest = sink.buffer(piece.bytes.len() - to);
                rest.extend_from_slice(&piece.bytes[to..]);
                self.held_cost -= to;
                self.held.insert(start + to as u64, Piece { at: piece.at, doubtful: piece.doubtful, bytes: rest });
            }
            self.deliver(piece.at, &piece.bytes[from..to], limits, sink);
            sink.recycle(piece.bytes);
        }
    }

    fn advance(&mut self, len: u64) {
        self.next_offset += len;
        self.next_seq = self.next_seq.wrapping_add(len as u32);
    }

    fn declare_gap(&mut self, at: u64, len: u64, sink: &mut impl StreamSink) {
        self.advance(len);
        // A hole inside bytes the protocol skips anyway costs nothing.
        let skipped = len.min(self.skip);
        self.skip -= skipped;
        let lost = len - skipped;
        if lost == 0 {
            return;
        }
        self.counters.gaps += 1;
        self.counters.gap_bytes += lost;
        self.pending.clear();
        sink.gap(at, lost);
    }

    fn deliver(&mut self, at: u64, mut data: &[u8], limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        self.advance(data.len() as u64);
        if self.skip > 0 {
            let skipped = self.skip.min(data.len() as u64);
            self.skip -= skipped;
            data = &data[skipped as usize..];
        }
        if data.is_empty() {
            return;
        }
        let consumed = if self.pending.is_empty() {
            let consumed = sink.data(at, data);
            if consumed < data.len() as u64 {
                self.pending.extend_from_slice(&data[consumed as usize..]);
            }
            consumed.saturating_sub(data.len() as u64)
        } else {
            self.pending.extend_from_slice(data);
            let consumed = sink.data(at, &self.pending);
            let held = self.pending.len() as u64;
            self.pending.drain(..consumed.min(held) as usize);
            consumed.saturating_sub(held)
        };
        self.skip += consumed;
        if self.pending.len() > limits.max_pending {
            // The protocol is waiting for more than we will hold: drop it and say so.
            let lost = self.pending.len() as u64;
            self.pending.clear();
            self.counters.gaps += 1;
            self.counters.gap_bytes += lost;
            sink.gap(at, lost);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink that records what it is given and consumes whole lines.
    #[derive(Default)]
    struct Lines {
        lines: Vec<String>,
        gaps: Vec<u64>,
        conflicts: Vec<OverlapConflict>,
    }

    impl StreamSink for Lines {
        fn data(&mut self, _: u64, data: &[u8]) -> u64 {
            let mut used = 0;
            while let Some(n) = data[used..].iter().position(|&b| b == b'\n') {
                self.lines.push(String::from_utf8_lossy(&data[used..used + n]).into_owned());
                used += n + 1;
            }
            used as u64
        }
        fn gap(&mut self, _: u64, len: u64) {
            self.gaps.push(len);
        }
        fn overlap_conflict(&mut self, _: u64, conflict: OverlapConflict) {
            self.conflicts.push(conflict);
        }
    }

    fn limits() -> ReassemblyLimits {
        ReassemblyLimits { max_out_of_order: 64 + 4 * PIECE_OVERHEAD, max_pending: 32 }
    }

    fn arrival(at: u64, seq: u32, payload: &[u8]) -> Arrival<'_> {
        Arrival { at, seq, payload, ..Arrival::default() }
    }

    /// A segment with no acknowledgement awaited (one direction on the wire).
    fn seg(s: &mut Stream, seq: u32, data: &[u8], sink: &mut Lines) {
        s.segment(arrival(0, seq, data), false, OverlapPolicy::First, &limits(), sink);
    }

    #[test]
    fn out_of_order_and_split_lines_reassemble() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(999);
        seg(&mut s, 1005, b"two\nthr", &mut sink);
        seg(&mut s, 1000, b"one\n", &mut sink);
        assert_eq!(sink.lines, vec!["one"]);
        seg(&mut s, 1004, b"\nt", &mut sink);
        seg(&mut s, 1012, b"ee\n", &mut sink);
        assert_eq!(sink.lines, vec!["one", "", "two", "three"]);
        assert!(sink.gaps.is_empty());
        assert_eq!(s.held_bytes(), 0);
    }

    #[test]
    fn retransmission_keeps_the_first_copy() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(0);
        seg(&mut s, 3, b"CCC\n", &mut sink);
        seg(&mut s, 3, b"XXX\n", &mut sink);
        seg(&mut s, 1, b"AA", &mut sink);
        seg(&mut s, 1, b"AA", &mut sink);
        assert_eq!(sink.lines, vec!["AACCC"]);
        assert_eq!(sink.conflicts, vec![OverlapConflict { offset: 2, len: 4, differing: 3 }]);
        assert_eq!(s.counters.retransmissions, 1);
    }

    #[test]
    fn bytes_wait_for_their_acknowledgement_and_the_policy_picks_the_copy() {
        for (policy, kept) in [(OverlapPolicy::First, "real"), (OverlapPolicy::Last, "fake")] {
            let mut s = Stream::default();
            let mut sink = Lines::default();
            s.syn(0);
            s.segment(arrival(10, 1, b"real\n"), true, policy, &limits(), &mut sink);
            s.segment(arrival(20, 1, b"fake\n"), true, policy, &limits(), &mut sink);
            assert!(sink.lines.is_empty());
            assert_eq!(s.acceptable_ack(7), Some(false), "bytes never sent");
            assert_eq!(s.acceptable_ack(6), Some(true));
            s.acked(30, 6, &limits(), &mut sink);
            assert_eq!(sink.lines, vec![kept]);
            assert_eq!(sink.conflicts, vec![OverlapConflict { offset: 0, len: 5, differing: 4 }]);
        }
    }

    #[test]
    fn a_right_checksum_beats_a_wrong_one_whatever_the_policy() {
        for policy in [OverlapPolicy::First, OverlapPolicy::Last] {
            let mut s = Stream::default();
            let mut sink = Lines::default();
            s.syn(0);
            // The wrong copy comes where the policy would keep it.
            let fake = Arrival { doubtful: true, ..arrival(0, 1, b"fake\n") };
            let real = arrival(0, 1, b"real\n");
            let order = if policy == OverlapPolicy::First { [fake, real] } else { [real, fake] };
            for copy in order {
                s.segment(copy, true, policy, &limits(), &mut sink);
            }
            s.acked(0, 6, &limits(), &mut sink);
            assert_eq!(sink.lines, vec!["real"]);
        }
    }

    #[test]
    fn a_hole_acknowledged_by_the_peer_is_a_gap() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(0);
        seg(&mut s, 1, b"a\n", &mut sink);
        seg(&mut s, 13, b"b\n", &mut sink);
        assert!(sink.gaps.is_empty());
        s.acked(0, 15, &limits(), &mut sink);
        assert_eq!(sink.gaps, vec![10]);
        assert_eq!(sink.lines, vec!["a", "b"]);
    }

    #[test]
    fn the_ack_of_a_fin_is_no_gap() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(0);
        seg(&mut s, 1, b"bye\n", &mut sink);
        s.fin(1, 4);
        assert_eq!(s.acceptable_ack(6), Some(true));
        s.acked(0, 6, &limits(), &mut sink);
        assert!(sink.gaps.is_empty());
        assert_eq!(s.counters.gaps, 0);
    }

    #[test]
    fn skipped_bytes_are_never_buffered() {
        struct SkipAll;
        impl StreamSink for SkipAll {
            fn data(&mut self, _: u64, data: &[u8]) -> u64 {
                data.len() as u64 + 1_000_000
            }
            fn gap(&mut self, _: u64, _: u64) {
                panic!("a hole inside skipped bytes is no gap");
            }
            fn overlap_conflict(&mut self, _: u64, _: OverlapConflict) {}
        }
        let mut s = Stream::default();
        s.syn(0);
        s.segment(arrival(0, 1, b"header"), false, OverlapPolicy::First, &limits(), &mut SkipAll);
        assert!(s.skips(1000, 1000));
        s.segment(arrival(0, 1000, &[0u8; 1000]), true, OverlapPolicy::First, &limits(), &mut SkipAll);
        s.acked(0, 2000, &limits(), &mut SkipAll);
        assert_eq!(s.held_bytes(), 0);
    }

    #[test]
    fn buffers_stay_under_their_caps() {
        for wait in [false, true] {
            let mut s = Stream::default();
            let mut sink = Lines::default();
            s.syn(0);
            for i in 0..100u32 {
                s.segment(arrival(0, 100 + i * 10, b"xxxxx"), wait, OverlapPolicy::First, &limits(), &mut sink);
                assert!(s.held_bytes() <= limits().max_out_of_order + 32);
            }
            s.segment(arrival(0, 5000, &[b'y'; 40]), wait, OverlapPolicy::First, &limits(), &mut sink);
            assert!(s.held_bytes() <= limits().max_out_of_order + 32);
            assert_eq!(sink.gaps.is_empty(), wait, "one-sided, a full buffer declares the hole");
        }
    }

    /// One-byte segments in reverse order (the front of the deque), or the even ones then the
    /// odd ones (the ordered map), then the byte that fills the hole: the work is a constant
    /// number of steps per segment, whatever their number.
    #[test]
    fn one_byte_segments_cost_linear_work() {
        let steps_for = |n: u32, order: &dyn Fn(u32) -> Vec<u32>| {
            let limits = ReassemblyLimits { max_out_of_order: usize::MAX, max_pending: usize::MAX };
            let mut s = Stream::default();
            let mut sink = Lines::default();
            s.syn(0);
            for i in order(n) {
                s.segment(arrival(0, i, b"x"), true, OverlapPolicy::First, &limits, &mut sink);
                // and a duplicate of a held one, which is compared, not stored again
                s.segment(arrival(0, n, b"x"), true, OverlapPolicy::First, &limits, &mut sink);
            }
            s.segment(arrival(0, 1, b"x"), true, OverlapPolicy::First, &limits, &mut sink);
            s.acked(0, n + 1, &limits, &mut sink);
            assert_eq!(s.offset(), u64::from(n));
            assert_eq!(s.counters.max_pieces, u64::from(n));
            s.counters.steps
        };
        let reverse = |n: u32| (2..=n).rev().collect();
        let interleaved = |n: u32| (2..=n).step_by(2).chain((3..=n).step_by(2)).collect();
        for order in [&reverse as &dyn Fn(u32) -> Vec<u32>, &interleaved] {
            let (small, large) = (steps_for(10_000, order), steps_for(40_000, order));
            assert!(large <= 4 * small + 100, "{small} steps for 10,000 segments, {large} for 40,000");
            assert!(large <= 8 * 40_000, "{large} steps for 40,000 segments");
        }
    }

    /// Pieces in order stay in the deque; one that falls between two moves them to the map,
    /// which gives way to the deque again once delivered; the bytes come out in order either way.
    #[test]
    fn pieces_out_of_order_move_to_the_map_and_back() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(0);
        for (seq, data) in [(1, &b"one\n"[..]), (9, b"three\n"), (15, b"four\n")] {
            s.segment(arrival(0, seq, data), true, OverlapPolicy::First, &limits(), &mut sink);
        }
        assert!(matches!(s.held, Pieces::InOrder(_)));
        s.segment(arrival(0, 5, b"two\n"), true, OverlapPolicy::First, &limits(), &mut sink);
        assert!(matches!(s.held, Pieces::Sorted(_)));
        s.acked(0, 20, &limits(), &mut sink);
        assert_eq!(sink.lines, vec!["one", "two", "three", "four"]);
        assert!(matches!(s.held, Pieces::InOrder(_)));
        assert_eq!(s.held_bytes(), 0);
    }
}
