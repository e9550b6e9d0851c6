//! SMB1 / CIFS messages (MS-CIFS 2.2, MS-SMB 2.2): the 32-byte header, AndX chains, and the
//! commands that reveal a session's security (NEGOTIATE, SESSION_SETUP_ANDX,
//! TREE_CONNECT_ANDX) or carry named-pipe traffic (NT_CREATE_ANDX, WRITE_ANDX, READ_ANDX,
//! TRANSACTION with TransactNmPipe).
//!
//! Every SMB1 command is a parameter block (WordCount, Words) and a data block (ByteCount,
//! Bytes); [`Smb1Block`] is one such pair. Offsets in the words (AndXOffset, DataOffset...)
//! count from the start of the SMB header, and Unicode strings are 2-byte aligned relative
//! to it. Password fields are reported by their LENGTH only, never their bytes.

use nom::bytes::complete::{tag, take};
use nom::number::complete::{le_u16, le_u32, le_u64, u8 as byte};

use crate::error::{SmbError, SmbResult};
use crate::util::{le16_at, oem_lossy, slice_clamped, take_nul_string, trim_nuls, utf16le_lossy};

/// Protocol id of an SMB1 message.
pub const SMB1_MAGIC: &[u8; 4] = b"\xFFSMB";
/// Size of the SMB1 header.
pub const SMB1_HEADER_LEN: usize = 32;

/// SMB_COM_TRANSACTION.
pub const SMB1_COM_TRANSACTION: u8 = 0x25;
/// SMB_COM_LOCKING_ANDX.
pub const SMB1_COM_LOCKING_ANDX: u8 = 0x24;
/// SMB_COM_OPEN_ANDX.
pub const SMB1_COM_OPEN_ANDX: u8 = 0x2D;
/// SMB_COM_READ_ANDX.
pub const SMB1_COM_READ_ANDX: u8 = 0x2E;
/// SMB_COM_WRITE_ANDX.
pub const SMB1_COM_WRITE_ANDX: u8 = 0x2F;
/// SMB_COM_NEGOTIATE.
pub const SMB1_COM_NEGOTIATE: u8 = 0x72;
/// SMB_COM_SESSION_SETUP_ANDX.
pub const SMB1_COM_SESSION_SETUP_ANDX: u8 = 0x73;
/// SMB_COM_LOGOFF_ANDX.
pub const SMB1_COM_LOGOFF_ANDX: u8 = 0x74;
/// SMB_COM_TREE_CONNECT_ANDX.
pub const SMB1_COM_TREE_CONNECT_ANDX: u8 = 0x75;
/// SMB_COM_NT_CREATE_ANDX.
pub const SMB1_COM_NT_CREATE_ANDX: u8 = 0xA2;
/// AndXCommand value ending a chain.
pub const SMB1_NO_ANDX_COMMAND: u8 = 0xFF;

/// Flags: the message is a reply.
pub const SMB1_FLAGS_REPLY: u8 = 0x80;
/// Flags2: the sender signs messages (SMB_FLAGS2_SMB_SECURITY_SIGNATURE).
pub const SMB1_FLAGS2_SECURITY_SIGNATURE: u16 = 0x0004;
/// Flags2: the client requires signing (SMB_FLAGS2_SMB_SECURITY_SIGNATURE_REQUIRED).
pub const SMB1_FLAGS2_SECURITY_SIGNATURE_REQUIRED: u16 = 0x0010;
/// Flags2: extended security (SPNEGO blobs in negotiate / session setup).
pub const SMB1_FLAGS2_EXTENDED_SECURITY: u16 = 0x0800;
/// Flags2: the status field is an NT status.
pub const SMB1_FLAGS2_NT_STATUS: u16 = 0x4000;
/// Flags2: strings are UTF-16LE.
pub const SMB1_FLAGS2_UNICODE: u16 = 0x8000;

/// NEGOTIATE response SecurityMode: user-level security.
pub const NEGOTIATE_USER_SECURITY: u16 = 0x01;
/// NEGOTIATE response SecurityMode: challenge/response passwords.
pub const NEGOTIATE_ENCRYPT_PASSWORDS: u16 = 0x02;
/// NEGOTIATE response SecurityMode: signing enabled.
pub const NEGOTIATE_SECURITY_SIGNATURES_ENABLED: u16 = 0x04;
/// NEGOTIATE response SecurityMode: signing required.
pub const NEGOTIATE_SECURITY_SIGNATURES_REQUIRED: u16 = 0x08;
/// Capability: extended security.
pub const CAP_EXTENDED_SECURITY: u32 = 0x8000_0000;
/// SESSION_SETUP_ANDX response Action: logged in as guest.
pub const SMB_SETUP_GUEST: u16 = 0x0001;
/// TRANSACTION setup word: TransactNmPipe (DCE/RPC over a named pipe).
pub const TRANS_TRANSACT_NMPIPE: u16 = 0x0026;

