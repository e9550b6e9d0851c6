//! SMB2/SMB3 messages (MS-SMB2 2.2): the 64-byte header, compound chains, and the bodies that
//! say something about a session's security (NEGOTIATE with its contexts, SESSION_SETUP,
//! TREE_CONNECT) or carry named-pipe traffic (CREATE, READ, WRITE, IOCTL, CLOSE).
//!
//! Body parsers take a whole [`Smb2Message`] because SMB2 buffer offsets count from the start
//! of the message's header. A response whose body is the ERROR response (StructureSize 9) is
//! reported as [`SmbError::ErrorResponse`], never misread as the command's own body.

use nom::bytes::complete::{tag, take};
use nom::number::complete::{le_u16, le_u32, le_u64, u8 as byte};

use crate::error::{SmbError, SmbResult};
use crate::util::{slice_at, slice_clamped, trim_nuls, utf16le_lossy};

/// Protocol id of an SMB2 message.
pub const SMB2_MAGIC: &[u8; 4] = b"\xFESMB";
/// Size of the SMB2 header.
pub const SMB2_HEADER_LEN: usize = 64;

/// SMB2 NEGOTIATE.
pub const SMB2_NEGOTIATE: u16 = 0x0000;
/// SMB2 SESSION_SETUP.
pub const SMB2_SESSION_SETUP: u16 = 0x0001;
/// SMB2 LOGOFF.
pub const SMB2_LOGOFF: u16 = 0x0002;
/// SMB2 TREE_CONNECT.
pub const SMB2_TREE_CONNECT: u16 = 0x0003;
/// SMB2 TREE_DISCONNECT.
pub const SMB2_TREE_DISCONNECT: u16 = 0x0004;
/// SMB2 CREATE.
pub const SMB2_CREATE: u16 = 0x0005;
/// SMB2 CLOSE.
pub const SMB2_CLOSE: u16 = 0x0006;
/// SMB2 READ.
pub const SMB2_READ: u16 = 0x0008;
/// SMB2 WRITE.
pub const SMB2_WRITE: u16 = 0x0009;
/// SMB2 IOCTL.
pub const SMB2_IOCTL: u16 = 0x000B;

/// Header flag: the message is a response.
pub const SMB2_FLAGS_SERVER_TO_REDIR: u32 = 0x0000_0001;
/// Header flag: async form (AsyncId instead of ProcessId/TreeId).
pub const SMB2_FLAGS_ASYNC_COMMAND: u32 = 0x0000_0002;
/// Header flag: related operation in a compound chain.
pub const SMB2_FLAGS_RELATED_OPERATIONS: u32 = 0x0000_0004;
/// Header flag: the message is signed.
pub const SMB2_FLAGS_SIGNED: u32 = 0x0000_0008;

/// SecurityMode: signing enabled.
pub const SMB2_NEGOTIATE_SIGNING_ENABLED: u16 = 0x0001;
/// SecurityMode: signing required.
pub const SMB2_NEGOTIATE_SIGNING_REQUIRED: u16 = 0x0002;
/// Capability: the peer supports encryption (SMB 3.0/3.0.2).
pub const SMB2_GLOBAL_CAP_ENCRYPTION: u32 = 0x0000_0040;

/// SessionFlags: the session is a guest session.
pub const SMB2_SESSION_FLAG_IS_GUEST: u16 = 0x0001;
/// SessionFlags: the session is anonymous (null session).
pub const SMB2_SESSION_FLAG_IS_NULL: u16 = 0x0002;
/// SessionFlags: the server requires encryption on the session.
pub const SMB2_SESSION_FLAG_ENCRYPT_DATA: u16 = 0x0004;

/// ShareType: disk.
pub const SMB2_SHARE_TYPE_DISK: u8 = 0x01;
/// ShareType: named pipe (IPC$).
pub const SMB2_SHARE_TYPE_PIPE: u8 = 0x02;
/// ShareType: printer.
pub const SMB2_SHARE_TYPE_PRINT: u8 = 0x03;
/// ShareFlags: the share requires encryption (0x8000 per MS-SMB2 2.2.10 and Wireshark).
pub const SMB2_SHAREFLAG_ENCRYPT_DATA: u32 = 0x0000_8000;
/// TREE_CONNECT request flag (3.1.1): the Buffer starts with the request extension.
pub const SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT: u16 = 0x0004;

/// IOCTL CtlCode: transact on a named pipe (DCE/RPC over SMB2).
pub const FSCTL_PIPE_TRANSCEIVE: u32 = 0x0011_C017;
/// IOCTL CtlCode: wait for a named pipe.
pub const FSCTL_PIPE_WAIT: u32 = 0x0011_0018;
/// IOCTL CtlCode: validate the negotiate (downgrade protection, 3.0/3.0.2).
pub const FSCTL_VALIDATE_NEGOTIATE_INFO: u32 = 0x0014_0204;
/// IOCTL CtlCode: DFS referral.
pub const FSCTL_DFS_GET_REFERRALS: u32 = 0x0006_0194;

/// Negotiate context: SMB2_PREAUTH_INTEGRITY_CAPABILITIES.
pub const SMB2_PREAUTH_INTEGRITY_CAPABILITIES: u16 = 0x0001;
/// Negotiate context: SMB2_ENCRYPTION_CAPABILITIES.
pub const SMB2_ENCRYPTION_CAPABILITIES: u16 = 0x0002;
/// Negotiate context: SMB2_COMPRESSION_CAPABILITIES.
pub const SMB2_COMPRESSION_CAPABILITIES: u16 = 0x0003;
/// Negotiate context: SMB2_NETNAME_NEGOTIATE_CONTEXT_ID.
pub const SMB2_NETNAME_NEGOTIATE_CONTEXT_ID: u16 = 0x0005;
/// Negotiate context: SMB2_TRANSPORT_CAPABILITIES.
pub const SMB2_TRANSPORT_CAPABILITIES: u16 = 0x0006;
/// Negotiate context: SMB2_RDMA_TRANSFORM_CAPABILITIES.
pub const SMB2_RDMA_TRANSFORM_CAPABILITIES: u16 = 0x0007;
/// Negotiate context: SMB2_SIGNING_CAPABILITIES.
pub const SMB2_SIGNING_CAPABILITIES: u16 = 0x0008;

const STATUS_SUCCESS: u32 = 0;
const STATUS_MORE_PROCESSING_REQUIRED: u32 = 0xC000_0016;
/// StructureSize of the ERROR response body.
const ERROR_STRUCTURE_SIZE: u16 = 9;

/// The SMB2 packet header (MS-SMB2 2.2.1), sync or async form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2Header {
    /// CreditCharge.
    pub credit_charge: u16,
    /// NT status in responses; ChannelSequence/Reserved in requests.
    pub status: u32,
    /// Command code (`SMB2_NEGOTIATE`, ...).
    pub command: u16,
    /// CreditRequest / CreditResponse.
    pub credits: u16,
    /// Flags (`SMB2_FLAGS_*`).
    pub flags: u32,
    /// Offset of the next message of a compound chain from this header, 0 for the last.
    pub next_command: u32,
    /// MessageId.
    pub message_id: u64,
    /// AsyncId (async form only).
    pub async_id: Option<u64>,
    /// TreeId (sync form only).
    pub tree_id: Option<u32>,
    /// SessionId.
    pub session_id: u64,
    /// Signature (zero when unsigned).
    pub signature: [u8; 16],
}

impl Smb2Header {
    /// A response (SERVER_TO_REDIR).
    pub fn is_response(&self) -> bool {
        self.flags & SMB2_FLAGS_SERVER_TO_REDIR != 0
    }
    /// Async form.
    pub fn is_async(&self) -> bool {
        self.flags & SMB2_FLAGS_ASYNC_COMMAND != 0
    }
    /// A related operation of a compound chain.
    pub fn is_related(&self) -> bool {
        self.flags & SMB2_FLAGS_RELATED_OPERATIONS != 0
    }
    /// The SIGNED flag is set.
    pub fn is_signed(&self) -> bool {
        self.flags & SMB2_FLAGS_SIGNED != 0
    }
}

/// Parses the 64-byte header at the start of `i`.
pub fn parse_smb2_header(i: &[u8]) -> SmbResult<Smb2Header> {
    let (i, _) = tag(&SMB2_MAGIC[..])(i)?;
    let (i, structure_size) = le_u16(i)?;
    if structure_size != SMB2_HEADER_LEN as u16 {
        return Err(SmbError::StructureSize { expected: SMB2_HEADER_LEN as u16, found: structure_size });
    }
    let (i, credit_charge) = le_u16(i)?;
    let (i, status) = le_u32(i)?;
    let (i, command) = le_u16(i)?;
    let (i, credits) = le_u16(i)?;
    let (i, flags) = le_u32(i)?;
    let (i, next_command) = le_u32(i)?;
    let (i, message_id) = le_u64(i)?;
    let (i, (async_id, tree_id)) = if flags & SMB2_FLAGS_ASYNC_COMMAND != 0 {
        let (i, async_id) = le_u64(i)?;
        (i, (Some(async_id), None))
    } else {
        let (i, _process_id) = le_u32(i)?;
        let (i, tree_id) = le_u32(i)?;
        (i, (None, Some(tree_id)))
    };
    let (i, session_id) = le_u64(i)?;
    let (_, signature) = take(16usize)(i)?;
    Ok(Smb2Header {
        credit_charge,
        status,
        command,
        credits,
        flags,
        next_command,
        message_id,
        async_id,
        tree_id,
        session_id,
        signature: signature.try_into().map_err(|_| SmbError::Truncated)?,
    })
}

