//! TCP reassembly, one [`Stream`] per direction.
//!
//! In-order bytes go to a [`StreamSink`] (the protocol). The sink says how many bytes it
//! consumed; what it left is kept (bounded) and offered again with the next bytes, and what it
//! consumed beyond the bytes it was given is skipped as it arrives, never buffered: a protocol
//! that has read a message header can skip a bulk body for free. Out-of-order segments wait in
//! a bounded buffer. Overlaps are resolved one way, the first copy wins. Bytes that never came
//! (capture loss, a mid-stream start, a buffer over its cap) are reported as a gap, after which
//! the protocol resynchronises.

use std::collections::BTreeMap;

/// The protocol side of a stream.
pub trait StreamSink {
    /// In-order bytes. Returns how many were consumed; a value beyond `data.len()` asks for the
    /// excess to be skipped as it arrives.
    fn data(&mut self, data: &[u8]) -> u64;
    /// `len` bytes of the stream are missing; the next bytes follow the hole.
    fn gap(&mut self, len: u64);
}

/// Per-stream memory limits.
#[derive(Debug, Clone, Copy)]
pub struct ReassemblyLimits {
    /// Bytes held in out-of-order segments; beyond it the hole is declared a gap.
    pub max_out_of_order: usize,
    /// Bytes the protocol may leave unconsumed (a message being accumulated).
    pub max_pending: usize,
}

impl Default for ReassemblyLimits {
    fn default() -> Self {
        ReassemblyLimits { max_out_of_order: 256 << 10, max_pending: 256 << 10 }
    }
}

/// What happened on a stream, for the statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamCounters {
    pub gaps: u64,
    pub gap_bytes: u64,
    /// Segments (or parts) that repeated bytes already seen.
    pub retransmissions: u64,
    /// Segments too far from the expected sequence number to be believed.
    pub wild_segments: u64,
}

/// Segments further than this from the expected sequence number are not believed.
const MAX_WINDOW: i64 = 1 << 30;

/// One direction of a TCP connection.
#[derive(Debug, Default)]
pub struct Stream {
    started: bool,
    /// Sequence number of the next byte expected.
    next_seq: u32,
    /// Stream offset of that byte.
    next_offset: u64,
    /// Out-of-order segments by stream offset; non-overlapping.
    out_of_order: BTreeMap<u64, Vec<u8>>,
    out_of_order_bytes: usize,
    /// Bytes delivered but not consumed by the sink.
    pending: Vec<u8>,
    /// Bytes the sink asked to skip.
    skip: u64,
    /// Stream offset of the FIN: it takes a sequence number, but no data lies at or beyond it.
    fin_offset: Option<u64>,
    pub counters: StreamCounters,
}

impl Stream {
    /// Bytes held by this stream (out-of-order plus pending).
    pub fn held_bytes(&self) -> usize {
        self.out_of_order_bytes + self.pending.len()
    }

    /// The stream offset of the next byte expected.
    pub fn offset(&self) -> u64 {
        self.next_offset
    }

    /// A SYN (or SYN-ACK) fixes the initial sequence number.
    pub fn syn(&mut self, seq: u32) {
        if !self.started {
            self.started = true;
            self.next_seq = seq.wrapping_add(1);
        }
    }

    /// A FIN after `payload_len` bytes from `seq`: the peer's ACK of it is not data.
    pub fn fin(&mut self, seq: u32, payload_len: usize) {
        if let Some(start) = self.offset_of(seq) {
            self.fin_offset.get_or_insert(start + payload_len as u64);
        }
    }

    /// Lets go of every buffer: the protocol has seen enough.
    pub fn release(&mut self) {
        self.out_of_order = BTreeMap::new();
        self.out_of_order_bytes = 0;
        self.pending = Vec::new();
    }

    fn offset_of(&self, seq: u32) -> Option<u64> {
        let delta = i64::from(seq.wrapping_sub(self.next_seq) as i32);
        if delta.abs() > MAX_WINDOW {
            return None;
        }
        u64::try_from(self.next_offset as i64 + delta).ok()
    }

