//! A small, bounded reader for the DER subset that GSS-API, SPNEGO and Kerberos use.
//!
//! Why our own rather than `der-parser`: the tokens need a dozen tag checks, not a general ASN.1
//! toolkit, and `der-parser` would pull nom 7 beside the workspace's nom 8. The reader is
//! iterative (no recursion at all); every length is checked against the bytes present before a
//! slice is taken, indefinite (BER) lengths are refused, and descending into a constructed value
//! is counted against [`MAX_DEPTH`].

use crate::error::AuthError;

/// Deepest nesting of constructed values a token may use. Real AP-REQs inside SPNEGO reach
/// about ten levels; anything past this is hostile.
pub const MAX_DEPTH: u8 = 24;

/// Universal tags used by the tokens.
pub(crate) const TAG_INTEGER: u32 = 0x02;
pub(crate) const TAG_BIT_STRING: u32 = 0x03;
pub(crate) const TAG_OCTET_STRING: u32 = 0x04;
pub(crate) const TAG_ENUMERATED: u32 = 0x0a;
pub(crate) const TAG_OID: u32 = 0x06;
pub(crate) const TAG_SEQUENCE: u32 = 0x10;

/// Longest definite length we accept, in length octets (4 GiB is far past any token).
const MAX_LENGTH_OCTETS: usize = 4;
/// Longest high-tag-number form we accept, in octets after the first (28 bits of tag).
const MAX_TAG_OCTETS: usize = 4;
/// Longest OID sub-identifier, in octets (63 bits).
const MAX_ARC_OCTETS: usize = 9;

/// The class bits of an identifier octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Universal,
    Application,
    Context,
    Private,
}

/// One tag-length-value, its value borrowed from the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub class: Class,
    pub constructed: bool,
    pub tag: u32,
    pub value: &'a [u8],
    /// Nesting level of this TLV (0 for the outermost).
    depth: u8,
}

/// A cursor over a sequence of TLVs at one nesting level.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    depth: u8,
}

impl<'a> Reader<'a> {
    /// A reader over top-level TLVs.
    pub fn new(input: &'a [u8]) -> Self {
        Reader { rest: input, depth: 0 }
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads the next TLV.
    pub fn read(&mut self) -> Result<Tlv<'a>, AuthError> {
        let (rest, tlv) = parse_tlv(self.rest, self.depth)?;
        self.rest = rest;
        Ok(tlv)
    }

    /// Reads the next TLV, which must carry this class and tag.
    pub fn expect(&mut self, class: Class, tag: u32, what: &'static str) -> Result<Tlv<'a>, AuthError> {
        let tlv = self.read()?;
        if tlv.class == class && tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(AuthError::Malformed(what))
        }
    }