/// One SMB2 message: its header and its bytes (header included, cut at NextCommand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2Message<'a> {
    /// The parsed header.
    pub header: Smb2Header,
    /// The whole message, header included; body offsets count from its start.
    pub raw: &'a [u8],
}

impl<'a> Smb2Message<'a> {
    /// The bytes after the header.
    pub fn body(&self) -> &'a [u8] {
        self.raw.get(SMB2_HEADER_LEN..).unwrap_or_default()
    }
}

/// Iterator over the messages of a compound chain (MS-SMB2 3.2.4.1.4): each NextCommand must
/// be at least a header long and point inside the data, so the walk always moves forward and
/// ends. A malformed element yields one `Err` and ends the walk.
#[derive(Debug, Clone)]
pub struct Smb2Compound<'a> {
    rest: &'a [u8],
    done: bool,
    /// `rest` is the head of a longer message: an element reaching past it is yielded cut
    /// short, and a header cut short ends the walk (both are where the message goes on).
    prefix: bool,
}

/// Walks the compound chain in `data` (the payload of one NBSS frame).
pub fn smb2_compound(data: &[u8]) -> Smb2Compound<'_> {
    Smb2Compound { rest: data, done: data.is_empty(), prefix: false }
}

/// Walks the compound chain in the first bytes of a longer message (its bulk is skipped as it
/// streams by): the element the data ends in is yielded cut short, its `next_command` telling
/// where the chain goes on.
pub fn smb2_compound_prefix(data: &[u8]) -> Smb2Compound<'_> {
    Smb2Compound { rest: data, done: data.is_empty(), prefix: true }
}

impl<'a> Iterator for Smb2Compound<'a> {
    type Item = SmbResult<Smb2Message<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let header = match parse_smb2_header(self.rest) {
            Ok(h) => h,
            Err(_) if self.prefix && self.rest.len() < SMB2_HEADER_LEN => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let next = header.next_command as usize;
        if next == 0 || (self.prefix && next >= SMB2_HEADER_LEN && next >= self.rest.len()) {
            self.done = true;
            return Some(Ok(Smb2Message { header, raw: self.rest }));
        }
        if next < SMB2_HEADER_LEN || next >= self.rest.len() {
            self.done = true;
            return Some(Err(SmbError::Malformed("NextCommand out of range")));
        }
        let (raw, rest) = self.rest.split_at(next);
        self.rest = rest;
        Some(Ok(Smb2Message { header, raw }))
    }
}

/// Reads the body's StructureSize and checks it against the command's, telling an ERROR
/// response apart. Session setup responses share StructureSize 9 with the ERROR body: they
/// count as errors only when the status is an error other than MORE_PROCESSING_REQUIRED.
fn fixed_body<'a>(m: &Smb2Message<'a>, expected: u16) -> SmbResult<&'a [u8]> {
    let body = m.body();
    let (rest, size) = le_u16(body)?;
    let status = m.header.status;
    if m.header.is_response() && size == ERROR_STRUCTURE_SIZE && status != STATUS_SUCCESS {
        let is_error_severity = status >> 30 == 3;
        if expected != ERROR_STRUCTURE_SIZE || (is_error_severity && status != STATUS_MORE_PROCESSING_REQUIRED) {
            return Err(SmbError::ErrorResponse(status));
        }
    }
    if size != expected {
        return Err(SmbError::StructureSize { expected, found: size });
    }
    Ok(rest)
}

/// A buffer given by an (offset from the header, length) pair; empty when the length is 0.
fn buffer_at<'a>(m: &Smb2Message<'a>, offset: u32, len: u32) -> SmbResult<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    slice_at(m.raw, offset as usize, len as usize)
}

/// The SMB2 ERROR response body (MS-SMB2 2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2ErrorResponse<'a> {
    /// The header's status.
    pub status: u32,
    /// ErrorContextCount (3.1.1).
    pub error_context_count: u8,
    /// ErrorData.
    pub data: &'a [u8],
}

/// Parses an ERROR response body.
pub fn parse_error_response<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2ErrorResponse<'a>> {
    let (i, size) = le_u16(m.body())?;
    if size != ERROR_STRUCTURE_SIZE {
        return Err(SmbError::StructureSize { expected: ERROR_STRUCTURE_SIZE, found: size });
    }
    let (i, error_context_count) = byte(i)?;
    let (i, _reserved) = byte(i)?;
    let (i, byte_count) = le_u32(i)?;
    Ok(Smb2ErrorResponse { status: m.header.status, error_context_count, data: slice_clamped(i, 0, byte_count as usize) })
}

/// One negotiate context (MS-SMB2 2.2.3.1 / 2.2.4.1). A known type whose data does not
/// parse is kept as `Unknown` with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NegotiateContext<'a> {
    /// PREAUTH_INTEGRITY_CAPABILITIES: hash algorithm ids (1 = SHA-512) and the salt length.
    PreauthIntegrity {
        /// HashAlgorithms.
        hash_algorithms: Vec<u16>,
        /// SaltLength.
        salt_len: u16,
    },
    /// ENCRYPTION_CAPABILITIES: cipher ids in preference order (the response holds one).
    Encryption {
        /// Ciphers.
        ciphers: Vec<u16>,
    },
    /// COMPRESSION_CAPABILITIES.
    Compression {
        /// Flags (1 = chained compression supported).
        flags: u32,
        /// CompressionAlgorithms.
        algorithms: Vec<u16>,
    },
    /// NETNAME_NEGOTIATE_CONTEXT_ID: the server name the client connects to.
    NetName(String),
    /// TRANSPORT_CAPABILITIES.
    Transport {
        /// Flags (1 = accept transport-level security, e.g. QUIC).
        flags: u32,
    },
    /// RDMA_TRANSFORM_CAPABILITIES.
    RdmaTransform {
        /// RDMATransformIds.
        transforms: Vec<u16>,
    },
    /// SIGNING_CAPABILITIES: signing algorithm ids (0 HMAC-SHA256, 1 AES-CMAC, 2 AES-GMAC).
    Signing {
        /// SigningAlgorithms.
        algorithms: Vec<u16>,
    },
    /// Any other context type, or a known one whose data is malformed.
    Unknown {
        /// ContextType.
        context_type: u16,
        /// Data.
        data: &'a [u8],
    },
}

/// `count` little-endian u16 values, all of which must be present.
fn u16_array(i: &[u8], count: u16) -> SmbResult<(&[u8], Vec<u16>)> {
    let (rest, raw) = take(usize::from(count) * 2)(i)?;
    let values = raw
        .chunks_exact(2)
        .map(|c| match c {
            [lo, hi] => u16::from_le_bytes([*lo, *hi]),
            _ => 0,
        })
        .collect();
    Ok((rest, values))
}

fn parse_context_data(context_type: u16, data: &[u8]) -> SmbResult<NegotiateContext<'_>> {
    Ok(match context_type {
        SMB2_PREAUTH_INTEGRITY_CAPABILITIES => {
            let (i, count) = le_u16(data)?;
            let (i, salt_len) = le_u16(i)?;
            let (_, hash_algorithms) = u16_array(i, count)?;
            NegotiateContext::PreauthIntegrity { hash_algorithms, salt_len }
        }
        SMB2_ENCRYPTION_CAPABILITIES => {
            let (i, count) = le_u16(data)?;
            let (_, ciphers) = u16_array(i, count)?;
            NegotiateContext::Encryption { ciphers }
        }
        SMB2_COMPRESSION_CAPABILITIES => {
            let (i, count) = le_u16(data)?;
            let (i, _padding) = le_u16(i)?;
            let (i, flags) = le_u32(i)?;
            let (_, algorithms) = u16_array(i, count)?;
            NegotiateContext::Compression { flags, algorithms }
        }
        SMB2_NETNAME_NEGOTIATE_CONTEXT_ID => NegotiateContext::NetName(trim_nuls(utf16le_lossy(data))),
        SMB2_TRANSPORT_CAPABILITIES => {
            let (_, flags) = le_u32(data)?;
            NegotiateContext::Transport { flags }
        }
        SMB2_RDMA_TRANSFORM_CAPABILITIES => {
            let (i, count) = le_u16(data)?;
            let (i, _reserved) = take(6usize)(i)?;
            let (_, transforms) = u16_array(i, count)?;
            NegotiateContext::RdmaTransform { transforms }
        }
        SMB2_SIGNING_CAPABILITIES => {
            let (i, count) = le_u16(data)?;
            let (_, algorithms) = u16_array(i, count)?;
            NegotiateContext::Signing { algorithms }
        }
        _ => NegotiateContext::Unknown { context_type, data },
    })
}

