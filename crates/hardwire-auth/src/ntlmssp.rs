//! NTLMSSP messages (MS-NLMP §2.2.1): NEGOTIATE, CHALLENGE and AUTHENTICATE.
//!
//! Every message starts with `"NTLMSSP\0"` and a little-endian message type. Variable fields are
//! described by (length, maximum length, offset) triples whose offsets count from the start of
//! the message; each is checked against the message before use.
//!
//! Secrets: an AUTHENTICATE carries the LM and NT challenge responses, the encrypted session key
//! and the MIC. [`Authenticate`] keeps only their lengths (and whether the LM response is the
//! single zero byte of an anonymous logon, whether the MIC is non-zero), the NTLMv2 response's
//! AV pairs (names and flags, no secret) and, for relay detection, its NTProofStr as a
//! [`Secret`]; the CHALLENGE keeps its server challenge likewise. A [`Secret`] prints as
//! `Secret(..)` and is not serialisable: its holder hashes it and lets it go.

use nom::bytes::complete::{tag, take};
use nom::number::complete::{le_u16, le_u32, le_u64, u8 as byte};
use nom::Parser;

use crate::error::{truncated, AuthError};

/// The 8-byte signature that opens every NTLMSSP message.
pub const NTLMSSP_SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

/// MessageType values.
const NTLMSSP_NEGOTIATE: u32 = 1;
const NTLMSSP_CHALLENGE: u32 = 2;
const NTLMSSP_AUTHENTICATE: u32 = 3;

/// Fixed header sizes: where the optional VERSION (8 bytes) starts in each message.
const NEGOTIATE_VERSION_OFFSET: usize = 32;
const CHALLENGE_VERSION_OFFSET: usize = 48;
const AUTHENTICATE_VERSION_OFFSET: usize = 64;
const VERSION_LEN: usize = 8;
/// The AUTHENTICATE MIC follows the VERSION.
const MIC_LEN: usize = 16;
/// An NTLMv1 (and LM) response is exactly 24 bytes; NTLMv2 responses are longer.
const V1_RESPONSE_LEN: u16 = 24;
/// Where the AV pairs start in an NTLMv2 response: NTProofStr (16), RespType, HiRespType,
/// Reserved1 (2), Reserved2 (4), TimeStamp (8), ChallengeFromClient (8), Reserved3 (4).
const NTLMV2_AV_PAIRS_OFFSET: usize = 16 + 28;
/// MsvAvFlags bit: the AUTHENTICATE carries a MIC.
pub const AV_FLAG_MIC_PRESENT: u32 = 0x0000_0002;

/// Bytes that must never be written out (a server challenge, an NTProofStr): the only way to
/// read them is [`Secret::expose`], for a keyed hash kept in memory.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Secret<const N: usize>([u8; N]);

impl<const N: usize> Secret<N> {
    /// The bytes, to be hashed under a key and dropped.
    pub fn expose(&self) -> &[u8; N] {
        &self.0
    }

    fn from_slice(bytes: &[u8]) -> Option<Secret<N>> {
        bytes.get(..N)?.try_into().ok().map(Secret)
    }
}

impl<const N: usize> core::fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// NegotiateFlags (MS-NLMP §2.2.2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegotiateFlags(pub u32);

