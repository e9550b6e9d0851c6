//! Pure parsers for the local name protocols a Windows host falls back to when DNS has no
//! answer, and that a poisoner answers in its place: LLMNR (RFC 4795, UDP 5355), NBT-NS
//! (RFC 1001/1002, UDP 137) and mDNS (RFC 6762, UDP 5353). All three share DNS's message
//! layout (RFC 1035 4.1); NBT-NS names are "first-level encoded" (two letters per byte, the
//! 16th byte a suffix saying what service the name stands for) and its answers carry NB
//! records (flags and IPv4 addresses).
//!
//! Only what name resolution shows is kept: the header, the questions, and the answer records
//! with their addresses (A, AAAA, NB) and TTLs; for NBT-NS also the additional section, where
//! a name registration, refresh or release carries the name's NB record (RFC 1002 4.2.2). Hostile input is expected: names follow
//! compression pointers at most [`MAX_POINTER_HOPS`] times and are at most 255 bytes on the
//! wire, nothing is allocated by a count or length read from the message, and at most
//! [`MAX_QUESTIONS`] questions, [`MAX_ANSWERS`] answers and [`MAX_ADDRESSES`] addresses per
//! record are kept (the rest is walked over, bounded by the datagram's size).

#![forbid(unsafe_code)]

use std::fmt::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use thiserror::Error;

/// Compression pointers one name may follow (a real name needs one or two).
pub const MAX_POINTER_HOPS: usize = 16;
/// A name's largest size on the wire (RFC 1035 2.3.4).
pub const MAX_NAME_BYTES: usize = 255;
/// Questions kept per message.
pub const MAX_QUESTIONS: usize = 16;
/// Answer records kept per message.
pub const MAX_ANSWERS: usize = 32;
/// Addresses kept per NB record (a group name may list many members).
pub const MAX_ADDRESSES: usize = 16;

/// DNS record types the sensor reads.
pub const TYPE_A: u16 = 1;
pub const TYPE_PTR: u16 = 12;
pub const TYPE_AAAA: u16 = 28;
/// NBT-NS: a name's addresses (NB) and a node status query (NBSTAT).
pub const TYPE_NB: u16 = 0x20;
pub const TYPE_NBSTAT: u16 = 0x21;

/// Which protocol a datagram speaks: it decides how names and records are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    Llmnr,
    Nbns,
    Mdns,
}

impl Flavor {
    /// The spelling of SCHEMA.md's `name.protocol`.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Llmnr => "llmnr",
            Flavor::Nbns => "nbns",
            Flavor::Mdns => "mdns",
        }
    }
}

/// Why a datagram could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("the message ends inside {0}")]
    Truncated(&'static str),
    #[error("label type {0:#04x} is not a length or a pointer")]
    BadLabel(u8),
    #[error("a name follows more than {MAX_POINTER_HOPS} compression pointers")]
    TooManyPointers,
    #[error("a name is longer than {MAX_NAME_BYTES} bytes")]
    NameTooLong,
    #[error("a NetBIOS name is not 32 letters A to P")]
    BadNetbiosName,
}

/// One message: a query or a response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub id: u16,
    pub response: bool,
    pub opcode: u8,
    pub rcode: u8,
    pub questions: Vec<Question>,
    pub answers: Vec<Answer>,
    /// NBT-NS only: the records of the additional section (a registration's name and address).
    pub additional: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// As asked (NetBIOS names decoded, `WPAD<00>`).
    pub name: String,
    pub qtype: u16,
}

/// A record of the answer section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub name: String,
    pub rtype: u16,
    pub ttl: u32,
    /// A and AAAA: the address; NB: the address of each entry.
    pub addresses: Vec<IpAddr>,
    /// NB: the group bit of the first entry (a group name, answered by its members).
    pub group: bool,
}

/// The message's opcode for a standard query (and NBT-NS's name query).
pub const OPCODE_QUERY: u8 = 0;
/// NBT-NS opcodes (RFC 1002 4.2.1.1): a host claiming a name (registration, its refresh under
/// either number, a multi-homed host's registration) or giving it up (release).
pub const OPCODE_REGISTRATION: u8 = 5;
pub const OPCODE_RELEASE: u8 = 6;
pub const OPCODE_REFRESH: u8 = 8;
pub const OPCODE_REFRESH_ALT: u8 = 9;
pub const OPCODE_MULTIHOMED_REGISTRATION: u8 = 15;