/// Most AndX blocks followed in one message; real chains have two or three.
const MAX_ANDX_BLOCKS: usize = 16;

/// The SMB1 header (MS-CIFS 2.2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb1Header {
    /// Command of the first block.
    pub command: u8,
    /// Status: an NT status when Flags2 has NT_STATUS, else DOS ErrorClass/ErrorCode.
    pub status: u32,
    /// Flags (`SMB1_FLAGS_REPLY`...).
    pub flags: u8,
    /// Flags2 (`SMB1_FLAGS2_*`).
    pub flags2: u16,
    /// PIDHigh.
    pub pid_high: u16,
    /// SecuritySignature (zero when unsigned).
    pub signature: [u8; 8],
    /// TID.
    pub tid: u16,
    /// PIDLow.
    pub pid_low: u16,
    /// UID.
    pub uid: u16,
    /// MID.
    pub mid: u16,
}

impl Smb1Header {
    /// A reply.
    pub fn is_response(&self) -> bool {
        self.flags & SMB1_FLAGS_REPLY != 0
    }
    /// Strings are UTF-16LE.
    pub fn is_unicode(&self) -> bool {
        self.flags2 & SMB1_FLAGS2_UNICODE != 0
    }
    /// Extended security (SPNEGO) is in use.
    pub fn is_extended_security(&self) -> bool {
        self.flags2 & SMB1_FLAGS2_EXTENDED_SECURITY != 0
    }
    /// The sender signs (Flags2 SECURITY_SIGNATURE).
    pub fn is_signed(&self) -> bool {
        self.flags2 & SMB1_FLAGS2_SECURITY_SIGNATURE != 0
    }
    /// The client requires signing (Flags2 SECURITY_SIGNATURE_REQUIRED).
    pub fn signatures_required(&self) -> bool {
        self.flags2 & SMB1_FLAGS2_SECURITY_SIGNATURE_REQUIRED != 0
    }
}

/// Parses the 32-byte header at the start of `i`.
pub fn parse_smb1_header(i: &[u8]) -> SmbResult<Smb1Header> {
    let (i, _) = tag(&SMB1_MAGIC[..])(i)?;
    let (i, command) = byte(i)?;
    let (i, status) = le_u32(i)?;
    let (i, flags) = byte(i)?;
    let (i, flags2) = le_u16(i)?;
    let (i, pid_high) = le_u16(i)?;
    let (i, signature) = take(8usize)(i)?;
    let (i, _reserved) = le_u16(i)?;
    let (i, tid) = le_u16(i)?;
    let (i, pid_low) = le_u16(i)?;
    let (i, uid) = le_u16(i)?;
    let (_, mid) = le_u16(i)?;
    Ok(Smb1Header {
        command,
        status,
        flags,
        flags2,
        pid_high,
        signature: signature.try_into().map_err(|_| SmbError::Truncated)?,
        tid,
        pid_low,
        uid,
        mid,
    })
}

/// One SMB1 message: header and all its bytes (offsets count from `raw`'s start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb1Message<'a> {
    /// The parsed header.
    pub header: Smb1Header,
    /// The whole message, header included.
    pub raw: &'a [u8],
}

/// Parses an SMB1 message's header; walk its blocks with [`Smb1Message::blocks`].
pub fn parse_smb1_message(raw: &[u8]) -> SmbResult<Smb1Message<'_>> {
    Ok(Smb1Message {
        header: parse_smb1_header(raw)?,
        raw,
    })
}

/// One command's parameter and data blocks inside a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb1Block<'a> {
    /// Command of this block (the header's, or the previous block's AndXCommand).
    pub command: u8,
    /// The message header (direction, Unicode, status).
    pub header: Smb1Header,
    /// Parameter words (2 × WordCount bytes).
    pub words: &'a [u8],
    /// Data bytes (ByteCount bytes, or what is present of them).
    pub bytes: &'a [u8],
    /// Offset of `bytes` from the start of the message (for Unicode alignment).
    pub bytes_offset: usize,
    /// The whole message, for DataOffset-style fields.
    pub message: &'a [u8],
}

/// Commands whose parameter words start with AndXCommand/AndXReserved/AndXOffset.
pub fn is_andx_command(command: u8) -> bool {
    matches!(
        command,
        SMB1_COM_LOCKING_ANDX
            | SMB1_COM_OPEN_ANDX
            | SMB1_COM_READ_ANDX
            | SMB1_COM_WRITE_ANDX
            | SMB1_COM_SESSION_SETUP_ANDX
            | SMB1_COM_LOGOFF_ANDX
            | SMB1_COM_TREE_CONNECT_ANDX
            | SMB1_COM_NT_CREATE_ANDX
    )
}