impl NegotiateFlags {
    /// NTLMSSP_NEGOTIATE_UNICODE: strings are UTF-16LE.
    pub const UNICODE: u32 = 0x0000_0001;
    /// NTLM_NEGOTIATE_OEM: strings are in the OEM code page.
    pub const OEM: u32 = 0x0000_0002;
    /// NTLMSSP_REQUEST_TARGET.
    pub const REQUEST_TARGET: u32 = 0x0000_0004;
    /// NTLMSSP_NEGOTIATE_SIGN.
    pub const SIGN: u32 = 0x0000_0010;
    /// NTLMSSP_NEGOTIATE_SEAL.
    pub const SEAL: u32 = 0x0000_0020;
    /// NTLMSSP_NEGOTIATE_LM_KEY.
    pub const LM_KEY: u32 = 0x0000_0080;
    /// NTLMSSP_NEGOTIATE_NTLM.
    pub const NTLM: u32 = 0x0000_0200;
    /// NTLMSSP_NEGOTIATE_ANONYMOUS (the "anonymous" connection bit, unused by Windows for
    /// null sessions: see [`AuthKind`]).
    pub const ANONYMOUS: u32 = 0x0000_0800;
    /// NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED.
    pub const OEM_DOMAIN_SUPPLIED: u32 = 0x0000_1000;
    /// NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED.
    pub const OEM_WORKSTATION_SUPPLIED: u32 = 0x0000_2000;
    /// NTLMSSP_NEGOTIATE_ALWAYS_SIGN.
    pub const ALWAYS_SIGN: u32 = 0x0000_8000;
    /// NTLMSSP_TARGET_TYPE_DOMAIN.
    pub const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
    /// NTLMSSP_TARGET_TYPE_SERVER.
    pub const TARGET_TYPE_SERVER: u32 = 0x0002_0000;
    /// NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY.
    pub const EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
    /// NTLMSSP_NEGOTIATE_IDENTIFY.
    pub const IDENTIFY: u32 = 0x0010_0000;
    /// NTLMSSP_REQUEST_NON_NT_SESSION_KEY.
    pub const REQUEST_NON_NT_SESSION_KEY: u32 = 0x0040_0000;
    /// NTLMSSP_NEGOTIATE_TARGET_INFO.
    pub const TARGET_INFO: u32 = 0x0080_0000;
    /// NTLMSSP_NEGOTIATE_VERSION: a VERSION structure follows the fixed fields.
    pub const VERSION: u32 = 0x0200_0000;
    /// NTLMSSP_NEGOTIATE_128.
    pub const NEGOTIATE_128: u32 = 0x2000_0000;
    /// NTLMSSP_NEGOTIATE_KEY_EXCH.
    pub const KEY_EXCH: u32 = 0x4000_0000;
    /// NTLMSSP_NEGOTIATE_56.
    pub const NEGOTIATE_56: u32 = 0x8000_0000;

    /// Whether every bit of `flag` is set.
    pub fn contains(&self, flag: u32) -> bool {
        self.0 & flag == flag
    }
}

/// The VERSION structure (MS-NLMP §2.2.2.10): the sender's Windows version, for debugging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtlmVersion {
    pub major: u8,
    pub minor: u8,
    pub build: u16,
    /// NTLMRevisionCurrent, 15 today.
    pub ntlm_revision: u8,
}

/// NEGOTIATE_MESSAGE, client to server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiate {
    pub flags: NegotiateFlags,
    /// DomainName (always OEM in a NEGOTIATE), when sent.
    pub domain: Option<String>,
    /// Workstation (always OEM), when sent.
    pub workstation: Option<String>,
    pub version: Option<NtlmVersion>,
}

/// One AV_PAIR of a CHALLENGE's TargetInfo (MS-NLMP §2.2.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvPair<'a> {
    /// MsvAvNbComputerName (1).
    NbComputerName(String),
    /// MsvAvNbDomainName (2).
    NbDomainName(String),
    /// MsvAvDnsComputerName (3).
    DnsComputerName(String),
    /// MsvAvDnsDomainName (4).
    DnsDomainName(String),
    /// MsvAvDnsTreeName (5), the forest.
    DnsTreeName(String),
    /// MsvAvFlags (6).
    Flags(u32),
    /// MsvAvTimestamp (7), a FILETIME.
    Timestamp(u64),
    /// MsvAvTargetName (9), the SPN the client targets.
    TargetName(String),
    /// Any other pair (MsvAvSingleHost, MsvAvChannelBindings, ...) or a known one of the wrong
    /// size.
    Other { id: u16, value: &'a [u8] },
}

/// AV_PAIR ids.
const MSV_AV_EOL: u16 = 0;
const MSV_AV_NB_COMPUTER_NAME: u16 = 1;
const MSV_AV_NB_DOMAIN_NAME: u16 = 2;
const MSV_AV_DNS_COMPUTER_NAME: u16 = 3;
const MSV_AV_DNS_DOMAIN_NAME: u16 = 4;
const MSV_AV_DNS_TREE_NAME: u16 = 5;
const MSV_AV_FLAGS: u16 = 6;
const MSV_AV_TIMESTAMP: u16 = 7;
const MSV_AV_TARGET_NAME: u16 = 9;

/// CHALLENGE_MESSAGE, server to client. The ServerChallenge nonce is deliberately not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge<'a> {
    pub flags: NegotiateFlags,
    /// ServerChallenge: the nonce, for relay detection only (see [`Secret`]).
    pub server_challenge: Secret<8>,
    /// TargetName as sent, decoded by [`Challenge::target_name`] (the sensor reports the
    /// names of TargetInfo instead).
    target_name: &'a [u8],
    /// TargetInfo, up to MsvAvEOL or the end of the bytes present.
    pub av_pairs: AvPairs<'a>,
    pub version: Option<NtlmVersion>,
}