    /// Reads the next TLV if it carries this class and tag (an OPTIONAL field), else leaves the
    /// reader where it was.
    pub fn optional(&mut self, class: Class, tag: u32) -> Result<Option<Tlv<'a>>, AuthError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let mut ahead = *self;
        let tlv = ahead.read()?;
        if tlv.class == class && tlv.tag == tag {
            *self = ahead;
            Ok(Some(tlv))
        } else {
            Ok(None)
        }
    }

    /// Reads the next `[tag] EXPLICIT` context field and returns the value it wraps.
    pub fn explicit(&mut self, tag: u32, what: &'static str) -> Result<Tlv<'a>, AuthError> {
        self.expect(Class::Context, tag, what)?.inner(what)
    }

    /// Like [`Reader::explicit`] for an OPTIONAL field.
    pub fn optional_explicit(&mut self, tag: u32, what: &'static str) -> Result<Option<Tlv<'a>>, AuthError> {
        self.optional(Class::Context, tag)?.map(|t| t.inner(what)).transpose()
    }
}

impl<'a> Tlv<'a> {
    /// A reader over the content of this constructed value, one level deeper.
    pub fn contents(&self) -> Result<Reader<'a>, AuthError> {
        if !self.constructed {
            return Err(AuthError::Malformed("expected a constructed value"));
        }
        let depth = self.depth.checked_add(1).filter(|d| *d <= MAX_DEPTH).ok_or(AuthError::TooDeep)?;
        Ok(Reader { rest: self.value, depth })
    }

    /// The single value inside an EXPLICIT tag.
    pub fn inner(&self, what: &'static str) -> Result<Tlv<'a>, AuthError> {
        self.contents()?.read().map_err(|e| match e {
            AuthError::Truncated(_) => AuthError::Truncated(what),
            other => other,
        })
    }

    /// The content of a universal value of this tag (e.g. an OCTET STRING).
    pub fn universal(&self, tag: u32, what: &'static str) -> Result<&'a [u8], AuthError> {
        if self.class == Class::Universal && self.tag == tag {
            Ok(self.value)
        } else {
            Err(AuthError::Malformed(what))
        }
    }

    /// A signed INTEGER (or ENUMERATED) that fits an `i64`.
    pub fn integer(&self, tag: u32, what: &'static str) -> Result<i64, AuthError> {
        let (first, rest) = self.universal(tag, what)?.split_first().ok_or(AuthError::Malformed(what))?;
        if rest.len() > 7 {
            return Err(AuthError::Malformed(what));
        }
        // Sign-extend from the first octet, then shift the rest in.
        Ok(rest.iter().fold(i64::from(*first as i8), |acc, b| (acc << 8) | i64::from(*b)))
    }

    /// The first 32 bits of a BIT STRING, bit 0 being the most significant (as Kerberos flags
    /// and GSS context flags are numbered); missing bits read as 0.
    pub fn bit_string_u32(&self, what: &'static str) -> Result<u32, AuthError> {
        let bytes = self.universal(TAG_BIT_STRING, what)?;
        // The first content octet counts unused trailing bits; the flag bits follow.
        let bits = bytes.get(1..).ok_or(AuthError::Malformed(what))?;
        let mut word = [0u8; 4];
        for (slot, b) in word.iter_mut().zip(bits) {
            *slot = *b;
        }
        Ok(u32::from_be_bytes(word))
    }

    /// Any universal character string as text (Kerberos realms are GeneralString in practice,
    /// ASCII or UTF-8); invalid UTF-8 is replaced rather than refused.
    pub fn text(&self, what: &'static str) -> Result<String, AuthError> {
        if self.class != Class::Universal || self.constructed {
            return Err(AuthError::Malformed(what));
        }
        Ok(String::from_utf8_lossy(self.value).into_owned())
    }
}

/// The identifier and length octets of a TLV, without its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub class: Class,
    pub constructed: bool,
    pub tag: u32,
    /// The length of the value that follows.
    pub len: usize,
}

/// Reads a TLV's header; the value's bytes need not be there (stream framing reads the length
/// of a message from its first bytes).
pub(crate) fn parse_header(input: &[u8]) -> Result<(&[u8], Header), AuthError> {
    let (&ident, rest) = input.split_first().ok_or(AuthError::Truncated("DER identifier"))?;
    let class = match ident >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::Context,
        _ => Class::Private,
    };
    let constructed = ident & 0x20 != 0;
    let (rest, tag) = if ident & 0x1f == 0x1f { parse_high_tag(rest)? } else { (rest, u32::from(ident & 0x1f)) };
    let (rest, len) = parse_length(rest)?;
    Ok((rest, Header { class, constructed, tag, len }))
}

/// Parses one TLV at nesting level `depth`.
fn parse_tlv(input: &[u8], depth: u8) -> Result<(&[u8], Tlv<'_>), AuthError> {
    let (rest, Header { class, constructed, tag, len }) = parse_header(input)?;
    let (value, rest) = rest.split_at_checked(len).ok_or(AuthError::Truncated("DER value"))?;
    Ok((rest, Tlv { class, constructed, tag, value, depth }))
}

/// The base-128 tag number after a 0x1f identifier.
fn parse_high_tag(mut input: &[u8]) -> Result<(&[u8], u32), AuthError> {
    let mut tag = 0u32;
    for _ in 0..MAX_TAG_OCTETS {
        let (&b, rest) = input.split_first().ok_or(AuthError::Truncated("DER tag"))?;
        input = rest;
        tag = (tag << 7) | u32::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Ok((input, tag));
        }
    }
    Err(AuthError::Malformed("DER tag number too long"))
}

/// A definite length, short or long form.
fn parse_length(input: &[u8]) -> Result<(&[u8], usize), AuthError> {
    let (&first, rest) = input.split_first().ok_or(AuthError::Truncated("DER length"))?;
    if first < 0x80 {
        return Ok((rest, usize::from(first)));
    }
    let octets = usize::from(first & 0x7f);
    if octets == 0 {
        return Err(AuthError::Malformed("indefinite DER length"));
    }
    if octets > MAX_LENGTH_OCTETS {
        return Err(AuthError::Malformed("DER length too long"));
    }
    let (bytes, rest) = rest.split_at_checked(octets).ok_or(AuthError::Truncated("DER length"))?;
    let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok((rest, len))
}

/// The sub-identifiers of an OBJECT IDENTIFIER's content octets, each with its last octet
/// (the one without the continuation bit); an unfinished last one included.
fn oid_arcs(content: &[u8]) -> impl Iterator<Item = &[u8]> {
    content.split_inclusive(|b| b & 0x80 == 0)
}

/// Checks an OBJECT IDENTIFIER's content octets as [`oid_to_dotted`] reads them, without
/// writing anything.
pub(crate) fn check_oid(content: &[u8]) -> Result<(), AuthError> {
    if content.is_empty() {
        return Err(AuthError::Malformed("empty OID"));
    }
    if oid_arcs(content).any(|arc| arc.len() > MAX_ARC_OCTETS) {
        return Err(AuthError::Malformed("OID arc too long"));
    }
    if content.last().is_some_and(|b| b & 0x80 != 0) {
        return Err(AuthError::Malformed("OID ends inside an arc"));
    }
    Ok(())
}

