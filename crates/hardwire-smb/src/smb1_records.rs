//! SMB1 / CIFS messages (MS-CIFS 2.2, MS-SMB 2.2): the 32-byte header, AndX chains, and the
//! commands that reveal a session's security (NEGOTIATE, SESSION_SETUP_ANDX,
//! TREE_CONNECT_ANDX) or carry named-pipe traffic (NT_CREATE_ANDX, WRITE_ANDX, READ_ANDX, the
//! core WRITE and READ, TRANSACTION with TransactNmPipe).
//!
//! Every SMB1 command is a parameter block (WordCount, Words) and a data block (ByteCount,
//! Bytes); [`Smb1Block`] is one such pair. Offsets in the words (AndXOffset, DataOffset...)
//! count from the start of the SMB header, and Unicode strings are 2-byte aligned relative
//! to it. Password fields are reported by their LENGTH only, never their bytes.

use nom::bytes::complete::{tag, take};
use nom::number::complete::{le_u16, le_u32, le_u64, u8 as byte};

use crate::error::{SmbError, SmbResult};
pub use crate::util::WireString;
use crate::util::{le16_at, oem_lossy, slice_clamped, split_nul_string, take_nul_string, trim_nuls, utf16le_lossy};

/// Protocol id of an SMB1 message.
pub const SMB1_MAGIC: &[u8; 4] = b"\xFFSMB";
/// Size of the SMB1 header.
pub const SMB1_HEADER_LEN: usize = 32;

/// SMB_COM_READ, the core read (MS-CIFS 2.2.4.11).
pub const SMB1_COM_READ: u8 = 0x0A;
/// SMB_COM_WRITE, the core write (MS-CIFS 2.2.4.12).
pub const SMB1_COM_WRITE: u8 = 0x0B;
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
    /// Status: an NT status when Flags2 has NT_STATUS (name it with
    /// [`crate::names::nt_status_string`]), else DOS ErrorClass (low byte) / ErrorCode.
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

/// Parses the 32-byte header at the start of `i`: fixed offsets read from one array (every
/// SMB1 message passes here; a field-by-field parse cost three times as much).
pub fn parse_smb1_header(i: &[u8]) -> SmbResult<Smb1Header> {
    if i.get(..SMB1_MAGIC.len()) != Some(&SMB1_MAGIC[..]) {
        return Err(SmbError::BadMagic);
    }
    let h: &[u8; SMB1_HEADER_LEN] = i.first_chunk().ok_or(SmbError::Truncated)?;
    let u16_at = |at: usize| u16::from_le_bytes([h[at], h[at + 1]]);
    let mut signature = [0; 8];
    signature.copy_from_slice(&h[14..22]);
    Ok(Smb1Header {
        command: h[4],
        status: u32::from_le_bytes([h[5], h[6], h[7], h[8]]),
        flags: h[9],
        flags2: u16_at(10),
        pid_high: u16_at(12),
        signature,
        // 22..24: Reserved
        tid: u16_at(24),
        pid_low: u16_at(26),
        uid: u16_at(28),
        mid: u16_at(30),
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
    Ok(Smb1Message { header: parse_smb1_header(raw)?, raw })
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
/// ends. A malformed link yields one `Err` after the block holding it, and ends the walk.
#[derive(Debug, Clone)]
pub struct Smb1AndxChain<'a> {
    message: Smb1Message<'a>,
    next: Option<(u8, usize)>,
    /// A bad link found after yielding the block that holds it.
    pending_error: Option<SmbError>,
    walked: usize,
}

impl<'a> Smb1Message<'a> {
    /// The blocks of this message: the first, then each AndX successor.
    pub fn blocks(&self) -> Smb1AndxChain<'a> {
        Smb1AndxChain { message: *self, next: Some((self.header.command, SMB1_HEADER_LEN)), pending_error: None, walked: 0 }
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
        if let Some(e) = self.pending_error.take() {
            return Some(Err(e));
        }
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
                        self.pending_error = Some(SmbError::Malformed("AndXOffset out of range"));
                    } else {
                        self.next = Some((next_command, offset));
                    }
                }
            }
        }
        Some(Ok(block))
    }
}

/// Skips the pad byte that aligns a Unicode string on an even offset from the header.
fn align_unicode<'a>(b: &Smb1Block<'a>, i: &'a [u8]) -> &'a [u8] {
    let consumed = b.bytes.len().saturating_sub(i.len());
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

/// NativeOS and NativeLanMan, the strings that end a SESSION_SETUP_ANDX request or response:
/// found only when asked for (no reader of ours does; scanning them for their terminators was a
/// tenth of the cost of reading an SMB1 logon).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeNames<'a> {
    /// The bytes from NativeOS on, aligned.
    bytes: &'a [u8],
    unicode: bool,
}

impl<'a> NativeNames<'a> {
    fn of(b: &Smb1Block<'a>, i: &'a [u8]) -> Self {
        NativeNames { bytes: align_unicode(b, i), unicode: b.header.is_unicode() }
    }

