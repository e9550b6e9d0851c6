//! UUIDs as DCE/RPC carries them.
//!
//! On the wire the first three fields (`time_low`, `time_mid`, `time_hi_and_version`) are in the
//! byte order of the PDU's data representation, the last eight bytes as they are. [`Uuid`] keeps
//! the canonical (RFC 4122, big-endian) order so that a UUID read from a big-endian PDU and one
//! read from a little-endian PDU compare equal.

use core::fmt;

use crate::dcerpc_records::ByteOrder;

/// A UUID in canonical byte order; `Display` gives the lower-case hyphenated form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid([u8; 16]);

impl Uuid {
    /// The nil UUID (all zeros).
    pub const NIL: Uuid = Uuid([0; 16]);

    /// The UUID whose canonical form is the hexadecimal digits of `value`
    /// (`0x1ff70682_0a51_30e8_076d_740be8cee98b` is `1ff70682-0a51-30e8-076d-740be8cee98b`).
    pub const fn from_u128(value: u128) -> Uuid {
        Uuid(value.to_be_bytes())
    }

    /// The UUID from its 16 wire bytes, the first three fields in `order`.
    pub fn from_wire(wire: [u8; 16], order: ByteOrder) -> Uuid {
        let mut canonical = wire;
        if order == ByteOrder::Little {
            canonical[0..4].reverse();
            canonical[4..6].reverse();
            canonical[6..8].reverse();
        }
        Uuid(canonical)
    }

    /// The UUID from the first 16 bytes of `wire`, or `None` when fewer are present.
    pub fn from_wire_slice(wire: &[u8], order: ByteOrder) -> Option<Uuid> {
        let bytes: [u8; 16] = wire.get(..16)?.try_into().ok()?;
        Some(Uuid::from_wire(bytes, order))
    }

    /// Parses the canonical hyphenated form (either case); `None` for anything else.
    pub fn parse_str(text: &str) -> Option<Uuid> {
        let bytes = text.as_bytes();
        if bytes.len() != 36 {
            return None;
        }
        let mut value: u128 = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            if matches!(index, 8 | 13 | 18 | 23) {
                if byte != b'-' {
                    return None;
                }
                continue;
            }
            let digit = char::from(byte).to_digit(16)?;
            value = (value << 4) | u128::from(digit);
        }
        Some(Uuid::from_u128(value))
    }

    /// The 16 bytes in canonical order.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for Uuid {
    /// Written whole in one piece: sixteen `{:02x}` arguments cost 5,000 instructions a
    /// record (each DCE/RPC record names its interface).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [b'-'; 36];
        let mut at = 0;
        for (index, byte) in self.0.iter().enumerate() {
            if matches!(index, 4 | 6 | 8 | 10) {
                at += 1; // the hyphen already there
            }
            text[at] = HEX[usize::from(byte >> 4)];
            text[at + 1] = HEX[usize::from(byte & 0xf)];
            at += 2;
        }
        // Hex digits and hyphens only.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The lower-case canonical string of the UUID in the first 16 bytes of `wire`
/// (first three fields in `order`), or `None` when fewer than 16 bytes are present.
pub fn uuid_string(wire: &[u8], order: ByteOrder) -> Option<String> {
    Uuid::from_wire_slice(wire, order).map(|uuid| uuid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    // suricata-verify/dcerpc/dcerpc-3109/input.pcap frame 5: the abstract syntax of the bind,
    // which tshark shows as ATSVC 1ff70682-0a51-30e8-076d-740be8cee98b.
    const ATSVC_WIRE_LE: [u8; 16] = [0x82, 0x06, 0xf7, 0x1f, 0x51, 0x0a, 0xe8, 0x30, 0x07, 0x6d, 0x74, 0x0b, 0xe8, 0xce, 0xe9, 0x8b];

    #[test]
    fn little_endian_wire_order() {
        assert_eq!(uuid_string(&ATSVC_WIRE_LE, ByteOrder::Little).as_deref(), Some("1ff70682-0a51-30e8-076d-740be8cee98b"));
    }

    #[test]
    fn big_endian_wire_order() {
        // arkime/dcerpc_synthetic.pcap frame 18 (big-endian bind): tshark shows the abstract
        // syntax as RPC_NETLOGON 12345678-1234-abcd-ef00-01234567cffb.
        let wire = [0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0xab, 0xcd, 0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0xcf, 0xfb];
        assert_eq!(uuid_string(&wire, ByteOrder::Big).as_deref(), Some("12345678-1234-abcd-ef00-01234567cffb"));
    }

    #[test]
    fn parse_and_display_round_trip() {
        let text = "367abb81-9844-35f1-ad32-98f038001003";
        let uuid = Uuid::parse_str(text).expect("canonical form");
        assert_eq!(uuid.to_string(), text);
        assert_eq!(uuid, Uuid::from_u128(0x367abb81_9844_35f1_ad32_98f038001003));
        assert_eq!(Uuid::parse_str("367ABB81-9844-35F1-AD32-98F038001003"), Some(uuid));
        assert_eq!(Uuid::parse_str("367abb81+9844-35f1-ad32-98f038001003"), None);
        assert_eq!(Uuid::parse_str("367abb81-9844-35f1-ad32-98f03800100"), None);
        assert_eq!(uuid_string(&[0; 15], ByteOrder::Little), None);
    }
}
