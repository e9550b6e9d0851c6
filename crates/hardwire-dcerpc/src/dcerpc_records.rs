//! Connection-oriented DCE/RPC PDUs (C706 chapter 12, MS-RPCE 2.2.2), as carried over SMB named
//! pipes and directly over TCP.
//!
//! Every multi-byte integer is read in the byte order the PDU's data representation (`drep`)
//! announces: little endian from Windows, big endian from some other stacks.

use core::fmt;

use nom::bytes::complete::take;
use nom::number::complete::{u16 as nom_u16, u32 as nom_u32, u8 as nom_u8};
use nom::number::Endianness;
use nom::{IResult, Parser};

use crate::error::DceRpcError;
use crate::uuid::Uuid;

/// Length of the common header every connection-oriented PDU starts with.
pub const HEADER_LEN: usize = 16;
/// Length of the security trailer (`sec_trailer`) that precedes the auth token.
pub const SEC_TRAILER_LEN: usize = 8;

/// `pfc_flags`: first fragment of a call.
pub const PFC_FIRST_FRAG: u8 = 0x01;
/// `pfc_flags`: last fragment of a call.
pub const PFC_LAST_FRAG: u8 = 0x02;
/// `pfc_flags`: cancel pending; on bind and alter_context MS-RPCE reuses it as
/// PFC_SUPPORT_HEADER_SIGN.
pub const PFC_PENDING_CANCEL: u8 = 0x04;
/// `pfc_flags`: reserved.
pub const PFC_RESERVED_1: u8 = 0x08;
/// `pfc_flags`: concurrent multiplexing supported.
pub const PFC_CONC_MPX: u8 = 0x10;
/// `pfc_flags`: the call did not execute (fault).
pub const PFC_DID_NOT_EXECUTE: u8 = 0x20;
/// `pfc_flags`: `maybe` call semantics.
pub const PFC_MAYBE: u8 = 0x40;
/// `pfc_flags`: a request carries an object UUID after the opnum.
pub const PFC_OBJECT_UUID: u8 = 0x80;

/// Bind_ack / alter_context_resp result: the presentation context was accepted.
pub const RESULT_ACCEPTANCE: u16 = 0;
/// Result: rejected by the user (server application).
pub const RESULT_USER_REJECTION: u16 = 1;
/// Result: rejected by the RPC runtime (e.g. no common transfer syntax).
pub const RESULT_PROVIDER_REJECTION: u16 = 2;
/// Result: MS-RPCE bind time feature negotiation answer.
pub const RESULT_NEGOTIATE_ACK: u16 = 3;

/// The transfer syntax NDR version 2 (32-bit NDR): 8a885d04-1ceb-11c9-9fe8-08002b104860.
pub const NDR32_SYNTAX: Uuid = Uuid::from_u128(0x8a885d04_1ceb_11c9_9fe8_08002b104860);
/// The transfer syntax NDR64: 71710533-beba-4937-8319-b5dbef9ccc36.
pub const NDR64_SYNTAX: Uuid = Uuid::from_u128(0x71710533_beba_4937_8319_b5dbef9ccc36);

/// Integer byte order of a PDU (first nibble of `drep[0]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Integer representation 0.
    Big,
    /// Integer representation 1: what Windows sends.
    Little,
}

impl ByteOrder {
    fn endianness(self) -> Endianness {
        match self {
            ByteOrder::Big => Endianness::Big,
            ByteOrder::Little => Endianness::Little,
        }
    }
}

/// The packed data representation label (`drep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataRepresentation {
    /// Integer byte order.
    pub byte_order: ByteOrder,
    /// Character representation: 0 ASCII, 1 EBCDIC.
    pub character: u8,
    /// Floating point representation: 0 IEEE, 1 VAX, 2 Cray, 3 IBM.
    pub floating_point: u8,
}

impl DataRepresentation {
    /// Reads the four `drep` bytes; `None` for an integer representation other than 0 or 1.
    pub fn from_bytes(drep: [u8; 4]) -> Option<DataRepresentation> {
        let byte_order = match drep[0] >> 4 {
            0 => ByteOrder::Big,
            1 => ByteOrder::Little,
            _ => return None,
        };
        Some(DataRepresentation { byte_order, character: drep[0] & 0x0f, floating_point: drep[1] })
    }
}

/// Connection-oriented packet types (`PTYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// 0
    Request,
    /// 2
    Response,
    /// 3
    Fault,
    /// 11
    Bind,
    /// 12
    BindAck,
    /// 13
    BindNak,
    /// 14
    AlterContext,
    /// 15
    AlterContextResp,
    /// 16 (`rpc_auth_3`)
    Auth3,
    /// 17
    Shutdown,
    /// 18 (`co_cancel`)
    CoCancel,
    /// 19
    Orphaned,
}

impl PacketType {
    /// The connection-oriented type with this code; `None` for connectionless or unknown codes.
    pub fn from_code(code: u8) -> Option<PacketType> {
        Some(match code {
            0 => PacketType::Request,
            2 => PacketType::Response,
            3 => PacketType::Fault,
            11 => PacketType::Bind,
            12 => PacketType::BindAck,
            13 => PacketType::BindNak,
            14 => PacketType::AlterContext,
            15 => PacketType::AlterContextResp,
            16 => PacketType::Auth3,
            17 => PacketType::Shutdown,
            18 => PacketType::CoCancel,
            19 => PacketType::Orphaned,
            _ => return None,
        })
    }

    /// The `PTYPE` code.
    pub fn code(self) -> u8 {
        match self {
            PacketType::Request => 0,
            PacketType::Response => 2,
            PacketType::Fault => 3,
            PacketType::Bind => 11,
            PacketType::BindAck => 12,
            PacketType::BindNak => 13,
            PacketType::AlterContext => 14,
            PacketType::AlterContextResp => 15,
            PacketType::Auth3 => 16,
            PacketType::Shutdown => 17,
            PacketType::CoCancel => 18,
            PacketType::Orphaned => 19,
        }
    }

