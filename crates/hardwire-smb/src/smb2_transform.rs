//! SMB 3.x wrappers around SMB2 messages: the TRANSFORM header (`\xFDSMB`, MS-SMB2 2.2.41)
//! of encrypted messages and the COMPRESSION_TRANSFORM header (`\xFCSMB`, MS-SMB2 2.2.42) of
//! compressed ones, with decompression of NONE, Pattern_V1, plain LZ77 (MS-XCA 2.3/2.4) and LZNT1
//! (MS-XCA 2.5) of our own, LZ77+Huffman (MS-XCA 2.1/2.2) through `xpress_huffman`, and LZ4
//! through `lz4_flex`.
//!
//! Compression is not encryption: a compressed message is readable once decompressed.
//! Decompression never produces more than `min(OriginalCompressedSegmentSize, cap)` bytes.

use nom::bytes::complete::{tag, take};
use nom::number::complete::{le_u16, le_u32, le_u64, u8 as byte};

use crate::error::{SmbError, SmbResult};

/// Protocol id of the TRANSFORM header (encrypted message).
pub const SMB2_TRANSFORM_MAGIC: &[u8; 4] = b"\xFDSMB";
/// Protocol id of the COMPRESSION_TRANSFORM header.
pub const SMB2_COMPRESSION_MAGIC: &[u8; 4] = b"\xFCSMB";
/// Size of the TRANSFORM header.
pub const SMB2_TRANSFORM_HEADER_LEN: usize = 52;
/// TRANSFORM Flags (3.1.1) / EncryptionAlgorithm (3.0, AES-128-CCM): the payload is encrypted.
pub const SMB2_TRANSFORM_FLAG_ENCRYPTED: u16 = 0x0001;

/// Compression algorithm NONE.
pub const COMPRESSION_NONE: u16 = 0x0000;
/// Compression algorithm LZNT1.
pub const COMPRESSION_LZNT1: u16 = 0x0001;
/// Compression algorithm LZ77 (plain).
pub const COMPRESSION_LZ77: u16 = 0x0002;
/// Compression algorithm LZ77+Huffman.
pub const COMPRESSION_LZ77_HUFFMAN: u16 = 0x0003;
/// Compression algorithm Pattern_V1 (a repeated byte).
pub const COMPRESSION_PATTERN_V1: u16 = 0x0004;
/// Compression algorithm LZ4.
pub const COMPRESSION_LZ4: u16 = 0x0005;
/// COMPRESSION_TRANSFORM Flags: chained form.
pub const SMB2_COMPRESSION_FLAG_CHAINED: u16 = 0x0001;
/// A sensible default output cap for [`decompress`].
pub const DEFAULT_DECOMPRESS_CAP: usize = 1 << 20;

/// TRANSFORM header of an encrypted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2TransformHeader<'a> {
    /// Signature (AEAD tag).
    pub signature: [u8; 16],
    /// Nonce (11 bytes used with CCM, 12 with GCM; the rest is zero).
    pub nonce: [u8; 16],
    /// OriginalMessageSize: size of the SMB2 message once decrypted.
    pub original_message_size: u32,
    /// Flags (3.1.1) or EncryptionAlgorithm (3.0/3.0.2); 1 in both when encrypted.
    pub flags: u16,
    /// SessionId whose keys encrypt the message.
    pub session_id: u64,
    /// The encrypted message that follows.
    pub encrypted: &'a [u8],
}

impl Smb2TransformHeader<'_> {
    /// The header says the payload is encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.flags == SMB2_TRANSFORM_FLAG_ENCRYPTED
    }
}

/// Parses a TRANSFORM header and borrows the encrypted payload after it.
pub fn parse_smb2_transform(i: &[u8]) -> SmbResult<Smb2TransformHeader<'_>> {
    let (i, _) = tag(&SMB2_TRANSFORM_MAGIC[..])(i)?;
    let (i, signature) = take(16usize)(i)?;
    let (i, nonce) = take(16usize)(i)?;
    let (i, original_message_size) = le_u32(i)?;
    let (i, _reserved) = le_u16(i)?;
    let (i, flags) = le_u16(i)?;
    let (encrypted, session_id) = le_u64(i)?;
    Ok(Smb2TransformHeader {
        signature: signature.try_into().map_err(|_| SmbError::Truncated)?,
        nonce: nonce.try_into().map_err(|_| SmbError::Truncated)?,
        original_message_size,
        flags,
        session_id,
        encrypted,
    })
}

