//! Small byte helpers shared by the record files (bounded slicing, string decoding).

use crate::error::{SmbError, SmbResult};

/// `buf[offset..offset + len]`, or `Truncated` when it is not all there.
pub(crate) fn slice_at(buf: &[u8], offset: usize, len: usize) -> SmbResult<&[u8]> {
    let end = offset.checked_add(len).ok_or(SmbError::Malformed("length overflow"))?;
    buf.get(offset..end).ok_or(SmbError::Truncated)
}

/// The part of `buf[offset..offset + len]` that is present: payload data (READ/WRITE)
/// may legitimately be cut short by a capture or a reassembly cap.
pub(crate) fn slice_clamped(buf: &[u8], offset: usize, len: usize) -> &[u8] {
    let start = offset.min(buf.len());
    let end = offset.saturating_add(len).min(buf.len());
    buf.get(start..end).unwrap_or_default()
}

/// Little-endian u16 at `offset`, when present.
pub(crate) fn le16_at(buf: &[u8], offset: usize) -> Option<u16> {
    match buf.get(offset..offset.checked_add(2)?)? {
        [a, b] => Some(u16::from_le_bytes([*a, *b])),
        _ => None,
    }
}

/// Decodes UTF-16LE, replacing invalid units; an odd trailing byte is dropped.
pub(crate) fn utf16le_lossy(b: &[u8]) -> String {
    let units = b.chunks_exact(2).map(|c| match c {
        [lo, hi] => u16::from_le_bytes([*lo, *hi]),
        _ => 0,
    });
    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// Decodes an OEM (8-bit) string; non-UTF-8 bytes become U+FFFD.
pub(crate) fn oem_lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A string as the message holds it, decoded only when read: most (NativeOS, NativeLanMan)
/// never are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct WireString<'a> {
    bytes: &'a [u8],
    /// UTF-16LE, else OEM.
    unicode: bool,
}

impl WireString<'_> {
    /// The text, invalid units or bytes replaced by U+FFFD.
    pub fn text(&self) -> String {
        if self.unicode {
            utf16le_lossy(self.bytes)
        } else {
            oem_lossy(self.bytes)
        }
    }
}

impl std::fmt::Debug for WireString<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text().fmt(f)
    }
}

/// Splits a NUL-terminated string off `i`: UTF-16LE when `unicode` (terminator 00 00 on a
/// unit boundary), OEM otherwise. Without a terminator the whole input is the string.
pub(crate) fn split_nul_string(i: &[u8], unicode: bool) -> (&[u8], WireString<'_>) {
    let (bytes, rest) = if unicode {
        match i.chunks_exact(2).position(|c| c == [0, 0]) {
            Some(units) => {
                let (s, rest) = i.split_at(units * 2);
                (s, rest.get(2..).unwrap_or_default())
            }
            None => (i, &[][..]),
        }
    } else {
        match memchr::memchr(0, i) {
            Some(p) => {
                let (s, rest) = i.split_at(p);
                (s, rest.get(1..).unwrap_or_default())
            }
            None => (i, &[][..]),
        }
    };
    (rest, WireString { bytes, unicode })
}

/// [`split_nul_string`], decoded.
pub(crate) fn take_nul_string(i: &[u8], unicode: bool) -> (&[u8], String) {
    let (rest, s) = split_nul_string(i, unicode);
    (rest, s.text())
}

/// Drops trailing NUL characters that some senders count into a length.
pub(crate) fn trim_nuls(mut s: String) -> String {
    while s.ends_with('\0') {
        s.pop();
    }
    s
}
