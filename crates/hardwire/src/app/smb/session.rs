//! What one SMB connection and its sessions have shown about their security, and the `smb`
//! record they become.

use std::borrow::Cow;
use std::sync::Arc;

use hardwire_smb::names::{known_dialect, nt_status_string, smb2_dialect_name};

use crate::app::auth::AuthState;
use crate::app::dcerpc::Conversation;
use crate::event::{KerberosObject, NtlmObject, Objects, Outcome, SessionIdText, ShareKind, SmbObject};

/// Requests seen after a session is set up before its record is written: enough to tell whether
/// it signs, and to catch the first tree connects.
pub(super) const SETTLE_REQUESTS: u32 = 16;
/// Bounds on what one session or negotiate may make us remember (the connection's tables are
/// bounded by `limits.max_smb_*`).
pub(super) const MAX_SHARES: usize = 32;
pub(super) const MAX_DIALECTS: usize = 32;

pub(super) const STATUS_SUCCESS: u32 = 0;
pub(super) const STATUS_MORE_PROCESSING_REQUIRED: u32 = 0xC000_0016;
pub(super) const STATUS_PENDING: u32 = 0x0000_0103;

/// Facts of the negotiate, shared by every session of the connection.
#[derive(Debug, Default, Clone)]
pub(super) struct Negotiated {
    /// 1 when SMB1 is in use (an SMB1 negotiate answer or SMB1 commands), 2 for SMB2/3.
    pub version: Option<u8>,
    /// Shared with the records of the connection's sessions (one per failed logon in a brute
    /// force), which would otherwise each copy the list.
    pub dialects_offered: Arc<[Cow<'static, str>]>,
    /// SMB1 dialect string in force.
    pub smb1_dialect: Option<Cow<'static, str>>,
    /// SMB2 dialect code in force (never 0x02FF).
    pub smb2_dialect: Option<u16>,
    pub signing_required: Option<bool>,
    pub client_signing_required: Option<bool>,
    pub preauth_hash: Option<&'static str>,
    pub ciphers_offered: Vec<Cow<'static, str>>,
    pub cipher: Option<&'static str>,
    pub signing_algorithm: Option<&'static str>,
    pub compression: Vec<&'static str>,
    pub server_name: Option<String>,
    pub previous_best_dialect: Option<u16>,
}

impl Negotiated {
    /// The dialects of a negotiate request, after those of any earlier one.
    pub fn offer(&mut self, dialects: impl IntoIterator<Item = Cow<'static, str>>) {
        let mut offered = self.dialects_offered.to_vec();
        for dialect in dialects {
            if offered.len() < MAX_DIALECTS && !offered.contains(&dialect) {
                offered.push(dialect);
            }
        }
        self.dialects_offered = offered.into();
    }

    fn dialect(&self) -> Option<Cow<'static, str>> {
        self.smb2_dialect.map(smb2_dialect_name).or_else(|| self.smb1_dialect.clone())
    }

    /// The signing algorithm a dialect implies when no SIGNING context says otherwise
    /// (MS-SMB2 3.1.4.1).
    pub fn implied_signing_algorithm(&self) -> Option<&'static str> {
        match self.smb2_dialect? {
            0x0202 | 0x0210 => Some("HMAC-SHA256"),
            0x0300 | 0x0302 | 0x0311 => Some("AES-CMAC"),
            _ => None,
        }
    }
}

/// An SMB1 dialect string as sent: borrowed when it is a known spelling, so that the records
/// of a connection's sessions share it instead of each copying it.
pub(super) fn smb1_dialect(sent: String) -> Cow<'static, str> {
    match known_dialect(&sent) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(sent),
    }
}

/// One SMB session (SMB2 SessionId, SMB1 UID).
#[derive(Debug, Default)]
pub(super) struct Session {
    pub id: u64,
    /// Last SESSION_SETUP status; `None` while no response was seen.
    pub status: Option<u32>,
    pub guest: bool,
    pub null_flag: bool,
    pub encrypt_flag: bool,
    pub encrypted_share: bool,
    pub transform_seen: bool,
    pub auth: AuthState,
    pub shares: Vec<String>,
    pub signed_requests: u32,
    pub unsigned_requests: u32,
    pub requests_after_setup: u32,
    /// The objects of the session's last record; `None` while none was written.
    pub last_record: Option<Arc<Objects>>,
    /// The current logon's record was written (a new logon on the same id starts unwritten).
    pub written: bool,
    /// A fact of the record changed since it was written (a share, signing, encryption): the
    /// session is written again.
    pub changed: bool,
    /// When it was last used (the connection's message count), for eviction.
    pub used: u64,
}

