//! JSON text written straight into an output line, byte for byte what serde_json writes for the
//! same values. Every line has some twenty members, most of them short strings: serde_json's
//! generic path (each key escaped again, a `write_all` per quote and comma) cost about 9,000
//! instructions a line, a sixth of `hardwire read`. Here a key is copied as it is (our field
//! names need no escaping) and a string that needs no escape is one copy.

use std::net::IpAddr;

use crate::ip_text::IpText;

/// A value written as JSON text.
pub trait JsonValue {
    fn write_json(&self, out: &mut Vec<u8>);
}

/// The members of an object being written, each with its comma.
pub struct JsonObject<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    /// Opens an object: `{`, then the members, then [`close`](Self::close).
    pub fn open(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        JsonObject { out, empty: true }
    }

    /// Members to splice into an object that already has some: each starts with its comma.
    pub fn continuing(out: &'a mut Vec<u8>) -> Self {
        JsonObject { out, empty: false }
    }

    /// `"key":value`. The key is written as it is: our field names are letters and underscores.
    /// Inlined: at each call the key is a constant, copied without a call to `memcpy`.
    #[inline(always)]
    pub fn member<T: JsonValue + ?Sized>(&mut self, key: &str, value: &T) {
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{key}");
        if !std::mem::replace(&mut self.empty, false) {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        value.write_json(self.out);
    }

    /// The member only when there is a value: absent knowledge is an absent field.
    #[inline(always)]
    pub fn optional<T: JsonValue>(&mut self, key: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.member(key, value);
        }
    }

    /// Members a [`continuing`](Self::continuing) object wrote (each with its comma), after
    /// this object's own first member.
    pub fn splice(&mut self, members: &[u8]) {
        debug_assert!(!self.empty || members.is_empty(), "spliced members start with a comma");
        self.out.extend_from_slice(members);
    }

    pub fn close(self) {
        self.out.push(b'}');
    }
}

impl JsonValue for str {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'"');
        let start = out.len();
        out.extend_from_slice(self.as_bytes());
        // Checked where it was copied, in whole blocks of 16 bytes (a few vector instructions
        // each, where a byte at a time costs ten): spaces, which need no escape, make the last
        // block whole and are cut off again. Strings that need an escape are rare.
        out.extend_from_slice(&[b' '; 16]);
        let escape = out.get(start..).unwrap_or_default().chunks_exact(16).any(block_needs_escape);
        out.truncate(start + self.len());
        if escape {
            out.truncate(start);
            write_escaped(self.as_bytes(), out);
        }
        out.push(b'"');
    }
}

fn block_needs_escape(block: &[u8]) -> bool {
    // No early exit, so that the test vectorises.
    block.iter().fold(false, |any, &byte| any | (byte < 0x20) | (byte == b'"') | (byte == b'\\'))
}

/// serde_json's escapes: the short ones where JSON has them, else `\u00xx` in lowercase hex.
/// Multi-byte UTF-8 sequences have no byte below 0x80, so they pass through whole.
fn write_escaped(bytes: &[u8], out: &mut Vec<u8>) {
    for &byte in bytes {
        let short = match byte {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            0..=0x1f => b'u',
            _ => {
                out.push(byte);
                continue;
            }
        };
        out.extend_from_slice(&[b'\\', short]);
        if short == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[b'0', b'0', HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]]);
        }
    }
}

impl JsonValue for String {
    fn write_json(&self, out: &mut Vec<u8>) {
        self.as_str().write_json(out);
    }
}

impl JsonValue for std::borrow::Cow<'_, str> {
    fn write_json(&self, out: &mut Vec<u8>) {
        (**self).write_json(out);
    }
}

impl<T: JsonValue + ?Sized> JsonValue for &T {
    fn write_json(&self, out: &mut Vec<u8>) {
        (**self).write_json(out);
    }
}

impl<T: JsonValue + ?Sized> JsonValue for std::sync::Arc<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        (**self).write_json(out);
    }
}

impl<T: JsonValue + ?Sized> JsonValue for Box<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        (**self).write_json(out);
    }
}

impl<T: JsonValue> JsonValue for [T] {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.write_json(out);
        }
        out.push(b']');
    }
}

impl<T: JsonValue> JsonValue for Vec<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        self.as_slice().write_json(out);
    }
}