    /// A segment of this direction. `missing` bytes follow `payload` but were not captured.
    pub fn segment(&mut self, seq: u32, payload: &[u8], missing: u32, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        if payload.is_empty() && missing == 0 {
            return;
        }
        if !self.started {
            // mid-stream start: the first bytes we see define the stream
            self.started = true;
            self.next_seq = seq;
        }
        let Some(start) = self.offset_of(seq) else {
            self.counters.wild_segments += 1;
            return;
        };
        let end = start + payload.len() as u64;
        if end <= self.next_offset {
            self.counters.retransmissions += 1;
            return;
        }
        let data = if start < self.next_offset {
            self.counters.retransmissions += 1;
            &payload[(self.next_offset - start) as usize..]
        } else {
            payload
        };
        let start = start.max(self.next_offset);
        if start == self.next_offset {
            self.deliver(data, limits, sink);
            if missing > 0 {
                self.declare_gap(u64::from(missing), sink);
            }
            self.drain_in_order(limits, sink);
        } else {
            self.hold(start, data);
            while self.out_of_order_bytes > limits.max_out_of_order {
                self.skip_to_first_held(limits, sink);
            }
        }
    }

    /// The peer acknowledged `ack`: bytes before it were sent. If they never reached us and
    /// nothing is waiting to fill the hole, they are a gap (capture loss).
    pub fn peer_ack(&mut self, ack: u32, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        if !self.started {
            return;
        }
        let Some(acked) = self.offset_of(ack) else { return };
        let acked = self.fin_offset.map_or(acked, |fin| acked.min(fin));
        if acked > self.next_offset {
            let hole_end = self.out_of_order.keys().next().map_or(acked, |&first| first.min(acked));
            if hole_end > self.next_offset {
                self.declare_gap(hole_end - self.next_offset, sink);
                self.drain_in_order(limits, sink);
            }
        }
    }

    /// End of the connection: what waits out of order is delivered, holes as gaps.
    pub fn finish(&mut self, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        while !self.out_of_order.is_empty() {
            self.skip_to_first_held(limits, sink);
        }
    }

    fn hold(&mut self, start: u64, data: &[u8]) {
        // Keep only the parts no held segment covers: the first copy wins.
        let mut cursor = start;
        let end = start + data.len() as u64;
        let covering: Vec<(u64, u64)> =
            self.out_of_order.range(..end).map(|(&s, d)| (s, s + d.len() as u64)).filter(|&(_, e)| e > start).collect();
        for (held_start, held_end) in covering {
            if held_start > cursor {
                self.insert_piece(cursor, &data[(cursor - start) as usize..(held_start - start) as usize]);
            } else {
                self.counters.retransmissions += 1;
            }
            cursor = cursor.max(held_end);
        }
        if cursor < end {
            self.insert_piece(cursor, &data[(cursor - start) as usize..]);
        }
    }