/// Iterator over the blocks of an AndX chain. Each AndXOffset must point past the previous
/// block's start and inside the message, and at most 16 blocks are followed, so the walk
/// ends. A malformed link yields one `Err` and ends the walk.
#[derive(Debug, Clone)]
pub struct Smb1AndxChain<'a> {
    message: Smb1Message<'a>,
    next: Option<(u8, usize)>,
    walked: usize,
}

impl<'a> Smb1Message<'a> {
    /// The blocks of this message: the first, then each AndX successor.
    pub fn blocks(&self) -> Smb1AndxChain<'a> {
        Smb1AndxChain {
            message: *self,
            next: Some((self.header.command, SMB1_HEADER_LEN)),
            walked: 0,
        }
    }
}

fn parse_block<'a>(m: &Smb1Message<'a>, command: u8, at: usize) -> SmbResult<Smb1Block<'a>> {
    let i = m.raw.get(at..).ok_or(SmbError::Truncated)?;
    let (i, word_count) = byte(i)?;
    let (i, words) = take(usize::from(word_count) * 2)(i)?;
    let (i, byte_count) = le_u16(i)?;
    let bytes_offset = at + 1 + words.len() + 2;
    Ok(Smb1Block {
        command,
        header: m.header,
        words,
        // a last block's bytes may be cut short (large WRITE_ANDX); callers check lengths
        bytes: slice_clamped(i, 0, byte_count.into()),
        bytes_offset,
        message: m.raw,
    })
}

impl<'a> Iterator for Smb1AndxChain<'a> {
    type Item = SmbResult<Smb1Block<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let (command, at) = self.next.take()?;
        self.walked += 1;
        let block = match parse_block(&self.message, command, at) {
            Ok(b) => b,
            Err(e) => return Some(Err(e)),
        };
        if is_andx_command(command) && self.walked < MAX_ANDX_BLOCKS {
            if let (Some(&next_command), Some(offset)) = (block.words.first(), le16_at(block.words, 2)) {
                let offset = usize::from(offset);
                if next_command != SMB1_NO_ANDX_COMMAND {
                    if offset <= at || offset >= self.message.raw.len() {
                        return Some(Err(SmbError::Malformed("AndXOffset does not advance")));
                    }
                    self.next = Some((next_command, offset));
                }
            }
        }
        Some(Ok(block))
    }
}

/// Skips the pad byte that aligns a Unicode string on an even offset from the header.
fn align_unicode<'a>(b: &Smb1Block<'a>, i: &'a [u8]) -> &'a [u8] {
    let consumed = b.bytes.len() - i.len();
    if b.header.is_unicode() && (b.bytes_offset + consumed) % 2 == 1 {
        i.get(1..).unwrap_or_default()
    } else {
        i
    }
}

/// Reads an SMB_STRING (Unicode per Flags2, aligned) from `i`, a suffix of `b.bytes`.
fn smb_string<'a>(b: &Smb1Block<'a>, i: &'a [u8]) -> (&'a [u8], String) {
    take_nul_string(align_unicode(b, i), b.header.is_unicode())
}

/// Like [`smb_string`], but `None` when no bytes are left.
fn optional_smb_string<'a>(b: &Smb1Block<'a>, i: &'a [u8]) -> (&'a [u8], Option<String>) {
    let i = align_unicode(b, i);
    if i.is_empty() {
        return (i, None);
    }
    let (rest, s) = take_nul_string(i, b.header.is_unicode());
    (rest, Some(s))
}

fn expect_words(b: &Smb1Block<'_>, counts: &[usize]) -> SmbResult<()> {
    let word_count = b.words.len() / 2;
    if counts.contains(&word_count) {
        Ok(())
    } else {
        Err(SmbError::StructureSize {
            expected: counts.first().copied().unwrap_or_default() as u16,
            found: word_count as u16,
        })
    }
}

/// NEGOTIATE request: the dialect strings the client offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1NegotiateRequest {
    /// Dialect strings as sent (`"NT LM 0.12"`, `"SMB 2.002"`, `"SMB 2.???"`).
    pub dialects: Vec<String>,
}

impl Smb1NegotiateRequest {
    /// A multi-protocol negotiate: SMB2 dialects are offered through SMB1.
    pub fn offers_smb2(&self) -> bool {
        self.dialects
            .iter()
            .any(|d| d == "SMB 2.002" || d == "SMB 2.???")
    }
}

/// Parses a NEGOTIATE request (WordCount 0; dialects are 0x02-prefixed NUL-terminated strings).
pub fn parse_negotiate_request(b: &Smb1Block<'_>) -> SmbResult<Smb1NegotiateRequest> {
    expect_words(b, &[0])?;
    let mut dialects = Vec::new();
    let mut i = b.bytes;
    while let Some((&format, rest)) = i.split_first() {
        if format != 0x02 {
            return Err(SmbError::Malformed("dialect buffer format"));
        }
        let (rest, dialect) = take_nul_string(rest, false);
        dialects.push(dialect);
        i = rest;
    }
    Ok(Smb1NegotiateRequest { dialects })
}