impl Session {
    pub fn new(id: u64) -> Self {
        Session { id, ..Session::default() }
    }

    pub fn established(&self) -> bool {
        self.status == Some(STATUS_SUCCESS)
    }

    /// Set up, with an identity proven (an NTLM AUTHENTICATE, a Kerberos AP-REQ).
    pub fn logged_on(&self) -> bool {
        self.established() && (self.auth.ntlm_authenticated || self.auth.kerberos.is_some())
    }

    pub fn encrypted(&self) -> bool {
        self.encrypt_flag || self.encrypted_share || self.transform_seen
    }

    pub fn anonymous(&self) -> bool {
        self.null_flag || self.auth.is_anonymous()
    }

    pub fn add_share(&mut self, path: String) {
        if self.shares.len() < MAX_SHARES && !self.shares.contains(&path) {
            self.shares.push(path);
            self.changed = true;
        }
    }

    /// Counts one request sent after the session was set up.
    pub fn observe_request(&mut self, signed: bool) {
        self.requests_after_setup = self.requests_after_setup.saturating_add(1);
        let counter = if signed { &mut self.signed_requests } else { &mut self.unsigned_requests };
        // The first of its kind may change what `smb.signed` says.
        self.changed |= *counter == 0;
        *counter = counter.saturating_add(1);
    }

    /// Set up, and enough requests (or encryption) seen to say how it protects itself.
    pub fn settled(&self) -> bool {
        self.established() && (self.requests_after_setup >= SETTLE_REQUESTS || self.transform_seen)
    }

    fn auth_name(&self) -> &'static str {
        if self.anonymous() {
            "anonymous"
        } else {
            self.auth.mechanism.map_or("unknown", |m| m.as_str())
        }
    }

    /// The record's objects: `smb` with the connection's negotiate facts, and `ntlm`/`kerberos`.
    pub fn objects(&self, negotiated: &Negotiated) -> Objects {
        self.record(self.smb_object(negotiated), self.auth.ntlm_object(), self.auth.kerberos.clone())
    }

    /// [`Session::objects`] of a session that is done with: its `ntlm` and `kerberos` objects
    /// move into the record (taken, not the session moved out of its box: it is large).
    pub fn take_objects(&mut self, negotiated: &Negotiated) -> Objects {
        let smb = self.smb_object(negotiated);
        let ntlm = self.auth.take_ntlm_object();
        let kerberos = self.auth.kerberos.take();
        self.record(smb, ntlm, kerberos)
    }

    fn smb_object(&self, negotiated: &Negotiated) -> SmbObject {
        let setup_seen = self.status.is_some();
        let observed = self.signed_requests + self.unsigned_requests;
        SmbObject {
            session_id: Some(SessionIdText::of(self.id)),
            guest: setup_seen.then_some(self.guest),
            anonymous: setup_seen.then(|| self.anonymous()),
            auth: setup_seen.then(|| self.auth_name()),
            status: self.status.map(nt_status_string),
            shares: (!self.shares.is_empty()).then(|| self.shares.clone()),
            share_kinds: self.shares.iter().map(|path| ShareKind::of(path)).collect(),
            signed: (observed > 0 && !self.encrypted()).then_some(self.unsigned_requests == 0),
            encrypted: Some(self.encrypted()),
            ..connection_object(negotiated)
        }
    }

    /// The objects of a record, the `ntlm` object with the logon's outcome.
    fn record(&self, smb: SmbObject, ntlm: Option<NtlmObject>, kerberos: Option<KerberosObject>) -> Objects {
        let ntlm = ntlm.map(|ntlm| NtlmObject { status: self.logon_outcome(), ..ntlm });
        Objects { smb: Some(smb), ntlm, kerberos: kerberos.map(Box::new), ..Objects::default() }
    }

    /// `ntlm.status`: the SESSION_SETUP's final answer (not its MORE_PROCESSING_REQUIRED leg).
    fn logon_outcome(&self) -> Option<Outcome> {
        match self.status? {
            STATUS_SUCCESS => Some(Outcome::Success),
            STATUS_MORE_PROCESSING_REQUIRED => None,
            _ => Some(Outcome::Failure),
        }
    }
}

