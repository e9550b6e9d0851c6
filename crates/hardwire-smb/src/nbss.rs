//! NetBIOS Session Service framing (RFC 1002 4.3) and the direct-TCP transport of
//! MS-SMB2 2.1 that shares its 4-byte header.
//!
//! Header: Type (1 byte), Flags (1 byte: bit 0 extends the length to 17 bits), Length (2 bytes,
//! big-endian). On port 445 the "direct TCP" form reuses the same header with a zero type and
//! a 24-bit length; SESSION MESSAGE frames are therefore read with a 24-bit length, which is
//! the 17-bit NBSS length whenever the sender follows RFC 1002.

use memchr::memmem;

use crate::error::SmbResult;

/// SESSION MESSAGE: carries an SMB message.
pub const NBSS_SESSION_MESSAGE: u8 = 0x00;
/// SESSION REQUEST (called/calling NetBIOS names), port 139 only.
pub const NBSS_SESSION_REQUEST: u8 = 0x81;
/// POSITIVE SESSION RESPONSE.
pub const NBSS_POSITIVE_RESPONSE: u8 = 0x82;
/// NEGATIVE SESSION RESPONSE.
pub const NBSS_NEGATIVE_RESPONSE: u8 = 0x83;
/// RETARGET SESSION RESPONSE.
pub const NBSS_RETARGET_RESPONSE: u8 = 0x84;
/// SESSION KEEP ALIVE.
pub const NBSS_KEEP_ALIVE: u8 = 0x85;
/// Size of the NBSS header.
pub const NBSS_HEADER_LEN: usize = 4;
/// Smallest SMB message worth resynchronising on: an SMB1 header (32 bytes + WordCount +
/// ByteCount); SMB2 messages are longer.
const MIN_SMB_MESSAGE: usize = 35;
/// Largest SMB message a resync accepts (8 MiB of SMB 3 multi-credit data plus headers).
const MAX_SMB_MESSAGE: usize = 8 * 1024 * 1024 + 0x10000;

/// One NBSS header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NbssHeader {
    /// Message type (`NBSS_SESSION_MESSAGE`, ...).
    pub msg_type: u8,
    /// Length of the payload that follows the header.
    pub length: u32,
}

/// Parses an NBSS header. The length is 24 bits for SESSION MESSAGE (direct-TCP form),
/// 17 bits (flags bit 0 + 16) for the other types, whose other flag bits must be zero.
pub fn parse_nbss_header(i: &[u8]) -> SmbResult<NbssHeader> {
    let &[msg_type, flags, high, low] = i.first_chunk().ok_or(crate::SmbError::Truncated)?;
    let low = u16::from_be_bytes([high, low]);
    let length = if msg_type == NBSS_SESSION_MESSAGE {
        u32::from(flags) << 16 | u32::from(low)
    } else if flags & 0xFE == 0 {
        u32::from(flags & 1) << 16 | u32::from(low)
    } else {
        return Err(crate::SmbError::Malformed("NBSS flags"));
    };
    if !is_known_type(msg_type) {
        return Err(crate::SmbError::Malformed("NBSS type"));
    }
    Ok(NbssHeader { msg_type, length })
}

fn is_known_type(t: u8) -> bool {
    matches!(
        t,
        NBSS_SESSION_MESSAGE
            | NBSS_SESSION_REQUEST
            | NBSS_POSITIVE_RESPONSE
            | NBSS_NEGATIVE_RESPONSE
            | NBSS_RETARGET_RESPONSE
            | NBSS_KEEP_ALIVE
    )
}

/// What [`parse_nbss_frame`] found at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NbssFrame<'a> {
    /// A whole frame: its type, its payload, and header + payload length to consume.
    Complete {
        /// NBSS message type.
        msg_type: u8,
        /// The payload (an SMB message for SESSION MESSAGE).
        payload: &'a [u8],
        /// Bytes the frame occupies, header included.
        total_len: usize,
    },
    /// At least `needed` more bytes are required before the frame is complete.
    Incomplete {
        /// Missing byte count (for the header, then for the payload).
        needed: usize,
    },
    /// The bytes are not an NBSS header: resynchronise with [`find_smb_frame_start`].
    Invalid,
}

/// Frames one NBSS message at the start of `buf`.
pub fn parse_nbss_frame(buf: &[u8]) -> NbssFrame<'_> {
    if buf.len() < NBSS_HEADER_LEN {
        return NbssFrame::Incomplete { needed: NBSS_HEADER_LEN - buf.len() };
    }
    let Ok(header) = parse_nbss_header(buf) else {
        return NbssFrame::Invalid;
    };
    let total_len = NBSS_HEADER_LEN + header.length as usize;
    match buf.get(NBSS_HEADER_LEN..total_len) {
        Some(payload) => NbssFrame::Complete { msg_type: header.msg_type, payload, total_len },
        None => NbssFrame::Incomplete { needed: total_len - buf.len() },
    }
}