/// NEGOTIATE response, in its NT LM 0.12 (WordCount 17), LANMAN (13) or "no dialect" (1) form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb1NegotiateResponse<'a> {
    /// Index of the chosen dialect in the request (0xFFFF: none).
    pub dialect_index: u16,
    /// SecurityMode (`NEGOTIATE_*`), absent in the WordCount 1 form.
    pub security_mode: Option<u16>,
    /// Capabilities (NT LM 0.12 only).
    pub capabilities: Option<u32>,
    /// ChallengeLength / EncryptionKeyLength (8 with NTLM challenge/response, 0 with
    /// extended security).
    pub challenge_len: Option<u16>,
    /// ServerGUID (extended security only).
    pub server_guid: Option<[u8; 16]>,
    /// SecurityBlob (extended security only), possibly empty.
    pub security_blob: Option<&'a [u8]>,
}

impl Smb1NegotiateResponse<'_> {
    /// The NT LM 0.12 server requires signing.
    pub fn signing_required(&self) -> bool {
        self.capabilities.is_some()
            && self
                .security_mode
                .is_some_and(|m| m & NEGOTIATE_SECURITY_SIGNATURES_REQUIRED != 0)
    }
    /// The NT LM 0.12 server supports signing.
    pub fn signing_enabled(&self) -> bool {
        self.capabilities.is_some()
            && self
                .security_mode
                .is_some_and(|m| m & NEGOTIATE_SECURITY_SIGNATURES_ENABLED != 0)
    }
}

/// Parses a NEGOTIATE response.
pub fn parse_negotiate_response<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1NegotiateResponse<'a>> {
    expect_words(b, &[17, 13, 1])?;
    let (w, dialect_index) = le_u16(b.words)?;
    let mut response = Smb1NegotiateResponse {
        dialect_index,
        security_mode: None,
        capabilities: None,
        challenge_len: None,
        server_guid: None,
        security_blob: None,
    };
    match b.words.len() / 2 {
        17 => {
            let (w, security_mode) = byte(w)?;
            // MaxMpxCount, MaxNumberVcs, MaxBufferSize, MaxRawSize, SessionKey
            let (w, _) = take(16usize)(w)?;
            let (w, capabilities) = le_u32(w)?;
            let (w, _system_time) = le_u64(w)?;
            let (w, _time_zone) = le_u16(w)?;
            let (_, challenge_len) = byte(w)?;
            response.security_mode = Some(security_mode.into());
            response.capabilities = Some(capabilities);
            response.challenge_len = Some(challenge_len.into());
            if capabilities & CAP_EXTENDED_SECURITY != 0 {
                let (blob, guid) = take(16usize)(b.bytes)?;
                response.server_guid = Some(guid.try_into().map_err(|_| SmbError::Truncated)?);
                response.security_blob = Some(blob);
            }
        }
        13 => {
            let (w, security_mode) = le_u16(w)?;
            // MaxBufferSize, MaxMpxCount, MaxNumberVcs, RawMode, SessionKey, time, date, zone
            let (w, _) = take(18usize)(w)?;
            let (_, key_len) = le_u16(w)?;
            response.security_mode = Some(security_mode);
            response.challenge_len = Some(key_len);
        }
        _ => {}
    }
    Ok(response)
}

/// How a SESSION_SETUP_ANDX request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Smb1SessionSetupAuth<'a> {
    /// Extended security (WordCount 12): an SPNEGO / NTLMSSP blob.
    ExtendedSecurity {
        /// SecurityBlob.
        security_blob: &'a [u8],
    },
    /// Challenge/response passwords (WordCount 13, or 10 for LANMAN): only their lengths
    /// (24 + 24 is NTLMv1, longer NT responses NTLMv2, 0 + 0 anonymous).
    Password {
        /// OEMPasswordLen (the LM response; PasswordLength in the LANMAN form).
        oem_password_len: u16,
        /// UnicodePasswordLen (the NT response; 0 in the LANMAN form).
        unicode_password_len: u16,
        /// AccountName.
        account_name: String,
        /// PrimaryDomain.
        primary_domain: String,
    },
}

/// SESSION_SETUP_ANDX request (MS-CIFS 2.2.4.53.1, MS-SMB 2.2.4.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1SessionSetupRequest<'a> {
    /// VcNumber.
    pub vc_number: u16,
    /// Capabilities (absent in the LANMAN form).
    pub capabilities: Option<u32>,
    /// Credentials.
    pub auth: Smb1SessionSetupAuth<'a>,
    /// NativeOS, when present.
    pub native_os: Option<String>,
    /// NativeLanMan, when present.
    pub native_lanman: Option<String>,
}