/// A COMPRESSION_TRANSFORM header and the payload(s) it wraps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb2CompressionHeader<'a> {
    /// OriginalCompressedSegmentSize: the uncompressed size of the compressed part
    /// (unchained) or of the whole message (chained).
    pub original_size: u32,
    /// The unchained or chained payload.
    pub payload: CompressedPayload<'a>,
}

/// The two forms of a compressed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompressedPayload<'a> {
    /// SMB2_COMPRESSION_TRANSFORM_HEADER_UNCHAINED: an uncompressed prefix of `Offset` bytes,
    /// then the compressed rest.
    Unchained {
        /// CompressionAlgorithm.
        algorithm: u16,
        /// The uncompressed leading part.
        uncompressed: &'a [u8],
        /// The compressed part.
        compressed: &'a [u8],
    },
    /// SMB2_COMPRESSION_TRANSFORM_HEADER_CHAINED: a chain of payloads, each with its own
    /// algorithm, concatenated once decompressed.
    Chained(Vec<ChainedPayload<'a>>),
}

/// One payload of a chained compressed message (MS-SMB2 2.2.42.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainedPayload<'a> {
    /// CompressionAlgorithm.
    pub algorithm: u16,
    /// Flags (CHAINED on the first payload).
    pub flags: u16,
    /// OriginalPayloadSize, present for LZNT1, LZ77, LZ77+Huffman and LZ4.
    pub original_payload_size: Option<u32>,
    /// The payload's (compressed) bytes.
    pub data: &'a [u8],
}

fn has_original_payload_size(algorithm: u16) -> bool {
    matches!(algorithm, COMPRESSION_LZNT1 | COMPRESSION_LZ77 | COMPRESSION_LZ77_HUFFMAN | COMPRESSION_LZ4)
}

/// Parses a COMPRESSION_TRANSFORM header (either form) that spans all of `i`.
pub fn parse_smb2_compression(i: &[u8]) -> SmbResult<Smb2CompressionHeader<'_>> {
    let (i, _) = tag(&SMB2_COMPRESSION_MAGIC[..])(i)?;
    let (after_size, original_size) = le_u32(i)?;
    let (i, algorithm) = le_u16(after_size)?;
    let (i, flags) = le_u16(i)?;
    let payload = if flags & SMB2_COMPRESSION_FLAG_CHAINED == 0 {
        let (rest, offset) = le_u32(i)?;
        let (compressed, uncompressed) = take(offset)(rest)?;
        CompressedPayload::Unchained { algorithm, uncompressed, compressed }
    } else {
        CompressedPayload::Chained(parse_chain(after_size)?)
    };
    Ok(Smb2CompressionHeader { original_size, payload })
}

/// Each chained payload header is 8 bytes and its Length covers what follows, so every step
/// consumes at least 8 bytes of input.
fn parse_chain(mut i: &[u8]) -> SmbResult<Vec<ChainedPayload<'_>>> {
    let mut payloads = Vec::new();
    while !i.is_empty() {
        let (rest, algorithm) = le_u16(i)?;
        let (rest, flags) = le_u16(rest)?;
        let (rest, length) = le_u32(rest)?;
        let (rest, body) = take(length)(rest)?;
        let (data, original_payload_size) = if has_original_payload_size(algorithm) {
            let (data, size) = le_u32(body)?;
            (data, Some(size))
        } else {
            (body, None)
        };
        payloads.push(ChainedPayload { algorithm, flags, original_payload_size, data });
        i = rest;
    }
    Ok(payloads)
}

/// The output of [`decompress`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decompressed {
    /// The decompressed SMB2 message (or its first `cap` bytes).
    pub data: Vec<u8>,
    /// The output reached the caller's cap before the end of the message.
    pub truncated: bool,
}

/// An output buffer that refuses to grow past its limit.
struct Sink {
    out: Vec<u8>,
    /// min(declared size, cap).
    limit: usize,
    /// The limit is the caller's cap, not the declared size: reaching it is a truncation,
    /// not a malformed message.
    limit_is_cap: bool,
}

/// Why a sink stopped accepting bytes.
enum Stop {
    Full,
    Error(SmbError),
}

impl From<SmbError> for Stop {
    fn from(e: SmbError) -> Self {
        Stop::Error(e)
    }
}

impl Sink {
    fn room(&self) -> usize {
        self.limit - self.out.len()
    }

    fn overflow(&self) -> Stop {
        if self.limit_is_cap {
            Stop::Full
        } else {
            Stop::Error(SmbError::Malformed("decompressed data exceeds its declared size"))
        }
    }

