//! NTLM on protocols without a state machine of ours (LDAP binds, MS-SQL TDS logins, SMTP,
//! IMAP...). NTLM where Kerberos should be is the point, whatever carries it, so the first bytes
//! of every flow no protocol claims are searched for NTLMSSP messages, and every AUTHENTICATE
//! found is reported.
//!
//! The work is bounded by the bytes, whatever they hold: [`SCAN_LIMIT`] bytes per direction are
//! searched; a candidate (a signature) is measured from its header alone, refused without
//! decoding if its fields reach past [`MAX_MESSAGE`], and parsed once, when all its bytes have
//! arrived; at most [`MAX_CANDIDATES`] are parsed per flow. A message cut across segments waits
//! in a tail of at most `MAX_MESSAGE` bytes; bytes are copied into it once.

use hardwire_flow::Direction;
use memchr::memmem;

use crate::app::auth::AuthState;
use crate::app::AppContext;
use crate::event::{EventKind, Objects};

/// Bytes of each direction searched: authentication happens at the start of a connection.
const SCAN_LIMIT: u64 = 64 << 10;
/// The largest NTLMSSP message read: its fields must end this close to its signature. Windows'
/// AUTHENTICATE (an NTLMv2 response carrying the server's AV pairs) is under 2 KB.
const MAX_MESSAGE: usize = 8 << 10;
/// Messages parsed per flow: an authentication is three, a connection re-binds a few times.
const MAX_CANDIDATES: u32 = 64;
const SIGNATURE: &[u8] = b"NTLMSSP\0";
/// NTLMSSP message type 3, AUTHENTICATE.
const AUTHENTICATE: u32 = 3;

/// The scan of one flow.
#[derive(Debug, Default)]
pub(crate) struct NtlmScan {
    scanned: [u64; 2],
    /// Per direction: the bytes from a candidate whose message has not all arrived, or a
    /// signature's first bytes at the end of the data; never more than `MAX_MESSAGE`.
    tails: [Vec<u8>; 2],
    parsed: u32,
    auth: AuthState,
}

/// What became of a candidate.
#[derive(Debug, PartialEq, Eq)]
enum Candidate {
    /// Parsed (or refused): the search goes on after it.
    Done,
    /// Its message goes on past the bytes there are.
    Incomplete,
}