/// Parses a SESSION_SETUP_ANDX request.
pub fn parse_session_setup_request<'a>(
    b: &Smb1Block<'a>,
) -> SmbResult<Smb1SessionSetupRequest<'a>> {
    expect_words(b, &[12, 13, 10])?;
    // AndX (4), MaxBufferSize, MaxMpxCount
    let (w, _) = take(8usize)(b.words)?;
    let (w, vc_number) = le_u16(w)?;
    let (w, _session_key) = le_u32(w)?;
    let (capabilities, auth, rest) = match b.words.len() / 2 {
        12 => {
            let (w, blob_len) = le_u16(w)?;
            let (w, _reserved) = le_u32(w)?;
            let (_, capabilities) = le_u32(w)?;
            let (rest, security_blob) = take(blob_len)(b.bytes)?;
            let auth = Smb1SessionSetupAuth::ExtendedSecurity { security_blob };
            (Some(capabilities), auth, rest)
        }
        13 => {
            let (w, oem_password_len) = le_u16(w)?;
            let (w, unicode_password_len) = le_u16(w)?;
            let (w, _reserved) = le_u32(w)?;
            let (_, capabilities) = le_u32(w)?;
            let (i, _passwords) =
                take(usize::from(oem_password_len) + usize::from(unicode_password_len))(b.bytes)?;
            let (i, account_name) = smb_string(b, i);
            let (i, primary_domain) = smb_string(b, i);
            let auth = Smb1SessionSetupAuth::Password {
                oem_password_len,
                unicode_password_len,
                account_name,
                primary_domain,
            };
            (Some(capabilities), auth, i)
        }
        _ => {
            let (_, password_len) = le_u16(w)?;
            let (i, _password) = take(password_len)(b.bytes)?;
            let (i, account_name) = smb_string(b, i);
            let (i, primary_domain) = smb_string(b, i);
            let auth = Smb1SessionSetupAuth::Password {
                oem_password_len: password_len,
                unicode_password_len: 0,
                account_name,
                primary_domain,
            };
            (None, auth, i)
        }
    };
    let (rest, native_os) = optional_smb_string(b, rest);
    let (_, native_lanman) = optional_smb_string(b, rest);
    Ok(Smb1SessionSetupRequest {
        vc_number,
        capabilities,
        auth,
        native_os,
        native_lanman,
    })
}

/// SESSION_SETUP_ANDX response (WordCount 4 with extended security, 3 without).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1SessionSetupResponse<'a> {
    /// Action (`SMB_SETUP_GUEST`).
    pub action: u16,
    /// SecurityBlob (empty without extended security).
    pub security_blob: &'a [u8],
    /// NativeOS, when present.
    pub native_os: Option<String>,
    /// NativeLanMan, when present.
    pub native_lanman: Option<String>,
}

impl Smb1SessionSetupResponse<'_> {
    /// The server logged the user in as guest.
    pub fn is_guest(&self) -> bool {
        self.action & SMB_SETUP_GUEST != 0
    }
}

/// Parses a SESSION_SETUP_ANDX response.
pub fn parse_session_setup_response<'a>(
    b: &Smb1Block<'a>,
) -> SmbResult<Smb1SessionSetupResponse<'a>> {
    expect_words(b, &[4, 3])?;
    let (w, _andx) = take(4usize)(b.words)?;
    let (w, action) = le_u16(w)?;
    let (rest, security_blob) = if b.words.len() / 2 == 4 {
        let (_, blob_len) = le_u16(w)?;
        take(blob_len)(b.bytes)?
    } else {
        (b.bytes, &b.bytes[..0])
    };
    let (rest, native_os) = optional_smb_string(b, rest);
    let (_, native_lanman) = optional_smb_string(b, rest);
    Ok(Smb1SessionSetupResponse {
        action,
        security_blob,
        native_os,
        native_lanman,
    })
}

/// TREE_CONNECT_ANDX request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1TreeConnectRequest {
    /// Flags.
    pub flags: u16,
    /// PasswordLength (share-level password; 0 or 1 under user-level security).
    pub password_len: u16,
    /// Share path as sent (`\\SERVER\IPC$`).
    pub path: String,
    /// Service (`"?????"`, `"IPC"`, `"A:"`), always OEM.
    pub service: String,
}

/// Parses a TREE_CONNECT_ANDX request.
pub fn parse_tree_connect_request(b: &Smb1Block<'_>) -> SmbResult<Smb1TreeConnectRequest> {
    expect_words(b, &[4])?;
    let (w, _andx) = take(4usize)(b.words)?;
    let (w, flags) = le_u16(w)?;
    let (_, password_len) = le_u16(w)?;
    let (i, _password) = take(password_len)(b.bytes)?;
    let (i, path) = smb_string(b, i);
    let (_, service) = take_nul_string(i, false);
    Ok(Smb1TreeConnectRequest {
        flags,
        password_len,
        path,
        service,
    })
}