    /// NativeOS, when present.
    pub fn native_os(&self) -> Option<WireString<'a>> {
        self.split().0
    }

    /// NativeLanMan, when present.
    pub fn native_lanman(&self) -> Option<WireString<'a>> {
        let rest = self.split().1;
        // NativeOS started aligned and a Unicode one ends on its two-byte terminator, so
        // NativeLanMan needs no pad of its own.
        (!rest.is_empty()).then(|| split_nul_string(rest, self.unicode).1)
    }

    fn split(&self) -> (Option<WireString<'a>>, &'a [u8]) {
        if self.bytes.is_empty() {
            return (None, self.bytes);
        }
        let (rest, s) = split_nul_string(self.bytes, self.unicode);
        (Some(s), rest)
    }
}

fn expect_words(b: &Smb1Block<'_>, counts: &[usize]) -> SmbResult<()> {
    let word_count = b.words.len() / 2;
    if counts.contains(&word_count) {
        Ok(())
    } else {
        Err(SmbError::StructureSize { expected: counts.first().copied().unwrap_or_default() as u16, found: word_count as u16 })
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
        self.dialects.iter().any(|d| d == "SMB 2.002" || d == "SMB 2.???")
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
        self.capabilities.is_some() && self.security_mode.is_some_and(|m| m & NEGOTIATE_SECURITY_SIGNATURES_REQUIRED != 0)
    }
    /// The NT LM 0.12 server supports signing.
    pub fn signing_enabled(&self) -> bool {
        self.capabilities.is_some() && self.security_mode.is_some_and(|m| m & NEGOTIATE_SECURITY_SIGNATURES_ENABLED != 0)
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
    /// NativeOS and NativeLanMan.
    pub native: NativeNames<'a>,
}

/// Parses a SESSION_SETUP_ANDX request.
pub fn parse_session_setup_request<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1SessionSetupRequest<'a>> {
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
            let (i, _passwords) = take(usize::from(oem_password_len) + usize::from(unicode_password_len))(b.bytes)?;
            let (i, account_name) = smb_string(b, i);
            let (i, primary_domain) = smb_string(b, i);
            let auth = Smb1SessionSetupAuth::Password { oem_password_len, unicode_password_len, account_name, primary_domain };
            (Some(capabilities), auth, i)
        }
        _ => {
            let (_, password_len) = le_u16(w)?;
            let (i, _password) = take(password_len)(b.bytes)?;
            let (i, account_name) = smb_string(b, i);
            let (i, primary_domain) = smb_string(b, i);
            let auth =
                Smb1SessionSetupAuth::Password { oem_password_len: password_len, unicode_password_len: 0, account_name, primary_domain };
            (None, auth, i)
        }
    };
    Ok(Smb1SessionSetupRequest { vc_number, capabilities, auth, native: NativeNames::of(b, rest) })
}

/// SESSION_SETUP_ANDX response (WordCount 4 with extended security, 3 without).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb1SessionSetupResponse<'a> {
    /// Action (`SMB_SETUP_GUEST`).
    pub action: u16,
    /// SecurityBlob (empty without extended security).
    pub security_blob: &'a [u8],
    /// NativeOS and NativeLanMan.
    pub native: NativeNames<'a>,
}

impl Smb1SessionSetupResponse<'_> {
    /// The server logged the user in as guest.
    pub fn is_guest(&self) -> bool {
        self.action & SMB_SETUP_GUEST != 0
    }
}

/// Parses a SESSION_SETUP_ANDX response.
pub fn parse_session_setup_response<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1SessionSetupResponse<'a>> {
    expect_words(b, &[4, 3])?;
    let (w, _andx) = take(4usize)(b.words)?;
    let (w, action) = le_u16(w)?;
    let (rest, security_blob) = if b.words.len() / 2 == 4 {
        let (_, blob_len) = le_u16(w)?;
        take(blob_len)(b.bytes)?
    } else {
        (b.bytes, &b.bytes[..0])
    };
    Ok(Smb1SessionSetupResponse { action, security_blob, native: NativeNames::of(b, rest) })
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
    Ok(Smb1TreeConnectRequest { flags, password_len, path, service })
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
    Ok(Smb1TreeConnectResponse { optional_support, service })
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
    let name = if b.header.is_unicode() { utf16le_lossy(raw) } else { oem_lossy(raw) };
    Ok(Smb1NtCreateRequest { desired_access, share_access, create_disposition, create_options, name: trim_nuls(name) })
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
    Ok(Smb1NtCreateResponse { oplock_level, fid, create_disposition })
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
    Ok(Smb1ReadRequest { fid, offset: u64::from(offset_high) << 32 | u64::from(offset_low), max_count })
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
    Ok(Smb1ReadResponse { data_length, data: slice_clamped(b.message, data_offset.into(), data_length as usize) })
}

/// The data block of the core READ response and WRITE request (MS-CIFS 2.2.4.11.2,
/// 2.2.4.12.1): BufferFormat 0x01 (data block), DataLength, the data.
fn core_data_block<'a>(b: &Smb1Block<'a>) -> SmbResult<(u16, &'a [u8])> {
    let (rest, _) = tag(&[0x01u8][..])(b.bytes)?;
    let (rest, length) = le_u16(rest)?;
    Ok((length, slice_clamped(rest, 0, length.into())))
}