    /// Bytes of the PDU before the body proper (stub, context list...), header included.
    fn fixed_len(self) -> usize {
        match self {
            PacketType::Request | PacketType::Response => HEADER_LEN + 8,
            PacketType::Fault => HEADER_LEN + 16,
            PacketType::Bind | PacketType::AlterContext | PacketType::BindAck | PacketType::AlterContextResp => HEADER_LEN + 8,
            PacketType::BindNak => HEADER_LEN + 2,
            PacketType::Auth3 | PacketType::Shutdown | PacketType::CoCancel | PacketType::Orphaned => HEADER_LEN,
        }
    }
}

/// The 16-byte common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `rpc_vers`, always 5.
    pub rpc_vers: u8,
    /// `rpc_vers_minor`, 0 or 1.
    pub rpc_vers_minor: u8,
    /// `PTYPE`.
    pub packet_type: PacketType,
    /// `pfc_flags` (`PFC_*`).
    pub flags: u8,
    /// `packed_drep`.
    pub drep: DataRepresentation,
    /// Length of the whole fragment, header and auth verifier included.
    pub frag_length: u16,
    /// Length of the auth token (after the 8-byte security trailer); 0 without one.
    pub auth_length: u16,
    /// Call identifier, shared by the fragments of one call and its response.
    pub call_id: u32,
}

impl Header {
    /// Integer byte order of the PDU.
    pub fn byte_order(&self) -> ByteOrder {
        self.drep.byte_order
    }

    /// PFC_FIRST_FRAG is set.
    pub fn is_first_frag(&self) -> bool {
        self.flags & PFC_FIRST_FRAG != 0
    }

    /// PFC_LAST_FRAG is set.
    pub fn is_last_frag(&self) -> bool {
        self.flags & PFC_LAST_FRAG != 0
    }

    /// PFC_OBJECT_UUID is set (only meaningful on a request).
    pub fn has_object_uuid(&self) -> bool {
        self.flags & PFC_OBJECT_UUID != 0
    }
}

/// An interface or transfer syntax identifier (`p_syntax_id_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SyntaxId {
    /// Interface or transfer syntax UUID.
    pub uuid: Uuid,
    /// Major version (low 16 bits of `if_version`).
    pub version: u16,
    /// Minor version (high 16 bits of `if_version`).
    pub version_minor: u16,
}

/// One presentation context of a bind or alter_context (`p_cont_elem_t`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextElement {
    /// Presentation context id that requests will name.
    pub context_id: u16,
    /// The interface.
    pub abstract_syntax: SyntaxId,
    /// Transfer syntaxes offered (NDR, NDR64, bind time feature negotiation...).
    pub transfer_syntaxes: Vec<SyntaxId>,
}

/// Bind (11) and alter_context (14) bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    /// Largest fragment the client sends.
    pub max_xmit_frag: u16,
    /// Largest fragment the client accepts.
    pub max_recv_frag: u16,
    /// Association group (0 asks for a new one).
    pub assoc_group_id: u32,
    /// Presentation contexts, as many as the bytes present hold.
    pub contexts: Vec<ContextElement>,
}

/// One result of a bind_ack or alter_context_resp (`p_result_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextResult {
    /// `RESULT_ACCEPTANCE`, `RESULT_USER_REJECTION`, `RESULT_PROVIDER_REJECTION` or
    /// `RESULT_NEGOTIATE_ACK`.
    pub result: u16,
    /// Rejection reason (or, for a negotiate ack, the bind time feature flags).
    pub reason: u16,
    /// The transfer syntax the server chose for this context.
    pub transfer_syntax: SyntaxId,
}

impl ContextResult {
    /// The server accepted this presentation context.
    pub fn is_accepted(&self) -> bool {
        self.result == RESULT_ACCEPTANCE
    }
}

/// Bind_ack (12) and alter_context_resp (15) bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindAck<'a> {
    /// Largest fragment the server sends.
    pub max_xmit_frag: u16,
    /// Largest fragment the server accepts.
    pub max_recv_frag: u16,
    /// Association group the server assigned.
    pub assoc_group_id: u32,
    /// Secondary address (port_spec) as sent, NUL included when present: over SMB the pipe
    /// name (`\PIPE\atsvc`), over TCP the port number.
    pub secondary_address: &'a [u8],
    /// Results, one per context of the bind, in the same order.
    pub results: Vec<ContextResult>,
}

impl BindAck<'_> {
    /// The secondary address as text, without the trailing NUL; `None` when empty or not
    /// printable ASCII.
    pub fn secondary_address_str(&self) -> Option<&str> {
        let trimmed = match self.secondary_address.iter().position(|&byte| byte == 0) {
            Some(end) => self.secondary_address.get(..end)?,
            None => self.secondary_address,
        };
        if trimmed.is_empty() || !trimmed.iter().all(|byte| byte.is_ascii_graphic()) {
            return None;
        }
        core::str::from_utf8(trimmed).ok()
    }
}

/// Bind_nak (13) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindNak {
    /// `provider_reject_reason`.
    pub reject_reason: u16,
    /// Protocol versions the server supports (major, minor), when listed.
    pub versions: Vec<(u8, u8)>,
}

/// Request (0) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// Total stub size the client announces for the whole call (a hint, not trusted).
    pub alloc_hint: u32,
    /// Presentation context the call uses (from the bind).
    pub context_id: u16,
    /// Operation number within the interface.
    pub opnum: u16,
    /// Object UUID when PFC_OBJECT_UUID is set.
    pub object: Option<Uuid>,
    /// This fragment's stub data, without auth padding (ciphertext at packet privacy).
    pub stub: &'a [u8],
}

/// Response (2) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// Total stub size announced for the whole response.
    pub alloc_hint: u32,
    /// Presentation context of the call.
    pub context_id: u16,
    /// Cancels received so far.
    pub cancel_count: u8,
    /// This fragment's stub data, without auth padding.
    pub stub: &'a [u8],
}

/// Fault (3) body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// Announced stub size.
    pub alloc_hint: u32,
    /// Presentation context of the call.
    pub context_id: u16,
    /// Cancels received so far.
    pub cancel_count: u8,
    /// The fault status (`nca_s_*` or a Win32/NTSTATUS code).
    pub status: u32,
}