/// TREE_CONNECT_ANDX response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1TreeConnectResponse {
    /// OptionalSupport.
    pub optional_support: u16,
    /// Service of the share (`"IPC"`, `"A:"`, ...).
    pub service: String,
}

/// Parses a TREE_CONNECT_ANDX response (WordCount 3, or 7 in the extended form).
pub fn parse_tree_connect_response(b: &Smb1Block<'_>) -> SmbResult<Smb1TreeConnectResponse> {
    expect_words(b, &[3, 7])?;
    let (w, _andx) = take(4usize)(b.words)?;
    let (_, optional_support) = le_u16(w)?;
    let (_, service) = take_nul_string(b.bytes, false);
    Ok(Smb1TreeConnectResponse {
        optional_support,
        service,
    })
}

/// NT_CREATE_ANDX request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1NtCreateRequest {
    /// DesiredAccess.
    pub desired_access: u32,
    /// ShareAccess.
    pub share_access: u32,
    /// CreateDisposition.
    pub create_disposition: u32,
    /// CreateOptions.
    pub create_options: u32,
    /// FileName (`\svcctl` for a pipe on IPC$).
    pub name: String,
}

/// Parses an NT_CREATE_ANDX request.
pub fn parse_nt_create_request(b: &Smb1Block<'_>) -> SmbResult<Smb1NtCreateRequest> {
    expect_words(b, &[24])?;
    // AndX (4), Reserved
    let (w, _) = take(5usize)(b.words)?;
    let (w, name_len) = le_u16(w)?;
    // Flags, RootDirectoryFID
    let (w, _) = take(8usize)(w)?;
    let (w, desired_access) = le_u32(w)?;
    // AllocationSize, ExtFileAttributes
    let (w, _) = take(12usize)(w)?;
    let (w, share_access) = le_u32(w)?;
    let (w, create_disposition) = le_u32(w)?;
    let (_, create_options) = le_u32(w)?;
    let i = align_unicode(b, b.bytes);
    // NameLength is in bytes; senders disagree on whether it counts the terminator
    let raw = slice_clamped(i, 0, name_len.into());
    let name = if b.header.is_unicode() {
        utf16le_lossy(raw)
    } else {
        oem_lossy(raw)
    };
    Ok(Smb1NtCreateRequest {
        desired_access,
        share_access,
        create_disposition,
        create_options,
        name: trim_nuls(name),
    })
}

/// NT_CREATE_ANDX response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb1NtCreateResponse {
    /// OplockLevel.
    pub oplock_level: u8,
    /// FID of the opened file or pipe.
    pub fid: u16,
    /// CreateDisposition (action taken).
    pub create_disposition: u32,
}

/// Parses an NT_CREATE_ANDX response (WordCount 34, or 42 in the extended form; some
/// servers announce 42 and send fewer words, so only the leading fields are required).
pub fn parse_nt_create_response(b: &Smb1Block<'_>) -> SmbResult<Smb1NtCreateResponse> {
    let (w, _andx) = take(4usize)(b.words)?;
    let (w, oplock_level) = byte(w)?;
    let (w, fid) = le_u16(w)?;
    let (_, create_disposition) = le_u32(w)?;
    Ok(Smb1NtCreateResponse {
        oplock_level,
        fid,
        create_disposition,
    })
}

/// WRITE_ANDX request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb1WriteRequest<'a> {
    /// FID.
    pub fid: u16,
    /// Offset in the file (with OffsetHigh in the WordCount 14 form).
    pub offset: u64,
    /// Data length as announced (DataLengthHigh:DataLength).
    pub data_length: u32,
    /// The data present in the message (shorter than `data_length` if cut short).
    pub data: &'a [u8],
}

/// Parses a WRITE_ANDX request (WordCount 12 or 14).
pub fn parse_write_request<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1WriteRequest<'a>> {
    expect_words(b, &[12, 14])?;
    let (w, _andx) = take(4usize)(b.words)?;
    let (w, fid) = le_u16(w)?;
    let (w, offset_low) = le_u32(w)?;
    // Timeout, WriteMode, Remaining
    let (w, _) = take(8usize)(w)?;
    let (w, length_high) = le_u16(w)?;
    let (w, length_low) = le_u16(w)?;
    let (w, data_offset) = le_u16(w)?;
    let offset_high = if b.words.len() / 2 == 14 { le_u32(w)?.1 } else { 0 };
    let data_length = u32::from(length_high) << 16 | u32::from(length_low);
    Ok(Smb1WriteRequest {
        fid,
        offset: u64::from(offset_high) << 32 | u64::from(offset_low),
        data_length,
        data: slice_clamped(b.message, data_offset.into(), data_length as usize),
    })
}

/// READ_ANDX request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb1ReadRequest {
    /// FID.
    pub fid: u16,
    /// Offset in the file.
    pub offset: u64,
    /// MaxCountOfBytesToReturn.
    pub max_count: u16,
}