impl NtlmScan {
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        let i = dir.index();
        let budget = SCAN_LIMIT.saturating_sub(self.scanned[i]) as usize;
        let window = &data[..data.len().min(budget)];
        self.scanned[i] += window.len() as u64;
        if window.is_empty() || self.parsed >= MAX_CANDIDATES {
            return data.len() as u64;
        }
        let mut tail = std::mem::take(&mut self.tails[i]);
        // Whether the tail ends where the window ends (it then holds the whole window).
        let mut tail_to_end = false;
        if !tail.is_empty() {
            // Candidates starting in the tail, with enough of the window that each has all the
            // bytes it can need, or all there are.
            let old = tail.len();
            let take = window.len().min(2 * MAX_MESSAGE - old);
            tail.extend_from_slice(&window[..take]);
            tail_to_end = take == window.len();
            for at in memmem::find_iter(&tail, SIGNATURE).take_while(|&at| at < old) {
                if self.candidate(&tail[at..], cx) == Candidate::Incomplete {
                    // Only when the whole window is in the tail: it waits for more.
                    tail.drain(..at);
                    self.tails[i] = tail;
                    return data.len() as u64;
                }
            }
        }
        for at in memmem::find_iter(window, SIGNATURE) {
            if self.candidate(&window[at..], cx) == Candidate::Incomplete {
                tail.clear();
                tail.extend_from_slice(&window[at..]);
                self.tails[i] = tail;
                return data.len() as u64;
            }
        }
        // A signature cut by the end of the data waits for its end.
        if tail_to_end {
            let cut = signature_cut(&tail);
            tail.drain(..tail.len() - cut);
        } else {
            tail.clear();
            tail.extend_from_slice(&window[window.len() - signature_cut(window)..]);
        }
        self.tails[i] = tail;
        data.len() as u64
    }

    /// Measures the message at the start of `message` and parses it if it is all there.
    fn candidate(&mut self, message: &[u8], cx: &mut AppContext) -> Candidate {
        if self.parsed >= MAX_CANDIDATES {
            return Candidate::Done;
        }
        let needed = match extent(message) {
            Extent::Needs(needed) if needed <= MAX_MESSAGE => needed,
            // Too large to be real, or not a message type we read: not decoded at all.
            Extent::Needs(_) | Extent::Refused => return Candidate::Done,
            Extent::Unknown => return Candidate::Incomplete,
        };
        if message.len() < needed {
            return Candidate::Incomplete;
        }
        self.parsed += 1;
        cx.stats.ntlm_scan_parsed += 1;
        let message = &message[..message.len().min(MAX_MESSAGE)];
        // CHALLENGEs carry the server's names; AUTHENTICATEs the user's.
        if self.auth.observe(message).is_ok() && message_type(message) == Some(AUTHENTICATE) {
            cx.emit(EventKind::Ntlm, Objects { ntlm: self.auth.ntlm_object(), ..Objects::default() });
        }
        Candidate::Done
    }

    /// The tails held, for the memory budget.
    pub fn memory(&self) -> usize {
        self.tails.iter().map(Vec::capacity).sum()
    }

    /// A CHALLENGE seen, its AUTHENTICATE not yet.
    pub fn authenticating(&self) -> bool {
        self.auth.in_progress()
    }

    pub fn seen_enough(&self) -> bool {
        self.parsed >= MAX_CANDIDATES || (self.scanned.iter().all(|&n| n >= SCAN_LIMIT) && self.tails.iter().all(Vec::is_empty))
    }
}

/// How far an NTLMSSP message goes, from its header alone.
enum Extent {
    /// Its header is not all there yet.
    Unknown,
    /// Its header and every field it points at end within this many bytes.
    Needs(usize),
    Refused,
}

/// How many of the last bytes of `bytes` are the start of a signature.
fn signature_cut(bytes: &[u8]) -> usize {
    (1..SIGNATURE.len()).rev().find(|&n| bytes.ends_with(&SIGNATURE[..n])).unwrap_or(0)
}