/// The body of a PDU, by packet type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PduBody<'a> {
    /// Request (0).
    Request(Request<'a>),
    /// Response (2).
    Response(Response<'a>),
    /// Fault (3).
    Fault(Fault),
    /// Bind (11).
    Bind(Bind),
    /// Bind_ack (12).
    BindAck(BindAck<'a>),
    /// Bind_nak (13).
    BindNak(BindNak),
    /// Alter_context (14).
    AlterContext(Bind),
    /// Alter_context_resp (15).
    AlterContextResp(BindAck<'a>),
    /// Rpc_auth_3 (16): only an auth verifier.
    Auth3,
    /// Shutdown (17).
    Shutdown,
    /// Co_cancel (18).
    CoCancel,
    /// Orphaned (19).
    Orphaned,
}

/// Security provider of an auth verifier (`auth_type`, MS-RPCE 2.2.1.1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthType {
    /// 0: RPC_C_AUTHN_NONE.
    None,
    /// 9: SPNEGO (RPC_C_AUTHN_GSS_NEGOTIATE).
    Spnego,
    /// 10: NTLMSSP (RPC_C_AUTHN_WINNT).
    Ntlmssp,
    /// 14: Schannel (RPC_C_AUTHN_GSS_SCHANNEL).
    Schannel,
    /// 16: Kerberos (RPC_C_AUTHN_GSS_KERBEROS).
    Kerberos,
    /// 0x44: Netlogon secure channel (RPC_C_AUTHN_NETLOGON).
    Netlogon,
    /// 0xff: RPC_C_AUTHN_DEFAULT.
    Default,
    /// Any other code.
    Other(u8),
}

impl AuthType {
    /// The type with this code.
    pub fn from_code(code: u8) -> AuthType {
        match code {
            0 => AuthType::None,
            9 => AuthType::Spnego,
            10 => AuthType::Ntlmssp,
            14 => AuthType::Schannel,
            16 => AuthType::Kerberos,
            0x44 => AuthType::Netlogon,
            0xff => AuthType::Default,
            other => AuthType::Other(other),
        }
    }

    /// A short lower-case name (`"ntlmssp"`, `"kerberos"`...; `"other"` for unknown codes).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthType::None => "none",
            AuthType::Spnego => "spnego",
            AuthType::Ntlmssp => "ntlmssp",
            AuthType::Schannel => "schannel",
            AuthType::Kerberos => "kerberos",
            AuthType::Netlogon => "netlogon",
            AuthType::Default => "default",
            AuthType::Other(_) => "other",
        }
    }
}

/// Protection level of an auth verifier (`auth_level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthLevel {
    /// 0: RPC_C_AUTHN_LEVEL_DEFAULT.
    Default,
    /// 1: none.
    None,
    /// 2: authenticated at connect only.
    Connect,
    /// 3: at each call.
    Call,
    /// 4: each packet authenticated.
    Packet,
    /// 5: packet integrity (signed).
    Integrity,
    /// 6: packet privacy (encrypted stubs).
    Privacy,
    /// Any other code.
    Other(u8),
}

impl AuthLevel {
    /// The level with this code.
    pub fn from_code(code: u8) -> AuthLevel {
        match code {
            0 => AuthLevel::Default,
            1 => AuthLevel::None,
            2 => AuthLevel::Connect,
            3 => AuthLevel::Call,
            4 => AuthLevel::Packet,
            5 => AuthLevel::Integrity,
            6 => AuthLevel::Privacy,
            other => AuthLevel::Other(other),
        }
    }

    /// The name the JSON schema uses: `"default"`, `"none"`, `"connect"`, `"call"`, `"packet"`,
    /// `"integrity"`, `"privacy"` (`"unknown"` for other codes).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthLevel::Default => "default",
            AuthLevel::None => "none",
            AuthLevel::Connect => "connect",
            AuthLevel::Call => "call",
            AuthLevel::Packet => "packet",
            AuthLevel::Integrity => "integrity",
            AuthLevel::Privacy => "privacy",
            AuthLevel::Other(_) => "unknown",
        }
    }
}

/// The auth verifier at the end of a PDU: security trailer and token.
///
/// The token is borrowed for the auth parsers (NTLMSSP, SPNEGO, Kerberos); `Debug` prints only
/// its length so that it never ends up in a log.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AuthVerifier<'a> {
    /// Security provider.
    pub auth_type: AuthType,
    /// Protection level.
    pub auth_level: AuthLevel,
    /// Padding bytes inserted before the trailer (removed from the stub).
    pub pad_length: u8,
    /// Security context id (several may share a connection).
    pub context_id: u32,
    /// The security token (`auth_length` bytes).
    pub token: &'a [u8],
}

impl fmt::Debug for AuthVerifier<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthVerifier")
            .field("auth_type", &self.auth_type)
            .field("auth_level", &self.auth_level)
            .field("pad_length", &self.pad_length)
            .field("context_id", &self.context_id)
            .field("token_len", &self.token.len())
            .finish()
    }
}

/// A parsed PDU borrowing the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu<'a> {
    /// Common header.
    pub header: Header,
    /// Type-specific body.
    pub body: PduBody<'a>,
    /// Auth verifier when `auth_length` is not 0.
    pub auth: Option<AuthVerifier<'a>>,
}

/// Result of [`frame_pdu`]: what the next bytes of a stream hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A whole PDU, `len` (= `frag_length`) bytes long.
    Complete {
        /// The PDU.
        pdu: Pdu<'a>,
        /// Bytes it occupies.
        len: usize,
    },
    /// Not enough bytes yet; at least `needed` more are required.
    Incomplete {
        /// Missing bytes (a lower bound while the header itself is incomplete).
        needed: usize,
    },
    /// Not a PDU we can read.
    Invalid {
        /// Why.
        error: DceRpcError,
        /// When the header was sane and the whole fragment present, its length: the caller may
        /// skip these bytes and go on with the next PDU.
        skip: Option<usize>,
    },
}

type NomResult<'a, T> = IResult<&'a [u8], T>;

fn u8_at(input: &[u8]) -> NomResult<'_, u8> {
    nom_u8(input)
}

fn u16_in(order: ByteOrder) -> impl Fn(&[u8]) -> NomResult<'_, u16> {
    move |input| nom_u16(order.endianness()).parse(input)
}

fn u32_in(order: ByteOrder) -> impl Fn(&[u8]) -> NomResult<'_, u32> {
    move |input| nom_u32(order.endianness()).parse(input)
}

