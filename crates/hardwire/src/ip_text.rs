//! An address as text, exactly as std's `Display` writes it, built on the stack. std's
//! `Display` for addresses goes through the formatting machinery a digit group at a time (about
//! a thousand instructions per IPv4 address); alert sentences and every line's `src_ip` and
//! `dest_ip` write two addresses each, so `hardwire read` spent 6 % of its time there.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The longest text: eight groups of four hex digits and seven colons.
const MAX_LEN: usize = 39;

/// The text of one address (`IpText::of(ip).as_str()`, or `{}` in a format string).
#[derive(Clone, Copy)]
pub struct IpText {
    len: usize,
    buf: [u8; MAX_LEN],
}

impl IpText {
    pub fn of(ip: IpAddr) -> Self {
        let mut text = IpText { len: 0, buf: [0; MAX_LEN] };
        match ip {
            IpAddr::V4(v4) => text.push_v4(v4),
            IpAddr::V6(v6) => text.push_v6(v6),
        }
        text
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// Only ASCII digits, hex letters, dots and colons are ever pushed.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    fn push_v4(&mut self, ip: Ipv4Addr) {
        for (i, octet) in ip.octets().into_iter().enumerate() {
            if i > 0 {
                self.push(b'.');
            }
            if octet >= 100 {
                self.push(b'0' + octet / 100);
            }
            if octet >= 10 {
                self.push(b'0' + octet / 10 % 10);
            }
            self.push(b'0' + octet % 10);
        }
    }

    /// RFC 5952 as std writes it: `::ffff:` and the dotted quad for IPv4-mapped addresses,
    /// else lowercase groups without leading zeros, the first longest run of two or more zero
    /// groups written `::`.
    fn push_v6(&mut self, ip: Ipv6Addr) {
        if let Some(v4) = ip.to_ipv4_mapped() {
            self.push_str("::ffff:");
            self.push_v4(v4);
            return;
        }
        let groups = ip.segments();
        let (mut zeros_at, mut zeros_len) = (0, 0);
        let mut run_at = 0;
        for (i, &group) in groups.iter().enumerate() {
            if group != 0 {
                run_at = i + 1;
            } else if i + 1 - run_at > zeros_len {
                (zeros_at, zeros_len) = (run_at, i + 1 - run_at);
            }
        }
        if zeros_len > 1 {
            self.push_groups(groups.get(..zeros_at).unwrap_or_default());
            self.push_str("::");
            self.push_groups(groups.get(zeros_at + zeros_len..).unwrap_or_default());
        } else {
            self.push_groups(&groups);
        }
    }

    fn push_groups(&mut self, groups: &[u16]) {
        for (i, &group) in groups.iter().enumerate() {
            if i > 0 {
                self.push(b':');
            }
            let digits = (16 - group.leading_zeros()).div_ceil(4).max(1);
            for shift in (0..digits).rev() {
                self.push(b"0123456789abcdef"[usize::from(group >> (4 * shift) & 0xf)]);
            }
        }
    }

    fn push_str(&mut self, text: &str) {
        for &byte in text.as_bytes() {
            self.push(byte);
        }
    }
}

impl fmt::Display for IpText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, as std does, only for a width or precision in the format string (it costs).
        if f.width().is_none() && f.precision().is_none() {
            f.write_str(self.as_str())
        } else {
            f.pad(self.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use proptest::prelude::*;

    use super::IpText;

    fn same_as_std(ip: IpAddr) {
        assert_eq!(IpText::of(ip).as_str(), ip.to_string(), "{ip:?}");
        assert_eq!(format!("[{:>42}]", IpText::of(ip)), format!("[{ip:>42}]"));
    }

    #[test]
    fn writes_what_std_writes() {
        let v6 = [
            "::",
            "::1",
            "1::",
            "::ffff:10.0.0.1",
            "::ffff:0.0.0.0",
            "::10.0.0.1",
            "64:ff9b::192.0.2.33",
            "fe80::1:0:0:1",
            "1:0:0:1:0:0:0:1",
            "1:0:0:0:1:0:0:1",
            "0:1:0:1:0:1:0:1",
            "2001:db8::ff00:42:8329",
            "2001:db8:0:0:1:0:0:1",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "::ffff:255.255.255.255",
            "::fffe:1.2.3.4",
            "0:0:0:0:0:ffff:0:1",
            "1:2:3:4:5:6:7:0",
            "0:2:3:4:5:6:7:8",
        ];
        for text in v6 {
            same_as_std(IpAddr::V6(text.parse::<Ipv6Addr>().expect("a valid address")));
        }
        for octets in [[0, 0, 0, 0], [255, 255, 255, 255], [10, 0, 9, 100], [1, 22, 199, 200], [192, 168, 56, 10]] {
            same_as_std(IpAddr::V4(Ipv4Addr::from(octets)));
        }
        for group in (0..=0xffff_u16).step_by(7) {
            let ip = Ipv6Addr::new(group, 0, 0, group, 0, 0, 0, group >> 4);
            same_as_std(IpAddr::V6(ip));
        }
    }

    /// Addresses with many zero groups: every run length and position comes up.
    fn sparse_group() -> impl Strategy<Value = u16> {
        prop_oneof![Just(0_u16), Just(0xffff_u16), 1_u16..0x10, any::<u16>()]
    }

    proptest! {
        #[test]
        fn any_v4(octets in any::<[u8; 4]>()) {
            same_as_std(IpAddr::V4(Ipv4Addr::from(octets)));
        }

        #[test]
        fn any_v6(bits in any::<u128>()) {
            same_as_std(IpAddr::V6(Ipv6Addr::from(bits)));
        }

        #[test]
        fn sparse_v6(groups in proptest::array::uniform8(sparse_group())) {
            same_as_std(IpAddr::V6(Ipv6Addr::from(groups)));
        }

        #[test]
        fn mapped_v6(octets in any::<[u8; 4]>()) {
            same_as_std(IpAddr::V6(Ipv4Addr::from(octets).to_ipv6_mapped()));
            same_as_std(IpAddr::V6(Ipv4Addr::from(octets).to_ipv6_compatible()));
        }
    }
}