/// Parses `count` negotiate contexts starting at `offset` from the header; each context
/// starts 8-byte aligned (relative to the header), padding between them is skipped.
fn parse_negotiate_contexts<'a>(m: &Smb2Message<'a>, offset: u32, count: u16) -> SmbResult<Vec<NegotiateContext<'a>>> {
    let mut contexts = Vec::new();
    let mut pos = offset as usize;
    for _ in 0..count {
        pos = pos.checked_next_multiple_of(8).ok_or(SmbError::Truncated)?;
        let i = m.raw.get(pos..).ok_or(SmbError::Truncated)?;
        let (i, context_type) = le_u16(i)?;
        let (i, data_len) = le_u16(i)?;
        let (i, _reserved) = le_u32(i)?;
        let (_, data) = take(data_len)(i)?;
        contexts.push(parse_context_data(context_type, data).unwrap_or(NegotiateContext::Unknown { context_type, data }));
        pos += 8 + usize::from(data_len);
    }
    Ok(contexts)
}

/// NEGOTIATE request (MS-SMB2 2.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb2NegotiateRequest<'a> {
    /// Dialects offered (0x0202, 0x0210, 0x0300, 0x0302, 0x0311, ...).
    pub dialects: Vec<u16>,
    /// SecurityMode (`SMB2_NEGOTIATE_SIGNING_*`).
    pub security_mode: u16,
    /// Capabilities.
    pub capabilities: u32,
    /// ClientGuid.
    pub client_guid: [u8; 16],
    /// Negotiate contexts (only when 0x0311 is offered).
    pub contexts: Vec<NegotiateContext<'a>>,
}

impl Smb2NegotiateRequest<'_> {
    /// The client requires signing.
    pub fn signing_required(&self) -> bool {
        self.security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED != 0
    }
}

/// Parses a NEGOTIATE request.
pub fn parse_negotiate_request<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2NegotiateRequest<'a>> {
    let i = fixed_body(m, 36)?;
    let (i, dialect_count) = le_u16(i)?;
    let (i, security_mode) = le_u16(i)?;
    let (i, _reserved) = le_u16(i)?;
    let (i, capabilities) = le_u32(i)?;
    let (i, client_guid) = take(16usize)(i)?;
    // NegotiateContextOffset/Count/Reserved2 in 3.1.1, ClientStartTime before it.
    let (i, context_offset) = le_u32(i)?;
    let (i, context_count) = le_u16(i)?;
    let (i, _reserved2) = le_u16(i)?;
    let (_, dialects) = u16_array(i, dialect_count)?;
    let contexts = if dialects.contains(&0x0311) && context_count > 0 {
        parse_negotiate_contexts(m, context_offset, context_count)?
    } else {
        Vec::new()
    };
    Ok(Smb2NegotiateRequest {
        dialects,
        security_mode,
        capabilities,
        client_guid: client_guid.try_into().map_err(|_| SmbError::Truncated)?,
        contexts,
    })
}

/// NEGOTIATE response (MS-SMB2 2.2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb2NegotiateResponse<'a> {
    /// SecurityMode (`SMB2_NEGOTIATE_SIGNING_*`).
    pub security_mode: u16,
    /// DialectRevision (0x02FF after an SMB1 multi-protocol negotiate).
    pub dialect: u16,
    /// ServerGuid.
    pub server_guid: [u8; 16],
    /// Capabilities.
    pub capabilities: u32,
    /// MaxTransactSize.
    pub max_transact_size: u32,
    /// MaxReadSize.
    pub max_read_size: u32,
    /// MaxWriteSize.
    pub max_write_size: u32,
    /// Security buffer (GSS-API/SPNEGO init token), possibly empty.
    pub security_buffer: &'a [u8],
    /// Negotiate contexts (3.1.1 only).
    pub contexts: Vec<NegotiateContext<'a>>,
}

impl Smb2NegotiateResponse<'_> {
    /// The server requires signing.
    pub fn signing_required(&self) -> bool {
        self.security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED != 0
    }
}

/// Parses a NEGOTIATE response.
pub fn parse_negotiate_response<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2NegotiateResponse<'a>> {
    let i = fixed_body(m, 65)?;
    let (i, security_mode) = le_u16(i)?;
    let (i, dialect) = le_u16(i)?;
    let (i, context_count) = le_u16(i)?;
    let (i, server_guid) = take(16usize)(i)?;
    let (i, capabilities) = le_u32(i)?;
    let (i, max_transact_size) = le_u32(i)?;
    let (i, max_read_size) = le_u32(i)?;
    let (i, max_write_size) = le_u32(i)?;
    let (i, _system_time) = le_u64(i)?;
    let (i, _server_start_time) = le_u64(i)?;
    let (i, sec_offset) = le_u16(i)?;
    let (i, sec_len) = le_u16(i)?;
    let (_, context_offset) = le_u32(i)?;
    let security_buffer = buffer_at(m, sec_offset.into(), sec_len.into())?;
    let contexts =
        if dialect == 0x0311 && context_count > 0 { parse_negotiate_contexts(m, context_offset, context_count)? } else { Vec::new() };
    Ok(Smb2NegotiateResponse {
        security_mode,
        dialect,
        server_guid: server_guid.try_into().map_err(|_| SmbError::Truncated)?,
        capabilities,
        max_transact_size,
        max_read_size,
        max_write_size,
        security_buffer,
        contexts,
    })
}

/// SESSION_SETUP request (MS-SMB2 2.2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2SessionSetupRequest<'a> {
    /// Flags (1 = SMB2_SESSION_FLAG_BINDING, a multichannel binding).
    pub flags: u8,
    /// SecurityMode (`SMB2_NEGOTIATE_SIGNING_*`, one byte here).
    pub security_mode: u8,
    /// Capabilities.
    pub capabilities: u32,
    /// PreviousSessionId (reconnect).
    pub previous_session_id: u64,
    /// Security buffer (SPNEGO / NTLMSSP / Kerberos token).
    pub security_buffer: &'a [u8],
}

/// Parses a SESSION_SETUP request.
pub fn parse_session_setup_request<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2SessionSetupRequest<'a>> {
    let i = fixed_body(m, 25)?;
    let (i, flags) = byte(i)?;
    let (i, security_mode) = byte(i)?;
    let (i, capabilities) = le_u32(i)?;
    let (i, _channel) = le_u32(i)?;
    let (i, sec_offset) = le_u16(i)?;
    let (i, sec_len) = le_u16(i)?;
    let (_, previous_session_id) = le_u64(i)?;
    Ok(Smb2SessionSetupRequest {
        flags,
        security_mode,
        capabilities,
        previous_session_id,
        security_buffer: buffer_at(m, sec_offset.into(), sec_len.into())?,
    })
}

/// SESSION_SETUP response (MS-SMB2 2.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2SessionSetupResponse<'a> {
    /// SessionFlags (`SMB2_SESSION_FLAG_*`).
    pub session_flags: u16,
    /// Security buffer (SPNEGO / NTLMSSP / Kerberos token).
    pub security_buffer: &'a [u8],
}

impl Smb2SessionSetupResponse<'_> {
    /// IS_GUEST.
    pub fn is_guest(&self) -> bool {
        self.session_flags & SMB2_SESSION_FLAG_IS_GUEST != 0
    }
    /// IS_NULL (anonymous).
    pub fn is_null(&self) -> bool {
        self.session_flags & SMB2_SESSION_FLAG_IS_NULL != 0
    }
    /// ENCRYPT_DATA.
    pub fn encrypt_data(&self) -> bool {
        self.session_flags & SMB2_SESSION_FLAG_ENCRYPT_DATA != 0
    }
}

/// Parses a SESSION_SETUP response (status SUCCESS or MORE_PROCESSING_REQUIRED; other error
/// statuses give `ErrorResponse`).
pub fn parse_session_setup_response<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2SessionSetupResponse<'a>> {
    let i = fixed_body(m, 9)?;
    let (i, session_flags) = le_u16(i)?;
    let (i, sec_offset) = le_u16(i)?;
    let (_, sec_len) = le_u16(i)?;
    Ok(Smb2SessionSetupResponse { session_flags, security_buffer: buffer_at(m, sec_offset.into(), sec_len.into())? })
}

/// TREE_CONNECT request (MS-SMB2 2.2.9), plain or with the 3.1.1 extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb2TreeConnectRequest {
    /// Flags (3.1.1; reserved before).
    pub flags: u16,
    /// Share path as sent (`\\server\share`).
    pub path: String,
    /// TreeConnectContextCount when the request extension is present.
    pub extension_context_count: Option<u16>,
}

/// Parses a TREE_CONNECT request. PathOffset counts from the header in both forms; with the
/// extension, the path must lie after the extension's 16 fixed bytes.
pub fn parse_tree_connect_request(m: &Smb2Message<'_>) -> SmbResult<Smb2TreeConnectRequest> {
    let i = fixed_body(m, 9)?;
    let (i, flags) = le_u16(i)?;
    let (i, path_offset) = le_u16(i)?;
    let (extension, path_len) = le_u16(i)?;
    let extension_context_count = if flags & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT != 0 {
        let (i, _context_offset) = le_u32(extension)?;
        let (_, count) = le_u16(i)?;
        let extension_end = SMB2_HEADER_LEN + 8 + 16;
        if path_len > 0 && usize::from(path_offset) < extension_end {
            return Err(SmbError::Malformed("tree connect path inside the extension"));
        }
        Some(count)
    } else {
        None
    };
    let path = buffer_at(m, path_offset.into(), path_len.into())?;
    Ok(Smb2TreeConnectRequest { flags, path: trim_nuls(utf16le_lossy(path)), extension_context_count })
}