fn uuid_in(order: ByteOrder) -> impl Fn(&[u8]) -> NomResult<'_, Uuid> {
    move |input| {
        let (rest, bytes) = take(16usize).parse(input)?;
        match Uuid::from_wire_slice(bytes, order) {
            Some(uuid) => Ok((rest, uuid)),
            None => Err(nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Eof))),
        }
    }
}

fn syntax_id(order: ByteOrder) -> impl Fn(&[u8]) -> NomResult<'_, SyntaxId> {
    move |input| {
        let (input, uuid) = uuid_in(order)(input)?;
        // if_version is one u32: major in the low half, minor in the high half (C706 12.6.3.1).
        let (input, if_version) = u32_in(order)(input)?;
        Ok((input, SyntaxId { uuid, version: (if_version & 0xffff) as u16, version_minor: (if_version >> 16) as u16 }))
    }
}

fn malformed(what: &'static str) -> impl Fn(nom::Err<nom::error::Error<&[u8]>>) -> DceRpcError {
    move |_| DceRpcError::Malformed(what)
}

/// Reads the 16-byte common header and checks it: version 5.0/5.1, a connection-oriented packet
/// type, an integer representation of 0 or 1, a `frag_length` that holds the fixed part of the
/// PDU and an `auth_length` that fits. Does not need the rest of the fragment.
pub fn parse_header(input: &[u8]) -> Result<Header, DceRpcError> {
    let bytes: &[u8; HEADER_LEN] = match input.get(..HEADER_LEN) {
        Some(slice) => slice.try_into().map_err(|_| DceRpcError::Incomplete(HEADER_LEN))?,
        None => return Err(DceRpcError::Incomplete(HEADER_LEN - input.len())),
    };
    let [rpc_vers, rpc_vers_minor, ptype, flags, d0, d1, d2, d3, rest @ ..] = *bytes;
    if rpc_vers != 5 || rpc_vers_minor > 1 {
        return Err(DceRpcError::BadVersion { major: rpc_vers, minor: rpc_vers_minor });
    }
    let packet_type = PacketType::from_code(ptype).ok_or(DceRpcError::UnknownPacketType(ptype))?;
    let drep = DataRepresentation::from_bytes([d0, d1, d2, d3]).ok_or(DceRpcError::Malformed("data representation"))?;
    let order = drep.byte_order;
    let (_, (frag_length, auth_length, call_id)) =
        (u16_in(order), u16_in(order), u32_in(order)).parse(&rest[..]).map_err(malformed("header"))?;
    if usize::from(frag_length) < packet_type.fixed_len() {
        return Err(DceRpcError::BadFragLength(frag_length));
    }
    if auth_length > 0 && usize::from(auth_length) + SEC_TRAILER_LEN + HEADER_LEN > usize::from(frag_length) {
        return Err(DceRpcError::BadAuthLength { auth_length, frag_length });
    }
    Ok(Header { rpc_vers, rpc_vers_minor, packet_type, flags, drep, frag_length, auth_length, call_id })
}

/// Parses one whole PDU from the start of `input` (which may hold more bytes after it).
///
/// Returns `Incomplete` when `input` is shorter than `frag_length`.
pub fn parse_pdu(input: &[u8]) -> Result<Pdu<'_>, DceRpcError> {
    let header = parse_header(input)?;
    let frag_length = usize::from(header.frag_length);
    let fragment = input.get(..frag_length).ok_or_else(|| DceRpcError::Incomplete(frag_length.saturating_sub(input.len())))?;
    let (body_end, auth) = split_auth(&header, fragment)?;
    let body = fragment.get(HEADER_LEN..body_end).ok_or(DceRpcError::Malformed("auth verifier overlaps the body"))?;
    let pad = auth.map_or(0, |verifier| usize::from(verifier.pad_length));
    let order = header.byte_order();
    let body = match header.packet_type {
        PacketType::Request => PduBody::Request(parse_request(&header, body, pad)?),
        PacketType::Response => PduBody::Response(parse_response(order, body, pad)?),
        PacketType::Fault => PduBody::Fault(parse_fault(order, body)?),
        PacketType::Bind => PduBody::Bind(parse_bind(order, body)?),
        PacketType::AlterContext => PduBody::AlterContext(parse_bind(order, body)?),
        PacketType::BindAck => PduBody::BindAck(parse_bind_ack(order, body)?),
        PacketType::AlterContextResp => PduBody::AlterContextResp(parse_bind_ack(order, body)?),
        PacketType::BindNak => PduBody::BindNak(parse_bind_nak(order, body)?),
        PacketType::Auth3 => PduBody::Auth3,
        PacketType::Shutdown => PduBody::Shutdown,
        PacketType::CoCancel => PduBody::CoCancel,
        PacketType::Orphaned => PduBody::Orphaned,
    };
    Ok(Pdu { header, body, auth })
}

/// Frames the next PDU of a byte stream (a TCP stream or the data of SMB pipe writes/reads).
pub fn frame_pdu(input: &[u8]) -> Frame<'_> {
    let header = match parse_header(input) {
        Ok(header) => header,
        Err(DceRpcError::Incomplete(needed)) => return Frame::Incomplete { needed },
        Err(error) => return Frame::Invalid { error, skip: None },
    };
    let len = usize::from(header.frag_length);
    if input.len() < len {
        return Frame::Incomplete { needed: len - input.len() };
    }
    match parse_pdu(input) {
        Ok(pdu) => Frame::Complete { pdu, len },
        Err(error) => Frame::Invalid { error, skip: Some(len) },
    }
}

/// Content dispatch: do these first bytes of a flow look like a DCE/RPC bind or alter_context
/// (the first PDU of a conversation picked up after its bind)? Version 5.0/5.1, packet type
/// bind or alter_context, a sane data representation and a `frag_length` that can hold one
/// context. Needs at least 10 bytes.
pub fn looks_like_dcerpc_bind(first_bytes: &[u8]) -> bool {
    let Some(&[5, minor, 11 | 14, _flags, d0, d1, d2, d3, f0, f1]) = first_bytes.get(..10) else {
        return false;
    };
    if minor > 1 || d0 & 0xee != 0 || d1 > 3 || d2 != 0 || d3 != 0 {
        return false;
    }
    let frag_length = if d0 & 0x10 != 0 { u16::from_le_bytes([f0, f1]) } else { u16::from_be_bytes([f0, f1]) };
    // Header, bind fixed part, one context id/count, one abstract and one transfer syntax.
    usize::from(frag_length) >= HEADER_LEN + 8 + 4 + 4 + 2 * 20
}