/// The `smb` object of what the negotiate alone says (also the record of a connection that
/// never set up a session).
pub(super) fn connection_object(n: &Negotiated) -> SmbObject {
    fn non_empty<T: Clone>(v: &[T]) -> Option<Vec<T>> {
        (!v.is_empty()).then(|| v.to_vec())
    }
    SmbObject {
        version: n.version,
        dialects_offered: (!n.dialects_offered.is_empty()).then(|| Arc::clone(&n.dialects_offered)),
        dialect: n.dialect(),
        signing_required: n.signing_required,
        client_signing_required: n.client_signing_required,
        preauth_hash: n.preauth_hash,
        ciphers_offered: non_empty(&n.ciphers_offered),
        cipher: n.cipher,
        signing_algorithm: n.signing_algorithm.or_else(|| n.implied_signing_algorithm()),
        compression: non_empty(&n.compression),
        server_name: n.server_name.clone(),
        previous_best_dialect: n.previous_best_dialect.map(smb2_dialect_name),
        ..SmbObject::default()
    }
}

/// A request waiting for its response, by message id (SMB2) or PID/MID (SMB1).
#[derive(Debug)]
pub(super) enum Pending {
    TreeConnect { path: String },
    Create { name: String, tree: TreeKey },
    Read { pipe: PipeKey },
    Transact { pipe: PipeKey },
}

/// A tree by session and tree id.
pub(super) type TreeKey = (u64, u32);

#[derive(Debug, Clone)]
pub(super) struct Tree {
    /// The pipe share (`IPC$`): files opened on it are named pipes.
    pub ipc: bool,
    pub used: u64,
}

/// An open pipe: SMB2 FileId or SMB1 FID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum PipeKey {
    Smb2(u64, u64),
    Smb1(u16),
    /// The file an SMB2 CREATE request (by message id) opens, used by the related elements
    /// compounded after it before its response names the FileId.
    Created(u64),
}

#[derive(Debug)]
pub(super) struct Pipe {
    pub session: u64,
    pub conversation: Conversation,
    pub used: u64,
}

/// `\PIPE\svcctl`, `\svcctl`, `svcctl` → `svcctl`.
pub(super) fn pipe_name(name: &str) -> String {
    let lower = name.trim_matches('\0').to_ascii_lowercase();
    let trimmed = lower.trim_start_matches('\\');
    trimmed.strip_prefix("pipe\\").unwrap_or(trimmed).to_string()
}

/// Named pipes of the RPC interfaces defenders care about (and a few more seen in the wild):
/// a file of that name opened on a tree the capture never saw connected is taken as a pipe.
const KNOWN_PIPES: &[&str] = &[
    "atsvc",
    "browser",
    "drsuapi",
    "efsrpc",
    "epmapper",
    "eventlog",
    "initshutdown",
    "lsarpc",
    "lsass",
    "netdfs",
    "netlogon",
    "ntsvcs",
    "protected_storage",
    "samr",
    "spoolss",
    "srvsvc",
    "svcctl",
    "tapsrv",
    "trkwks",
    "w32time",
    "winreg",
    "wkssvc",
];

pub(super) fn is_known_pipe(name: &str) -> bool {
    KNOWN_PIPES.contains(&pipe_name(name).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_names_are_normalised() {
        assert_eq!(pipe_name("\\PIPE\\atsvc"), "atsvc");
        assert_eq!(pipe_name("\\svcctl"), "svcctl");
        assert_eq!(pipe_name("srvsvc\0"), "srvsvc");
        assert_eq!(ShareKind::of("\\\\10.0.0.1\\IPC$"), ShareKind::Ipc);
        assert_eq!(ShareKind::of("\\\\fs1\\C$"), ShareKind::Drive);
        assert_eq!(ShareKind::of("\\\\10.0.0.5\\admin$"), ShareKind::Admin);
        assert_eq!(ShareKind::of("\\\\fs1\\finance$"), ShareKind::Other);
        assert!(ShareKind::Drive.is_administrative() && !ShareKind::Ipc.is_administrative());
    }

    #[test]
    fn session_ids_read_as_formatted_hex() {
        for id in [0, 1, 0xa, 0x1234_5678_9abc_def0, 0x0000_0400_0000_0019, u64::MAX] {
            assert_eq!(SessionIdText::of(id).as_str(), format!("0x{id:016x}"));
        }
    }

    #[test]
    fn known_smb1_dialects_are_borrowed() {
        assert!(matches!(smb1_dialect("NT LM 0.12".to_string()), Cow::Borrowed("NT LM 0.12")));
        assert!(matches!(smb1_dialect("XENIX CORE".to_string()), Cow::Owned(sent) if sent == "XENIX CORE"));
    }
}
