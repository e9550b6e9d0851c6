//! Joining the stub fragments of a call (PFC_FIRST_FRAG .. PFC_LAST_FRAG) into one stub.
//!
//! This is the one piece of state in the crate. It is bounded twice: at most `cap` bytes are
//! buffered over all calls in progress (past that a stub is reported truncated rather than
//! grown), and at most [`MAX_CALLS_IN_FLIGHT`] calls are tracked (the oldest is dropped). It
//! never reserves memory from `alloc_hint` or any other length field: buffers grow only by the
//! bytes actually received.
//!
//! Use one assembler per direction of a connection (requests, responses): call ids are shared
//! between a request and its response. A call may carry a value from its first fragment's
//! header (a request's opnum and context: servers take them from the first fragment, so the
//! last one's must not count), handed back with the whole stub.

use std::borrow::Cow;

use crate::dcerpc_records::{PFC_FIRST_FRAG, PFC_LAST_FRAG};

/// A cap that fits every stub defenders need (task XML, service command lines...).
pub const DEFAULT_STUB_CAP: usize = 1 << 20;
/// Calls tracked at once per assembler; more means a confused or hostile peer.
pub const MAX_CALLS_IN_FLIGHT: usize = 16;

/// A whole stub, once the last fragment of a call arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssembledStub<'a, T = ()> {
    /// Call id of the fragments.
    pub call_id: u32,
    /// The joined stub; borrowed from the input for a single-fragment call.
    pub data: Cow<'a, [u8]>,
    /// Bytes were dropped because the cap was reached: `data` is a prefix of the stub.
    pub truncated: bool,
    /// The first fragment was never seen (capture started mid-call, or it was evicted): `data`
    /// is a suffix of the stub.
    pub started_midway: bool,
    /// Fragments joined.
    pub fragments: u32,
    /// The value pushed with the first fragment (with the earliest fragment seen when the first
    /// never was).
    pub first: T,
}

#[derive(Debug)]
struct PendingCall<T> {
    call_id: u32,
    data: Vec<u8>,
    truncated: bool,
    started_midway: bool,
    fragments: u32,
    first: T,
}

/// Joins request (or response) stub fragments per call id, up to a byte cap.
#[derive(Debug)]
pub struct FragmentAssembler<T = ()> {
    cap: usize,
    buffered: usize,
    calls: Vec<PendingCall<T>>,
}

impl<T: Copy> Default for FragmentAssembler<T> {
    fn default() -> Self {
        FragmentAssembler::new(DEFAULT_STUB_CAP)
    }
}

impl FragmentAssembler {
    /// [`FragmentAssembler::push_with`] for calls that carry nothing from their first fragment.
    pub fn push<'a>(&mut self, call_id: u32, pfc_flags: u8, stub: &'a [u8]) -> Option<AssembledStub<'a>> {
        self.push_with(call_id, pfc_flags, stub, ())
    }
}

impl<T: Copy> FragmentAssembler<T> {
    /// An assembler that buffers at most `cap` stub bytes over all calls in progress.
    pub fn new(cap: usize) -> Self {
        FragmentAssembler { cap, buffered: 0, calls: Vec::new() }
    }

    /// The byte cap.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Stub bytes buffered now (never more than the cap).
    pub fn buffered_bytes(&self) -> usize {
        self.buffered
    }

    /// Calls waiting for their last fragment.
    pub fn pending_calls(&self) -> usize {
        self.calls.len()
    }