    fn extend(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        let n = bytes.len().min(self.room());
        self.out.extend_from_slice(bytes.get(..n).unwrap_or_default());
        if n < bytes.len() {
            return Err(self.overflow());
        }
        Ok(())
    }

    fn repeat(&mut self, value: u8, count: usize) -> Result<(), Stop> {
        let n = count.min(self.room());
        self.out.resize(self.out.len() + n, value);
        if n < count {
            return Err(self.overflow());
        }
        Ok(())
    }

    /// Copies `len` bytes starting `distance` bytes back, byte by byte (overlap allowed).
    fn copy_back(&mut self, distance: usize, len: usize) -> Result<(), Stop> {
        let start = self.out.len().checked_sub(distance).ok_or(SmbError::Malformed("LZ77 match before the start"))?;
        let n = len.min(self.room());
        for k in start..start + n {
            let b = self.out.get(k).copied().unwrap_or_default();
            self.out.push(b);
        }
        if n < len {
            return Err(self.overflow());
        }
        Ok(())
    }
}

/// Decompresses a compressed message into at most `min(original_size, cap)` bytes. An algorithm
/// MS-SMB2 does not define gives [`SmbError::UnsupportedCompression`].
pub fn decompress(h: &Smb2CompressionHeader<'_>, cap: usize) -> SmbResult<Decompressed> {
    let declared = match &h.payload {
        // the uncompressed prefix comes on top of the compressed segment's size
        CompressedPayload::Unchained { uncompressed, .. } => (h.original_size as usize).saturating_add(uncompressed.len()),
        CompressedPayload::Chained(_) => h.original_size as usize,
    };
    let limit = declared.min(cap);
    let mut sink = Sink {
        // never reserve by a length field: grow as data is actually produced
        out: Vec::with_capacity(limit.min(64 * 1024)),
        limit,
        limit_is_cap: cap < declared,
    };
    let result = match &h.payload {
        CompressedPayload::Unchained { algorithm, uncompressed, compressed } => {
            sink.extend(uncompressed).and_then(|()| decompress_into(*algorithm, compressed, h.original_size as usize, &mut sink))
        }
        CompressedPayload::Chained(payloads) => payloads.iter().try_for_each(|p| {
            let size = p.original_payload_size.map_or(usize::MAX, |size| size as usize);
            decompress_into(p.algorithm, p.data, size, &mut sink)
        }),
    };
    match result {
        Ok(()) => Ok(Decompressed { data: sink.out, truncated: false }),
        Err(Stop::Full) => Ok(Decompressed { data: sink.out, truncated: true }),
        Err(Stop::Error(e)) => Err(e),
    }
}

/// One payload, which says it decompresses to `size` bytes (an LZ77+Huffman stream ends only by
/// its size).
fn decompress_into(algorithm: u16, data: &[u8], size: usize, sink: &mut Sink) -> Result<(), Stop> {
    match algorithm {
        COMPRESSION_NONE => sink.extend(data),
        COMPRESSION_PATTERN_V1 => {
            let (i, pattern) = byte(data).map_err(SmbError::from)?;
            let (i, _reserved) = take(3usize)(i).map_err(SmbError::from)?;
            let (_, repetitions) = le_u32(i).map_err(SmbError::from)?;
            sink.repeat(pattern, repetitions as usize)
        }
        COMPRESSION_LZ77 => lz77_decompress(data, sink),
        COMPRESSION_LZNT1 => lznt1_decompress(data, sink),
        COMPRESSION_LZ77_HUFFMAN => huffman_decompress(data, size, sink),
        COMPRESSION_LZ4 => lz4_decompress(data, sink),
        other => Err(Stop::Error(SmbError::UnsupportedCompression(other))),
    }
}

/// Output bytes one input byte of an LZ4 block can stand for at most (a match length byte of
/// 255), so that a short block never gets a large buffer.
const LZ4_MAX_EXPANSION: usize = 255;

/// An LZ4 block (MS-SMB2 2.2.42.1), decoded by `lz4_flex`'s safe decoder into a buffer no larger
/// than the sink's room, nor than the block could expand to.
fn lz4_decompress(input: &[u8], sink: &mut Sink) -> Result<(), Stop> {
    let room = sink.room();
    let mut buffer = vec![0u8; room.min(input.len().saturating_mul(LZ4_MAX_EXPANSION))];
    match lz4_flex::block::decompress_into(input, &mut buffer) {
        Ok(produced) => sink.extend(buffer.get(..produced).unwrap_or_default()),
        // The block goes on past the caller's cap (the decoder keeps no partial output).
        Err(lz4_flex::block::DecompressError::OutputTooSmall { .. }) if buffer.len() == room => Err(sink.overflow()),
        Err(_) => Err(Stop::Error(SmbError::Malformed("LZ4 block"))),
    }
}