/// Parses a READ_ANDX request (WordCount 10 or 12).
pub fn parse_read_request(b: &Smb1Block<'_>) -> SmbResult<Smb1ReadRequest> {
    expect_words(b, &[10, 12])?;
    let (w, _andx) = take(4usize)(b.words)?;
    let (w, fid) = le_u16(w)?;
    let (w, offset_low) = le_u32(w)?;
    let (w, max_count) = le_u16(w)?;
    // MinCount, Timeout, Remaining
    let (w, _) = take(8usize)(w)?;
    let offset_high = if b.words.len() / 2 == 12 { le_u32(w)?.1 } else { 0 };
    Ok(Smb1ReadRequest {
        fid,
        offset: u64::from(offset_high) << 32 | u64::from(offset_low),
        max_count,
    })
}

/// READ_ANDX response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Smb1ReadResponse<'a> {
    /// Data length as announced (DataLengthHigh:DataLength).
    pub data_length: u32,
    /// The data present in the message.
    pub data: &'a [u8],
}

/// Parses a READ_ANDX response (WordCount 12).
pub fn parse_read_response<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1ReadResponse<'a>> {
    expect_words(b, &[12])?;
    // AndX (4), Available, DataCompactionMode, Reserved1
    let (w, _) = take(10usize)(b.words)?;
    let (w, length_low) = le_u16(w)?;
    let (w, data_offset) = le_u16(w)?;
    let (_, length_high) = le_u16(w)?;
    let data_length = u32::from(length_high) << 16 | u32::from(length_low);
    Ok(Smb1ReadResponse {
        data_length,
        data: slice_clamped(b.message, data_offset.into(), data_length as usize),
    })
}

/// `count` setup words, all of which must be present.
fn setup_words(w: &[u8], count: u8) -> SmbResult<Vec<u16>> {
    let (_, raw) = take(usize::from(count) * 2)(w)?;
    Ok(raw
        .chunks_exact(2)
        .map(|c| match c {
            [lo, hi] => u16::from_le_bytes([*lo, *hi]),
            _ => 0,
        })
        .collect())
}

/// TRANSACTION request (MS-CIFS 2.2.4.33.1); a TransactNmPipe carries DCE/RPC in `data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1TransactionRequest<'a> {
    /// Name (`\PIPE\`, `\PIPE\LANMAN`).
    pub name: String,
    /// Setup words (TransactNmPipe: [0x0026, FID]).
    pub setup: Vec<u16>,
    /// TotalDataCount (more may follow in TRANSACTION_SECONDARY requests).
    pub total_data_count: u16,
    /// Trans parameters present in this message.
    pub parameters: &'a [u8],
    /// Trans data present in this message.
    pub data: &'a [u8],
}

impl Smb1TransactionRequest<'_> {
    /// The FID of a TransactNmPipe request.
    pub fn nm_pipe_fid(&self) -> Option<u16> {
        match self.setup.as_slice() {
            [TRANS_TRANSACT_NMPIPE, fid, ..] => Some(*fid),
            _ => None,
        }
    }
}

/// Parses a TRANSACTION request (WordCount 14 + SetupCount).
pub fn parse_transaction_request<'a>(
    b: &Smb1Block<'a>,
) -> SmbResult<Smb1TransactionRequest<'a>> {
    let (w, _total_parameter_count) = le_u16(b.words)?;
    let (w, total_data_count) = le_u16(w)?;
    // MaxParameterCount, MaxDataCount, MaxSetupCount, Reserved1, Flags, Timeout, Reserved2
    let (w, _) = take(14usize)(w)?;
    let (w, parameter_count) = le_u16(w)?;
    let (w, parameter_offset) = le_u16(w)?;
    let (w, data_count) = le_u16(w)?;
    let (w, data_offset) = le_u16(w)?;
    let (w, setup_count) = byte(w)?;
    let (w, _reserved3) = byte(w)?;
    let setup = setup_words(w, setup_count)?;
    let (_, name) = smb_string(b, b.bytes);
    Ok(Smb1TransactionRequest {
        name,
        setup,
        total_data_count,
        parameters: slice_clamped(b.message, parameter_offset.into(), parameter_count.into()),
        data: slice_clamped(b.message, data_offset.into(), data_count.into()),
    })
}

/// TRANSACTION response (MS-CIFS 2.2.4.33.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1TransactionResponse<'a> {
    /// Setup words.
    pub setup: Vec<u16>,
    /// TotalDataCount.
    pub total_data_count: u16,
    /// Trans parameters present in this message.
    pub parameters: &'a [u8],
    /// Trans data present in this message (DCE/RPC for TransactNmPipe).
    pub data: &'a [u8],
}