/// Parses a core WRITE request (WordCount 5: FID, CountOfBytesToWrite, WriteOffsetInBytes,
/// EstimateOfRemainingBytesToBeWritten) as the WRITE_ANDX it stands for.
pub fn parse_core_write_request<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1WriteRequest<'a>> {
    expect_words(b, &[5])?;
    let (w, fid) = le_u16(b.words)?;
    let (w, _count) = le_u16(w)?;
    let (_, offset) = le_u32(w)?;
    let (data_length, data) = core_data_block(b)?;
    Ok(Smb1WriteRequest { fid, offset: offset.into(), data_length: data_length.into(), data })
}

/// Parses a core READ request (WordCount 5: FID, CountOfBytesToRead, ReadOffsetInBytes,
/// EstimateOfRemainingBytesToBeRead).
pub fn parse_core_read_request(b: &Smb1Block<'_>) -> SmbResult<Smb1ReadRequest> {
    expect_words(b, &[5])?;
    let (w, fid) = le_u16(b.words)?;
    let (w, max_count) = le_u16(w)?;
    let (_, offset) = le_u32(w)?;
    Ok(Smb1ReadRequest { fid, offset: offset.into(), max_count })
}

/// Parses a core READ response (WordCount 5: CountOfBytesReturned, 8 reserved bytes).
pub fn parse_core_read_response<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1ReadResponse<'a>> {
    expect_words(b, &[5])?;
    let (data_length, data) = core_data_block(b)?;
    Ok(Smb1ReadResponse { data_length: data_length.into(), data })
}