/// The server's names from a CHALLENGE's TargetInfo (the first pair of each AvId).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerNames {
    /// MsvAvNbComputerName.
    pub nb_computer: Option<String>,
    /// MsvAvDnsComputerName.
    pub dns_computer: Option<String>,
    /// MsvAvNbDomainName.
    pub nb_domain: Option<String>,
    /// MsvAvDnsDomainName.
    pub dns_domain: Option<String>,
}

impl Challenge<'_> {
    /// TargetName: the server's domain or name.
    pub fn target_name(&self) -> String {
        decode_string(self.target_name, self.flags.contains(NegotiateFlags::UNICODE))
    }

    /// The four names of [`ServerNames`], in one walk of the pairs.
    pub fn server_names(&self) -> ServerNames {
        let mut names = ServerNames::default();
        for (id, value) in self.av_pairs.raw() {
            let slot = match id {
                MSV_AV_NB_COMPUTER_NAME => &mut names.nb_computer,
                MSV_AV_DNS_COMPUTER_NAME => &mut names.dns_computer,
                MSV_AV_NB_DOMAIN_NAME => &mut names.nb_domain,
                MSV_AV_DNS_DOMAIN_NAME => &mut names.dns_domain,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(decode_utf16(value));
            }
        }
        names
    }

    /// MsvAvDnsTreeName.
    pub fn dns_tree_name(&self) -> Option<String> {
        self.av_pairs.name(MSV_AV_DNS_TREE_NAME)
    }

    /// MsvAvTimestamp, a FILETIME (100 ns since 1601-01-01).
    pub fn timestamp(&self) -> Option<u64> {
        self.av_pairs.timestamp()
    }
}

/// A list of AV_PAIRs (a CHALLENGE's TargetInfo, an NTLMv2 response's), read as it is walked:
/// a name is decoded only when asked for, and nothing is allocated to hold the list. The walk
/// ends at MsvAvEOL, or quietly at a pair cut short (a missing EOL included), as Windows and
/// Wireshark do.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct AvPairs<'a>(&'a [u8]);

impl<'a> AvPairs<'a> {
    /// Every pair, decoded.
    pub fn iter(&self) -> impl Iterator<Item = AvPair<'a>> {
        self.raw().map(|(id, value)| av_pair(id, value))
    }

    /// The (AvId, Value) pairs.
    fn raw(&self) -> impl Iterator<Item = (u16, &'a [u8])> {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            let (&[id_low, id_high, len_low, len_high], after) = rest.split_first_chunk::<4>()?;
            let id = u16::from_le_bytes([id_low, id_high]);
            if id == MSV_AV_EOL {
                return None;
            }
            let (value, after) = after.split_at_checked(usize::from(u16::from_le_bytes([len_low, len_high])))?;
            rest = after;
            Some((id, value))
        })
    }

    /// The first name pair of this AvId, decoded.
    fn name(&self, id: u16) -> Option<String> {
        self.raw().find(|(pair_id, _)| *pair_id == id).map(|(_, value)| decode_utf16(value))
    }

    /// The decoded pairs of this AvId (the others are not decoded).
    fn of_id(&self, id: u16) -> impl Iterator<Item = AvPair<'a>> {
        self.raw().filter(move |(pair_id, _)| *pair_id == id).map(|(id, value)| av_pair(id, value))
    }

    /// MsvAvFlags (the first of the right size) and MsvAvTargetName (the first, decoded): what
    /// an AUTHENTICATE keeps of its NTLMv2 response's pairs, in one walk.
    fn flags_and_target_name(&self) -> (Option<u32>, Option<String>) {
        let (mut flags, mut target_name) = (None, None);
        for (id, value) in self.raw() {
            match id {
                MSV_AV_FLAGS if flags.is_none() => {
                    if let AvPair::Flags(found) = av_pair(id, value) {
                        flags = Some(found);
                    }
                }
                MSV_AV_TARGET_NAME if target_name.is_none() => target_name = Some(decode_utf16(value)),
                _ => {}
            }
        }
        (flags, target_name)
    }

    /// MsvAvTimestamp (the first of the right size).
    fn timestamp(&self) -> Option<u64> {
        self.of_id(MSV_AV_TIMESTAMP).find_map(|p| if let AvPair::Timestamp(t) = p { Some(t) } else { None })
    }
}