impl JsonValue for bool {
    fn write_json(&self, out: &mut Vec<u8>) {
        // Two constant copies, not one of a length known only at run time (a call to `memcpy`).
        if *self {
            out.extend_from_slice(b"true");
        } else {
            out.extend_from_slice(b"false");
        }
    }
}

/// Text that never needs an escape (digits and separators: addresses, timestamps), written
/// quoted without the check.
pub struct PlainString<'a>(pub &'a [u8]);

impl JsonValue for PlainString<'_> {
    #[inline]
    fn write_json(&self, out: &mut Vec<u8>) {
        debug_assert!(self.0.iter().all(|&byte| byte.is_ascii_graphic() && byte != b'"' && byte != b'\\'));
        out.push(b'"');
        out.extend_from_slice(self.0);
        out.push(b'"');
    }
}

impl JsonValue for IpAddr {
    fn write_json(&self, out: &mut Vec<u8>) {
        PlainString(IpText::of(*self).as_bytes()).write_json(out);
    }
}

fn write_integer(value: impl itoa::Integer, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

impl JsonValue for u8 {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_integer(*self, out);
    }
}

impl JsonValue for u16 {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_integer(*self, out);
    }
}

impl JsonValue for u32 {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_integer(*self, out);
    }
}

impl JsonValue for u64 {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_integer(*self, out);
    }
}

impl JsonValue for i32 {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_integer(*self, out);
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv6Addr};

    use proptest::prelude::*;

    use super::*;

    fn text<T: JsonValue + ?Sized>(value: &T) -> String {
        let mut out = Vec::new();
        value.write_json(&mut out);
        String::from_utf8(out).expect("JSON text is UTF-8")
    }

    fn same_as_serde_json<T: JsonValue + serde::Serialize + ?Sized>(value: &T) {
        assert_eq!(text(value), serde_json::to_string(value).expect("serialises"));
    }

    #[test]
    fn every_escape_as_serde_json_writes_it() {
        let every_ascii: String = (0..=0x7f_u8).map(char::from).collect();
        same_as_serde_json(every_ascii.as_str());
        same_as_serde_json("a \"quoted\"\nuser\\ \u{7f} é ☃ 😀 \u{0}");
        same_as_serde_json("");
    }

    /// The blocks of 16 bytes: an escape anywhere in the first, the last or a middle one.
    #[test]
    fn an_escape_in_any_block() {
        for len in 1..50 {
            for at in 0..len {
                for special in ['"', '\\', '\n', '\u{1f}'] {
                    let text: String = (0..len).map(|i| if i == at { special } else { 'a' }).collect();
                    same_as_serde_json(text.as_str());
                }
            }
        }
    }

    #[test]
    fn objects_lists_and_numbers() {
        let mut out = Vec::new();
        let mut object = JsonObject::open(&mut out);
        object.member("a", &[1_u16, 65535][..]);
        object.optional("absent", &None::<bool>);
        object.optional("b", &Some(vec!["x", "y\t"]));
        object.member("c", &i32::MIN);
        object.member("d", &u64::MAX);
        object.member("e", &Vec::<String>::new());
        object.close();
        let mut empty = Vec::new();
        JsonObject::open(&mut empty).close();
        let mut spliced = b"{\"z\":true".to_vec();
        let mut more = JsonObject::continuing(&mut spliced);
        more.member("ip", &IpAddr::V6(Ipv6Addr::LOCALHOST));
        more.close();
        assert_eq!(String::from_utf8_lossy(&out), r#"{"a":[1,65535],"b":["x","y\t"],"c":-2147483648,"d":18446744073709551615,"e":[]}"#);
        assert_eq!(empty, b"{}");
        assert_eq!(String::from_utf8_lossy(&spliced), r#"{"z":true,"ip":"::1"}"#);
    }

    proptest! {
        #[test]
        fn any_string(value in any::<String>()) {
            same_as_serde_json(value.as_str());
        }

        #[test]
        fn any_number(a in any::<u64>(), b in any::<i32>(), c in any::<u8>()) {
            same_as_serde_json(&a);
            same_as_serde_json(&b);
            same_as_serde_json(&c);
        }

        #[test]
        fn any_address(bits in any::<u128>(), v4 in any::<u32>()) {
            same_as_serde_json(&IpAddr::V6(Ipv6Addr::from(bits)));
            same_as_serde_json(&IpAddr::V4(v4.into()));
        }
    }
}