/// Reads one datagram of `flavor`.
pub fn parse(flavor: Flavor, msg: &[u8]) -> Result<Message, NameError> {
    let header = msg.get(..12).ok_or(NameError::Truncated("the header"))?;
    let word = |i: usize| u16::from_be_bytes([header[i], header[i + 1]]);
    let flags = word(2);
    let mut message = Message {
        id: word(0),
        response: flags & 0x8000 != 0,
        opcode: ((flags >> 11) & 0x0f) as u8,
        rcode: (flags & 0x0f) as u8,
        ..Message::default()
    };
    let mut pos = 12;
    for _ in 0..word(4) {
        let (name, after) = read_name(flavor, msg, pos)?;
        let qtype = read_u16(msg, after).ok_or(NameError::Truncated("a question"))?;
        // Type and class.
        pos = after + 4;
        if pos > msg.len() {
            return Err(NameError::Truncated("a question"));
        }
        if message.questions.len() < MAX_QUESTIONS {
            message.questions.push(Question { name, qtype });
        }
    }
    for _ in 0..word(6) {
        let (answer, after) = read_record(flavor, msg, pos)?;
        pos = after;
        if message.answers.len() < MAX_ANSWERS {
            message.answers.push(answer);
        }
    }
    if flavor == Flavor::Nbns {
        // The authority section (a WINS redirect's) walked over, the additional one kept.
        for _ in 0..word(8) {
            pos = read_record(flavor, msg, pos)?.1;
        }
        for _ in 0..word(10) {
            let (record, after) = read_record(flavor, msg, pos)?;
            pos = after;
            if message.additional.len() < MAX_ANSWERS {
                message.additional.push(record);
            }
        }
    }
    Ok(message)
}

fn read_u16(msg: &[u8], at: usize) -> Option<u16> {
    let bytes = msg.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([bytes[0], bytes[1]]))
}

/// A resource record at `pos`; returns it and the position after it.
fn read_record(flavor: Flavor, msg: &[u8], pos: usize) -> Result<(Answer, usize), NameError> {
    let (name, after) = read_name(flavor, msg, pos)?;
    let fixed = msg.get(after..after + 10).ok_or(NameError::Truncated("a record"))?;
    let rtype = u16::from_be_bytes([fixed[0], fixed[1]]);
    let ttl = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
    let rdlength = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
    let start = after + 10;
    let rdata = msg.get(start..start + rdlength).ok_or(NameError::Truncated("record data"))?;
    let mut answer = Answer { name, rtype, ttl, addresses: Vec::new(), group: false };
    match (flavor, rtype, rdata) {
        (Flavor::Nbns, TYPE_NB, _) => {
            answer.group = rdata.first().is_some_and(|flags| flags & 0x80 != 0);
            for entry in rdata.chunks_exact(6).take(MAX_ADDRESSES) {
                answer.addresses.push(IpAddr::V4(Ipv4Addr::new(entry[2], entry[3], entry[4], entry[5])));
            }
        }
        (Flavor::Nbns, _, _) => {}
        (_, TYPE_A, &[a, b, c, d]) => answer.addresses.push(IpAddr::V4(Ipv4Addr::new(a, b, c, d))),
        (_, TYPE_AAAA, _) => {
            if let Ok(octets) = <[u8; 16]>::try_from(rdata) {
                answer.addresses.push(IpAddr::V6(Ipv6Addr::from(octets)));
            }
        }
        _ => {}
    }
    Ok((answer, start + rdlength))
}

/// The labels of the name at `pos` (following compression pointers) and the position after
/// the name where it starts.
fn read_labels(msg: &[u8], mut pos: usize) -> Result<(Vec<&[u8]>, usize), NameError> {
    let mut labels = Vec::new();
    let mut wire_bytes = 0;
    let mut hops = 0;
    let mut end = None;
    loop {
        let len = *msg.get(pos).ok_or(NameError::Truncated("a name"))?;
        match len & 0xc0 {
            0x00 if len == 0 => {
                return Ok((labels, end.unwrap_or(pos + 1)));
            }
            0x00 => {
                let label = msg.get(pos + 1..pos + 1 + usize::from(len)).ok_or(NameError::Truncated("a name"))?;
                wire_bytes += label.len() + 1;
                if wire_bytes > MAX_NAME_BYTES {
                    return Err(NameError::NameTooLong);
                }
                labels.push(label);
                pos += 1 + label.len();
            }
            0xc0 => {
                let low = *msg.get(pos + 1).ok_or(NameError::Truncated("a name"))?;
                hops += 1;
                if hops > MAX_POINTER_HOPS {
                    return Err(NameError::TooManyPointers);
                }
                end.get_or_insert(pos + 2);
                pos = usize::from(u16::from_be_bytes([len & 0x3f, low]));
            }
            _ => return Err(NameError::BadLabel(len)),
        }
    }
}