/// Plain LZ77 decompression, MS-XCA 2.4: 32-bit flag words (MSB first; 0 = literal byte,
/// 1 = match), match length extended through a shared half-byte, a byte, then 16/32 bits.
/// The stream ends when a match is flagged but no input is left.
fn lz77_decompress(input: &[u8], sink: &mut Sink) -> Result<(), Stop> {
    let truncated = || Stop::Error(SmbError::Truncated);
    let mut pos = 0usize;
    let mut flags = 0u32;
    let mut flag_count = 0u32;
    let mut half_byte_at: Option<usize> = None;
    let read_u16 = |p: usize| crate::util::le16_at(input, p).ok_or_else(truncated);
    loop {
        if flag_count == 0 {
            let Some(word) = input.get(pos..pos + 4) else {
                // input ends on a flag-word boundary: nothing more to produce
                return Ok(());
            };
            flags = u32::from_le_bytes(word.try_into().map_err(|_| truncated())?);
            pos += 4;
            flag_count = 32;
        }
        flag_count -= 1;
        if flags & (1 << flag_count) == 0 {
            let Some(&literal) = input.get(pos) else {
                return Ok(());
            };
            sink.extend(&[literal])?;
            pos += 1;
            continue;
        }
        if pos == input.len() {
            return Ok(());
        }
        let match_bytes = usize::from(read_u16(pos)?);
        pos += 2;
        let distance = match_bytes / 8 + 1;
        let mut length = match_bytes % 8;
        if length == 7 {
            length = match half_byte_at.take() {
                None => {
                    let b = *input.get(pos).ok_or_else(truncated)?;
                    half_byte_at = Some(pos);
                    pos += 1;
                    usize::from(b % 16)
                }
                Some(at) => usize::from(*input.get(at).ok_or_else(truncated)? / 16),
            };
            if length == 15 {
                length = usize::from(*input.get(pos).ok_or_else(truncated)?);
                pos += 1;
                if length == 255 {
                    length = usize::from(read_u16(pos)?);
                    pos += 2;
                    if length == 0 {
                        let word = input.get(pos..pos + 4).ok_or_else(truncated)?;
                        length = u32::from_le_bytes(word.try_into().map_err(|_| truncated())?) as usize;
                        pos += 4;
                    }
                    length = length.checked_sub(15 + 7).ok_or(Stop::Error(SmbError::Malformed("LZ77 match length")))?;
                }
                length += 15;
            }
            length += 7;
        }
        length += 3;
        sink.copy_back(distance, length)?;
    }
}

/// Bytes one LZNT1 chunk decompresses to at most (MS-XCA 2.5).
const LZNT1_CHUNK: usize = 4096;

/// LZNT1 decompression, MS-XCA 2.5: chunks, each behind a 16-bit header (bit 15: compressed;
/// bits 0-11: the chunk's bytes after its header, less one; a header of 0 ends the stream). In a
/// compressed chunk a flag byte precedes each eight tokens (bit clear: a literal; set: a 16-bit
/// copy token whose split between displacement and length depends on how far into the chunk's
/// output it stands). A chunk stands for at most 4096 bytes and copies only from itself.
fn lznt1_decompress(input: &[u8], sink: &mut Sink) -> Result<(), Stop> {
    let malformed = |what| Stop::Error(SmbError::Malformed(what));
    let mut rest = input;
    while let Some((header, after)) = rest.split_first_chunk::<2>() {
        let header = u16::from_le_bytes(*header);
        if header == 0 {
            return Ok(());
        }
        let size = usize::from(header & 0x0FFF) + 1;
        let (chunk, next) = after.split_at_checked(size).ok_or(Stop::Error(SmbError::Truncated))?;
        rest = next;
        if header & 0x8000 == 0 {
            sink.extend(chunk)?;
            continue;
        }
        let start = sink.out.len();
        let mut tokens = chunk;
        while let Some((&flags, after_flags)) = tokens.split_first() {
            tokens = after_flags;
            for bit in 0..8 {
                let produced = sink.out.len() - start;
                if flags & (1 << bit) == 0 {
                    let Some((&literal, after)) = tokens.split_first() else { break };
                    tokens = after;
                    if produced >= LZNT1_CHUNK {
                        return Err(malformed("LZNT1 chunk over 4096 bytes"));
                    }
                    sink.extend(&[literal])?;
                    continue;
                }
                let Some((token, after)) = tokens.split_first_chunk::<2>() else {
                    // a flag for a token the chunk does not hold: the chunk's end
                    if tokens.is_empty() {
                        break;
                    }
                    return Err(Stop::Error(SmbError::Truncated));
                };
                tokens = after;
                let token = usize::from(u16::from_le_bytes(*token));
                // the displacement takes as many bits as the position in the chunk needs (4 at least)
                let mut length_bits = 12u32;
                let mut p = produced.checked_sub(1).ok_or(malformed("LZNT1 copy before any byte"))?;
                while p >= 0x10 {
                    length_bits -= 1;
                    p >>= 1;
                }
                let length = (token & ((1 << length_bits) - 1)) + 3;
                let displacement = (token >> length_bits) + 1;
                if displacement > produced || produced + length > LZNT1_CHUNK {
                    return Err(malformed("LZNT1 copy token"));
                }
                sink.copy_back(displacement, length)?;
            }
        }
    }
    // a lone byte after the last chunk
    if rest.is_empty() {
        Ok(())
    } else {
        Err(Stop::Error(SmbError::Truncated))
    }
}