    /// Adds one fragment's stub (`pfc_flags` and `value` from its header). Returns the whole
    /// stub, with the value of the call's first fragment, when this fragment carries
    /// PFC_LAST_FRAG; `None` while more fragments are expected.
    ///
    /// A PFC_FIRST_FRAG for a call already in progress restarts it (the old bytes are dropped).
    pub fn push_with<'a>(&mut self, call_id: u32, pfc_flags: u8, stub: &'a [u8], value: T) -> Option<AssembledStub<'a, T>> {
        let first = pfc_flags & PFC_FIRST_FRAG != 0;
        let last = pfc_flags & PFC_LAST_FRAG != 0;
        let position = self.calls.iter().position(|call| call.call_id == call_id);
        let mut call = match (position, first) {
            (Some(index), true) => {
                self.release(index);
                None
            }
            (Some(index), false) => Some(self.release(index)),
            (None, _) => None,
        };

        if call.is_none() && first && last {
            // The common case: a single-fragment call, handed back without a copy.
            let kept = stub.get(..self.cap).unwrap_or(stub);
            return Some(AssembledStub {
                call_id,
                data: Cow::Borrowed(kept),
                truncated: kept.len() < stub.len(),
                started_midway: false,
                fragments: 1,
                first: value,
            });
        }

        let mut pending = call.take().unwrap_or(PendingCall {
            call_id,
            data: Vec::new(),
            truncated: false,
            started_midway: !first,
            fragments: 0,
            first: value,
        });
        let room = self.cap.saturating_sub(self.buffered + pending.data.len());
        let kept = stub.get(..room).unwrap_or(stub);
        pending.data.extend_from_slice(kept);
        pending.truncated |= kept.len() < stub.len();
        pending.fragments = pending.fragments.saturating_add(1);

        if last {
            return Some(AssembledStub {
                call_id,
                data: Cow::Owned(pending.data),
                truncated: pending.truncated,
                started_midway: pending.started_midway,
                fragments: pending.fragments,
                first: pending.first,
            });
        }
        if self.calls.len() >= MAX_CALLS_IN_FLIGHT {
            self.release(0);
        }
        self.buffered += pending.data.len();
        self.calls.push(pending);
        None
    }

    /// Forgets a call in progress (e.g. after a fault for it).
    pub fn discard(&mut self, call_id: u32) {
        if let Some(index) = self.calls.iter().position(|call| call.call_id == call_id) {
            self.release(index);
        }
    }

    /// Forgets every call in progress (e.g. on a gap in the stream).
    pub fn clear(&mut self) {
        self.calls.clear();
        self.buffered = 0;
    }

    fn release(&mut self, index: usize) -> PendingCall<T> {
        let call = self.calls.remove(index);
        self.buffered -= call.data.len();
        call
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FIRST: u8 = PFC_FIRST_FRAG;
    const MIDDLE: u8 = 0;
    const LAST: u8 = PFC_LAST_FRAG;

    #[test]
    fn single_fragment_is_borrowed() {
        let mut assembler = FragmentAssembler::default();
        let stub = [1u8, 2, 3];
        let whole = assembler.push(7, FIRST | LAST, &stub).expect("complete");
        assert!(matches!(whole.data, Cow::Borrowed(_)));
        assert_eq!(&*whole.data, &stub);
        assert_eq!(whole.fragments, 1);
        assert!(!whole.truncated && !whole.started_midway);
        assert_eq!(assembler.pending_calls(), 0);
    }

    #[test]
    fn fragments_join_per_call_id() {
        let mut assembler = FragmentAssembler::default();
        assert_eq!(assembler.push(1, FIRST, b"ab"), None);
        assert_eq!(assembler.push(2, FIRST, b"xy"), None);
        assert_eq!(assembler.push(1, MIDDLE, b"cd"), None);
        assert_eq!(assembler.buffered_bytes(), 6);
        let one = assembler.push(1, LAST, b"ef").expect("call 1 complete");
        assert_eq!(&*one.data, b"abcdef");
        assert_eq!(one.fragments, 3);
        let two = assembler.push(2, LAST, b"z").expect("call 2 complete");
        assert_eq!(&*two.data, b"xyz");
        assert_eq!(assembler.buffered_bytes(), 0);
    }

    #[test]
    fn cap_truncates_instead_of_growing() {
        let mut assembler = FragmentAssembler::new(5);
        assert_eq!(assembler.push(1, FIRST, b"abcd"), None);
        assert_eq!(assembler.push(1, MIDDLE, b"efgh"), None);
        assert_eq!(assembler.buffered_bytes(), 5);
        let whole = assembler.push(1, LAST, b"ijkl").expect("complete");
        assert_eq!(&*whole.data, b"abcde");
        assert!(whole.truncated);
        let single = assembler.push(2, FIRST | LAST, b"0123456789").expect("complete");
        assert_eq!(&*single.data, b"01234");
        assert!(single.truncated);
    }

    #[test]
    fn the_first_fragment_value_is_kept() {
        let mut assembler = FragmentAssembler::default();
        assert_eq!(assembler.push_with(1, FIRST, b"ab", 12u16), None);
        assert_eq!(assembler.push_with(1, MIDDLE, b"cd", 0), None);
        assert_eq!(assembler.push_with(1, LAST, b"ef", 0).map(|whole| whole.first), Some(12));
        // Without its first fragment a call keeps the earliest one seen.
        assert_eq!(assembler.push_with(2, MIDDLE, b"mid", 7u16), None);
        assert_eq!(assembler.push_with(2, LAST, b"end", 0).map(|whole| whole.first), Some(7));
    }

    #[test]
    fn missing_first_fragment_is_flagged() {
        let mut assembler = FragmentAssembler::default();
        assert_eq!(assembler.push(3, MIDDLE, b"mid"), None);
        let whole = assembler.push(3, LAST, b"end").expect("complete");
        assert_eq!(&*whole.data, b"midend");
        assert!(whole.started_midway);
    }

    #[test]
    fn restart_and_eviction_release_bytes() {
        let mut assembler = FragmentAssembler::default();
        assert_eq!(assembler.push(1, FIRST, b"old"), None);
        assert_eq!(assembler.push(1, FIRST, b"new"), None);
        assert_eq!(assembler.buffered_bytes(), 3);
        for call_id in 10..10 + MAX_CALLS_IN_FLIGHT as u32 {
            assert_eq!(assembler.push(call_id, FIRST, b"x"), None);
        }
        assert_eq!(assembler.pending_calls(), MAX_CALLS_IN_FLIGHT);
        // Call 1 was the oldest and is gone: its last fragment now starts midway.
        assert_eq!(assembler.buffered_bytes(), MAX_CALLS_IN_FLIGHT);
        let late = assembler.push(1, LAST, b"!").expect("complete");
        assert!(late.started_midway);
        assembler.discard(10);
        assert_eq!(assembler.buffered_bytes(), MAX_CALLS_IN_FLIGHT - 1);
        assembler.clear();
        assert_eq!(assembler.buffered_bytes(), 0);
    }

    proptest! {
        #[test]
        fn never_exceeds_cap(
            cap in 0usize..64,
            pushes in proptest::collection::vec(
                (0u32..4, 0u8..4, proptest::collection::vec(any::<u8>(), 0..40)),
                0..60,
            ),
        ) {
            let mut assembler = FragmentAssembler::new(cap);
            for (call_id, flags, stub) in &pushes {
                if let Some(whole) = assembler.push(*call_id, *flags, stub) {
                    prop_assert!(whole.data.len() <= cap);
                }
                prop_assert!(assembler.buffered_bytes() <= cap);
                prop_assert!(assembler.pending_calls() <= MAX_CALLS_IN_FLIGHT);
            }
        }
    }
}