/// The name at `pos` as text, and the position after it.
fn read_name(flavor: Flavor, msg: &[u8], pos: usize) -> Result<(String, usize), NameError> {
    let (labels, after) = read_labels(msg, pos)?;
    let name = match flavor {
        Flavor::Nbns => netbios_name(&labels)?,
        Flavor::Llmnr | Flavor::Mdns => dotted(&labels),
    };
    Ok((name, after))
}

fn dotted(labels: &[&[u8]]) -> String {
    let mut name = String::new();
    for (i, label) in labels.iter().enumerate() {
        if i > 0 {
            name.push('.');
        }
        name.push_str(&String::from_utf8_lossy(label));
    }
    name
}

/// A first-level encoded NetBIOS name (RFC 1001 14.1): 32 letters `A`..`P`, two per byte, the
/// 16th byte the suffix. Written as Wireshark does: `NAME<xx>`, trailing spaces dropped, other
/// unprintable bytes as `<xx>`, then the scope's labels, if any, after a dot.
pub fn netbios_name(labels: &[&[u8]]) -> Result<String, NameError> {
    let Some((encoded, scope)) = labels.split_first() else { return Err(NameError::BadNetbiosName) };
    if encoded.len() != 32 || !encoded.iter().all(|c| (b'A'..=b'P').contains(c)) {
        return Err(NameError::BadNetbiosName);
    }
    let mut bytes = [0u8; 16];
    for (byte, pair) in bytes.iter_mut().zip(encoded.chunks_exact(2)) {
        *byte = ((pair[0] - b'A') << 4) | (pair[1] - b'A');
    }
    let (body, suffix) = bytes.split_at(15);
    let body = body.iter().rposition(|&b| b != b' ').map_or(&body[..0], |last| &body[..=last]);
    let mut name = String::new();
    for &b in body {
        if b == b' ' || b.is_ascii_graphic() {
            name.push(char::from(b));
        } else {
            let _ = write!(name, "<{b:02x}>");
        }
    }
    let _ = write!(name, "<{:02x}>", suffix[0]);
    if !scope.is_empty() {
        name.push('.');
        name.push_str(&dotted(scope));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "WPAD" as a NetBIOS name with suffix 0x00: each byte as two letters.
    fn encoded(name: &str, suffix: u8) -> Vec<u8> {
        let mut raw = [b' '; 16];
        raw[..name.len()].copy_from_slice(name.as_bytes());
        raw[15] = suffix;
        let mut out = vec![32];
        for b in raw {
            out.push(b'A' + (b >> 4));
            out.push(b'A' + (b & 0x0f));
        }
        out.push(0);
        out
    }

    fn header(id: u16, flags: u16, qd: u16, an: u16) -> Vec<u8> {
        [id, flags, qd, an, 0, 0].iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    #[test]
    fn netbios_names_decode_with_their_suffix() {
        let mut msg = header(0x1234, 0x0110, 1, 0);
        msg.extend(encoded("WPAD", 0x00));
        msg.extend([0, 0x20, 0, 1]);
        let parsed = parse(Flavor::Nbns, &msg).unwrap();
        assert_eq!(parsed.questions, vec![Question { name: "WPAD<00>".into(), qtype: TYPE_NB }]);
        assert!(!parsed.response);
        let mut wild = header(1, 0, 1, 0);
        let mut star = encoded("*", 0);
        // Wireshark's node-status name: '*' then zero bytes.
        for pair in star[3..31].chunks_exact_mut(2) {
            pair.copy_from_slice(b"AA");
        }
        wild.append(&mut star);
        wild.extend([0, 0x21, 0, 1]);
        assert_eq!(parse(Flavor::Nbns, &wild).unwrap().questions[0].name, format!("*{}", "<00>".repeat(15)));
    }

    #[test]
    fn nb_answers_carry_their_addresses_and_group_bit() {
        let mut msg = header(0x1234, 0x8500, 0, 1);
        msg.extend(encoded("WORKGROUP", 0x1c));
        msg.extend([0, 0x20, 0, 1, 0, 0, 0x0e, 0x10, 0, 12]);
        msg.extend([0x80, 0, 10, 0, 0, 1, 0x80, 0, 10, 0, 0, 2]);
        let answer = &parse(Flavor::Nbns, &msg).unwrap().answers[0];
        assert_eq!(answer.name, "WORKGROUP<1c>");
        assert_eq!((answer.ttl, answer.group), (3600, true));
        assert_eq!(answer.addresses, vec![IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2])]);
    }

    #[test]
    fn a_registration_carries_its_record_in_the_additional_section() {
        // RFC 1002 4.2.2: the question, then the NB record under a pointer to it, as nmbd
        // broadcasts it (tshark, pcaps/names/registered.pcap: flags 0x2910, additional record
        // FILESRV<00> type NB, TTL 0, flags 0x0000 unique B-node, addr 10.89.0.10).
        let mut msg = header(0x5ee1, 0x2910, 1, 0);
        msg[11] = 1;
        msg.extend(encoded("FILESRV", 0x00));
        msg.extend([0, 0x20, 0, 1]);
        msg.extend([0xc0, 12, 0, 0x20, 0, 1, 0, 0, 0, 0, 0, 6, 0x00, 0, 10, 89, 0, 10]);
        let parsed = parse(Flavor::Nbns, &msg).unwrap();
        assert_eq!((parsed.opcode, parsed.response), (OPCODE_REGISTRATION, false));
        assert_eq!(parsed.questions[0].name, "FILESRV<00>");
        let record = &parsed.additional[0];
        assert_eq!((record.name.as_str(), record.ttl, record.group), ("FILESRV<00>", 0, false));
        assert_eq!(record.addresses, vec![IpAddr::from([10, 89, 0, 10])]);
        // Cut inside the record: an error, as in any other section.
        assert_eq!(parse(Flavor::Nbns, &msg[..msg.len() - 3]), Err(NameError::Truncated("record data")));
        // The other protocols' trailing sections are not read.
        assert!(parse(Flavor::Llmnr, &msg[..msg.len() - 3]).is_ok_and(|m| m.additional.is_empty()));
    }

    #[test]
    fn compression_pointers_are_followed_and_loops_refused() {
        // LLMNR answer: question "host", answer name a pointer to it, A 10.0.0.9.
        let mut msg = header(7, 0x8000, 1, 1);
        msg.extend([4, b'h', b'o', b's', b't', 0, 0, 1, 0, 1]);
        msg.extend([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 0, 9]);
        let parsed = parse(Flavor::Llmnr, &msg).unwrap();
        assert_eq!(parsed.answers[0].name, "host");
        assert_eq!((parsed.answers[0].ttl, &parsed.answers[0].addresses[..]), (30, &[IpAddr::from([10, 0, 0, 9])][..]));
        // A pointer to itself.
        let mut looped = header(7, 0, 1, 0);
        looped.extend([0xc0, 12, 0, 1, 0, 1]);
        assert_eq!(parse(Flavor::Mdns, &looped), Err(NameError::TooManyPointers));
    }

    #[test]
    fn counts_larger_than_the_message_are_errors_not_allocations() {
        let msg = header(1, 0x8000, 0xffff, 0xffff);
        assert_eq!(parse(Flavor::Llmnr, &msg), Err(NameError::Truncated("a name")));
        assert!(parse(Flavor::Llmnr, &msg[..11]).is_err());
        let mut long = header(1, 0, 1, 0);
        for _ in 0..5 {
            long.push(63);
            long.extend([b'a'; 63]);
        }
        long.push(0);
        assert_eq!(parse(Flavor::Mdns, &long), Err(NameError::NameTooLong));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(flavor in 0..3u8, data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let flavor = [Flavor::Llmnr, Flavor::Nbns, Flavor::Mdns][usize::from(flavor)];
            if let Ok(message) = parse(flavor, &data) {
                proptest::prop_assert!(message.questions.len() <= MAX_QUESTIONS && message.answers.len() <= MAX_ANSWERS);
            }
        }
    }
}