fn message_type(message: &[u8]) -> Option<u32> {
    let b = message.get(8..12)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The extent of the NTLMSSP message starting at `message` (MS-NLMP 2.2.1: each message type's
/// fixed header and where its (length, max length, offset) fields are).
fn extent(message: &[u8]) -> Extent {
    let (header, fields): (usize, &[usize]) = match message_type(message) {
        None => return Extent::Unknown,
        Some(1) => (32, &[16, 24]),
        Some(2) => (48, &[12, 40]),
        Some(3) => (64, &[12, 20, 28, 36, 44, 52]),
        Some(_) => return Extent::Refused,
    };
    let Some(head) = message.get(..header) else { return Extent::Unknown };
    let mut end = header;
    for &at in fields {
        let len = u64::from(u16::from_le_bytes([head[at], head[at + 1]]));
        let offset = u64::from(u32::from_le_bytes([head[at + 4], head[at + 5], head[at + 6], head[at + 7]]));
        if len > 0 {
            end = end.max(usize::try_from(offset + len).unwrap_or(usize::MAX));
        }
    }
    Extent::Needs(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::with_test_context;

    /// A real AUTHENTICATE (impacket's NTLMv1 logon to Samba, `pcaps/smb/smb-ntlmv1.pcap`),
    /// taken whole from the capture.
    fn real_authenticate() -> Vec<u8> {
        let root = crate::test_support::workspace_root().expect("the workspace root");
        let capture = std::fs::read(root.join("pcaps/smb/smb-ntlmv1.pcap")).expect("the capture");
        let at = memmem::find(&capture, b"NTLMSSP\0\x03\0\0\0").expect("an AUTHENTICATE in the capture");
        let Extent::Needs(len) = extent(&capture[at..]) else { panic!("an AUTHENTICATE header") };
        capture[at..at + len].to_vec()
    }

    /// Feeds each segment to one direction of a fresh scan: the users reported, and the
    /// messages parsed.
    fn scan(segments: &[&[u8]]) -> (Vec<Option<String>>, u64) {
        let ((), records, stats) = with_test_context(|cx| {
            cx.server_port = 389;
            let mut scan = NtlmScan::default();
            for segment in segments {
                assert_eq!(scan.data(Direction::ToServer, segment, cx), segment.len() as u64);
            }
        });
        let users = records.iter().map(|r| r.objects.ntlm.as_ref().and_then(|n| n.user.clone())).collect();
        (users, stats.ntlm_scan_parsed)
    }

    #[test]
    fn an_authenticate_cut_anywhere_is_reported_once() {
        let message = real_authenticate();
        let mut stream = b"\x30\x84 LDAP bind ".to_vec();
        stream.extend_from_slice(&message);
        stream.extend_from_slice(b" trailing bytes");
        let (whole, parsed) = scan(&[&stream]);
        assert_eq!((whole.len(), parsed), (1, 1));
        assert!(whole[0].as_deref().is_some_and(|user| !user.is_empty()), "{whole:?}");
        for cut in 1..stream.len() {
            assert_eq!(scan(&[&stream[..cut], &stream[cut..]]), (whole.clone(), 1), "cut at {cut}");
        }
        // One byte at a time: still parsed once.
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(scan(&bytes), (whole, 1));
    }

    #[test]
    fn every_authenticate_of_a_flow_is_reported() {
        let message = real_authenticate();
        let stream = [&message[..], b"rebind", &message[..], b"and again", &message[..]].concat();
        let (users, parsed) = scan(&[&stream[..100], &stream[100..]]);
        assert_eq!((users.len(), parsed), (3, 3));
    }

    /// The amplification of issue 14: a 65 KB segment of AUTHENTICATE headers, one every 64
    /// bytes, whose names each reach as far as the segment allows (up to 64 KB), was decoded in
    /// full at every header. Now headers whose fields end past `MAX_MESSAGE` are refused from
    /// the header alone, and the rest (real messages among them) are parsed at most
    /// `MAX_CANDIDATES` times per flow.
    #[test]
    fn overlapping_authenticate_headers_cost_a_bounded_count_of_parses() {
        let message = real_authenticate();
        const SEGMENT: usize = 65_000;
        let mut segment = Vec::new();
        while segment.len() + 64 <= SEGMENT {
            if segment.len() % 4096 < 64 {
                segment.extend_from_slice(&message);
            }
            let mut forged = message[..64].to_vec();
            let reach = (SEGMENT - segment.len()).saturating_sub(64).min(0xffff) as u16;
            for field in [28, 36, 44] {
                // domain, user, workstation: from just after this header to as far as there are bytes
                forged[field..field + 4].copy_from_slice(&[reach.to_le_bytes(), reach.to_le_bytes()].concat());
                forged[field + 4..field + 8].copy_from_slice(&64u32.to_le_bytes());
            }
            segment.extend_from_slice(&forged);
        }
        let signatures = memmem::find_iter(&segment, SIGNATURE).count();
        assert!(signatures > 900, "{signatures} candidates");
        let (users, parsed) = scan(&[&segment]);
        assert!(parsed <= u64::from(MAX_CANDIDATES) && parsed > 10, "{parsed} parsed of {signatures} candidates");
        assert_eq!(users.len() as u64, parsed, "every real AUTHENTICATE reported");
        // The same spread over 1-byte segments parses no more.
        let bytes: Vec<&[u8]> = segment[..20_000].chunks(1).collect();
        assert!(scan(&bytes).1 <= u64::from(MAX_CANDIDATES));
    }
}
