//! SMB1 messages: the negotiate (and the multi-protocol negotiate that leads to SMB2), session
//! setup with and without extended security, tree connect, and pipes (NT_CREATE_ANDX,
//! WRITE_ANDX, READ_ANDX, TRANSACTION TransactNmPipe).

use hardwire_auth::Mech;
use hardwire_flow::Direction;
use hardwire_smb::smb1_records::{
    parse_smb1_body, parse_smb1_message, Smb1Body, Smb1SessionSetupAuth, SMB1_COM_NEGOTIATE, SMB1_COM_SESSION_SETUP_ANDX,
    SMB1_FLAGS2_SECURITY_SIGNATURE, SMB1_FLAGS2_SECURITY_SIGNATURE_REQUIRED,
};

use super::session::{smb1_dialect, Pending, PipeKey, STATUS_SUCCESS};
use super::SmbFlow;
use crate::app::AppContext;
use crate::event::{NtlmKind, NtlmObject};

/// SMB1 pending requests are keyed apart from SMB2 message ids.
const SMB1_PENDING: u64 = 1 << 63;

fn pending_key(pid: u16, mid: u16) -> u64 {
    SMB1_PENDING | u64::from(pid) << 16 | u64::from(mid)
}

impl SmbFlow {
    pub(super) fn smb1_message(&mut self, dir: Direction, payload: &[u8], cx: &mut AppContext) {
        let message = match parse_smb1_message(payload) {
            Ok(message) => message,
            Err(_) => return cx.parse_error("smb"),
        };
        let h = message.header;
        let uid = u64::from(h.uid);
        if h.command != SMB1_COM_NEGOTIATE {
            // SMB1 in use past the negotiate.
            self.negotiated.version = Some(1);
            if dir == Direction::ToServer && h.command != SMB1_COM_SESSION_SETUP_ANDX {
                self.observe_request(uid, h.flags2 & SMB1_FLAGS2_SECURITY_SIGNATURE != 0, cx);
            }
        }
        let key = pending_key(h.pid_low, h.mid);
        for block in message.blocks() {
            let Ok(block) = block else {
                cx.parse_error("smb");
                break;
            };
            let body = match parse_smb1_body(&block) {
                Ok(body) => body,
                Err(_) => {
                    cx.parse_error("smb");
                    break;
                }
            };
            match body {
                Smb1Body::NegotiateRequest(request) => {
                    // SMB1 clients say they require signing in Flags2 (MS-CIFS 2.2.3.1).
                    self.negotiated.client_signing_required = Some(h.flags2 & SMB1_FLAGS2_SECURITY_SIGNATURE_REQUIRED != 0);
                    self.negotiated.offer(request.dialects.into_iter().map(smb1_dialect));
                }
                Smb1Body::NegotiateResponse(response) => {
                    let chosen = self.negotiated.dialects_offered.get(usize::from(response.dialect_index)).cloned();
                    if let Some(dialect) = chosen {
                        cx.stats.count_smb_dialect(&dialect);
                        self.negotiated.version = Some(1);
                        self.negotiated.smb1_dialect = Some(dialect);
                        self.negotiated.signing_required = Some(response.signing_required());
                    }
                }
                Smb1Body::SessionSetupRequest(request) => match request.auth {
                    Smb1SessionSetupAuth::ExtendedSecurity { security_blob } => self.observe_setup_token(uid, security_blob, cx),
                    Smb1SessionSetupAuth::Password { oem_password_len, unicode_password_len, account_name, primary_domain } => {
                        let auth = self.setup_auth(uid, cx);
                        auth.ntlm = Some(NtlmObject {
                            version: Some(password_version(&account_name, oem_password_len, unicode_password_len)),
                            user: Some(account_name),
                            domain: Some(primary_domain),
                            ..NtlmObject::default()
                        });
                        auth.ntlm_authenticated = true;
                        auth.mechanism = Some(Mech::Ntlm);
                    }
                },
                Smb1Body::SessionSetupResponse(response) => {
                    let session = self.setup_response(uid, h.status, response.security_blob, cx);
                    session.guest |= response.is_guest();
                    self.finish_setup(uid, cx);
                }
                Smb1Body::Error { status } if block.command == SMB1_COM_SESSION_SETUP_ANDX => {
                    self.setup_response(uid, status, &[], cx);
                    self.finish_setup(uid, cx);
                }
                Smb1Body::TreeConnectRequest(request) => self.remember(key, Pending::TreeConnect { path: request.path }, cx),
                Smb1Body::TreeConnectResponse(_) => {
                    if let Some(Pending::TreeConnect { path }) = self.pending.remove(&key) {
                        if h.status == STATUS_SUCCESS {
                            self.tree_connected((uid, u32::from(h.tid)), path, cx);
                        }
                    }
                }
                Smb1Body::NtCreateRequest(request) => {
                    self.remember(key, Pending::Create { name: request.name, tree: (uid, u32::from(h.tid)) }, cx)
                }
                Smb1Body::NtCreateResponse(response) => {
                    if let Some(Pending::Create { name, tree }) = self.pending.remove(&key) {
                        self.opened(tree, &name, PipeKey::Smb1(response.fid), cx);
                    }
                }
                Smb1Body::WriteRequest(write) => {
                    self.adopt_pipe(PipeKey::Smb1(write.fid), uid, write.data, cx);
                    self.pipe_data(PipeKey::Smb1(write.fid), Direction::ToServer, write.data, cx);
                }
                Smb1Body::ReadRequest(read) if self.pipes.contains_key(&PipeKey::Smb1(read.fid)) => {
                    self.remember(key, Pending::Read { pipe: PipeKey::Smb1(read.fid) }, cx);
                }
                Smb1Body::ReadResponse(read) => {
                    if let Some(Pending::Read { pipe }) = self.pending.remove(&key) {
                        self.pipe_data(pipe, Direction::ToClient, read.data, cx);
                    }
                }
                Smb1Body::TransactionRequest(transaction) => {
                    if let Some(fid) = transaction.nm_pipe_fid() {
                        self.adopt_pipe(PipeKey::Smb1(fid), uid, transaction.data, cx);
                        self.pipe_data(PipeKey::Smb1(fid), Direction::ToServer, transaction.data, cx);
                        self.remember(key, Pending::Transact { pipe: PipeKey::Smb1(fid) }, cx);
                    }
                }
                Smb1Body::TransactionResponse(transaction) => {
                    if let Some(Pending::Transact { pipe }) = self.pending.remove(&key) {
                        self.pipe_data(pipe, Direction::ToClient, transaction.data, cx);
                    }
                }
                Smb1Body::Error { .. } => {
                    self.pending.remove(&key);
                }
                _ => {}
            }
        }
        self.settle_or_refresh(uid, cx);
    }
}

/// NTLM family of a session setup without extended security, from the password lengths
/// (MS-CIFS 2.2.4.53.1): a 24-byte NT (Unicode) password is NTLMv1, a longer one NTLMv2; none at
/// all with an empty account is anonymous; an LM (OEM) password alone is as weak as v1.
fn password_version(account: &str, oem_len: u16, unicode_len: u16) -> NtlmKind {
    match unicode_len {
        0 if account.is_empty() && oem_len <= 1 => NtlmKind::Anonymous,
        0 | 24 => NtlmKind::V1,
        _ => NtlmKind::V2,
    }
}