impl core::fmt::Debug for AvPairs<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// AUTHENTICATE_MESSAGE, client to server, without its secrets: see the module doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticate {
    pub flags: NegotiateFlags,
    /// UserName ("" when sent empty).
    pub user: String,
    /// DomainName ("" when sent empty).
    pub domain: String,
    /// Workstation ("" when sent empty).
    pub workstation: String,
    pub version: Option<NtlmVersion>,
    /// Length of LmChallengeResponse.
    pub lm_response_len: u16,
    /// LmChallengeResponse is the single zero byte Z(1) of an anonymous logon.
    pub lm_response_is_zero_byte: bool,
    /// Length of NtChallengeResponse.
    pub nt_response_len: u16,
    /// Length of EncryptedRandomSessionKey.
    pub session_key_len: u16,
    /// The fixed header leaves room for a MIC (payload starts at or after byte 88).
    pub has_mic: bool,
    /// The MIC field is there and not all zero.
    pub mic_nonzero: bool,
    /// MsvAvFlags of the NTLMv2 response's AV pairs (0x2: a MIC is present).
    pub av_flags: Option<u32>,
    /// MsvAvTargetName of the NTLMv2 response: the SPN the client meant.
    pub target_name: Option<String>,
    /// NTProofStr, the first 16 bytes of an NTLMv2 response (relay detection only).
    pub nt_proof: Option<Secret<16>>,
}

/// What kind of logon an AUTHENTICATE is, from the sizes of its responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// NTLMv2: NT response longer than 24 bytes (an NTProofStr plus the client blob).
    V2,
    /// NTLMv1 (or NTLMv1 with extended session security): NT response of exactly 24 bytes.
    V1,
    /// Anonymous (null session): empty user, empty NT response, LM response empty or Z(1).
    Anonymous,
    /// LM only: no NT response but a 24-byte LM response.
    LmOnly,
    /// None of the above (e.g. a truncated or non-standard response size).
    Unknown,
}

impl AuthKind {
    /// The lowercase name used in the JSON output: "v2", "v1", "anonymous", "lm", "unknown".
    pub fn as_str(&self) -> &'static str {
        match self {
            AuthKind::V2 => "v2",
            AuthKind::V1 => "v1",
            AuthKind::Anonymous => "anonymous",
            AuthKind::LmOnly => "lm",
            AuthKind::Unknown => "unknown",
        }
    }

    /// LM, NTLMv1 or LM-only: responses that can be cracked or relayed with downgrade tools.
    pub fn is_v1_or_lm(&self) -> bool {
        matches!(self, AuthKind::V1 | AuthKind::LmOnly)
    }
}

impl Authenticate {
    /// Classifies the logon (MS-NLMP §3.1.5.1.2 and §3.3):
    /// 1. `Anonymous` when the user name and NtChallengeResponse are empty and
    ///    LmChallengeResponse is empty or the single byte 0x00 (checked first: an anonymous
    ///    logon has no response to classify);
    /// 2. `V2` when NtChallengeResponse is longer than 24 bytes;
    /// 3. `V1` when it is exactly 24 bytes;
    /// 4. `LmOnly` when it is empty and LmChallengeResponse is 24 bytes;
    /// 5. `Unknown` otherwise.
    pub fn kind(&self) -> AuthKind {
        let lm_empty = self.lm_response_len == 0 || self.lm_response_is_zero_byte;
        if self.user.is_empty() && self.nt_response_len == 0 && lm_empty {
            AuthKind::Anonymous
        } else if self.nt_response_len > V1_RESPONSE_LEN {
            AuthKind::V2
        } else if self.nt_response_len == V1_RESPONSE_LEN {
            AuthKind::V1
        } else if self.nt_response_len == 0 && self.lm_response_len == V1_RESPONSE_LEN {
            AuthKind::LmOnly
        } else {
            AuthKind::Unknown
        }
    }
}

/// Any NTLMSSP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NtlmMessage<'a> {
    Negotiate(Negotiate),
    Challenge(Challenge<'a>),
    Authenticate(Authenticate),
}