/// Parses a TRANSACTION response (WordCount 10 + SetupCount).
pub fn parse_transaction_response<'a>(
    b: &Smb1Block<'a>,
) -> SmbResult<Smb1TransactionResponse<'a>> {
    let (w, _total_parameter_count) = le_u16(b.words)?;
    let (w, total_data_count) = le_u16(w)?;
    let (w, _reserved1) = le_u16(w)?;
    let (w, parameter_count) = le_u16(w)?;
    let (w, parameter_offset) = le_u16(w)?;
    let (w, _parameter_displacement) = le_u16(w)?;
    let (w, data_count) = le_u16(w)?;
    let (w, data_offset) = le_u16(w)?;
    let (w, _data_displacement) = le_u16(w)?;
    let (w, setup_count) = byte(w)?;
    let (w, _reserved2) = byte(w)?;
    let setup = setup_words(w, setup_count)?;
    Ok(Smb1TransactionResponse {
        setup,
        total_data_count,
        parameters: slice_clamped(b.message, parameter_offset.into(), parameter_count.into()),
        data: slice_clamped(b.message, data_offset.into(), data_count.into()),
    })
}

/// A parsed SMB1 block, chosen by command and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Smb1Body<'a> {
    /// NEGOTIATE request.
    NegotiateRequest(Smb1NegotiateRequest),
    /// NEGOTIATE response.
    NegotiateResponse(Smb1NegotiateResponse<'a>),
    /// SESSION_SETUP_ANDX request.
    SessionSetupRequest(Smb1SessionSetupRequest<'a>),
    /// SESSION_SETUP_ANDX response.
    SessionSetupResponse(Smb1SessionSetupResponse<'a>),
    /// TREE_CONNECT_ANDX request.
    TreeConnectRequest(Smb1TreeConnectRequest),
    /// TREE_CONNECT_ANDX response.
    TreeConnectResponse(Smb1TreeConnectResponse),
    /// NT_CREATE_ANDX request.
    NtCreateRequest(Smb1NtCreateRequest),
    /// NT_CREATE_ANDX response.
    NtCreateResponse(Smb1NtCreateResponse),
    /// WRITE_ANDX request.
    WriteRequest(Smb1WriteRequest<'a>),
    /// READ_ANDX request.
    ReadRequest(Smb1ReadRequest),
    /// READ_ANDX response.
    ReadResponse(Smb1ReadResponse<'a>),
    /// TRANSACTION request.
    TransactionRequest(Smb1TransactionRequest<'a>),
    /// TRANSACTION response.
    TransactionResponse(Smb1TransactionResponse<'a>),
    /// A reply with no parameter words and a non-zero status: an error reply.
    Error {
        /// The header's status.
        status: u32,
    },
    /// A command this crate does not parse.
    Other,
}

/// Parses a block according to its command and direction.
pub fn parse_smb1_body<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1Body<'a>> {
    let response = b.header.is_response();
    if response && b.words.is_empty() && b.header.status != 0 {
        return Ok(Smb1Body::Error {
            status: b.header.status,
        });
    }
    Ok(match (b.command, response) {
        (SMB1_COM_NEGOTIATE, false) => Smb1Body::NegotiateRequest(parse_negotiate_request(b)?),
        (SMB1_COM_NEGOTIATE, true) => Smb1Body::NegotiateResponse(parse_negotiate_response(b)?),
        (SMB1_COM_SESSION_SETUP_ANDX, false) => {
            Smb1Body::SessionSetupRequest(parse_session_setup_request(b)?)
        }
        (SMB1_COM_SESSION_SETUP_ANDX, true) => {
            Smb1Body::SessionSetupResponse(parse_session_setup_response(b)?)
        }
        (SMB1_COM_TREE_CONNECT_ANDX, false) => {
            Smb1Body::TreeConnectRequest(parse_tree_connect_request(b)?)
        }
        (SMB1_COM_TREE_CONNECT_ANDX, true) => {
            Smb1Body::TreeConnectResponse(parse_tree_connect_response(b)?)
        }
        (SMB1_COM_NT_CREATE_ANDX, false) => Smb1Body::NtCreateRequest(parse_nt_create_request(b)?),
        (SMB1_COM_NT_CREATE_ANDX, true) => {
            Smb1Body::NtCreateResponse(parse_nt_create_response(b)?)
        }
        (SMB1_COM_WRITE_ANDX, false) => Smb1Body::WriteRequest(parse_write_request(b)?),
        (SMB1_COM_READ_ANDX, false) => Smb1Body::ReadRequest(parse_read_request(b)?),
        (SMB1_COM_READ_ANDX, true) => Smb1Body::ReadResponse(parse_read_response(b)?),
        (SMB1_COM_TRANSACTION, false) => {
            Smb1Body::TransactionRequest(parse_transaction_request(b)?)
        }
        (SMB1_COM_TRANSACTION, true) => {
            Smb1Body::TransactionResponse(parse_transaction_response(b)?)
        }
        _ => Smb1Body::Other,
    })
}