/// TREE_CONNECT response (MS-SMB2 2.2.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2TreeConnectResponse {
    /// ShareType (`SMB2_SHARE_TYPE_*`).
    pub share_type: u8,
    /// ShareFlags (`SMB2_SHAREFLAG_*`).
    pub share_flags: u32,
    /// Capabilities.
    pub capabilities: u32,
    /// MaximalAccess.
    pub maximal_access: u32,
}

impl Smb2TreeConnectResponse {
    /// The share requires encryption.
    pub fn encrypt_data(&self) -> bool {
        self.share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA != 0
    }
}

/// Parses a TREE_CONNECT response.
pub fn parse_tree_connect_response(m: &Smb2Message<'_>) -> SmbResult<Smb2TreeConnectResponse> {
    let i = fixed_body(m, 16)?;
    let (i, share_type) = byte(i)?;
    let (i, _reserved) = byte(i)?;
    let (i, share_flags) = le_u32(i)?;
    let (i, capabilities) = le_u32(i)?;
    let (_, maximal_access) = le_u32(i)?;
    Ok(Smb2TreeConnectResponse { share_type, share_flags, capabilities, maximal_access })
}

/// An SMB2 FileId (persistent and volatile halves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Smb2FileId {
    /// Persistent.
    pub persistent: u64,
    /// Volatile.
    pub volatile: u64,
}

fn file_id(i: &[u8]) -> SmbResult<(&[u8], Smb2FileId)> {
    let (i, persistent) = le_u64(i)?;
    let (i, volatile) = le_u64(i)?;
    Ok((i, Smb2FileId { persistent, volatile }))
}

/// CREATE request (MS-SMB2 2.2.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb2CreateRequest<'a> {
    /// DesiredAccess.
    pub desired_access: u32,
    /// FileAttributes.
    pub file_attributes: u32,
    /// ShareAccess.
    pub share_access: u32,
    /// CreateDisposition.
    pub create_disposition: u32,
    /// CreateOptions.
    pub create_options: u32,
    /// File or pipe name relative to the share (`"svcctl"`, `"dir\\file.txt"`).
    pub name: String,
    /// Raw create contexts.
    pub create_contexts: &'a [u8],
}

/// Parses a CREATE request.
pub fn parse_create_request<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2CreateRequest<'a>> {
    let i = fixed_body(m, 57)?;
    // SecurityFlags, RequestedOplockLevel, ImpersonationLevel, SmbCreateFlags, Reserved
    let (i, _) = take(22usize)(i)?;
    let (i, desired_access) = le_u32(i)?;
    let (i, file_attributes) = le_u32(i)?;
    let (i, share_access) = le_u32(i)?;
    let (i, create_disposition) = le_u32(i)?;
    let (i, create_options) = le_u32(i)?;
    let (i, name_offset) = le_u16(i)?;
    let (i, name_len) = le_u16(i)?;
    let (i, contexts_offset) = le_u32(i)?;
    let (_, contexts_len) = le_u32(i)?;
    let name = buffer_at(m, name_offset.into(), name_len.into())?;
    Ok(Smb2CreateRequest {
        desired_access,
        file_attributes,
        share_access,
        create_disposition,
        create_options,
        name: trim_nuls(utf16le_lossy(name)),
        create_contexts: buffer_at(m, contexts_offset, contexts_len)?,
    })
}

/// CREATE response (MS-SMB2 2.2.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2CreateResponse {
    /// OplockLevel.
    pub oplock_level: u8,
    /// CreateAction (0 superseded, 1 opened, 2 created, 3 overwritten).
    pub create_action: u32,
    /// EndofFile.
    pub end_of_file: u64,
    /// FileAttributes.
    pub file_attributes: u32,
    /// FileId of the opened file or pipe.
    pub file_id: Smb2FileId,
}

/// Parses a CREATE response.
pub fn parse_create_response(m: &Smb2Message<'_>) -> SmbResult<Smb2CreateResponse> {
    let i = fixed_body(m, 89)?;
    let (i, oplock_level) = byte(i)?;
    let (i, _flags) = byte(i)?;
    let (i, create_action) = le_u32(i)?;
    let (i, _times) = take(32usize)(i)?;
    let (i, _allocation_size) = le_u64(i)?;
    let (i, end_of_file) = le_u64(i)?;
    let (i, file_attributes) = le_u32(i)?;
    let (i, _reserved2) = le_u32(i)?;
    let (_, file_id) = file_id(i)?;
    Ok(Smb2CreateResponse { oplock_level, create_action, end_of_file, file_attributes, file_id })
}

/// CLOSE request (MS-SMB2 2.2.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2CloseRequest {
    /// Flags.
    pub flags: u16,
    /// FileId being closed.
    pub file_id: Smb2FileId,
}

/// Parses a CLOSE request.
pub fn parse_close_request(m: &Smb2Message<'_>) -> SmbResult<Smb2CloseRequest> {
    let i = fixed_body(m, 24)?;
    let (i, flags) = le_u16(i)?;
    let (i, _reserved) = le_u32(i)?;
    let (_, file_id) = file_id(i)?;
    Ok(Smb2CloseRequest { flags, file_id })
}

/// READ request (MS-SMB2 2.2.19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2ReadRequest {
    /// Length to read.
    pub length: u32,
    /// Offset in the file.
    pub offset: u64,
    /// FileId.
    pub file_id: Smb2FileId,
}

/// Parses a READ request.
pub fn parse_read_request(m: &Smb2Message<'_>) -> SmbResult<Smb2ReadRequest> {
    let i = fixed_body(m, 49)?;
    let (i, _padding) = byte(i)?;
    let (i, _flags) = byte(i)?;
    let (i, length) = le_u32(i)?;
    let (i, offset) = le_u64(i)?;
    let (_, file_id) = file_id(i)?;
    Ok(Smb2ReadRequest { length, offset, file_id })
}

/// READ response (MS-SMB2 2.2.20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2ReadResponse<'a> {
    /// DataLength as announced.
    pub data_length: u32,
    /// DataRemaining.
    pub data_remaining: u32,
    /// The data present in the message (shorter than `data_length` if cut short).
    pub data: &'a [u8],
}

/// Parses a READ response (also under STATUS_BUFFER_OVERFLOW, as pipes do).
pub fn parse_read_response<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2ReadResponse<'a>> {
    let i = fixed_body(m, 17)?;
    let (i, data_offset) = byte(i)?;
    let (i, _reserved) = byte(i)?;
    let (i, data_length) = le_u32(i)?;
    let (_, data_remaining) = le_u32(i)?;
    Ok(Smb2ReadResponse { data_length, data_remaining, data: slice_clamped(m.raw, data_offset.into(), data_length as usize) })
}

/// WRITE request (MS-SMB2 2.2.21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2WriteRequest<'a> {
    /// Length as announced.
    pub length: u32,
    /// Offset in the file.
    pub offset: u64,
    /// FileId.
    pub file_id: Smb2FileId,
    /// The data present in the message (shorter than `length` if cut short).
    pub data: &'a [u8],
}

/// Parses a WRITE request.
pub fn parse_write_request<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2WriteRequest<'a>> {
    let i = fixed_body(m, 49)?;
    let (i, data_offset) = le_u16(i)?;
    let (i, length) = le_u32(i)?;
    let (i, offset) = le_u64(i)?;
    let (_, file_id) = file_id(i)?;
    Ok(Smb2WriteRequest { length, offset, file_id, data: slice_clamped(m.raw, data_offset.into(), length as usize) })
}

/// WRITE response (MS-SMB2 2.2.22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2WriteResponse {
    /// Count of bytes written.
    pub count: u32,
}

/// Parses a WRITE response.
pub fn parse_write_response(m: &Smb2Message<'_>) -> SmbResult<Smb2WriteResponse> {
    let i = fixed_body(m, 17)?;
    let (i, _reserved) = le_u16(i)?;
    let (_, count) = le_u32(i)?;
    Ok(Smb2WriteResponse { count })
}

/// IOCTL request or response (MS-SMB2 2.2.31 / 2.2.32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb2Ioctl<'a> {
    /// CtlCode (`FSCTL_PIPE_TRANSCEIVE`, ...).
    pub ctl_code: u32,
    /// FileId.
    pub file_id: Smb2FileId,
    /// Input buffer (present bytes).
    pub input: &'a [u8],
    /// Output buffer (present bytes).
    pub output: &'a [u8],
    /// Flags (1 = SMB2_0_IOCTL_IS_FSCTL).
    pub flags: u32,
}

/// Parses an IOCTL request.
pub fn parse_ioctl_request<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2Ioctl<'a>> {
    parse_ioctl(m, 57, true)
}

/// Parses an IOCTL response (also under STATUS_BUFFER_OVERFLOW, as pipes do).
pub fn parse_ioctl_response<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2Ioctl<'a>> {
    parse_ioctl(m, 49, false)
}