/// Writes an OBJECT IDENTIFIER's content octets in dotted form ("1.3.6.1.5.5.2").
pub(crate) fn oid_to_dotted(content: &[u8]) -> Result<String, AuthError> {
    check_oid(content)?;
    // At most MAX_ARC_OCTETS octets of 7 bits each: the value fits a u64.
    let arcs = oid_arcs(content).map(|arc| arc.iter().fold(0u64, |value, b| (value << 7) | u64::from(b & 0x7f)));
    let mut dotted = String::new();
    for (i, arc) in arcs.enumerate() {
        if i == 0 {
            // The first sub-identifier packs the first two arcs as 40 * x + y.
            let (x, y) = match arc {
                a if a < 40 => (0, a),
                a if a < 80 => (1, a - 40),
                a => (2, a - 80),
            };
            dotted.push_str(&format!("{x}.{y}"));
        } else {
            dotted.push_str(&format!(".{arc}"));
        }
    }
    Ok(dotted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let mut r = Reader::new(&[0x04, 0x02, 0xaa, 0xbb, 0x30, 0x81, 0x01, 0x05]);
        let a = r.read().unwrap();
        assert_eq!((a.class, a.tag, a.value), (Class::Universal, TAG_OCTET_STRING, &[0xaa, 0xbb][..]));
        let b = r.read().unwrap();
        assert!(b.constructed);
        assert_eq!((b.tag, b.value), (TAG_SEQUENCE, &[0x05][..]));
        assert!(r.is_empty());
    }

    #[test]
    fn refuses_lengths_past_the_input_and_indefinite_lengths() {
        assert_eq!(Reader::new(&[0x04, 0x05, 0x00]).read().unwrap_err(), AuthError::Truncated("DER value"));
        assert_eq!(Reader::new(&[0x04, 0x84, 0xff, 0xff, 0xff, 0xff]).read().unwrap_err(), AuthError::Truncated("DER value"));
        assert!(matches!(Reader::new(&[0x30, 0x80, 0x00, 0x00]).read(), Err(AuthError::Malformed(_))));
        assert!(matches!(Reader::new(&[0x04, 0x85, 1, 1, 1, 1, 1]).read(), Err(AuthError::Malformed(_))));
    }

    #[test]
    fn decodes_oids_and_integers() {
        assert_eq!(oid_to_dotted(&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]).unwrap(), "1.3.6.1.5.5.2");
        assert_eq!(oid_to_dotted(&[0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02]).unwrap(), "1.2.840.48018.1.2.2");
        assert!(oid_to_dotted(&[0x2b, 0x86]).is_err());
        let neg = Reader::new(&[0x02, 0x01, 0x80]).read().unwrap();
        assert_eq!(neg.integer(TAG_INTEGER, "int").unwrap(), -128);
        let big = Reader::new(&[0x02, 0x02, 0x00, 0xff]).read().unwrap();
        assert_eq!(big.integer(TAG_INTEGER, "int").unwrap(), 255);
    }

    /// `depth` SEQUENCEs each wrapping the next, innermost empty.
    fn nested(depth: usize) -> Vec<u8> {
        let mut v = Vec::new();
        for _ in 0..depth {
            let mut outer = vec![0x30];
            let len = v.len();
            if len < 0x80 {
                outer.push(len as u8);
            } else {
                outer.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
            }
            outer.extend_from_slice(&v);
            v = outer;
        }
        v
    }

    /// Walks down the first child as far as it goes; returns the depth reached or the error.
    fn descend(bytes: &[u8]) -> Result<usize, AuthError> {
        let mut tlv = Reader::new(bytes).read()?;
        let mut levels = 1;
        while !tlv.value.is_empty() {
            tlv = tlv.contents()?.read()?;
            levels += 1;
        }
        Ok(levels)
    }

    #[test]
    fn nesting_is_limited() {
        assert_eq!(descend(&nested(usize::from(MAX_DEPTH) + 1)), Ok(usize::from(MAX_DEPTH) + 1));
        assert_eq!(descend(&nested(usize::from(MAX_DEPTH) + 2)), Err(AuthError::TooDeep));
        assert_eq!(descend(&nested(5000)), Err(AuthError::TooDeep));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut r = Reader::new(&bytes);
            while let Ok(tlv) = r.read() {
                let _ = tlv.contents().and_then(|mut c| c.read());
                let _ = tlv.integer(TAG_INTEGER, "int");
                let _ = tlv.bit_string_u32("bits");
                let _ = oid_to_dotted(tlv.value);
            }
        }
    }
}