/// Which SMB protocol a session message carries, from its 4-byte protocol id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmbProtocol {
    /// `\xFFSMB`: SMB1 / CIFS.
    Smb1,
    /// `\xFESMB`: SMB2/3.
    Smb2,
    /// `\xFDSMB`: SMB 3.x TRANSFORM header (encrypted message).
    Transform,
    /// `\xFCSMB`: SMB 3.1.1 COMPRESSION_TRANSFORM header.
    Compression,
}

/// Recognises the protocol id at the start of an NBSS session message's payload.
pub fn smb_protocol(payload: &[u8]) -> Option<SmbProtocol> {
    match payload.get(..4)? {
        b"\xFFSMB" => Some(SmbProtocol::Smb1),
        b"\xFESMB" => Some(SmbProtocol::Smb2),
        b"\xFDSMB" => Some(SmbProtocol::Transform),
        b"\xFCSMB" => Some(SmbProtocol::Compression),
        _ => None,
    }
}

/// Finds the offset of the next plausible NBSS SESSION MESSAGE header that is followed by an
/// SMB protocol id (`\xFFSMB`, `\xFESMB`, `\xFDSMB` or `\xFCSMB`), to resynchronise a stream
/// after a TCP gap. The 4 bytes before the magic must be a session-message header whose
/// length is at least a minimal SMB message and at most 8 MiB + 64 KiB.
pub fn find_smb_frame_start(buf: &[u8]) -> Option<usize> {
    memmem::find_iter(buf, b"SMB").find_map(|smb| {
        let magic_at = smb.checked_sub(1)?;
        let header_at = magic_at.checked_sub(NBSS_HEADER_LEN)?;
        smb_protocol(buf.get(magic_at..)?)?;
        let header = parse_nbss_header(buf.get(header_at..)?).ok()?;
        let len = header.length as usize;
        let plausible = header.msg_type == NBSS_SESSION_MESSAGE && (MIN_SMB_MESSAGE..=MAX_SMB_MESSAGE).contains(&len);
        plausible.then_some(header_at)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;
    use proptest::prelude::*;

    /// zeek/Traces/smb/SMBGhost.pcap frame 4: TCP payload of the SMB2 NEGOTIATE request;
    /// tshark: nbss.length 192.
    pub(crate) const SMBGHOST_F4: &str = "000000c0fe534d42400000000000000000001f0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000024000800010000007f000000000000000000000000000000000000007800000002000000020210022202240200030203100311030000000001002600000000000100200001000000000000000000000000000000000000000000000000000000000000000000000003000a000000000001000000010000000100000000000000";

    #[test]
    fn frames_a_whole_session_message() {
        let data = hex(SMBGHOST_F4);
        match parse_nbss_frame(&data) {
            NbssFrame::Complete { msg_type, payload, total_len } => {
                assert_eq!(msg_type, NBSS_SESSION_MESSAGE);
                assert_eq!(payload.len(), 192);
                assert_eq!(total_len, 196);
                assert!(payload.starts_with(b"\xFESMB"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reports_how_much_is_missing() {
        let data = hex(SMBGHOST_F4);
        assert_eq!(parse_nbss_frame(&data[..2]), NbssFrame::Incomplete { needed: 2 });
        assert_eq!(parse_nbss_frame(&data[..100]), NbssFrame::Incomplete { needed: 96 });
        assert_eq!(parse_nbss_frame(b"\x42\x00\x00\x10"), NbssFrame::Invalid);
        // a keep-alive with a stray flag bit is not NBSS
        assert_eq!(parse_nbss_frame(b"\x85\x02\x00\x00"), NbssFrame::Invalid);
        assert!(matches!(parse_nbss_frame(b"\x85\x00\x00\x00"), NbssFrame::Complete { msg_type: NBSS_KEEP_ALIVE, total_len: 4, .. }));
    }

    #[test]
    fn resync_skips_a_torn_message() {
        let whole = hex(SMBGHOST_F4);
        // the tail of a message lost in a gap, which itself mentions "SMB", then a real frame
        let mut data = b"junk\xFESMB tail \x00\x00\x00\x01\xFFSMB".to_vec();
        let start = data.len();
        data.extend_from_slice(&whole);
        assert_eq!(find_smb_frame_start(&data), Some(start));
        assert_eq!(find_smb_frame_start(&whole), Some(0));
        assert_eq!(find_smb_frame_start(&whole[1..]), None);
        assert_eq!(smb_protocol(&whole[4..]), Some(SmbProtocol::Smb2));
        assert_eq!(smb_protocol(b"\xFDSMB"), Some(SmbProtocol::Transform));
        assert_eq!(smb_protocol(b"\xFESM"), None);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_nbss_frame(&data);
            let _ = find_smb_frame_start(&data);
        }

        #[test]
        fn truncations_never_panic(cut in 0usize..196) {
            let data = hex(SMBGHOST_F4);
            let _ = parse_nbss_frame(&data[..cut]);
            let _ = find_smb_frame_start(&data[cut..]);
        }
    }
}