/// Parses an NTLMSSP message; `input` starts at the signature and may extend past the message
/// (trailing bytes are ignored, as offsets are relative to the start).
pub fn parse_ntlmssp(input: &[u8]) -> Result<NtlmMessage<'_>, AuthError> {
    let (rest, _) = tag(&NTLMSSP_SIGNATURE[..]).parse(input).map_err(|_: nom::Err<nom::error::Error<&[u8]>>| {
        if input.len() < NTLMSSP_SIGNATURE.len() && NTLMSSP_SIGNATURE.starts_with(input) {
            AuthError::Truncated("NTLMSSP signature")
        } else {
            AuthError::Malformed("NTLMSSP signature")
        }
    })?;
    let (rest, message_type) = le_u32(rest).map_err(truncated("NTLMSSP message type"))?;
    match message_type {
        NTLMSSP_NEGOTIATE => parse_negotiate(input, rest).map(NtlmMessage::Negotiate),
        NTLMSSP_CHALLENGE => parse_challenge(input, rest).map(NtlmMessage::Challenge),
        NTLMSSP_AUTHENTICATE => parse_authenticate(input, rest).map(NtlmMessage::Authenticate),
        other => Err(AuthError::UnknownNtlmMessage(other)),
    }
}

/// A (Len, MaxLen, BufferOffset) field descriptor.
#[derive(Debug, Clone, Copy)]
struct Field {
    len: u16,
    offset: u32,
}

impl Field {
    /// The bytes the field points at; an empty field is empty whatever its offset.
    fn slice<'a>(&self, msg: &'a [u8], name: &'static str) -> Result<&'a [u8], AuthError> {
        if self.len == 0 {
            return Ok(&[]);
        }
        let start = usize::try_from(self.offset).map_err(|_| AuthError::FieldOutOfBounds(name))?;
        start.checked_add(usize::from(self.len)).and_then(|end| msg.get(start..end)).ok_or(AuthError::FieldOutOfBounds(name))
    }

    /// Like [`Field::slice`], but keeps whatever part lies inside the message: servers send
    /// TargetInfo lengths past the end of the message (zeek's ntlm-empty-av-sequence and
    /// ntlm-unterminated-av-sequence traces).
    fn slice_clamped<'a>(&self, msg: &'a [u8]) -> &'a [u8] {
        let start = usize::try_from(self.offset).unwrap_or(usize::MAX);
        let end = start.saturating_add(usize::from(self.len)).min(msg.len());
        msg.get(start..end).unwrap_or(&[])
    }

    /// Where the field's data starts, if it has any (for finding the end of the fixed header).
    fn data_offset(&self) -> Option<usize> {
        (self.len > 0).then(|| usize::try_from(self.offset).unwrap_or(usize::MAX))
    }
}

fn field(input: &[u8]) -> nom::IResult<&[u8], Field> {
    let (input, len) = le_u16(input)?;
    let (input, _max_len) = le_u16(input)?;
    let (input, offset) = le_u32(input)?;
    Ok((input, Field { len, offset }))
}

fn version(input: &[u8]) -> nom::IResult<&[u8], NtlmVersion> {
    let (input, major) = byte(input)?;
    let (input, minor) = byte(input)?;
    let (input, build) = le_u16(input)?;
    let (input, _reserved) = take(3usize).parse(input)?;
    let (input, ntlm_revision) = byte(input)?;
    Ok((input, NtlmVersion { major, minor, build, ntlm_revision }))
}

/// Reads the VERSION at `at` when the flag asks for it and the payload does not start before the
/// end of it (older peers set the flag but omit the structure).
fn optional_version(msg: &[u8], flags: NegotiateFlags, at: usize, fields: &[Field]) -> Option<NtlmVersion> {
    let end = at + VERSION_LEN;
    if !flags.contains(NegotiateFlags::VERSION) || payload_start(msg, fields) < end {
        return None;
    }
    msg.get(at..end).and_then(|bytes| version(bytes).ok()).map(|(_, v)| v)
}

/// The lowest offset of any non-empty field, or the message length: the fixed header (VERSION,
/// MIC) can only extend up to there.
fn payload_start(msg: &[u8], fields: &[Field]) -> usize {
    fields.iter().filter_map(Field::data_offset).fold(msg.len(), usize::min)
}

/// The most characters kept of a name (user, domain, workstation, target, AV pair). Real names
/// are far shorter (a DNS name is at most 255); a forged message's 32 K-character names would
/// otherwise be carried into every record, alert and JSON line made from it.
pub const MAX_NAME_CHARS: usize = 256;

/// Decodes a string field: UTF-16LE when the UNICODE flag is set, else the OEM code page
/// (read as Latin-1, which is exact for ASCII and never fails); at most [`MAX_NAME_CHARS`].
fn decode_string(bytes: &[u8], unicode: bool) -> String {
    if unicode {
        decode_utf16(bytes)
    } else {
        decode_oem(bytes)
    }
}