/// Finds the auth verifier at the end of the fragment; returns where the body ends.
fn split_auth<'a>(header: &Header, fragment: &'a [u8]) -> Result<(usize, Option<AuthVerifier<'a>>), DceRpcError> {
    if header.auth_length == 0 {
        return Ok((fragment.len(), None));
    }
    let token_len = usize::from(header.auth_length);
    let trailer_start = fragment
        .len()
        .checked_sub(token_len + SEC_TRAILER_LEN)
        .filter(|&start| start >= HEADER_LEN)
        .ok_or(DceRpcError::BadAuthLength { auth_length: header.auth_length, frag_length: header.frag_length })?;
    let trailer = fragment.get(trailer_start..).ok_or(DceRpcError::Malformed("auth verifier"))?;
    let order = header.byte_order();
    let (token, (auth_type, auth_level, pad_length, _reserved, context_id)) =
        (u8_at, u8_at, u8_at, u8_at, u32_in(order)).parse(trailer).map_err(malformed("auth verifier"))?;
    Ok((
        trailer_start,
        Some(AuthVerifier {
            auth_type: AuthType::from_code(auth_type),
            auth_level: AuthLevel::from_code(auth_level),
            pad_length,
            context_id,
            token,
        }),
    ))
}

/// The stub: what remains of the body less the auth padding that precedes the trailer.
fn strip_pad(stub: &[u8], pad: usize) -> Result<&[u8], DceRpcError> {
    let end = stub.len().checked_sub(pad).ok_or(DceRpcError::Malformed("auth pad longer than the stub"))?;
    stub.get(..end).ok_or(DceRpcError::Malformed("auth pad longer than the stub"))
}

fn parse_request<'a>(header: &Header, body: &'a [u8], pad: usize) -> Result<Request<'a>, DceRpcError> {
    let order = header.byte_order();
    let (rest, (alloc_hint, context_id, opnum)) =
        (u32_in(order), u16_in(order), u16_in(order)).parse(body).map_err(malformed("request header"))?;
    let (rest, object) = if header.has_object_uuid() {
        let (rest, uuid) = uuid_in(order)(rest).map_err(malformed("request object UUID"))?;
        (rest, Some(uuid))
    } else {
        (rest, None)
    };
    Ok(Request { alloc_hint, context_id, opnum, object, stub: strip_pad(rest, pad)? })
}

fn parse_response(order: ByteOrder, body: &[u8], pad: usize) -> Result<Response<'_>, DceRpcError> {
    let (rest, (alloc_hint, context_id, cancel_count, _reserved)) =
        (u32_in(order), u16_in(order), u8_at, u8_at).parse(body).map_err(malformed("response header"))?;
    Ok(Response { alloc_hint, context_id, cancel_count, stub: strip_pad(rest, pad)? })
}

fn parse_fault(order: ByteOrder, body: &[u8]) -> Result<Fault, DceRpcError> {
    let (_, (alloc_hint, context_id, cancel_count, _reserved, status)) =
        (u32_in(order), u16_in(order), u8_at, u8_at, u32_in(order)).parse(body).map_err(malformed("fault"))?;
    Ok(Fault { alloc_hint, context_id, cancel_count, status })
}

fn parse_bind(order: ByteOrder, body: &[u8]) -> Result<Bind, DceRpcError> {
    let (rest, (max_xmit_frag, max_recv_frag, assoc_group_id)) =
        (u16_in(order), u16_in(order), u32_in(order)).parse(body).map_err(malformed("bind header"))?;
    let (mut rest, (n_context_elem, _reserved, _reserved2)) =
        (u8_at, u8_at, u16_in(order)).parse(rest).map_err(malformed("bind context list"))?;
    // The Vec grows with each element actually read, so a large count costs nothing.
    let mut contexts = Vec::new();
    for _ in 0..n_context_elem {
        let (after, (context_id, n_transfer_syn, _reserved, abstract_syntax)) =
            (u16_in(order), u8_at, u8_at, syntax_id(order)).parse(rest).map_err(malformed("presentation context"))?;
        rest = after;
        let mut transfer_syntaxes = Vec::new();
        for _ in 0..n_transfer_syn {
            let (after, syntax) = syntax_id(order)(rest).map_err(malformed("transfer syntax"))?;
            rest = after;
            transfer_syntaxes.push(syntax);
        }
        contexts.push(ContextElement { context_id, abstract_syntax, transfer_syntaxes });
    }
    Ok(Bind { max_xmit_frag, max_recv_frag, assoc_group_id, contexts })
}

fn parse_bind_ack(order: ByteOrder, body: &[u8]) -> Result<BindAck<'_>, DceRpcError> {
    let (rest, (max_xmit_frag, max_recv_frag, assoc_group_id, address_len)) =
        (u16_in(order), u16_in(order), u32_in(order), u16_in(order)).parse(body).map_err(malformed("bind_ack header"))?;
    let (rest, secondary_address) = take(address_len).parse(rest).map_err(malformed("bind_ack secondary address"))?;
    // The result list is 4-byte aligned from the start of the PDU; the body starts at 16.
    let consumed = HEADER_LEN + 10 + usize::from(address_len);
    let pad = (4 - consumed % 4) % 4;
    let (rest, _) = take(pad).parse(rest).map_err(malformed("bind_ack padding"))?;
    let (mut rest, (n_results, _reserved, _reserved2)) =
        (u8_at, u8_at, u16_in(order)).parse(rest).map_err(malformed("bind_ack result list"))?;
    let mut results = Vec::new();
    for _ in 0..n_results {
        let (after, (result, reason, transfer_syntax)) =
            (u16_in(order), u16_in(order), syntax_id(order)).parse(rest).map_err(malformed("bind_ack result"))?;
        rest = after;
        results.push(ContextResult { result, reason, transfer_syntax });
    }
    Ok(BindAck { max_xmit_frag, max_recv_frag, assoc_group_id, secondary_address, results })
}