    fn insert_piece(&mut self, at: u64, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.out_of_order_bytes += bytes.len();
            self.out_of_order.insert(at, bytes.to_vec());
        }
    }

    fn skip_to_first_held(&mut self, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        if let Some(&first) = self.out_of_order.keys().next() {
            if first > self.next_offset {
                self.declare_gap(first - self.next_offset, sink);
            }
            self.drain_in_order(limits, sink);
        }
    }

    fn drain_in_order(&mut self, limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
        while let Some(entry) = self.out_of_order.first_entry() {
            let start = *entry.key();
            if start > self.next_offset {
                break;
            }
            let bytes = entry.remove();
            self.out_of_order_bytes -= bytes.len();
            let end = start + bytes.len() as u64;
            if end > self.next_offset {
                let from = (self.next_offset - start) as usize;
                self.deliver(&bytes[from..], limits, sink);
            }
        }
    }

    fn advance(&mut self, len: u64) {
        self.next_offset += len;
        self.next_seq = self.next_seq.wrapping_add(len as u32);
    }

    fn declare_gap(&mut self, len: u64, sink: &mut impl StreamSink) {
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
        sink.gap(lost);
    }

    fn deliver(&mut self, mut data: &[u8], limits: &ReassemblyLimits, sink: &mut impl StreamSink) {
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
            let consumed = sink.data(data);
            if consumed < data.len() as u64 {
                self.pending.extend_from_slice(&data[consumed as usize..]);
            }
            consumed.saturating_sub(data.len() as u64)
        } else {
            self.pending.extend_from_slice(data);
            let consumed = sink.data(&self.pending);
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
            sink.gap(lost);
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
    }

    impl StreamSink for Lines {
        fn data(&mut self, data: &[u8]) -> u64 {
            let mut used = 0;
            while let Some(n) = data[used..].iter().position(|&b| b == b'\n') {
                self.lines.push(String::from_utf8_lossy(&data[used..used + n]).into_owned());
                used += n + 1;
            }
            used as u64
        }
        fn gap(&mut self, len: u64) {
            self.gaps.push(len);
        }
    }

    fn limits() -> ReassemblyLimits {
        ReassemblyLimits { max_out_of_order: 64, max_pending: 32 }
    }

    #[test]
    fn out_of_order_and_split_lines_reassemble() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(999);
        s.segment(1005, b"two\nthr", 0, &limits(), &mut sink);
        s.segment(1000, b"one\n", 0, &limits(), &mut sink);
        assert_eq!(sink.lines, vec!["one"]);
        s.segment(1004, b"\nt", 0, &limits(), &mut sink);
        s.segment(1012, b"ee\n", 0, &limits(), &mut sink);
        assert_eq!(sink.lines, vec!["one", "", "two", "three"]);
        assert!(sink.gaps.is_empty());
        assert_eq!(s.held_bytes(), 0);
    }

    #[test]
    fn retransmission_keeps_the_first_copy() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(0);
        s.segment(3, b"CCC\n", 0, &limits(), &mut sink);
        s.segment(3, b"XXX\n", 0, &limits(), &mut sink);
        s.segment(1, b"AA", 0, &limits(), &mut sink);
        s.segment(1, b"AA", 0, &limits(), &mut sink);
        assert_eq!(sink.lines, vec!["AACCC"]);
        assert_eq!(s.counters.retransmissions, 2);
    }

    #[test]
    fn a_hole_acknowledged_by_the_peer_is_a_gap() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(0);
        s.segment(1, b"a\n", 0, &limits(), &mut sink);
        s.segment(13, b"b\n", 0, &limits(), &mut sink);
        s.peer_ack(15, &limits(), &mut sink);
        assert_eq!(sink.gaps, vec![10]);
        assert_eq!(sink.lines, vec!["a", "b"]);
    }

    #[test]
    fn the_ack_of_a_fin_is_no_gap() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(0);
        s.segment(1, b"bye\n", 0, &limits(), &mut sink);
        s.fin(1, 4);
        s.peer_ack(6, &limits(), &mut sink);
        assert!(sink.gaps.is_empty());
        assert_eq!(s.counters.gaps, 0);
    }

    #[test]
    fn skipped_bytes_are_never_buffered() {
        struct SkipAll;
        impl StreamSink for SkipAll {
            fn data(&mut self, data: &[u8]) -> u64 {
                data.len() as u64 + 1_000_000
            }
            fn gap(&mut self, _: u64) {
                panic!("a hole inside skipped bytes is no gap");
            }
        }
        let mut s = Stream::default();
        s.syn(0);
        s.segment(1, b"header", 0, &limits(), &mut SkipAll);
        s.segment(1000, &[0u8; 1000], 0, &limits(), &mut SkipAll);
        s.peer_ack(3000, &limits(), &mut SkipAll);
        assert_eq!(s.held_bytes(), 0);
    }

    #[test]
    fn buffers_stay_under_their_caps() {
        let mut s = Stream::default();
        let mut sink = Lines::default();
        s.syn(0);
        for i in 0..100u32 {
            s.segment(100 + i * 10, b"xxxxx", 0, &limits(), &mut sink);
            assert!(s.held_bytes() <= 64 + 32);
        }
        s.segment(5000, &[b'y'; 40], 0, &limits(), &mut sink);
        assert!(s.held_bytes() <= 64 + 32);
        assert!(!sink.gaps.is_empty());
    }
}