/// UTF-16LE, invalid units replaced, at most [`MAX_NAME_CHARS`]. An ASCII name (nearly every
/// one) is copied a unit at a time in one pass, without the surrogate decoder; the first unit
/// that is not ASCII sends the whole name to it.
fn decode_utf16(bytes: &[u8]) -> String {
    let units = bytes.chunks_exact(2).take(MAX_NAME_CHARS);
    let mut text = String::with_capacity(units.len());
    for pair in units {
        match pair {
            [low, 0] if low.is_ascii() => text.push(char::from(*low)),
            _ => return decode_utf16_any(bytes),
        }
    }
    text
}

/// [`decode_utf16`] of a name that is not all ASCII.
fn decode_utf16_any(bytes: &[u8]) -> String {
    let units = bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).take(MAX_NAME_CHARS).collect()
}

fn decode_oem(bytes: &[u8]) -> String {
    bytes.iter().take(MAX_NAME_CHARS).map(|b| char::from(*b)).collect()
}

fn parse_negotiate<'a>(msg: &'a [u8], rest: &'a [u8]) -> Result<Negotiate, AuthError> {
    let (rest, flags) = le_u32(rest).map_err(truncated("NEGOTIATE flags"))?;
    let flags = NegotiateFlags(flags);
    // The oldest clients stop after the flags.
    if rest.is_empty() {
        return Ok(Negotiate { flags, domain: None, workstation: None, version: None });
    }
    let (_, (domain, workstation)) = (field, field).parse(rest).map_err(truncated("NEGOTIATE fields"))?;
    let text =
        |f: Field, name| -> Result<Option<String>, AuthError> { Ok(Some(f.slice(msg, name)?).filter(|b| !b.is_empty()).map(decode_oem)) };
    Ok(Negotiate {
        flags,
        domain: text(domain, "NEGOTIATE DomainName")?,
        workstation: text(workstation, "NEGOTIATE Workstation")?,
        version: optional_version(msg, flags, NEGOTIATE_VERSION_OFFSET, &[domain, workstation]),
    })
}

fn parse_challenge<'a>(msg: &'a [u8], rest: &'a [u8]) -> Result<Challenge<'a>, AuthError> {
    let (rest, (target_name, flags)) = (field, le_u32).parse(rest).map_err(truncated("CHALLENGE header"))?;
    let flags = NegotiateFlags(flags);
    // ServerChallenge (8) and Reserved (8).
    let (rest, nonce) = take(16usize).parse(rest).map_err(truncated("CHALLENGE header"))?;
    let server_challenge = Secret::from_slice(nonce).ok_or(AuthError::Truncated("CHALLENGE header"))?;
    let target_name_bytes = target_name.slice(msg, "CHALLENGE TargetName")?;
    // Pre-NTLMv2 servers end the message before TargetInfo.
    let target_info = if rest.is_empty() { None } else { Some(field(rest).map_err(truncated("CHALLENGE TargetInfo"))?.1) };
    // A missing TargetInfo is an empty field, which points nowhere.
    let fields = [target_name, target_info.unwrap_or(Field { len: 0, offset: 0 })];
    Ok(Challenge {
        flags,
        server_challenge,
        target_name: target_name_bytes,
        av_pairs: target_info.map(|f| AvPairs(f.slice_clamped(msg))).unwrap_or_default(),
        version: optional_version(msg, flags, CHALLENGE_VERSION_OFFSET, &fields),
    })
}

fn av_pair(id: u16, value: &[u8]) -> AvPair<'_> {
    let name = || decode_utf16(value);
    match (id, value.len()) {
        (MSV_AV_NB_COMPUTER_NAME, _) => AvPair::NbComputerName(name()),
        (MSV_AV_NB_DOMAIN_NAME, _) => AvPair::NbDomainName(name()),
        (MSV_AV_DNS_COMPUTER_NAME, _) => AvPair::DnsComputerName(name()),
        (MSV_AV_DNS_DOMAIN_NAME, _) => AvPair::DnsDomainName(name()),
        (MSV_AV_DNS_TREE_NAME, _) => AvPair::DnsTreeName(name()),
        (MSV_AV_TARGET_NAME, _) => AvPair::TargetName(name()),
        (MSV_AV_FLAGS, 4) => match le_u32::<_, nom::error::Error<&[u8]>>(value) {
            Ok((_, flags)) => AvPair::Flags(flags),
            Err(_) => AvPair::Other { id, value },
        },
        (MSV_AV_TIMESTAMP, 8) => match le_u64::<_, nom::error::Error<&[u8]>>(value) {
            Ok((_, filetime)) => AvPair::Timestamp(filetime),
            Err(_) => AvPair::Other { id, value },
        },
        _ => AvPair::Other { id, value },
    }
}