/// Up to `count` setup words: those present in the parameter block (some senders
/// announce more setup words than their WordCount holds).
fn setup_words(w: &[u8], count: u8) -> Vec<u16> {
    let raw = slice_clamped(w, 0, usize::from(count) * 2);
    raw.chunks_exact(2)
        .map(|c| match c {
            [lo, hi] => u16::from_le_bytes([*lo, *hi]),
            _ => 0,
        })
        .collect()
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
pub fn parse_transaction_request<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1TransactionRequest<'a>> {
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
    let setup = setup_words(w, setup_count);
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
pub fn parse_transaction_response<'a>(b: &Smb1Block<'a>) -> SmbResult<Smb1TransactionResponse<'a>> {
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
    let setup = setup_words(w, setup_count);
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
    /// WRITE_ANDX or core WRITE request.
    WriteRequest(Smb1WriteRequest<'a>),
    /// READ_ANDX or core READ request.
    ReadRequest(Smb1ReadRequest),
    /// READ_ANDX or core READ response.
    ReadResponse(Smb1ReadResponse<'a>),
    /// TRANSACTION request.
    TransactionRequest(Smb1TransactionRequest<'a>),
    /// TRANSACTION response.
    TransactionResponse(Smb1TransactionResponse<'a>),
    /// The interim reply (no parameter words, success) to a TRANSACTION request whose
    /// parameters or data continue in TRANSACTION_SECONDARY requests.
    TransactionInterim,
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
        return Ok(Smb1Body::Error { status: b.header.status });
    }
    Ok(match (b.command, response) {
        (SMB1_COM_TRANSACTION, true) if b.words.is_empty() => Smb1Body::TransactionInterim,
        (SMB1_COM_NEGOTIATE, false) => Smb1Body::NegotiateRequest(parse_negotiate_request(b)?),
        (SMB1_COM_NEGOTIATE, true) => Smb1Body::NegotiateResponse(parse_negotiate_response(b)?),
        (SMB1_COM_SESSION_SETUP_ANDX, false) => Smb1Body::SessionSetupRequest(parse_session_setup_request(b)?),
        (SMB1_COM_SESSION_SETUP_ANDX, true) => Smb1Body::SessionSetupResponse(parse_session_setup_response(b)?),
        (SMB1_COM_TREE_CONNECT_ANDX, false) => Smb1Body::TreeConnectRequest(parse_tree_connect_request(b)?),
        (SMB1_COM_TREE_CONNECT_ANDX, true) => Smb1Body::TreeConnectResponse(parse_tree_connect_response(b)?),
        (SMB1_COM_NT_CREATE_ANDX, false) => Smb1Body::NtCreateRequest(parse_nt_create_request(b)?),
        (SMB1_COM_NT_CREATE_ANDX, true) => Smb1Body::NtCreateResponse(parse_nt_create_response(b)?),
        (SMB1_COM_WRITE_ANDX, false) => Smb1Body::WriteRequest(parse_write_request(b)?),
        (SMB1_COM_READ_ANDX, false) => Smb1Body::ReadRequest(parse_read_request(b)?),
        (SMB1_COM_READ_ANDX, true) => Smb1Body::ReadResponse(parse_read_response(b)?),
        (SMB1_COM_WRITE, false) => Smb1Body::WriteRequest(parse_core_write_request(b)?),
        (SMB1_COM_READ, false) => Smb1Body::ReadRequest(parse_core_read_request(b)?),
        (SMB1_COM_READ, true) => Smb1Body::ReadResponse(parse_core_read_response(b)?),
        (SMB1_COM_TRANSACTION, false) => Smb1Body::TransactionRequest(parse_transaction_request(b)?),
        (SMB1_COM_TRANSACTION, true) => Smb1Body::TransactionResponse(parse_transaction_response(b)?),
        _ => Smb1Body::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::nbss_payload;
    use proptest::prelude::*;

    // TCP payloads (NBSS header included) of public captures under /work/shared/pcaps.
    // Expected values come from tshark 4.x on the same frame.

    /// suricata-verify/smb2-ntlmssp-negotiateflags/input.pcap frame 195: SMB1 NEGOTIATE request offering SMB 2.002 and SMB 2.???
    const MULTI_NEG_REQ: &str = "0000009bff534d4272000000001853c8000000000000000000000000fffffffe00000000007800025043204e4554574f524b2050524f4752414d20312e3000024c414e4d414e312e30000257696e646f777320666f7220576f726b67726f75707320332e316100024c4d312e325830303200024c414e4d414e322e3100024e54204c4d20302e31320002534d4220322e3030320002534d4220322e3f3f3f00";

    /// arkime/smb-smbclient.pcap frame 4: NEGOTIATE request, Unicode
    const CLIENT_NEG_REQ: &str = "000000beff534d4272000000000801c80000000000000000000000000000770f00000100009b00025043204e4554574f524b2050524f4752414d20312e3000024d4943524f534f4654204e4554574f524b5320312e303300024d4943524f534f4654204e4554574f524b5320332e3000024c414e4d414e312e3000024c4d312e32583030320002444f53204c414e4d414e322e3100024c414e4d414e322e31000253616d626100024e54204c414e4d414e20312e3000024e54204c4d20302e313200";

    /// arkime/smb-smbclient.pcap frame 6: NEGOTIATE response, NT LM 0.12 without extended security
    const CLIENT_NEG_RESP: &str = "00000061ff534d4272000000008803c00000000000000000000000000000770f0000010011080002320001000441000000000100780f0000fdf30000976dfee00ffdce012c01081c00e0370c34b7663b6d57004f0052004b00470052004f00550050000000";

    /// arkime/smb-smbclient.pcap frame 8: SESSION_SETUP_ANDX request, WordCount 13, Unicode
    const CLIENT_SESS_REQ: &str = "00000080ff534d4273000000000801c8000000000000000000000000ffff770f000002000dff000000ffff0200770f780f000000000200000000005cd0000043000000007500730065007200000057004f0052004b00470052004f0055005000000055006e00690078000000530061006d0062006100200033002e0036002e0033000000";

    /// arkime/smb-smbclient.pcap frame 9: SESSION_SETUP_ANDX response, WordCount 3, guest
    const CLIENT_SESS_RESP: &str = "00000060ff534d4273000000008803c0000000000000000000000000ffff770f0000020003ff000000010037000055006e00690078000000530061006d0062006100200033002e0036002e003300000057004f0052004b00470052004f00550050000000";

    /// arkime/smb-smbclient.pcap frame 10: TREE_CONNECT_ANDX request, Unicode
    const CLIENT_TREE_REQ: &str = "00000052ff534d4275000000000801c8000000000000000000000000ffff770f0000030004ff000000080001002700005c005c004c004f00430041004c0048004f00530054005c004d005000330000003f3f3f3f3f00";

    /// arkime/smb-smbclient.pcap frame 11: TREE_CONNECT_ANDX response, WordCount 7
    const CLIENT_TREE_RESP: &str = "0000003eff534d4275000000008803c00000000000000000000000000100770f0000030007ff0000000100ff011f10000000000d00413a004e005400460053000000";

    /// arkime/smb-smbclient.pcap frame 24: READ_ANDX request
    const CLIENT_READ_REQ: &str =
        "00000037ff534d422e000000000801c80000000000000000000000000100770f000008000aff000000fe42000000000f000f000000000000000000";

    /// arkime/smb-smbclient.pcap frame 25: READ_ANDX response
    const CLIENT_READ_RESP: &str = "0000004aff534d422e000000008803c00000000000000000000000000100770f000008000cff000000ffff000000000f003b0000000000000000000f000f0074686973206973206120746573740a";

    /// arkime/smb-smb1-ascii.pcap frame 7: NEGOTIATE response, extended security, signing required
    const ASCII_NEG_RESP: &str = "000000cdff534d4272000000009801280000000000000000000000000000727c0000a5441103000f32000100044100000000010000000000fcf3018026a32fd1ad7dd001000000880096afd22ec9d04b4587ef481fdf5653e5607606062b0601050502a06c306aa03c303a060a2b06010401823702021e06092a864882f71201020206092a864886f712010202060a2a864886f71201020203060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265";

    /// arkime/smb-smb1-ascii.pcap frame 9: SESSION_SETUP_ANDX request, WordCount 12, OEM strings
    const ASCII_SESS_REQ: &str = "000000b3ff534d4273000000001807280000000000000000000000000000727c0000a5440cff000000dfff0200010000000000550000000000d40000807800605306062b0601050502a0493047a00e300c060a2b06010401823702020aa23504334e544c4d5353500001000000158288e2030003002000000010001000230000004c4142544845484f53544e414d45484552455857696e646f7773203230303020323139350057696e646f7773203230303020352e3000";

    /// arkime/smb-smb1-ascii.pcap frame 13: SESSION_SETUP_ANDX response, WordCount 4
    const ASCII_SESS_RESP: &str = "0000008cff534d427300000000980768000005d5f038c0ab460a00000000727c0020a54404ff008c00000009006100a1073005a0030a010057696e646f7773205365727665722032303038205232205374616e6461726420373630312053657276696365205061636b20310057696e646f7773205365727665722032303038205232205374616e6461726420362e3100";

    /// arkime/smb-smb1-ascii.pcap frame 15: TREE_CONNECT_ANDX request, OEM path
    const ASCII_TREE_REQ: &str = "00000043ff534d427500000000180728000090f0a3c7257ce18700000000727c0020a54404ff000000000001001800005c5c31302e31302e302e325c49504324003f3f3f3f3f00";

    /// suricata-verify/smb-eicar-andx/smbandx.pcap frame 22: LOCKING_ANDX + WRITE_ANDX + CLOSE chain
    const ANDX_WRITE_REQ: &str = "000000a0ff534d4224000000001843c80000000000000000000000000308090403080600082f00330002400000000000000000000000000e040053000240000000000000000000000000000044005c0000000000450000030240ffffffff000058354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a";

    /// suricata-verify/smb-eicar-andx/smbandx.pcap frame 24: LOCKING_ANDX + WRITE_ANDX + CLOSE response chain
    const ANDX_WRITE_RESP: &str =
        "00000039ff534d4224000000009843c80000000000000000000000000308090403080600022f002700000006040036004400ffff000000000000000000";

    /// zeek/Traces/smb/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap frame 3: NT_CREATE_ANDX request \lsarpc
    const DSSETUP_CREATE_REQ: &str = "00000064ff534d42a2000000000801c80000000000000000000000000008ff110008360018ff000000000e0000000000000000009f01020000000000000000000000000003000000010000000000000002000000001100005c006c00730061007200700063000000";

    /// zeek/Traces/smb/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap frame 4: NT_CREATE_ANDX response
    const DSSETUP_CREATE_RESP: &str = "00000067ff534d42a2000000008801c80000000000000000000000000008ff110008360022ff006700000b4001000000000000000000000000000000000000000000000000000000000000000000000080000000001000000000000000000000000000000200ff05000000";

    /// zeek/Traces/smb/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap frame 5: TRANSACTION TransactNmPipe request, DCE/RPC bind
    const DSSETUP_TRANS_REQ: &str = "0000009aff534d4225000000000801c80000000000000000000000000008ff110008370010000048000000b810000000000000000000000000520048005200020026000b405700005c0050004900500045005c00000005000b0310000000480000001d000000b810b8100000000001000000000001006a2819390cb1d0119ba800c04fd92ef500000000045d888aeb1cc9119fe808002b10486002000000";

    /// zeek/Traces/smb/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap frame 6: TRANSACTION response, DCE/RPC bind_ack
    const DSSETUP_TRANS_RESP: &str = "0000007cff534d4225000000008801c80000000000000000000000000008ff11000837000a000044000000000038000000440038000000000045000005000c0310000000440000001d000000b810b810736c00000c005c504950455c6c736173730000000100000000000000045d888aeb1cc9119fe808002b10486002000000";

    /// suricata-verify/smb-filename/input.pcap frame 62: TRANSACTION interim response (WordCount 0, success)
    const FILENAME_TRANS_INTERIM: &str = "00000023ff534d4225000000009805480000b0c6befff7cc118b00000108c00a00080138000000";

    /// The first block of a captured message.
    /// pcaps/dcerpc/smb1-write-read.pcap frame 17: core WRITE to the svcctl pipe (FID 0x8ee0)
    /// carrying a 72-byte DCE/RPC bind; frames 40, 41: core READ of 64 bytes of hw-core.txt
    /// (FID 0x6c9f) and its 28-byte answer.
    const CORE_WRITE_BIND_REQ: &str = "00000078ff534d420b00000000180148000000000000000000000000f76d9c40c63d000005e08e48000000000048004b0001480005000b03100000004800000001000000b810b81000000000010000000000010081bb7a364498f135ad3298f03800100302000000045d888aeb1cc9119fe808002b10486002000000";
    const CORE_READ_REQ: &str = "0000002dff534d420a00000000180148000000000000000000000000e3009c40c63d0000059f6c40000000000040000000";
    const CORE_READ_RESP: &str = "0000004cff534d420a00000000880348000000000000000000000000e3009c40c63d0000051c0000000000000000001f00011c0072656164206261636b207769746820534d425f434f4d5f524541440a";

    #[test]
    fn core_write_and_read() {
        // tshark: smb.fid 0x8ee0, smb.count 72, smb.offset 0, dcerpc.pkt_type 11 (bind)
        let data = nbss_payload(CORE_WRITE_BIND_REQ);
        let Ok(Smb1Body::WriteRequest(write)) = parse_smb1_body(&first_block(&data)) else { panic!() };
        assert_eq!((write.fid, write.offset, write.data_length, write.data.len()), (0x8ee0, 0, 72, 72));
        assert_eq!(&write.data[..3], &[5, 0, 11]);
        // tshark: smb.fid 0x6c9f, smb.count 64, smb.offset 0
        let data = nbss_payload(CORE_READ_REQ);
        let Ok(Smb1Body::ReadRequest(read)) = parse_smb1_body(&first_block(&data)) else { panic!() };
        assert_eq!((read.fid, read.offset, read.max_count), (0x6c9f, 0, 64));
        // tshark: smb.data_len 28, the file's contents
        let data = nbss_payload(CORE_READ_RESP);
        let Ok(Smb1Body::ReadResponse(read)) = parse_smb1_body(&first_block(&data)) else { panic!() };
        assert_eq!((read.data_length, read.data), (28, &b"read back with SMB_COM_READ\n"[..]));
    }

    fn first_block(data: &[u8]) -> Smb1Block<'_> {
        let m = parse_smb1_message(data).unwrap();
        m.blocks().next().unwrap().unwrap()
    }

    #[test]
    fn negotiate_request_dialects_and_multi_protocol() {
        let data = nbss_payload(MULTI_NEG_REQ);
        let req = parse_negotiate_request(&first_block(&data)).unwrap();
        // tshark smb.dialect: PC NETWORK PROGRAM 1.0,LANMAN1.0,Windows for Workgroups 3.1a,
        // LM1.2X002,LANMAN2.1,NT LM 0.12,SMB 2.002,SMB 2.???
        assert_eq!(
            req.dialects,
            [
                "PC NETWORK PROGRAM 1.0",
                "LANMAN1.0",
                "Windows for Workgroups 3.1a",
                "LM1.2X002",
                "LANMAN2.1",
                "NT LM 0.12",
                "SMB 2.002",
                "SMB 2.???"
            ]
        );
        assert!(req.offers_smb2());

        let data = nbss_payload(CLIENT_NEG_REQ);
        let req = parse_negotiate_request(&first_block(&data)).unwrap();
        // tshark: ten dialects, the last "NT LM 0.12", no SMB2
        assert_eq!(req.dialects.len(), 10);
        assert_eq!(req.dialects.last().map(String::as_str), Some("NT LM 0.12"));
        assert!(!req.offers_smb2());
    }

    #[test]
    fn negotiate_responses() {
        let data = nbss_payload(CLIENT_NEG_RESP);
        let b = first_block(&data);
        assert!(b.header.is_response() && b.header.is_unicode());
        let resp = parse_negotiate_response(&b).unwrap();
        // tshark: dialect.index 8, sm.signatures 0, sm.sig_required 0, server_cap 0xf3fd,
        // challenge_length 8
        assert_eq!(resp.dialect_index, 8);
        assert_eq!(resp.security_mode, Some(NEGOTIATE_ENCRYPT_PASSWORDS));
        assert!(!resp.signing_enabled() && !resp.signing_required());
        assert_eq!(resp.capabilities, Some(0xf3fd));
        assert_eq!(resp.challenge_len, Some(8));
        assert_eq!(resp.security_blob, None);

        let data = nbss_payload(ASCII_NEG_RESP);
        let resp = parse_negotiate_response(&first_block(&data)).unwrap();
        // tshark: dialect.index 3, signatures 1, sig_required 1, server_cap 0x8001f3fc,
        // challenge_length 0, server_guid 96afd22e-c9d0-4b45-87ef-481fdf5653e5
        assert_eq!(resp.dialect_index, 3);
        assert!(resp.signing_enabled() && resp.signing_required());
        assert_eq!(resp.capabilities, Some(0x8001_f3fc));
        assert_eq!(resp.challenge_len, Some(0));
        assert_eq!(
            resp.server_guid,
            Some([0x96, 0xaf, 0xd2, 0x2e, 0xc9, 0xd0, 0x4b, 0x45, 0x87, 0xef, 0x48, 0x1f, 0xdf, 0x56, 0x53, 0xe5])
        );
        assert!(resp.security_blob.unwrap().starts_with(&[0x60, 0x76]));
    }

    #[test]
    fn session_setup_without_extended_security_exposes_lengths_only() {
        let data = nbss_payload(CLIENT_SESS_REQ);
        let req = parse_session_setup_request(&first_block(&data)).unwrap();
        // tshark: ansi_pwlen 0, unicode_pwlen 2, account "user", primary_domain "WORKGROUP",
        // native_os "Unix", native_lanman "Samba 3.6.3"
        assert_eq!(
            req.auth,
            Smb1SessionSetupAuth::Password {
                oem_password_len: 0,
                unicode_password_len: 2,
                account_name: "user".into(),
                primary_domain: "WORKGROUP".into(),
            }
        );
        assert_eq!(req.native.native_os().map(|s| s.text()).as_deref(), Some("Unix"));
        assert_eq!(req.native.native_lanman().map(|s| s.text()).as_deref(), Some("Samba 3.6.3"));

        let data = nbss_payload(CLIENT_SESS_RESP);
        let resp = parse_session_setup_response(&first_block(&data)).unwrap();
        // tshark: smb.setup.action 0x0001 (guest), native_os "Unix", lanman "Samba 3.6.3"
        assert!(resp.is_guest());
        assert!(resp.security_blob.is_empty());
        assert_eq!(resp.native.native_os().map(|s| s.text()).as_deref(), Some("Unix"));
        assert_eq!(resp.native.native_lanman().map(|s| s.text()).as_deref(), Some("Samba 3.6.3"));
    }

    #[test]
    fn session_setup_with_extended_security_oem_strings() {
        let data = nbss_payload(ASCII_SESS_REQ);
        let b = first_block(&data);
        assert!(b.header.is_extended_security() && !b.header.is_unicode());
        let req = parse_session_setup_request(&b).unwrap();
        // tshark: security_blob_len 85, native_os "Windows 2000 2195",
        // native_lanman "Windows 2000 5.0", vc 1
        let Smb1SessionSetupAuth::ExtendedSecurity { security_blob } = req.auth else { panic!("not extended security") };
        assert_eq!(security_blob.len(), 85);
        assert_eq!(security_blob.first(), Some(&0x60));
        assert_eq!(req.vc_number, 1);
        assert_eq!(req.native.native_os().map(|s| s.text()).as_deref(), Some("Windows 2000 2195"));
        assert_eq!(req.native.native_lanman().map(|s| s.text()).as_deref(), Some("Windows 2000 5.0"));

        let data = nbss_payload(ASCII_SESS_RESP);
        let resp = parse_session_setup_response(&first_block(&data)).unwrap();
        // tshark: action 0x0000, security_blob_len 9, native_os "Windows Server 2008 R2
        // Standard 7601 Service Pack 1", native_lanman "Windows Server 2008 R2 Standard 6.1"
        assert!(!resp.is_guest());
        assert_eq!(resp.security_blob.len(), 9);
        assert_eq!(resp.native.native_os().map(|s| s.text()).as_deref(), Some("Windows Server 2008 R2 Standard 7601 Service Pack 1"));
        assert_eq!(resp.native.native_lanman().map(|s| s.text()).as_deref(), Some("Windows Server 2008 R2 Standard 6.1"));
    }

    #[test]
    fn tree_connect_unicode_and_oem() {
        let data = nbss_payload(CLIENT_TREE_REQ);
        let req = parse_tree_connect_request(&first_block(&data)).unwrap();
        // tshark: path \\LOCALHOST\MP3, service ?????, pwlen 1
        assert_eq!(req.path, r"\\LOCALHOST\MP3");
        assert_eq!(req.service, "?????");
        assert_eq!(req.password_len, 1);

        let data = nbss_payload(ASCII_TREE_REQ);
        let req = parse_tree_connect_request(&first_block(&data)).unwrap();
        // tshark: path \\10.10.0.2\IPC$, service ?????
        assert_eq!(req.path, r"\\10.10.0.2\IPC$");

        let data = nbss_payload(CLIENT_TREE_RESP);
        let resp = parse_tree_connect_response(&first_block(&data)).unwrap();
        // tshark: service "A:", native_fs NTFS
        assert_eq!(resp.service, "A:");
    }

    #[test]
    fn andx_chain_with_write() {
        let data = nbss_payload(ANDX_WRITE_REQ);
        let m = parse_smb1_message(&data).unwrap();
        let blocks: Vec<_> = m.blocks().collect::<SmbResult<_>>().unwrap();
        // tshark: smb.cmd 0x24,0x2f,0x04; andxoffset 51, 83; write fid 0x4002, offset 0,
        // data_len_low 68, data_offset 92 (the EICAR string)
        let commands: Vec<_> = blocks.iter().map(|b| b.command).collect();
        assert_eq!(commands, [SMB1_COM_LOCKING_ANDX, SMB1_COM_WRITE_ANDX, 0x04]);
        let write = parse_write_request(&blocks[1]).unwrap();
        assert_eq!((write.fid, write.offset, write.data_length), (0x4002, 0, 68));
        assert_eq!(write.data.len(), 68);
        assert!(write.data.starts_with(b"X5O!P%@AP"));
        assert!(matches!(parse_smb1_body(&blocks[2]), Ok(Smb1Body::Other)));

        let data = nbss_payload(ANDX_WRITE_RESP);
        let m = parse_smb1_message(&data).unwrap();
        // tshark: smb.cmd 0x24,0x2f,0x04 with andxoffset 39, 54
        let commands: Vec<_> = m.blocks().map(|b| b.unwrap().command).collect();
        assert_eq!(commands, [SMB1_COM_LOCKING_ANDX, SMB1_COM_WRITE_ANDX, 0x04]);
    }

    #[test]
    fn andx_offset_must_advance() {
        let mut data = nbss_payload(ANDX_WRITE_REQ);
        // LOCKING_ANDX's AndXOffset (words 2..4 after WordCount at 32) pointing backwards
        data[35..37].copy_from_slice(&20u16.to_le_bytes());
        let m = parse_smb1_message(&data).unwrap();
        let items: Vec<_> = m.blocks().collect();
        assert_eq!(items.len(), 2);
        assert!(items[1].is_err());
    }

    #[test]
    fn named_pipe_over_smb1() {
        let data = nbss_payload(DSSETUP_CREATE_REQ);
        let req = parse_nt_create_request(&first_block(&data)).unwrap();
        // tshark: smb.file \lsarpc, access_mask 0x0002019f, disposition 1, options 0,
        // share_access 3
        assert_eq!(req.name, r"\lsarpc");
        assert_eq!(req.desired_access, 0x0002_019f);
        assert_eq!((req.create_disposition, req.create_options, req.share_access), (1, 0, 3));

        let data = nbss_payload(DSSETUP_CREATE_RESP);
        let resp = parse_nt_create_response(&first_block(&data)).unwrap();
        // tshark: fid 0x400b, create.action 1
        assert_eq!(resp.fid, 0x400b);
        assert_eq!(resp.create_disposition, 1);

        let data = nbss_payload(DSSETUP_TRANS_REQ);
        let req = parse_transaction_request(&first_block(&data)).unwrap();
        // tshark: trans_name \PIPE\, fid 0x400b, dcerpc bind (pkt_type 11, frag_len 72)
        assert_eq!(req.name, r"\PIPE\");
        assert_eq!(req.nm_pipe_fid(), Some(0x400b));
        assert_eq!(req.data.len(), 72);
        assert_eq!(&req.data[..3], &[5, 0, 11]);

        let data = nbss_payload(DSSETUP_TRANS_RESP);
        let resp = parse_transaction_response(&first_block(&data)).unwrap();
        // tshark: dcerpc bind_ack (pkt_type 12, frag_len 68)
        assert_eq!(resp.data.len(), 68);
        assert_eq!(&resp.data[..3], &[5, 0, 12]);
    }

    #[test]
    fn transaction_interim_response() {
        let data = nbss_payload(FILENAME_TRANS_INTERIM);
        // tshark: smb.cmd 0x25, smb.wct 0, STATUS_SUCCESS
        assert_eq!(parse_smb1_body(&first_block(&data)), Ok(Smb1Body::TransactionInterim));
    }

    #[test]
    fn read_andx() {
        let data = nbss_payload(CLIENT_READ_REQ);
        let req = parse_read_request(&first_block(&data)).unwrap();
        // tshark: fid 0x42fe, offset 0, maxcount_low 15
        assert_eq!((req.fid, req.offset, req.max_count), (0x42fe, 0, 15));

        let data = nbss_payload(CLIENT_READ_RESP);
        let resp = parse_read_response(&first_block(&data)).unwrap();
        // tshark: data_len_low 15, data_offset 59, file_data "this is a test\n"
        assert_eq!(resp.data_length, 15);
        assert_eq!(resp.data, b"this is a test\n");
    }

    const ALL: &[&str] = &[
        MULTI_NEG_REQ,
        CLIENT_NEG_REQ,
        CLIENT_NEG_RESP,
        CLIENT_SESS_REQ,
        CLIENT_SESS_RESP,
        CLIENT_TREE_REQ,
        CLIENT_TREE_RESP,
        CLIENT_READ_REQ,
        CLIENT_READ_RESP,
        ASCII_NEG_RESP,
        ASCII_SESS_REQ,
        ASCII_SESS_RESP,
        ASCII_TREE_REQ,
        ANDX_WRITE_REQ,
        ANDX_WRITE_RESP,
        DSSETUP_CREATE_REQ,
        DSSETUP_CREATE_RESP,
        DSSETUP_TRANS_REQ,
        DSSETUP_TRANS_RESP,
        FILENAME_TRANS_INTERIM,
        CORE_WRITE_BIND_REQ,
        CORE_READ_REQ,
        CORE_READ_RESP,
    ];

    const COMMANDS: &[u8] = &[
        SMB1_COM_NEGOTIATE,
        SMB1_COM_SESSION_SETUP_ANDX,
        SMB1_COM_TREE_CONNECT_ANDX,
        SMB1_COM_NT_CREATE_ANDX,
        SMB1_COM_WRITE_ANDX,
        SMB1_COM_READ_ANDX,
        SMB1_COM_WRITE,
        SMB1_COM_READ,
        SMB1_COM_TRANSACTION,
    ];

    /// Every block of `data` through every parser, both directions, Unicode or not.
    fn parse_everything(data: &[u8]) {
        let Ok(m) = parse_smb1_message(data) else {
            return;
        };
        for b in m.blocks().flatten() {
            for &command in COMMANDS {
                for flags in [0, SMB1_FLAGS_REPLY] {
                    for flags2 in [0, SMB1_FLAGS2_UNICODE] {
                        let mut other = b;
                        other.command = command;
                        other.header.flags = flags;
                        other.header.flags2 = flags2;
                        let _ = parse_smb1_body(&other);
                    }
                }
            }
        }
    }

    #[test]
    fn every_real_message_parses_through_the_dispatcher() {
        for hex in ALL {
            let data = nbss_payload(hex);
            let m = parse_smb1_message(&data).unwrap();
            for b in m.blocks() {
                assert!(parse_smb1_body(&b.unwrap()).is_ok(), "{hex}");
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut data = SMB1_MAGIC.to_vec();
            data.extend_from_slice(&tail);
            parse_everything(&data);
        }

        #[test]
        fn truncations_never_panic(which in 0..ALL.len(), cut in 0usize..300) {
            let data = nbss_payload(ALL[which]);
            parse_everything(&data[..cut.min(data.len())]);
        }

        #[test]
        fn corrupted_bytes_never_panic(which in 0..ALL.len(), at in 0usize..300, value: u8) {
            let mut data = nbss_payload(ALL[which]);
            let at = at % data.len();
            data[at] = value;
            parse_everything(&data);
        }
    }
}