/// The IOCTL body: the request and the response share it, but for the request's
/// MaxInputResponse and MaxOutputResponse after each buffer's offset and count.
fn parse_ioctl<'a>(m: &Smb2Message<'a>, structure_size: u16, request: bool) -> SmbResult<Smb2Ioctl<'a>> {
    let i = fixed_body(m, structure_size)?;
    let (i, _reserved) = le_u16(i)?;
    let (i, ctl_code) = le_u32(i)?;
    let (i, file_id) = file_id(i)?;
    let (i, input_offset) = le_u32(i)?;
    let (mut i, input_count) = le_u32(i)?;
    if request {
        i = le_u32(i)?.0; // MaxInputResponse
    }
    let (i, output_offset) = le_u32(i)?;
    let (mut i, output_count) = le_u32(i)?;
    if request {
        i = le_u32(i)?.0; // MaxOutputResponse
    }
    let (_, flags) = le_u32(i)?;
    Ok(Smb2Ioctl {
        ctl_code,
        file_id,
        input: slice_clamped(m.raw, input_offset as usize, input_count as usize),
        output: slice_clamped(m.raw, output_offset as usize, output_count as usize),
        flags,
    })
}

/// A parsed SMB2 body, chosen by command and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Smb2Body<'a> {
    /// NEGOTIATE request.
    NegotiateRequest(Smb2NegotiateRequest<'a>),
    /// NEGOTIATE response.
    NegotiateResponse(Smb2NegotiateResponse<'a>),
    /// SESSION_SETUP request.
    SessionSetupRequest(Smb2SessionSetupRequest<'a>),
    /// SESSION_SETUP response.
    SessionSetupResponse(Smb2SessionSetupResponse<'a>),
    /// TREE_CONNECT request.
    TreeConnectRequest(Smb2TreeConnectRequest),
    /// TREE_CONNECT response.
    TreeConnectResponse(Smb2TreeConnectResponse),
    /// CREATE request.
    CreateRequest(Smb2CreateRequest<'a>),
    /// CREATE response.
    CreateResponse(Smb2CreateResponse),
    /// CLOSE request.
    CloseRequest(Smb2CloseRequest),
    /// READ request.
    ReadRequest(Smb2ReadRequest),
    /// READ response.
    ReadResponse(Smb2ReadResponse<'a>),
    /// WRITE request.
    WriteRequest(Smb2WriteRequest<'a>),
    /// WRITE response.
    WriteResponse(Smb2WriteResponse),
    /// IOCTL request.
    IoctlRequest(Smb2Ioctl<'a>),
    /// IOCTL response.
    IoctlResponse(Smb2Ioctl<'a>),
    /// The ERROR response body.
    Error(Smb2ErrorResponse<'a>),
    /// A command this crate does not parse (LOGOFF, CLOSE response, QUERY_INFO, ...).
    Other,
}

/// Parses the body of `m` according to its command and direction.
pub fn parse_smb2_body<'a>(m: &Smb2Message<'a>) -> SmbResult<Smb2Body<'a>> {
    let response = m.header.is_response();
    let body = match (m.header.command, response) {
        (SMB2_NEGOTIATE, false) => parse_negotiate_request(m).map(Smb2Body::NegotiateRequest),
        (SMB2_NEGOTIATE, true) => parse_negotiate_response(m).map(Smb2Body::NegotiateResponse),
        (SMB2_SESSION_SETUP, false) => parse_session_setup_request(m).map(Smb2Body::SessionSetupRequest),
        (SMB2_SESSION_SETUP, true) => parse_session_setup_response(m).map(Smb2Body::SessionSetupResponse),
        (SMB2_TREE_CONNECT, false) => parse_tree_connect_request(m).map(Smb2Body::TreeConnectRequest),
        (SMB2_TREE_CONNECT, true) => parse_tree_connect_response(m).map(Smb2Body::TreeConnectResponse),
        (SMB2_CREATE, false) => parse_create_request(m).map(Smb2Body::CreateRequest),
        (SMB2_CREATE, true) => parse_create_response(m).map(Smb2Body::CreateResponse),
        (SMB2_CLOSE, false) => parse_close_request(m).map(Smb2Body::CloseRequest),
        (SMB2_READ, false) => parse_read_request(m).map(Smb2Body::ReadRequest),
        (SMB2_READ, true) => parse_read_response(m).map(Smb2Body::ReadResponse),
        (SMB2_WRITE, false) => parse_write_request(m).map(Smb2Body::WriteRequest),
        (SMB2_WRITE, true) => parse_write_response(m).map(Smb2Body::WriteResponse),
        (SMB2_IOCTL, false) => parse_ioctl_request(m).map(Smb2Body::IoctlRequest),
        (SMB2_IOCTL, true) => parse_ioctl_response(m).map(Smb2Body::IoctlResponse),
        _ if response && m.header.status != STATUS_SUCCESS => Err(SmbError::ErrorResponse(m.header.status)),
        _ => Ok(Smb2Body::Other),
    };
    match body {
        Err(SmbError::ErrorResponse(_)) => match parse_error_response(m) {
            Ok(e) => Ok(Smb2Body::Error(e)),
            // e.g. a CLOSE response with a warning status: not ours to parse
            Err(_) if m.header.status >> 30 != 3 => Ok(Smb2Body::Other),
            Err(e) => Err(e),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::nbss_payload;
    use proptest::prelude::*;

    // TCP payloads (NBSS header included) of public captures under /work/shared/pcaps.
    // Expected values come from tshark 4.x on the same frame.

    /// zeek/Traces/smb/SMBGhost.pcap frame 4: SMB2 NEGOTIATE request, 3.1.1 with PREAUTH and COMPRESSION contexts
    const SMBGHOST_NEG_REQ: &str = "000000c0fe534d42400000000000000000001f0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000024000800010000007f000000000000000000000000000000000000007800000002000000020210022202240200030203100311030000000001002600000000000100200001000000000000000000000000000000000000000000000000000000000000000000000003000a000000000001000000010000000100000000000000";

    /// zeek/Traces/smb/SMBGhost.pcap frame 5: SMB2 NEGOTIATE response, 3.1.1
    const SMBGHOST_NEG_RESP: &str = "00000202fe534d4240000000000000000000010001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000041000100110302007cce6d370bb2d441b86cf7d2a894dae22f0000000000800000008000000080000ac8cb6eb8f7d501000000000000000080004001c00100006082013c06062b0601050502a08201303082012ca01a3018060a2b06010401823702021e060a2b06010401823702020aa282010c048201084e45474f45585453010000000000000060000000700000009327b22464765404cba404c30989391570901cca57252c31d8714e01dd0479603cf662b72efb85e3d502e7c50029b2d90000000000000000600000000100000000000000000000005c33530deaf90d4db2ec4ae3786ec3084e45474f45585453030000000100000040000000980000009327b22464765404cba404c3098939155c33530deaf90d4db2ec4ae3786ec30840000000580000003056a05430523027802530233121301f06035504031318546f6b656e205369676e696e67205075626c6963204b65793027802530233121301f06035504031318546f6b656e205369676e696e67205075626c6963204b65790100260000000000010020000100fb5686ebb88f1eb21fd13f2694a5a533270196963aca2ecca5a8d2f915d72a92000003000a000000000001000000000000000100";

    /// zeek/Traces/smb/smb311.pcap frame 1: SMB2 NEGOTIATE request, contexts 1, 2 and 0x0100
    const SMB311_NEG_REQ: &str = "000000b8fe534d42400000000000000000000200000000000000000000000000000000000b01000000000000000000000000000000000000000000000000000000000000240001000100000077000000b466f294dc014341828b4cefaf39f64b6800000003000000110300000100260000000000010020000100b9247cbf6ee50ba6d8c1a2af2de2af73bab483ed7003e3202514ccd13dd727e400000200040000000000010001000000000000010800000000000000000000000000";

    /// zeek/Traces/smb/smb311.pcap frame 2: SMB2 NEGOTIATE response, 3.1.1, AES-128-CCM
    const SMB311_NEG_RESP: &str = "00000134fe534d42400000000000000000000100010000000000000000000000000000000b0100000000000000000000000000000000000000000000000000000000000041000300110302004b29be9c63ddb6478d1f3dce81383e6927000000000080000000800000008000f54d127914a9d40187bf26da6b6dd40180007800f8000000607606062b0601050502a06c306aa03c303a060a2b06010401823702021e06092a864882f71201020206092a864886f712010202060a2a864886f71201020203060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265010026000000000001002000010017a395280d0d74ec5ae50e1aef85075d55998642d0ebc808e00aad01709a2fb70000020004000000000001000100";

    /// zeek/Traces/smb/smb311.pcap frame 6: SMB2 SESSION_SETUP response, signed
    const SMB311_SESS_RESP: &str = "00000048fe534d42400000000000000001008200090000000000000002000000000000000b01000000000000690000ac1c280000a40707763fffe1927a5bf65fed0f65910900000048000000";

    /// suricata-verify/smb3-01/input.pcap frame 1: SMB2 NEGOTIATE request, 2.0.2..3.0 (no contexts)
    const SMB3_NEG_REQ: &str = "00000066fe534d4240000000000000000000020000000000000000000000000000000000d500000000000000000000000000000000000000000000000000000000000000240001000100000057000000b2fceea195244165893fbf5b2c69acd400000000000000000003";

    /// suricata-verify/smb3-01/input.pcap frame 2: SMB2 NEGOTIATE response, 3.0
    const SMB3_NEG_RESP: &str = "000000f8fe534d4240000000000000000000010001000000000000000000000000000000d50000000000000000000000000000000000000000000000000000000000000041000300000300004bf432bf8f92054890c03ddf2546646e470000000000800000008000000080008a8ce7a9f4ced20100b579abb4cdd2018000780000000000607606062b0601050502a06c306aa03c303a060a2b06010401823702021e06092a864882f71201020206092a864886f712010202060a2a864886f71201020203060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265";

    /// suricata-verify/smb3-01/input.pcap frame 3: SMB2 SESSION_SETUP request (NTLMSSP NEGOTIATE)
    const SMB3_SESS_REQ: &str = "00000078fe534d4240000000000000000100030000000000000000000100000000000000d5000000000000000000000000000000000000000000000000000000000000001900000200000000000000005800200000000000000000004e544c4d5353500001000000350208e000000000000000000000000000000000";

    /// suricata-verify/smb3-01/input.pcap frame 4: SMB2 SESSION_SETUP response, STATUS_MORE_PROCESSING_REQUIRED
    const SMB3_SESS_RESP_MORE: &str = "000000f8fe534d4240000000160000c00100010001000000000000000100000000000000d5000000000000003d0000940048000000000000000000000000000000000000090000004800b0004e544c4d53535000020000000800080038000000350289e201151813d2898ccd000000000000000070007000400000000a0039380000000f530055005300450002000800530055005300450001000c0057005300320030003100360004000e0073007500730065002e006400650003001c005700530032003000310036002e0073007500730065002e006400650005000e0073007500730065002e0064006500070008008a8ce7a9f4ced20100000000";

    /// suricata-verify/smb3-01/input.pcap frame 7: SMB2 TREE_CONNECT request
    const SMB3_TREE_REQ: &str = "0000006efe534d4240000100000000000300020008000000000000000300000000000000d5000000000000003d0000940048000071ad17fd1d838197048999eb7b906ce309000000480024005c005c005700530032003000310036005c0065006e0063007200790070007400650064000000";

    /// suricata-verify/smb3-01/input.pcap frame 8: SMB2 TREE_CONNECT response, encrypted share
    const SMB3_TREE_RESP: &str = "00000050fe534d4240000100000000000300020009000000000000000300000000000000d5000000010000003d00009400480000c657089883f9f8fe765feebaf883e202100001000080000000000000ff011f00";

    /// suricata-verify/smb2-delete/input.pcap frame 22: SMB2 SESSION_SETUP response, guest
    const DELETE_SESS_RESP: &str = "00000051fe534d4240000100000000000100000101000000000000000300000000000000fffe0000000000003900000000700000000000000000000000000000000000000900010048000900a1073005a0030a0100";

    /// suricata-verify/smb2-delete/input.pcap frame 54: compound CREATE + READ + CLOSE
    const DELETE_COMPOUND_REQ: &str = "00000178fe534d4240000100000000000500000100000000a80000002000000000000000fffe00000100000039000000007000000000000000000000000000000000000039000000020000000000000000000000000000000000000081000000800000000700000001000000000000007800180090000000180000003a004100460050005f0041006600700049006e0066006f00000000001000040000000000000000004d78416300000000fe534d4240000100000000000800000104000000780000002100000000000000fffe000001000000390000000070000000000000000000000000000000000000310000003c0000000000000000000000ffffffffffffffffffffffffffffffff010000000000000000000000000000000000000000000000fe534d4240000100000000000600000104000000000000002200000000000000fffe0000010000003900000000700000000000000000000000000000000000001800000000000000ffffffffffffffffffffffffffffffff";

    /// suricata-verify/smb2-delete/input.pcap frame 55: compound of three ERROR responses, STATUS_OBJECT_NAME_NOT_FOUND
    const DELETE_COMPOUND_ERR: &str = "000000f0fe534d4240000100340000c00500000001000000500000002000000000000000fffe00000100000039000000007000000000000000000000000000000000000009000000000000000000000000000000fe534d4240000100340000c00800000005000000500000002100000000000000fffe00000100000039000000007000000000000000000000000000000000000009000000000000000000000000000000fe534d4240000100340000c00600030005000000000000002200000000000000fffe0000010000003900000000700000000000000000000000000000000000000900000000000000ff00000000000000";

    /// suricata-verify/smb2-04/20171220_smb_at_schedule.pcap frame 1: SMB2 CREATE request atsvc
    const AT_CREATE_REQ: &str = "00000082fe534d4240000100000000000500010000000000000000000a00000000000000fffe0000010000006100000000040000000000000000000000000000000000003900000002000000000000000000000000000000000000009f0112000000000007000000010000004000420078000a00000000000000000061007400730076006300";

    /// suricata-verify/smb2-04/20171220_smb_at_schedule.pcap frame 2: SMB2 CREATE response
    const AT_CREATE_RESP: &str = "00000098fe534d4240000100000000000500010001000000000000000a00000000000000fffe000001000000610000000004000000000000000000000000000000000000590000000100000000000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000080000000730076004d0000000000000005000000ffffffff0000000000000000";

    /// suricata-verify/smb2-04/20171220_smb_at_schedule.pcap frame 5: SMB2 WRITE request, DCE/RPC bind
    const AT_WRITE_REQ: &str = "00000110fe534d4240000100000000000900010000000000000000000c00000000000000fffe00000100000061000000000400000000000000000000000000000000000031007000a000000000000000000000004d0000000000000005000000ffffffff0000000000000000000000000000000005000b0310000000a000000002000000b810b8100000000003000000000001008206f71f510ae830076d740be8cee98b01000000045d888aeb1cc9119fe808002b10486002000000010001008206f71f510ae830076d740be8cee98b0100000033057171babe37498319b5dbef9ccc3601000000020001008206f71f510ae830076d740be8cee98b010000002c1cb76c12984045030000000000000001000000";

    /// suricata-verify/smb2-04/20171220_smb_at_schedule.pcap frame 8: SMB2 READ response, DCE/RPC bind_ack
    const AT_READ_RESP: &str = "000000c4fe534d4240000100000000000800010001000000000000000d00000000000000fffe0000010000006100000000040000000000000000000000000000000000001100500074000000000000000000000005000c03100000007400000002000000b810b810d80a00000c005c504950455c6174737663000055030000000200020000000000000000000000000000000000000000000000000033057171babe37498319b5dbef9ccc3601000000030003000000000000000000000000000000000000000000";

    /// suricata-verify/smb2-04/20171220_smb_at_schedule.pcap frame 7: SMB2 READ request
    const AT_READ_REQ: &str = "00000071fe534d4240000100000000000800010000000000000000000d00000000000000fffe000001000000610000000004000000000000000000000000000000000000310050000004000000000000000000004d0000000000000005000000ffffffff0000000000000000000000000000000000";

    /// suricata-verify/smb2-04/20171220_smb_at_schedule.pcap frame 9: SMB2 IOCTL request FSCTL_PIPE_TRANSCEIVE
    const AT_IOCTL_REQ: &str = "00000118fe534d4240000100000000000b00010000000000000000000e00000000000000fffe0000010000006100000000040000000000000000000000000000000000003900000017c011004d0000000000000005000000ffffffff78000000a00000000000000078000000000000000004000001000000000000000500000310000000a000000002000000880000000100000000000200000000000b0000000000000000000000000000000b000000000000005c005c00610064006d0069006e002d00700063000000000060b0ce02000000000000000000100000000002000000000010000000000000000000000000000000100000000000000063003a005c006d0069006d0069006b00610074007a002e006500780065000000";

    /// suricata-verify/smb2-04/20171220_smb_at_schedule.pcap frame 10: SMB2 IOCTL interim response, async, STATUS_PENDING
    const AT_IOCTL_PENDING: &str = "00000049fe534d4240000100030100000b00010003000000000000000e000000000000001d0000000000000061000000000400000000000000000000000000000000000009000000000000004d";

    /// suricata-verify/smb2-04/20171220_smb_at_schedule.pcap frame 11: SMB2 IOCTL response
    const AT_IOCTL_RESP: &str = "00000090fe534d4240000100000000000b00000003000000000000000e000000000000001d000000000000006100000000040000000000000000000000000000000000003100000017c011004d0000000000000005000000ffffffff7000000000000000700000002000000000000000000000000500020310000000200000000200000008000000010000000200000000000000";

    /// suricata-verify/smb2-ntlmssp-negotiateflags/input.pcap frame 196: SMB2 NEGOTIATE response 2.??? to an SMB1 multi-protocol negotiate
    const MULTI_NEG_RESP: &str = "000001c0fe534d4240000000000000000000010001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000041000100ff0200002cd03d3fb200e14fbdd4c8b70c27566603000000000001000000010000000100d5e3309b8427d20107b3628d6527d20180004001000000006082013c06062b0601050502a08201303082012ca01a3018060a2b06010401823702021e060a2b06010401823702020aa282010c048201084e45474f45585453010000000000000060000000700000002e3c2a3ac72b3ca96dac3874a7dd1d5b0148bc69e7138869cc545f23927e2cbfbde8e0211f749ca3099b93c895e97b0c0000000000000000600000000100000000000000000000005c33530deaf90d4db2ec4ae3786ec3084e45474f45585453030000000100000040000000980000002e3c2a3ac72b3ca96dac3874a7dd1d5b5c33530deaf90d4db2ec4ae3786ec30840000000580000003056a05430523027802530233121301f06035504031318546f6b656e205369676e696e67205075626c6963204b65793027802530233121301f06035504031318546f6b656e205369676e696e67205075626c6963204b6579";

    /// The single (or first) message of a captured payload.
    fn message(data: &[u8]) -> Smb2Message<'_> {
        smb2_compound(data).next().unwrap().unwrap()
    }

    #[test]
    fn header_sync_and_async_forms() {
        let data = nbss_payload(SMB311_SESS_RESP);
        let h = parse_smb2_header(&data).unwrap();
        // tshark: smb2.flags 0x00000009, smb2.sesid 0x0000281cac000069, status 0
        assert_eq!(h.command, SMB2_SESSION_SETUP);
        assert!(h.is_response() && h.is_signed() && !h.is_async());
        assert_eq!(h.session_id, 0x0000_281c_ac00_0069);
        assert_eq!(h.status, 0);
        assert_eq!(h.tree_id, Some(0));

        let data = nbss_payload(AT_IOCTL_PENDING);
        let m = message(&data);
        // tshark: smb2.flags 0x00000003 (async response), smb2.aid 0x1d, STATUS_PENDING
        assert!(m.header.is_async());
        assert_eq!(m.header.async_id, Some(0x1d));
        assert_eq!(m.header.tree_id, None);
        assert_eq!(m.header.status, 0x0000_0103);
        // the interim response has the ERROR body, not an IOCTL response
        assert_eq!(parse_ioctl_response(&m), Err(SmbError::ErrorResponse(0x103)));
        assert!(matches!(parse_smb2_body(&m), Ok(Smb2Body::Error(e)) if e.status == 0x103));
    }

    #[test]
    fn negotiate_request_311_with_compression_context() {
        let data = nbss_payload(SMBGHOST_NEG_REQ);
        let req = parse_negotiate_request(&message(&data)).unwrap();
        // tshark: smb2.dialect 0x0202,0x0210,0x0222,0x0224,0x0300,0x0302,0x0310,0x0311;
        // sec_mode 0x01; capabilities 0x7f; contexts 0x0001 (hash 0x0001, salt 32),
        // 0x0003 (comp_alg 0x0001, flags 0x00000001)
        assert_eq!(req.dialects, [0x0202, 0x0210, 0x0222, 0x0224, 0x0300, 0x0302, 0x0310, 0x0311]);
        assert_eq!(req.security_mode, 0x01);
        assert!(!req.signing_required());
        assert_eq!(req.capabilities, 0x7f);
        assert_eq!(req.client_guid, [0; 16]);
        assert_eq!(
            req.contexts,
            [
                NegotiateContext::PreauthIntegrity { hash_algorithms: vec![1], salt_len: 32 },
                NegotiateContext::Compression { flags: 1, algorithms: vec![1] },
            ]
        );
    }

    #[test]
    fn negotiate_request_keeps_unknown_contexts() {
        let data = nbss_payload(SMB311_NEG_REQ);
        let req = parse_negotiate_request(&message(&data)).unwrap();
        // tshark: dialect 0x0311, sec_mode 0x01, caps 0x77, contexts 0x0001,0x0002,0x0100,
        // cipher 0x0001, hash 0x0001 salt 32
        assert_eq!(req.dialects, [0x0311]);
        assert_eq!(req.capabilities, 0x77);
        assert_eq!(req.contexts.len(), 3);
        assert_eq!(req.contexts[1], NegotiateContext::Encryption { ciphers: vec![1] });
        assert!(matches!(req.contexts[2], NegotiateContext::Unknown { context_type: 0x0100, .. }));
    }

    #[test]
    fn negotiate_response_311() {
        let data = nbss_payload(SMB311_NEG_RESP);
        let resp = parse_negotiate_response(&message(&data)).unwrap();
        // tshark: dialect 0x0311, sec_mode 0x03, caps 0x27, contexts 0x0001,0x0002, cipher 0x0001
        assert_eq!(resp.dialect, 0x0311);
        assert_eq!(resp.security_mode, 0x03);
        assert!(resp.signing_required());
        assert_eq!(resp.capabilities, 0x27);
        assert!(resp.security_buffer.starts_with(&[0x60, 0x76, 0x06, 0x06]));
        assert_eq!(resp.contexts.len(), 2);
        assert_eq!(resp.contexts[1], NegotiateContext::Encryption { ciphers: vec![1] });

        let data = nbss_payload(SMBGHOST_NEG_RESP);
        let resp = parse_negotiate_response(&message(&data)).unwrap();
        // tshark: dialect 0x0311, sec_mode 0x01, caps 0x2f, contexts 0x0001,0x0003
        assert_eq!((resp.dialect, resp.security_mode, resp.capabilities), (0x0311, 1, 0x2f));
        assert!(resp.security_buffer.starts_with(&[0x60, 0x82, 0x01, 0x3c]));
        assert_eq!(resp.security_buffer.len(), 0x140);
        assert!(matches!(
            &resp.contexts[1],
            NegotiateContext::Compression { algorithms, .. } if algorithms == &[1]
        ));
    }

    #[test]
    fn negotiate_30_without_contexts() {
        let data = nbss_payload(SMB3_NEG_REQ);
        let req = parse_negotiate_request(&message(&data)).unwrap();
        // tshark: smb2.dialect 0x0300 (the only one offered), sec_mode 0x01, caps 0x57
        assert_eq!(req.dialects, [0x0300]);
        assert_eq!(req.capabilities, 0x57);
        assert!(req.contexts.is_empty());

        let data = nbss_payload(SMB3_NEG_RESP);
        let resp = parse_negotiate_response(&message(&data)).unwrap();
        // tshark: dialect 0x0300, sec_mode 0x03, caps 0x47 (encryption), max trans/read 8388608
        assert_eq!(resp.dialect, 0x0300);
        assert_eq!(resp.security_mode, 0x03);
        assert_ne!(resp.capabilities & SMB2_GLOBAL_CAP_ENCRYPTION, 0);
        assert_eq!(resp.max_transact_size, 8_388_608);
        assert_eq!(resp.max_read_size, 8_388_608);
        assert!(resp.contexts.is_empty());
    }

    #[test]
    fn negotiate_response_to_multi_protocol_negotiate() {
        let data = nbss_payload(MULTI_NEG_RESP);
        let resp = parse_negotiate_response(&message(&data)).unwrap();
        // tshark: dialect 0x02ff, sec_mode 0x01, caps 0x03
        assert_eq!(resp.dialect, 0x02FF);
        assert_eq!(crate::names::smb2_dialect_name(resp.dialect), "2.???");
        assert_eq!(resp.capabilities, 0x03);
    }

    #[test]
    fn session_setup_request_and_responses() {
        let data = nbss_payload(SMB3_SESS_REQ);
        let req = parse_session_setup_request(&message(&data)).unwrap();
        // tshark: sec_mode 0x02, caps 0, previous_sesid 0, blob starts "NTLMSSP\0" type 1
        assert_eq!(req.security_mode, 0x02);
        assert_eq!(req.capabilities, 0);
        assert_eq!(req.previous_session_id, 0);
        assert!(req.security_buffer.starts_with(b"NTLMSSP\0\x01\0\0\0"));

        let data = nbss_payload(SMB3_SESS_RESP_MORE);
        let m = message(&data);
        // tshark: STATUS_MORE_PROCESSING_REQUIRED, session_flags 0, blob is NTLMSSP CHALLENGE
        assert_eq!(m.header.status, 0xC000_0016);
        let resp = parse_session_setup_response(&m).unwrap();
        assert_eq!(resp.session_flags, 0);
        assert!(resp.security_buffer.starts_with(b"NTLMSSP\0\x02\0\0\0"));

        let data = nbss_payload(DELETE_SESS_RESP);
        let resp = parse_session_setup_response(&message(&data)).unwrap();
        // tshark: smb2.session_flags 0x0001 (guest)
        assert!(resp.is_guest() && !resp.is_null() && !resp.encrypt_data());
        assert_eq!(resp.security_buffer.first(), Some(&0xa1));
    }

    #[test]
    fn failed_session_setup_is_an_error_response() {
        // smb3-01 frame 6 (success, StructureSize 9) with its status patched to
        // STATUS_LOGON_FAILURE: the same StructureSize now means the ERROR body.
        let mut data = nbss_payload(SMB3_SESS_RESP_MORE);
        data[8..12].copy_from_slice(&0xC000_006Du32.to_le_bytes());
        let m = message(&data);
        assert_eq!(parse_session_setup_response(&m), Err(SmbError::ErrorResponse(0xC000_006D)));
    }

    #[test]
    fn tree_connect_request_and_encrypted_share() {
        let data = nbss_payload(SMB3_TREE_REQ);
        let req = parse_tree_connect_request(&message(&data)).unwrap();
        // tshark: smb2.tree "\\WS2016\encrypted"
        assert_eq!(req.path, r"\\WS2016\encrypted");
        assert_eq!(req.extension_context_count, None);

        let data = nbss_payload(SMB3_TREE_RESP);
        let resp = parse_tree_connect_response(&message(&data)).unwrap();
        // tshark -V: Share Type 0x01, Share flags 0x00008000 Encrypted data required,
        // capabilities 0, access 0x001f01ff
        assert_eq!(resp.share_type, SMB2_SHARE_TYPE_DISK);
        assert_eq!(resp.share_flags, 0x8000);
        assert!(resp.encrypt_data());
        assert_eq!(resp.maximal_access, 0x001f_01ff);
    }

    #[test]
    fn tree_connect_request_extension_form() {
        // smb3-01 frame 7 rebuilt in the 3.1.1 extension form of MS-SMB2 2.2.9.1 (no capture
        // holds one): Flags EXTENSION_PRESENT, a 16-byte extension, then the path at 88.
        let original = nbss_payload(SMB3_TREE_REQ);
        let path = &original[72..];
        let mut data = original[..64].to_vec();
        data.extend_from_slice(&9u16.to_le_bytes());
        data.extend_from_slice(&SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT.to_le_bytes());
        data.extend_from_slice(&88u16.to_le_bytes());
        data.extend_from_slice(&(path.len() as u16).to_le_bytes());
        data.extend_from_slice(&0u32.to_le_bytes());
        data.extend_from_slice(&[0; 12]);
        data.extend_from_slice(path);
        let req = parse_tree_connect_request(&message(&data)).unwrap();
        assert_eq!(req.path, r"\\WS2016\encrypted");
        assert_eq!(req.extension_context_count, Some(0));
        // a path offset pointing into the extension is refused
        data[68..70].copy_from_slice(&72u16.to_le_bytes());
        assert!(parse_tree_connect_request(&message(&data)).is_err());
    }

    #[test]
    fn compound_chain_and_error_bodies() {
        let data = nbss_payload(DELETE_COMPOUND_REQ);
        let msgs: Vec<_> = smb2_compound(&data).collect::<SmbResult<_>>().unwrap();
        // tshark: smb2.cmd 5,8,6; chain offsets 0xa8, 0x78, 0; flags 0, 4, 4 (related)
        let commands: Vec<_> = msgs.iter().map(|m| m.header.command).collect();
        assert_eq!(commands, [SMB2_CREATE, SMB2_READ, SMB2_CLOSE]);
        assert_eq!(msgs[0].raw.len(), 0xa8);
        assert_eq!(msgs[1].raw.len(), 0x78);
        assert!(!msgs[0].header.is_related() && msgs[1].header.is_related());
        let create = parse_create_request(&msgs[0]).unwrap();
        // tshark: smb2.filename ":AFP_AfpInfo", disposition 1
        assert_eq!(create.name, ":AFP_AfpInfo");
        assert_eq!(create.create_disposition, 1);
        let read = parse_read_request(&msgs[1]).unwrap();
        // tshark: read_length 60, offset 0, related-operation FileId all ones
        assert_eq!(read.length, 60);
        assert_eq!(read.file_id.persistent, u64::MAX);
        let close = parse_close_request(&msgs[2]).unwrap();
        assert_eq!(close.file_id.volatile, u64::MAX);

        let data = nbss_payload(DELETE_COMPOUND_ERR);
        let bodies: Vec<_> = smb2_compound(&data).map(|m| parse_smb2_body(&m.unwrap()).unwrap()).collect();
        // tshark: three responses, each STATUS_OBJECT_NAME_NOT_FOUND with the ERROR body
        assert_eq!(bodies.len(), 3);
        for body in bodies {
            assert!(matches!(body, Smb2Body::Error(e) if e.status == 0xC000_0034));
        }
    }

    #[test]
    fn named_pipe_create_write_read_ioctl() {
        let data = nbss_payload(AT_CREATE_REQ);
        let create = parse_create_request(&message(&data)).unwrap();
        // tshark: smb2.filename "atsvc"
        assert_eq!(create.name, "atsvc");

        let data = nbss_payload(AT_CREATE_RESP);
        let resp = parse_create_response(&message(&data)).unwrap();
        // tshark: smb2.fid 0000004d-0000-0000-0500-0000ffffffff, create.action 1, eof 0
        let fid = Smb2FileId { persistent: 0x4d, volatile: 0xffff_ffff_0000_0005 };
        assert_eq!(resp.file_id, fid);
        assert_eq!(resp.create_action, 1);

        let data = nbss_payload(AT_WRITE_REQ);
        let write = parse_write_request(&message(&data)).unwrap();
        // tshark: write_length 160, offset 0, same fid, dcerpc bind (pkt_type 11, frag_len 160)
        assert_eq!((write.length, write.offset, write.file_id), (160, 0, fid));
        assert_eq!(write.data.len(), 160);
        assert_eq!(&write.data[..3], &[5, 0, 11]);

        let data = nbss_payload(AT_READ_REQ);
        let read = parse_read_request(&message(&data)).unwrap();
        // tshark: read_length 1024, offset 0
        assert_eq!((read.length, read.file_id), (1024, fid));

        let data = nbss_payload(AT_READ_RESP);
        let read = parse_read_response(&message(&data)).unwrap();
        // tshark: dcerpc bind_ack (pkt_type 12, frag_len 116), read_remaining 0
        assert_eq!(read.data.len(), 116);
        assert_eq!(&read.data[..3], &[5, 0, 12]);
        assert_eq!(read.data_remaining, 0);

        let data = nbss_payload(AT_IOCTL_REQ);
        let ioctl = parse_ioctl_request(&message(&data)).unwrap();
        // tshark: function 0x0011c017, is_fsctl 1, dcerpc request opnum 0 frag_len 160
        assert_eq!(ioctl.ctl_code, FSCTL_PIPE_TRANSCEIVE);
        assert_eq!(ioctl.flags, 1);
        assert_eq!(ioctl.file_id, fid);
        assert_eq!(ioctl.input.len(), 160);
        assert_eq!(ioctl.input[2], 0);
        assert!(ioctl.output.is_empty());

        let data = nbss_payload(AT_IOCTL_RESP);
        let m = message(&data);
        let ioctl = parse_ioctl_response(&m).unwrap();
        // tshark: async final response (aid 0x1d), dcerpc response pkt_type 2, frag_len 32
        assert_eq!(m.header.async_id, Some(0x1d));
        assert_eq!(ioctl.output.len(), 32);
        assert_eq!(ioctl.output[2], 2);
        assert!(matches!(parse_smb2_body(&m), Ok(Smb2Body::IoctlResponse(_))));
    }

    #[test]
    fn compound_rejects_backward_or_out_of_range_next_command() {
        let mut data = nbss_payload(DELETE_COMPOUND_REQ);
        data[20..24].copy_from_slice(&8u32.to_le_bytes());
        let items: Vec<_> = smb2_compound(&data).collect();
        assert_eq!(items, [Err(SmbError::Malformed("NextCommand out of range"))]);
        data[20..24].copy_from_slice(&100_000u32.to_le_bytes());
        assert_eq!(smb2_compound(&data).count(), 1);
    }

    const ALL: &[&str] = &[
        SMBGHOST_NEG_REQ,
        SMBGHOST_NEG_RESP,
        SMB311_NEG_REQ,
        SMB311_NEG_RESP,
        SMB311_SESS_RESP,
        SMB3_NEG_REQ,
        SMB3_NEG_RESP,
        SMB3_SESS_REQ,
        SMB3_SESS_RESP_MORE,
        SMB3_TREE_REQ,
        SMB3_TREE_RESP,
        DELETE_SESS_RESP,
        DELETE_COMPOUND_REQ,
        DELETE_COMPOUND_ERR,
        AT_CREATE_REQ,
        AT_CREATE_RESP,
        AT_WRITE_REQ,
        AT_READ_RESP,
        AT_READ_REQ,
        AT_IOCTL_REQ,
        AT_IOCTL_PENDING,
        AT_IOCTL_RESP,
        MULTI_NEG_RESP,
    ];

    /// Every parser on every message of `data`, and on each message with every command.
    fn parse_everything(data: &[u8]) {
        for m in smb2_compound(data).flatten() {
            let _ = parse_smb2_body(&m);
            for command in 0..=0x0b {
                for flags in [0, SMB2_FLAGS_SERVER_TO_REDIR] {
                    let mut other = m;
                    other.header.command = command;
                    other.header.flags = flags;
                    let _ = parse_smb2_body(&other);
                }
            }
            let _ = parse_error_response(&m);
        }
    }

    #[test]
    fn every_real_message_parses_through_the_dispatcher() {
        for hex in ALL {
            let data = nbss_payload(hex);
            for m in smb2_compound(&data) {
                let m = m.unwrap();
                assert!(parse_smb2_body(&m).is_ok(), "{hex}");
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut data = SMB2_MAGIC.to_vec();
            data.extend_from_slice(&tail);
            parse_everything(&data);
            parse_everything(&tail);
        }

        #[test]
        fn truncations_never_panic(which in 0..ALL.len(), cut in 0usize..600) {
            let data = nbss_payload(ALL[which]);
            let cut = cut.min(data.len());
            parse_everything(&data[..cut]);
        }

        #[test]
        fn corrupted_bytes_never_panic(which in 0..ALL.len(), at in 0usize..600, value: u8) {
            let mut data = nbss_payload(ALL[which]);
            let at = at % data.len();
            data[at] = value;
            parse_everything(&data);
        }
    }
}
