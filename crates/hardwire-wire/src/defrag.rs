//! Bounded IP fragment reassembly, IPv4 and IPv6 alike (the key has the addresses, so the
//! families never mix; an IPv6 identification is 32 bits).
//!
//! etherparse's pool has neither a memory cap nor a timeout, and attackers choose fragments, so
//! this one has both: a cap on datagrams in progress, on bytes held in all, and an age limit
//! driven by packet time. Overlaps are resolved one way, the first copy wins (as for TCP).

use std::collections::HashMap;
use std::net::IpAddr;

/// Limits of the defragmenter.
#[derive(Debug, Clone, Copy)]
pub struct DefragLimits {
    /// Datagrams being reassembled at once; the oldest is dropped beyond it.
    pub max_datagrams: usize,
    /// Bytes held over all datagrams; new fragments are dropped beyond it.
    pub max_bytes: usize,
    /// A datagram not completed within this many microseconds of its first fragment is dropped.
    pub timeout_us: u64,
}

impl Default for DefragLimits {
    fn default() -> Self {
        DefragLimits { max_datagrams: 4096, max_bytes: 16 << 20, timeout_us: 30_000_000 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct DatagramKey {
    src: IpAddr,
    dst: IpAddr,
    protocol: u8,
    id: u32,
}

#[derive(Debug, Default)]
struct Datagram {
    first_seen_us: u64,
    /// (offset, bytes), kept sorted and non-overlapping.
    pieces: Vec<(u32, Vec<u8>)>,
    /// Known once the fragment without "more fragments" arrives.
    total_len: Option<u32>,
    held: usize,
}

impl Datagram {
    /// Adds the parts of a fragment not already held; returns the bytes added.
    fn insert(&mut self, offset: u32, data: &[u8]) -> usize {
        let mut added = 0;
        let mut start = offset;
        let end = offset.saturating_add(u32::try_from(data.len()).unwrap_or(u32::MAX));
        let mut cursor = 0usize; // index in pieces
        while start < end {
            // skip pieces that end before `start`
            while cursor < self.pieces.len() && piece_end(&self.pieces[cursor]) <= start {
                cursor += 1;
            }
            let gap_end = match self.pieces.get(cursor) {
                Some((piece_start, _)) if *piece_start <= start => {
                    // covered: first copy wins
                    start = piece_end(&self.pieces[cursor]).min(end);
                    continue;
                }
                Some((piece_start, _)) => (*piece_start).min(end),
                None => end,
            };
            let from = (start - offset) as usize;
            let to = (gap_end - offset) as usize;
            let bytes = data.get(from..to).unwrap_or_default().to_vec();
            added += bytes.len();
            self.pieces.insert(cursor, (start, bytes));
            cursor += 1;
            start = gap_end;
        }
        self.held += added;
        added
    }

    fn complete(&self) -> bool {
        let Some(total) = self.total_len else { return false };
        let mut expected = 0;
        for piece in &self.pieces {
            if piece.0 != expected {
                return false;
            }
            expected = piece_end(piece);
        }
        expected >= total
    }

    fn assemble(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.held);
        for (_, bytes) in self.pieces {
            out.extend_from_slice(&bytes);
        }
        out
    }
}

fn piece_end(piece: &(u32, Vec<u8>)) -> u32 {
    piece.0.saturating_add(u32::try_from(piece.1.len()).unwrap_or(u32::MAX))
}

/// What happened to a fragment.
#[derive(Debug, PartialEq, Eq)]
pub enum FragmentOutcome {
    /// Held, waiting for the rest.
    Pending,
    /// This fragment completed the datagram: its whole payload.
    Complete(Vec<u8>),
    /// Dropped: over a limit, or an impossible offset.
    Dropped,
}

/// Reassembles IPv4 and IPv6 datagrams from fragments, within [`DefragLimits`].
#[derive(Debug, Default)]
pub struct Defragmenter {
    limits: DefragLimits,
    datagrams: HashMap<DatagramKey, Datagram>,
    held: usize,
    /// Datagrams dropped by a limit or a timeout.
    pub dropped: u64,
}

/// Largest IP payload there can be (IPv4, and IPv6 without jumbograms).
const MAX_DATAGRAM: u32 = 65_535;

impl Defragmenter {
    pub fn new(limits: DefragLimits) -> Self {
        Defragmenter { limits, ..Default::default() }
    }

    /// Bytes currently held.
    pub fn held_bytes(&self) -> usize {
        self.held
    }

    /// Adds one fragment seen at `now_us`.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        now_us: u64,
        src: IpAddr,
        dst: IpAddr,
        protocol: u8,
        id: u32,
        offset: u32,
        more_fragments: bool,
        data: &[u8],
    ) -> FragmentOutcome {
        self.expire(now_us);
        let end = offset.saturating_add(u32::try_from(data.len()).unwrap_or(u32::MAX));
        if end > MAX_DATAGRAM || self.held.saturating_add(data.len()) > self.limits.max_bytes {
            self.dropped += 1;
            return FragmentOutcome::Dropped;
        }
        let key = DatagramKey { src, dst, protocol, id };
        if !self.datagrams.contains_key(&key) && self.datagrams.len() >= self.limits.max_datagrams {
            self.drop_oldest();
        }
        let datagram = self.datagrams.entry(key).or_insert_with(|| Datagram { first_seen_us: now_us, ..Default::default() });
        if !more_fragments {
            datagram.total_len.get_or_insert(end);
        }
        self.held += datagram.insert(offset, data);
        if !datagram.complete() {
            return FragmentOutcome::Pending;
        }
        match self.datagrams.remove(&key) {
            Some(done) => {
                self.held -= done.held;
                let total = done.total_len.unwrap_or(0) as usize;
                let mut payload = done.assemble();
                payload.truncate(total);
                FragmentOutcome::Complete(payload)
            }
            None => FragmentOutcome::Dropped,
        }
    }

    /// Drops datagrams older than the timeout.
    pub fn expire(&mut self, now_us: u64) {
        let timeout = self.limits.timeout_us;
        let before = self.datagrams.len();
        let mut freed = 0;
        self.datagrams.retain(|_, d| {
            let keep = now_us.saturating_sub(d.first_seen_us) <= timeout;
            if !keep {
                freed += d.held;
            }
            keep
        });
        self.held -= freed;
        self.dropped += (before - self.datagrams.len()) as u64;
    }

    fn drop_oldest(&mut self) {
        let oldest = self.datagrams.iter().min_by_key(|(_, d)| d.first_seen_us).map(|(k, _)| *k);
        if let Some(key) = oldest {
            if let Some(d) = self.datagrams.remove(&key) {
                self.held -= d.held;
                self.dropped += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn add(d: &mut Defragmenter, now: u64, id: u32, offset: u32, more: bool, data: &[u8]) -> FragmentOutcome {
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        d.add(now, a, b, 6, id, offset, more, data)
    }

    #[test]
    fn out_of_order_fragments_reassemble() {
        let mut d = Defragmenter::new(DefragLimits::default());
        assert_eq!(add(&mut d, 0, 1, 8, false, b"world!!!"), FragmentOutcome::Pending);
        assert_eq!(add(&mut d, 0, 1, 0, true, b"hello, _"), FragmentOutcome::Complete(b"hello, _world!!!".to_vec()));
        assert_eq!(d.held_bytes(), 0);
    }

    #[test]
    fn first_copy_wins_on_overlap() {
        let mut d = Defragmenter::new(DefragLimits::default());
        assert_eq!(add(&mut d, 0, 2, 0, true, b"AAAAAAAA"), FragmentOutcome::Pending);
        assert_eq!(add(&mut d, 0, 2, 0, true, b"BBBBBBBBCCCCCCCC"), FragmentOutcome::Pending);
        assert_eq!(add(&mut d, 0, 2, 16, false, b"DD"), FragmentOutcome::Complete(b"AAAAAAAACCCCCCCCDD".to_vec()));
    }

    #[test]
    fn limits_and_timeouts_hold() {
        let limits = DefragLimits { max_datagrams: 2, max_bytes: 64, timeout_us: 10 };
        let mut d = Defragmenter::new(limits);
        for id in 0..10 {
            add(&mut d, 0, id, 0, true, b"12345678");
        }
        assert!(d.datagrams.len() <= 2);
        assert!(d.held_bytes() <= 64);
        assert_eq!(add(&mut d, 0, 99, 0, true, &[0u8; 100]), FragmentOutcome::Dropped);
        d.expire(100);
        assert_eq!(d.held_bytes(), 0);
        assert_eq!(add(&mut d, 0, 7, 65_000, true, &[0u8; 1000]), FragmentOutcome::Dropped);
    }
}