fn parse_bind_nak(order: ByteOrder, body: &[u8]) -> Result<BindNak, DceRpcError> {
    let (rest, reject_reason) = u16_in(order)(body).map_err(malformed("bind_nak"))?;
    // The supported versions list is optional in practice (some stacks send only the reason).
    let mut versions = Vec::new();
    if let Ok((mut rest, count)) = u8_at(rest) {
        for _ in 0..count {
            match (u8_at, u8_at).parse(rest) {
                Ok((after, version)) => {
                    rest = after;
                    versions.push(version);
                }
                Err(_) => break,
            }
        }
    }
    Ok(BindNak { reject_reason, versions })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Test helper: hex text to bytes.
    pub(crate) fn hex(text: &str) -> Vec<u8> {
        (0..text.len() / 2).map(|index| u8::from_str_radix(&text[2 * index..2 * index + 2], 16).expect("hex")).collect()
    }

    fn uuid(text: &str) -> Uuid {
        Uuid::parse_str(text).expect("test UUID")
    }

    // suricata-verify/dcerpc/dcerpc-3109/input.pcap (same PDUs in suricata-verify/smb2-04),
    // ATSVC over \PIPE\atsvc (SMB2 ioctl). Frame 5: bind, 3 context items (tshark: ATSVC V1.0
    // 32bit NDR, ATSVC V1.0 64bit NDR, ATSVC V1.0 6cb71c2c-9812-4540-0300-000000000000).
    pub(crate) const BIND_3109: &str = "05000b0310000000a000000002000000b810b8100000000003000000000001008206f71f510ae830076d740be8cee98b01000000045d888aeb1cc9119fe808002b10486002000000010001008206f71f510ae830076d740be8cee98b0100000033057171babe37498319b5dbef9ccc3601000000020001008206f71f510ae830076d740be8cee98b010000002c1cb76c12984045030000000000000001000000";
    // Frame 8: bind_ack, max_xmit 4280, 3 results: Provider rejection, Acceptance, Negotiate ACK.
    pub(crate) const BIND_ACK_3109: &str = "05000c03100000007400000002000000b810b810d80a00000c005c504950455c6174737663000055030000000200020000000000000000000000000000000000000000000000000033057171babe37498319b5dbef9ccc3601000000030003000000000000000000000000000000000000000000";
    // Frame 9: request, call 2, context 1 (NDR64), opnum 0 (JobAdd), alloc hint 136.
    pub(crate) const REQUEST_3109: &str = "0500000310000000a000000002000000880000000100000000000200000000000b0000000000000000000000000000000b000000000000005c005c00610064006d0069006e002d00700063000000000060b0ce02000000000000000000100000000002000000000010000000000000000000000000000000100000000000000063003a005c006d0069006d0069006b00610074007a002e006500780065000000";
    // Frame 11: response, call 2.
    const RESPONSE_3109: &str = "0500020310000000200000000200000008000000010000000200000000000000";

    // suricata-verify/dcerpc/dcerpc-auth3-5133/input.pcap frame 1: bind to svcctl with an
    // NTLMSSP verifier (tshark: auth type 10, level 6, flags 0x07, auth_length 40).
    const BIND_NTLM_5133: &str = "05000b0710000000a400280002000000d016d01600000000020000000000010081bb7a364498f135ad3298f03800100302000000045d888aeb1cc9119fe808002b104860020000000100010081bb7a364498f135ad3298f038001003020000002c1cb76c129840450300000000000000010000000a060000000000004e544c4d5353500001000000b78208e2000000000000000000000000000000000a005a290000000f";
    // Frame 6: request, call 3, opnum 24 (CreateServiceA), alloc hint 284, packet privacy,
    // auth pad 4: the stub is encrypted.
    const REQUEST_PRIVACY_5133: &str = "050000031000000050011000030000001c0100000000180001127f5da5711ba84c1d555b3c86c8aeb0ad6d56f4d0c46efaddf37325d121f6062715322a6415c13b9f0afe796b69fe58eb472ffb742bbc288ae042feaa99de18576db52a9f7e2bef9ae1d229b0fb86ed49374edd5cefcce6c170f70fe2acc0621a6b73aff515b8b65d957e4313a9c11ddb9c381001c5b0849bb1f88a628f2c111aa1adbcb37ed6a069ecdc514d7162d1403c1115ac6956fe9df7fd19656585e6987a684abcb1b69bb53456fc46cbf3ec00581dabb769178d6458f79c2d45726d7e92a6056286aea6287cc4f4465ac52e4aa100db9cdda33a83bf88178a0595e2668b6e0bb01b2977f522460e3fc6518ec3520f18f829681bedaf66e4c98792e2f74b1218440f3d8bf11c7b1dab7a031cdbb75ae9cce78462d3e1c023460a120a0604000000000001000000d3d4e8a10e9da37c01000000";

    // arkime/dcerpc_synthetic.pcap, big-endian PDUs (tshark: Order: Big-endian).
    // Frame 18: bind, RPC_NETLOGON V0.1, 32bit NDR.
    const BIND_BE: &str = "05000b0300000000004800000000000110b810b8000000000100000000000100123456781234abcdef0001234567cffb000100008a885d041ceb11c99fe808002b10486000020000";
    // Frame 19: bind_ack, max_xmit 4280, 0 results.
    const BIND_ACK_BE: &str =
        "05000c0300000000003800000000000110b810b800000001000000000000000100000000045d888aeb1cc9119fe808002b10486002000000";
    // Frame 20: bind_nak, reason not specified (0).
    const BIND_NAK_BE: &str = "05000d030000000000180000000000010000000000000000";
    // Frame 61: request, call 1, context 0, opnum 8, alloc hint 100.
    const REQUEST_BE: &str = "0500000300000000002c00000000000100000064000000080000000000000000000000000000000000000000";
    // Frames 26, 27 (little endian): alter_context to svcctl and its response.
    const ALTER_CONTEXT: &str = "05000e03100000004800000001000000b810b81001000000010000000100010081bb7a364498f135ad3298f03800100301000000045d888aeb1cc9119fe808002b10486002000000";
    const ALTER_CONTEXT_RESP: &str =
        "05000f03100000003800000001000000b810b81001000000000000000100000000000000045d888aeb1cc9119fe808002b10486002000000";
    // Frames 41 and 48: co_cancel (18) and orphaned (19).
    const CO_CANCEL: &str = "050012031000000018000000010000000000000000000000";
    const ORPHANED: &str = "050013031000000018000000010000000000000000000000";

    // suricata-verify/dcerpc/dcerpc-bind-no-frag-flag/input.pcap frame 33: fault, flags 0x23,
    // call 1, context 0, status 0x1c010002.
    const FAULT: &str = "0500032310000000200000000100000020000000000000000200011c00000000";

    // zeek/Traces/dce-rpc/bind-ack-no-inband-null.pcap frames 5, 10, 15: bind_acks whose
    // secondary address has no NUL (tshark and Zeek's baseline: "ABC", "ABC", "X").
    const ACK_ABC: &str =
        "05000c03100000003c00000001000000b810b8107856341203004142430000000100000000000000045d888aeb1cc9119fe808002b10486002000000";
    const ACK_ABC_NUL: &str =
        "05000c03100000003c00000001000000b810b8107856341204004142430000000100000000000000045d888aeb1cc9119fe808002b10486002000000";
    const ACK_X: &str = "05000c03100000003800000001000000b810b81078563412010058000100000000000000045d888aeb1cc9119fe808002b10486002000000";

    const ALL: [&str; 18] = [
        BIND_3109,
        BIND_ACK_3109,
        REQUEST_3109,
        RESPONSE_3109,
        BIND_NTLM_5133,
        REQUEST_PRIVACY_5133,
        BIND_BE,
        BIND_ACK_BE,
        BIND_NAK_BE,
        REQUEST_BE,
        ALTER_CONTEXT,
        ALTER_CONTEXT_RESP,
        CO_CANCEL,
        ORPHANED,
        FAULT,
        ACK_ABC,
        ACK_ABC_NUL,
        ACK_X,
    ];

    fn pdu(text: &str) -> Pdu<'static> {
        let bytes: &'static [u8] = Box::leak(hex(text).into_boxed_slice());
        parse_pdu(bytes).expect("real PDU parses")
    }

    #[test]
    fn bind_with_three_contexts() {
        let bind = pdu(BIND_3109);
        assert_eq!(bind.header.packet_type, PacketType::Bind);
        assert_eq!(bind.header.call_id, 2);
        assert_eq!(bind.header.frag_length, 160);
        assert!(bind.header.is_first_frag() && bind.header.is_last_frag());
        assert_eq!(bind.header.byte_order(), ByteOrder::Little);
        let PduBody::Bind(body) = bind.body else { panic!("not a bind") };
        assert_eq!((body.max_xmit_frag, body.max_recv_frag), (4280, 4280));
        assert_eq!(body.contexts.len(), 3);
        let atsvc = uuid("1ff70682-0a51-30e8-076d-740be8cee98b");
        let transfer: Vec<Uuid> = body
            .contexts
            .iter()
            .map(|context| {
                assert_eq!(context.abstract_syntax.uuid, atsvc);
                assert_eq!(context.abstract_syntax.version, 1);
                assert_eq!(context.transfer_syntaxes.len(), 1);
                context.transfer_syntaxes[0].uuid
            })
            .collect();
        assert_eq!(transfer, [NDR32_SYNTAX, NDR64_SYNTAX, uuid("6cb71c2c-9812-4540-0300-000000000000")]);
        assert_eq!(bind.auth, None);
        assert!(looks_like_dcerpc_bind(&hex(BIND_3109)));
    }

    #[test]
    fn bind_ack_results_after_secondary_address() {
        let ack = pdu(BIND_ACK_3109);
        let PduBody::BindAck(body) = ack.body else { panic!("not a bind_ack") };
        assert_eq!(body.assoc_group_id, 0x0ad8);
        assert_eq!(body.secondary_address_str(), Some("\\PIPE\\atsvc"));
        let results: Vec<u16> = body.results.iter().map(|result| result.result).collect();
        assert_eq!(results, [RESULT_PROVIDER_REJECTION, RESULT_ACCEPTANCE, RESULT_NEGOTIATE_ACK]);
        assert!(body.results[1].is_accepted());
        assert_eq!(body.results[1].transfer_syntax.uuid, NDR64_SYNTAX);
    }

    #[test]
    fn secondary_address_without_nul() {
        let names: Vec<Option<String>> = [ACK_ABC, ACK_ABC_NUL, ACK_X]
            .iter()
            .map(|text| match pdu(text).body {
                PduBody::BindAck(body) => {
                    assert_eq!(body.results.len(), 1);
                    assert_eq!(body.results[0].transfer_syntax.uuid, NDR32_SYNTAX);
                    body.secondary_address_str().map(str::to_owned)
                }
                other => panic!("not a bind_ack: {other:?}"),
            })
            .collect();
        assert_eq!(names, [Some("ABC".into()), Some("ABC".into()), Some("X".into())]);
    }

    #[test]
    fn request_and_response() {
        let request = pdu(REQUEST_3109);
        let PduBody::Request(body) = request.body else { panic!("not a request") };
        assert_eq!((body.context_id, body.opnum, body.alloc_hint), (1, 0, 136));
        assert_eq!(body.object, None);
        assert_eq!(body.stub.len(), 136);
        let response = pdu(RESPONSE_3109);
        let PduBody::Response(body) = response.body else { panic!("not a response") };
        assert_eq!((response.header.call_id, body.context_id), (2, 1));
        assert_eq!(body.stub.len(), 8);
    }

    #[test]
    fn auth_verifier_of_bind_and_private_request() {
        let bind = pdu(BIND_NTLM_5133);
        assert_eq!(bind.header.flags, 0x07);
        let auth = bind.auth.expect("verifier");
        assert_eq!(auth.auth_type, AuthType::Ntlmssp);
        assert_eq!(auth.auth_level, AuthLevel::Privacy);
        assert_eq!(auth.auth_level.as_str(), "privacy");
        assert_eq!(auth.token.len(), 40);
        assert!(auth.token.starts_with(b"NTLMSSP\0\x01\0\0\0"));
        // The token is never printed.
        assert!(!format!("{auth:?}").contains("NTLMSSP"));
        let PduBody::Bind(body) = bind.body else { panic!("not a bind") };
        assert_eq!(body.contexts.len(), 2);
        assert_eq!(body.contexts[0].abstract_syntax.uuid, uuid("367abb81-9844-35f1-ad32-98f038001003"));

        let request = pdu(REQUEST_PRIVACY_5133);
        let auth = request.auth.expect("verifier");
        assert_eq!((auth.pad_length, auth.context_id), (4, 0));
        assert_eq!(auth.token.len(), 16);
        let PduBody::Request(body) = request.body else { panic!("not a request") };
        assert_eq!((body.opnum, body.context_id, body.alloc_hint), (24, 0, 284));
        // 336 - 24 header - 8 trailer - 16 token - 4 pad.
        assert_eq!(body.stub.len(), 284);
    }

    #[test]
    fn big_endian_pdus() {
        let bind = pdu(BIND_BE);
        assert_eq!(bind.header.byte_order(), ByteOrder::Big);
        assert_eq!(bind.header.frag_length, 72);
        let PduBody::Bind(body) = bind.body else { panic!("not a bind") };
        assert_eq!(body.max_xmit_frag, 4280);
        let context = &body.contexts[0];
        assert_eq!(context.abstract_syntax.uuid, uuid("12345678-1234-abcd-ef00-01234567cffb"));
        // tshark: "RPC_NETLOGON V0.1" (if_version read as one big-endian u32).
        assert_eq!((context.abstract_syntax.version, context.abstract_syntax.version_minor), (0, 1));
        assert_eq!(context.transfer_syntaxes[0].uuid, NDR32_SYNTAX);
        assert!(looks_like_dcerpc_bind(&hex(BIND_BE)));

        let PduBody::BindAck(ack) = pdu(BIND_ACK_BE).body else { panic!("not a bind_ack") };
        assert_eq!((ack.max_xmit_frag, ack.results.len()), (4280, 0));
        let PduBody::BindNak(nak) = pdu(BIND_NAK_BE).body else { panic!("not a bind_nak") };
        assert_eq!(nak.reject_reason, 0);
        let request = pdu(REQUEST_BE);
        let PduBody::Request(body) = request.body else { panic!("not a request") };
        assert_eq!((body.opnum, body.context_id, body.alloc_hint), (8, 0, 100));
        assert_eq!(request.header.call_id, 1);
    }

    #[test]
    fn other_packet_types() {
        assert!(matches!(pdu(ALTER_CONTEXT).body, PduBody::AlterContext(ref body) if body.contexts.len() == 1));
        assert!(matches!(pdu(ALTER_CONTEXT_RESP).body, PduBody::AlterContextResp(ref body) if body.results[0].is_accepted()));
        assert_eq!(pdu(CO_CANCEL).body, PduBody::CoCancel);
        assert_eq!(pdu(ORPHANED).body, PduBody::Orphaned);
        let fault = pdu(FAULT);
        assert_eq!(fault.header.flags, PFC_FIRST_FRAG | PFC_LAST_FRAG | PFC_DID_NOT_EXECUTE);
        let PduBody::Fault(body) = fault.body else { panic!("not a fault") };
        assert_eq!((body.status, body.context_id), (0x1c01_0002, 0));
    }

    #[test]
    fn framing_a_stream() {
        let mut stream = hex(BIND_3109);
        stream.extend(hex(REQUEST_3109));
        let Frame::Complete { len, .. } = frame_pdu(&stream) else { panic!("bind not framed") };
        assert_eq!(len, 160);
        let rest = &stream[len..];
        assert!(matches!(frame_pdu(rest), Frame::Complete { len: 160, .. }));
        assert_eq!(frame_pdu(&rest[..100]), Frame::Incomplete { needed: 60 });
        assert_eq!(frame_pdu(&rest[..10]), Frame::Incomplete { needed: 6 });
        assert!(matches!(frame_pdu(b"GET / HTTP/1.1\r\nHost: x\r\n"), Frame::Invalid { skip: None, .. }));
        // A sane header with a body that contradicts it can be skipped.
        let mut bad = hex(BIND_3109);
        bad[24] = 200; // n_context_elem beyond the bytes present
        assert!(matches!(frame_pdu(&bad), Frame::Invalid { skip: Some(160), .. }));
    }

    #[test]
    fn header_checks() {
        let mut bytes = hex(REQUEST_3109);
        bytes[0] = 4;
        assert_eq!(parse_header(&bytes), Err(DceRpcError::BadVersion { major: 4, minor: 0 }));
        bytes[0] = 5;
        bytes[2] = 1; // connectionless ping
        assert_eq!(parse_header(&bytes), Err(DceRpcError::UnknownPacketType(1)));
        bytes[2] = 0;
        bytes[10] = 0xff; // auth_length larger than the fragment
        assert!(matches!(parse_header(&bytes), Err(DceRpcError::BadAuthLength { .. })));
        assert!(!looks_like_dcerpc_bind(&hex(REQUEST_3109)));
        assert!(!looks_like_dcerpc_bind(&[5, 0, 11]));
        // A conversation picked up after its bind starts with its alter_context.
        assert!(looks_like_dcerpc_bind(&hex(ALTER_CONTEXT)));
        assert!(!looks_like_dcerpc_bind(&hex(ALTER_CONTEXT_RESP)));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = frame_pdu(&bytes);
            let _ = parse_pdu(&bytes);
            let _ = looks_like_dcerpc_bind(&bytes);
        }

        #[test]
        fn mutated_real_pdus_never_panic(
            index in 0..ALL.len(),
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        ) {
            let mut bytes = hex(ALL[index]);
            for (position, value) in edits {
                let len = bytes.len();
                bytes[position % len] = value;
            }
            let _ = frame_pdu(&bytes);
        }
    }

    #[test]
    fn every_truncation_of_real_pdus() {
        for text in ALL {
            let bytes = hex(text);
            for end in 0..bytes.len() {
                assert!(matches!(frame_pdu(&bytes[..end]), Frame::Incomplete { .. }), "{text} cut at {end}");
                let _ = parse_pdu(&bytes[..end]);
            }
            assert!(matches!(frame_pdu(&bytes), Frame::Complete { .. }));
        }
    }
}