/// The 256-byte table of Huffman code lengths that opens each LZ77+Huffman block.
const HUFFMAN_TABLE: usize = 256;
/// Output one LZ77+Huffman block stands for at most: 64 KiB, and the match that crosses its end
/// (65,538 bytes at most).
const HUFFMAN_BLOCK_MAX: usize = (64 << 10) + 65_538;

/// LZ77+Huffman (MS-XCA 2.1, 2.2) through `xpress_huffman`'s decoder, asked for exactly the
/// payload's size (the stream's end is only known by it), never more than the sink's room, nor
/// than the blocks the input holds can stand for: so its buffer is bounded by the input too.
/// The decoder may finish a last match past the size it was asked for (65,538 bytes at most):
/// what goes past the payload's size is dropped, past the sink's room refused by the sink.
fn huffman_decompress(input: &[u8], size: usize, sink: &mut Sink) -> Result<(), Stop> {
    let blocks = input.len() / HUFFMAN_TABLE;
    if blocks == 0 {
        return Err(Stop::Error(SmbError::Truncated));
    }
    let room = sink.room();
    let want = size.min(room).min(blocks.saturating_mul(HUFFMAN_BLOCK_MAX));
    let out = xpress_huffman::decompress(input, want).map_err(|_| Stop::Error(SmbError::Malformed("LZ77+Huffman stream")))?;
    let payload = out.get(..size.min(out.len())).unwrap_or_default();
    sink.extend(payload)?;
    if size > room && payload.len() == room {
        // stopped by the sink's room, not by the payload's end
        return Err(sink.overflow());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{hex, nbss_payload};
    use proptest::prelude::*;

    // TCP payloads (NBSS header included) of public captures under /work/shared/pcaps;
    // expected values from tshark.

    /// zeek/Traces/smb/smb311.pcap frame 7: TRANSFORM header
    const SMB311_TRANSFORM: &str = "0000009cfd534d426807a87d76f1a7d16c854ac9842992094ebfa014fa5a14dc190e0100000000006800000000000100690000ac1c2800003bda74e5b18f801c42a23a02a62711d60fdc15bd79e4adc40bec3ba5abaa3e6963448efeb634f4d6014d511d192bfc8d87b7d91aa30d9d7df3b48ddd57b5f00725366cf4bff3c977bbd9a0945f65a47fa3cf7bd373803e84184cb395e0bf8bd00a563b5812ec0963";

    /// suricata-verify/smb3-01/input.pcap frame 9: TRANSFORM header
    const SMB3_TRANSFORM: &str = "000000c6fd534d4276176b1956ed2c9c5acf00a30c0485bc3aaa968f18ae61e6e76f1f000000000092000000000001003d00009400480000e72898fada97bec718be0eed4d912a7fff8a04c53ec199aa0fda6697aa8166ca5a2910387ebbb05b9094c01236e3703e3ba4a50cd4c5d69cca15ae5deea620fbc27e2035d68113a00018ecb9f1d8845f06ef5c9e98d9555941d4ad8ffe8ae1f8db4085155d09c76afff9937955cfd103b639ae2485daf2ae529e8cf224dc827b7272c29001ea03f2266a87ef994c2467f391";

    #[test]
    fn transform_header_of_311_and_30() {
        let data = nbss_payload(SMB311_TRANSFORM);
        let t = parse_smb2_transform(&data).unwrap();
        // tshark: nonce 4ebfa014fa5a14dc190e010000000000, msg_size 104, flags 0x0001,
        // sesid 0x0000281cac000069, signature 6807a87d...
        assert_eq!(t.nonce.to_vec(), hex("4ebfa014fa5a14dc190e010000000000"));
        assert_eq!(t.signature.to_vec(), hex("6807a87d76f1a7d16c854ac984299209"));
        assert_eq!(t.original_message_size, 104);
        assert!(t.is_encrypted());
        assert_eq!(t.session_id, 0x0000_281c_ac00_0069);
        assert_eq!(t.encrypted.len(), 104);

        let data = nbss_payload(SMB3_TRANSFORM);
        let t = parse_smb2_transform(&data).unwrap();
        // tshark: nonce 3aaa968f18ae61e6e76f1f0000000000, msg_size 146, flags 0x0001,
        // sesid 0x000048009400003d; tcp.len 202 = 4 + 52 + 146
        assert_eq!(t.original_message_size, 146);
        assert_eq!(t.flags, SMB2_TRANSFORM_FLAG_ENCRYPTED);
        assert_eq!(t.session_id, 0x0000_4800_9400_003d);
        assert_eq!(t.encrypted.len(), 146);
        assert_eq!(parse_smb2_transform(b"\xFESMB"), Err(SmbError::BadMagic));
    }

    /// An unchained header (MS-SMB2 2.2.42.1) around `compressed`.
    fn unchained(original: u32, algorithm: u16, prefix: &[u8], compressed: &[u8]) -> Vec<u8> {
        let mut v = SMB2_COMPRESSION_MAGIC.to_vec();
        v.extend_from_slice(&original.to_le_bytes());
        v.extend_from_slice(&algorithm.to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes());
        v.extend_from_slice(&(prefix.len() as u32).to_le_bytes());
        v.extend_from_slice(prefix);
        v.extend_from_slice(compressed);
        v
    }

    // MS-XCA 3.1 plain LZ77 examples: the alphabet as literals, and "abc" x 100.
    const XCA_ALPHABET: &str = "3f0000006162636465666768696a6b6c6d6e6f707172737475767778797a";
    const XCA_ABC_X100: &str = "ffffff1f61626317000fff2601";

    #[test]
    fn lz77_decompresses_the_ms_xca_examples() {
        let msg = unchained(26, COMPRESSION_LZ77, b"", &hex(XCA_ALPHABET));
        let h = parse_smb2_compression(&msg).unwrap();
        let out = decompress(&h, DEFAULT_DECOMPRESS_CAP).unwrap();
        assert_eq!(out.data, b"abcdefghijklmnopqrstuvwxyz");

        let msg = unchained(300, COMPRESSION_LZ77, b"", &hex(XCA_ABC_X100));
        let h = parse_smb2_compression(&msg).unwrap();
        let out = decompress(&h, DEFAULT_DECOMPRESS_CAP).unwrap();
        assert_eq!(out.data, b"abc".repeat(100));
        assert!(!out.truncated);
        // the cap truncates; a declared size too small is an error
        let out = decompress(&h, 10).unwrap();
        assert_eq!((out.data.len(), out.truncated), (10, true));
        let msg = unchained(299, COMPRESSION_LZ77, b"", &hex(XCA_ABC_X100));
        let h = parse_smb2_compression(&msg).unwrap();
        assert!(decompress(&h, DEFAULT_DECOMPRESS_CAP).is_err());
    }

    /// pcaps/smb/smb-reads-then-admin.pcap frame 184: the TREE_CONNECT request to
    /// `\\10.77.0.10\ADMIN$` (110 bytes), and the same compressed by the reference LZ4 library
    /// (python-lz4 `lz4.block.compress(msg, store_size=False, mode="high_compression")`).
    const TREE_CONNECT_ADMIN: &str = "fe534d42400001000000000003000100180000000000000057000000000000000000000000000000c2ae61b200000000f02b97414a8d22162e726734b60ec1ea09000000480026005c005c00310030002e00370037002e0030002e00310030005c00410044004d0049004e002400";
    const TREE_CONNECT_ADMIN_LZ4: &str = "80fe534d424000010001006203000100180001002a5700010040c2ae61b20800f118f02b97414a8d22162e726734b60ec1ea09000000480026005c005c00310030002e00370037002e0a00001000e05c00410044004d0049004e002400";

    #[test]
    fn lz4_decompresses_a_real_message() {
        let msg = unchained(110, COMPRESSION_LZ4, b"", &hex(TREE_CONNECT_ADMIN_LZ4));
        let h = parse_smb2_compression(&msg).unwrap();
        let out = decompress(&h, DEFAULT_DECOMPRESS_CAP).unwrap();
        assert_eq!((out.data, out.truncated), (hex(TREE_CONNECT_ADMIN), false));
        // Past the cap: truncated, not an error; past a declared size too small: an error.
        assert_eq!(decompress(&h, 64).map(|out| out.truncated), Ok(true));
        let msg = unchained(100, COMPRESSION_LZ4, b"", &hex(TREE_CONNECT_ADMIN_LZ4));
        assert!(decompress(&parse_smb2_compression(&msg).unwrap(), DEFAULT_DECOMPRESS_CAP).is_err());
        // A block cut short is malformed.
        let cut = &hex(TREE_CONNECT_ADMIN_LZ4)[..50];
        let msg = unchained(110, COMPRESSION_LZ4, b"", cut);
        assert!(decompress(&parse_smb2_compression(&msg).unwrap(), DEFAULT_DECOMPRESS_CAP).is_err());
    }

    #[test]
    fn chained_none_and_pattern_v1() {
        // chained (MS-SMB2 2.2.42.2): NONE payload "\xFESMB..." then Pattern_V1 of 0x00 x 16
        let mut msg = SMB2_COMPRESSION_MAGIC.to_vec();
        msg.extend_from_slice(&24u32.to_le_bytes());
        msg.extend_from_slice(&[0, 0, 1, 0, 8, 0, 0, 0]);
        msg.extend_from_slice(b"\xFESMB@\0\0\0");
        msg.extend_from_slice(&[4, 0, 0, 0, 8, 0, 0, 0]);
        msg.extend_from_slice(&[0, 0, 0, 0, 16, 0, 0, 0]);
        let h = parse_smb2_compression(&msg).unwrap();
        let CompressedPayload::Chained(payloads) = &h.payload else { panic!("not chained") };
        assert_eq!(payloads.len(), 2);
        assert_eq!(payloads[0].flags, SMB2_COMPRESSION_FLAG_CHAINED);
        assert_eq!(payloads[1].original_payload_size, None);
        let out = decompress(&h, DEFAULT_DECOMPRESS_CAP).unwrap();
        assert_eq!(&out.data[..8], b"\xFESMB@\0\0\0");
        assert_eq!(out.data.len(), 24);
        assert!(out.data[8..].iter().all(|&b| b == 0));
    }

    #[test]
    fn huge_declared_sizes_are_capped_and_unknown_algorithms_reported() {
        // SMBGhost-style: OriginalCompressedSegmentSize 0xFFFFFFFF, Pattern_V1 of 4 G bytes
        let msg = unchained(u32::MAX, COMPRESSION_PATTERN_V1, b"\xFESMB", &[0x41, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        let h = parse_smb2_compression(&msg).unwrap();
        let out = decompress(&h, 4096).unwrap();
        assert_eq!((out.data.len(), out.truncated), (4096, true));
        let msg = unchained(100, 0x0009, b"", &[1, 2, 3]);
        let h = parse_smb2_compression(&msg).unwrap();
        assert_eq!(decompress(&h, 4096), Err(SmbError::UnsupportedCompression(0x0009)));
    }

    /// MS-XCA 3.3: LZNT1 of the 142-byte ANSI string (its NUL included), one compressed chunk of
    /// 59 bytes (header 0xB038) whose copy tokens reach past the output they start from.
    const XCA_LZNT1: &str =
        "38b08846232000204720410010a24701a045204400084501507900c045200524138805b4024a44ef0358028c091601484500be009e000401189000";
    const XCA_LZNT1_TEXT: &[u8] = b"F# F# G A A G F# E D D E F# F# E E F# F# G A A G F# E D D E F# E D D E E F# D E F# G F# D E F# G F# E D E A F# F# G A A G F# E D D E F# E D D\0";

    #[test]
    fn lznt1_decompresses_the_ms_xca_example() {
        let msg = unchained(142, COMPRESSION_LZNT1, b"", &hex(XCA_LZNT1));
        let out = decompress(&parse_smb2_compression(&msg).unwrap(), DEFAULT_DECOMPRESS_CAP).unwrap();
        assert_eq!((out.data.as_slice(), out.truncated), (XCA_LZNT1_TEXT, false));
        // the cap truncates; a chunk cut short, or a copy before any output, is malformed
        let out = decompress(&parse_smb2_compression(&msg).unwrap(), 20).unwrap();
        assert_eq!((out.data.len(), out.truncated), (20, true));
        let cut = unchained(142, COMPRESSION_LZNT1, b"", &hex(XCA_LZNT1)[..40]);
        assert!(decompress(&parse_smb2_compression(&cut).unwrap(), DEFAULT_DECOMPRESS_CAP).is_err());
        let early_copy = unchained(142, COMPRESSION_LZNT1, b"", &[0x02, 0xb0, 0x01, 0x00, 0x00]);
        assert!(decompress(&parse_smb2_compression(&early_copy).unwrap(), DEFAULT_DECOMPRESS_CAP).is_err());
        // an uncompressed chunk (bit 15 clear) is copied as it is
        let raw = unchained(3, COMPRESSION_LZNT1, b"", &[0x02, 0x30, b'a', b'b', b'c']);
        assert_eq!(decompress(&parse_smb2_compression(&raw).unwrap(), DEFAULT_DECOMPRESS_CAP).unwrap().data, b"abc");
    }

    /// MS-XCA 3.2: LZ77+Huffman of the alphabet, as literals: the 256-byte table of code lengths
    /// (5 bits for `a` to `v`, 4 for `w` to `z` and for the EOF symbol 256), then the bit stream.
    fn xca_huffman_alphabet() -> Vec<u8> {
        let mut table = vec![0u8; 256];
        table[48] = 0x50; // symbol 97 ('a'): 5
        table[49..59].fill(0x55); // 98..=117
        table[59] = 0x45; // 118: 5, 119: 4
        table[60] = 0x44; // 120, 121: 4
        table[61] = 0x04; // 122 ('z'): 4
        table[128] = 0x04; // 256 (EOF): 4
        table.extend_from_slice(&hex("d8523ed794115be9195ff9d67cdf8d0400000000"));
        table
    }

    #[test]
    fn lz77_huffman_decompresses_the_ms_xca_example() {
        let msg = unchained(26, COMPRESSION_LZ77_HUFFMAN, b"", &xca_huffman_alphabet());
        let out = decompress(&parse_smb2_compression(&msg).unwrap(), DEFAULT_DECOMPRESS_CAP).unwrap();
        assert_eq!((out.data.as_slice(), out.truncated), (&b"abcdefghijklmnopqrstuvwxyz"[..], false));
        let out = decompress(&parse_smb2_compression(&msg).unwrap(), 10).unwrap();
        assert_eq!((out.data.as_slice(), out.truncated), (&b"abcdefghij"[..], true));
        // no room for the table: malformed
        let short = unchained(26, COMPRESSION_LZ77_HUFFMAN, b"", &xca_huffman_alphabet()[..200]);
        assert!(decompress(&parse_smb2_compression(&short).unwrap(), DEFAULT_DECOMPRESS_CAP).is_err());
    }

    fn try_everything(data: &[u8]) {
        let _ = parse_smb2_transform(data);
        if let Ok(h) = parse_smb2_compression(data) {
            let _ = decompress(&h, 64 * 1024);
        }
        let mut sink = Sink { out: Vec::new(), limit: 64 * 1024, limit_is_cap: true };
        let _ = lz77_decompress(data, &mut sink);
        let mut sink = Sink { out: Vec::new(), limit: 64 * 1024, limit_is_cap: true };
        let _ = lz4_decompress(data, &mut sink);
        let mut sink = Sink { out: Vec::new(), limit: 64 * 1024, limit_is_cap: true };
        let _ = lznt1_decompress(data, &mut sink);
        let mut sink = Sink { out: Vec::new(), limit: 64 * 1024, limit_is_cap: true };
        let _ = huffman_decompress(data, 64 * 1024, &mut sink);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..256)) {
            for magic in [SMB2_COMPRESSION_MAGIC, SMB2_TRANSFORM_MAGIC] {
                let mut data = magic.to_vec();
                data.extend_from_slice(&tail);
                try_everything(&data);
            }
            try_everything(&tail);
        }

        #[test]
        fn truncations_never_panic(cut in 0usize..300) {
            for data in [
                nbss_payload(SMB311_TRANSFORM),
                unchained(300, COMPRESSION_LZ77, b"ab", &hex(XCA_ABC_X100)),
                unchained(110, COMPRESSION_LZ4, b"", &hex(TREE_CONNECT_ADMIN_LZ4)),
            ] {
                try_everything(&data[..cut.min(data.len())]);
            }
        }
    }
}