fn parse_authenticate<'a>(msg: &'a [u8], rest: &'a [u8]) -> Result<Authenticate, AuthError> {
    let (_, (lm, nt, domain, user, workstation, session_key, flags)) =
        (field, field, field, field, field, field, le_u32).parse(rest).map_err(truncated("AUTHENTICATE header"))?;
    let flags = NegotiateFlags(flags);
    let unicode = flags.contains(NegotiateFlags::UNICODE);
    // The secret fields are bounds-checked like the others, then only measured.
    let lm_bytes = lm.slice(msg, "AUTHENTICATE LmChallengeResponse")?;
    let nt_bytes = nt.slice(msg, "AUTHENTICATE NtChallengeResponse")?;
    session_key.slice(msg, "AUTHENTICATE EncryptedRandomSessionKey")?;
    let fields = [lm, nt, domain, user, workstation, session_key];
    let has_mic = payload_start(msg, &fields) >= AUTHENTICATE_VERSION_OFFSET + VERSION_LEN + MIC_LEN;
    let mic_at = AUTHENTICATE_VERSION_OFFSET + VERSION_LEN;
    let mic_nonzero = has_mic && msg.get(mic_at..mic_at + MIC_LEN).is_some_and(|mic| mic.iter().any(|&b| b != 0));
    // An NTLMv2 response: NTProofStr (16), then NTLMv2_CLIENT_CHALLENGE, whose AV pairs
    // follow 28 bytes of fixed fields (MS-NLMP §2.2.2.7).
    let v2 = nt.len > V1_RESPONSE_LEN;
    let av_pairs = if v2 { AvPairs(nt_bytes.get(NTLMV2_AV_PAIRS_OFFSET..).unwrap_or_default()) } else { AvPairs::default() };
    let (av_flags, target_name) = av_pairs.flags_and_target_name();
    Ok(Authenticate {
        flags,
        user: decode_string(user.slice(msg, "AUTHENTICATE UserName")?, unicode),
        domain: decode_string(domain.slice(msg, "AUTHENTICATE DomainName")?, unicode),
        workstation: decode_string(workstation.slice(msg, "AUTHENTICATE Workstation")?, unicode),
        version: optional_version(msg, flags, AUTHENTICATE_VERSION_OFFSET, &fields),
        lm_response_len: lm.len,
        lm_response_is_zero_byte: lm_bytes == [0],
        nt_response_len: nt.len,
        session_key_len: session_key.len,
        has_mic,
        mic_nonzero,
        av_flags,
        target_name,
        nt_proof: if v2 { Secret::from_slice(nt_bytes) } else { None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::*;
    use proptest::prelude::*;

    fn challenge(hex_bytes: &str) -> Challenge<'static> {
        let bytes: &'static [u8] = Box::leak(hex(hex_bytes).into_boxed_slice());
        match parse_ntlmssp(bytes) {
            Ok(NtlmMessage::Challenge(c)) => c,
            other => panic!("not a CHALLENGE: {other:?}"),
        }
    }

    /// zeek's trace: TargetInfo points past the message; zeek logs no server name, tshark no
    /// pairs.
    #[test]
    fn challenge_with_target_info_past_the_end_has_no_av_pairs() {
        let c = challenge(NTLM_CHALLENGE_EMPTY_AV);
        assert_eq!(c.target_name(), "CNAMIS");
        assert_eq!(c.flags, NegotiateFlags(0x2089_8205));
        assert_eq!(c.av_pairs.iter().count(), 0);
        assert_eq!(c.version, None);
    }

    /// zeek's trace: two pairs and no MsvAvEOL; tshark shows NetBIOS domain CNAMIS and computer
    /// SATURN, zeek's ntlm.log server_nb_computer_name SATURN.
    #[test]
    fn challenge_with_unterminated_av_pairs_keeps_the_pairs_present() {
        let c = challenge(NTLM_CHALLENGE_UNTERMINATED_AV);
        assert_eq!(
            c.av_pairs.iter().collect::<Vec<_>>(),
            vec![AvPair::NbDomainName("CNAMIS".into()), AvPair::NbComputerName("SATURN".into())]
        );
        let names = ServerNames { nb_computer: Some("SATURN".into()), nb_domain: Some("CNAMIS".into()), ..ServerNames::default() };
        assert_eq!(c.server_names(), names);
    }

    fn authenticate(lm: u16, nt: u16, user: &str) -> Authenticate {
        Authenticate {
            flags: NegotiateFlags(NegotiateFlags::UNICODE),
            user: user.into(),
            domain: String::new(),
            workstation: String::new(),
            version: None,
            lm_response_len: lm,
            lm_response_is_zero_byte: lm == 1,
            nt_response_len: nt,
            session_key_len: 0,
            has_mic: false,
            mic_nonzero: false,
            av_flags: None,
            target_name: None,
            nt_proof: None,
        }
    }

    #[test]
    fn classification_follows_ms_nlmp() {
        assert_eq!(authenticate(24, 328, "alice").kind(), AuthKind::V2);
        assert_eq!(authenticate(0, 25, "alice").kind(), AuthKind::V2);
        assert_eq!(authenticate(24, 24, "alice").kind(), AuthKind::V1);
        assert_eq!(authenticate(24, 0, "alice").kind(), AuthKind::LmOnly);
        assert_eq!(authenticate(1, 0, "").kind(), AuthKind::Anonymous);
        assert_eq!(authenticate(0, 0, "").kind(), AuthKind::Anonymous);
        // A user name means it is not a null session, whatever the responses.
        assert_eq!(authenticate(0, 0, "alice").kind(), AuthKind::Unknown);
        // An LM response that is not Z(1) is not anonymous either.
        assert_eq!(authenticate(24, 0, "").kind(), AuthKind::LmOnly);
        assert_eq!(authenticate(0, 16, "alice").kind(), AuthKind::Unknown);
        assert!(AuthKind::V1.is_v1_or_lm() && AuthKind::LmOnly.is_v1_or_lm() && !AuthKind::V2.is_v1_or_lm());
    }

    /// A NEGOTIATE that sets NEGOTIATE_VERSION but whose payload starts at 32 has no VERSION.
    #[test]
    fn version_needs_room_before_the_payload() {
        let mut msg = b"NTLMSSP\0\x01\0\0\0".to_vec();
        msg.extend_from_slice(&(NegotiateFlags::VERSION | NegotiateFlags::OEM_DOMAIN_SUPPLIED).to_le_bytes());
        msg.extend_from_slice(&[2, 0, 2, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        msg.extend_from_slice(b"AB");
        let Ok(NtlmMessage::Negotiate(n)) = parse_ntlmssp(&msg) else { panic!("not a NEGOTIATE") };
        assert_eq!((n.domain.as_deref(), n.version), (Some("AB"), None));
    }

    #[test]
    fn rejects_unknown_types_and_wrong_signatures() {
        assert_eq!(parse_ntlmssp(b"NTLMSSP\0\x04\0\0\0"), Err(AuthError::UnknownNtlmMessage(4)));
        assert_eq!(parse_ntlmssp(b"NTLMSS"), Err(AuthError::Truncated("NTLMSSP signature")));
        assert_eq!(parse_ntlmssp(b"NTLMSSX\0\x01\0\0\0"), Err(AuthError::Malformed("NTLMSSP signature")));
    }

    proptest! {
        #[test]
        fn arbitrary_messages_never_panic(kind in 0u32..5, body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut msg = NTLMSSP_SIGNATURE.to_vec();
            msg.extend_from_slice(&kind.to_le_bytes());
            msg.extend_from_slice(&body);
            let _ = parse_ntlmssp(&msg);
        }

        /// Small offsets and lengths, so that fields often land inside the message.
        #[test]
        fn plausible_descriptors_never_panic(kind in 1u32..4, flags in any::<u32>(),
                fields in proptest::collection::vec((0u16..80, 0u32..120), 6), tail in proptest::collection::vec(any::<u8>(), 0..120)) {
            let mut msg = NTLMSSP_SIGNATURE.to_vec();
            msg.extend_from_slice(&kind.to_le_bytes());
            for (len, offset) in &fields {
                msg.extend_from_slice(&len.to_le_bytes());
                msg.extend_from_slice(&len.to_le_bytes());
                msg.extend_from_slice(&offset.to_le_bytes());
            }
            msg.extend_from_slice(&flags.to_le_bytes());
            msg.extend_from_slice(&tail);
            let _ = parse_ntlmssp(&msg);
        }
    }
}
