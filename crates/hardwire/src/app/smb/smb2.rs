//! SMB2/3 messages: negotiate, session setup, tree connect, and the pipe traffic (CREATE, READ,
//! WRITE, IOCTL FSCTL_PIPE_TRANSCEIVE).

use std::borrow::Cow;

use hardwire_flow::Direction;
use hardwire_smb::names::{cipher_name, compression_algorithm_name, preauth_hash_name, signing_algorithm_name, smb2_dialect_name};
use hardwire_smb::smb2_records::{
    parse_smb2_body, smb2_compound, smb2_compound_prefix, NegotiateContext, Smb2Body, Smb2FileId, Smb2Message, Smb2NegotiateRequest,
    Smb2NegotiateResponse, FSCTL_PIPE_TRANSCEIVE, SMB2_CREATE, SMB2_NEGOTIATE, SMB2_SESSION_SETUP,
};

use super::session::{Pending, PipeKey, STATUS_PENDING, STATUS_SUCCESS};
use super::SmbFlow;
use crate::app::AppContext;

/// Requests that are never signed (MS-SMB2 3.2.4.1.1): they say nothing about signing.
const SMB2_CANCEL: u16 = 0x000C;
const SMB2_ECHO: u16 = 0x000D;

/// The multi-protocol negotiate's wildcard answer: another negotiate follows.
const DIALECT_WILDCARD: u16 = 0x02FF;

/// What an element of a compound chain used, for the related element after it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Related {
    session: u64,
    tree: Option<u32>,
    /// The file it opened or used (for a command we do not read, the one before it used).
    file: Option<PipeKey>,
}

impl SmbFlow {
    /// Every message of a compound chain. Given the head of a longer message (`prefix`),
    /// returns where its chain goes on past the head, if it does.
    pub(super) fn smb2_messages(&mut self, dir: Direction, payload: &[u8], prefix: bool, cx: &mut AppContext) -> Option<usize> {
        self.negotiated.version.get_or_insert(2);
        let chain = if prefix { smb2_compound_prefix(payload) } else { smb2_compound(payload) };
        // Where the element after the last one walked starts (none after a last element).
        let mut next = Some(0usize);
        for message in chain {
            match message {
                Ok(message) => {
                    let session_id = self.smb2_message(dir, &message, cx);
                    self.settle_or_refresh(session_id, cx);
                    let step = message.header.next_command as usize;
                    next = next.filter(|_| step != 0).map(|at| at.saturating_add(step));
                }
                Err(_) => {
                    cx.parse_error("smb");
                    next = None;
                    break;
                }
            }
        }
        let rest = next.filter(|_| prefix);
        if rest.is_none() {
            self.related[dir.index()] = None; // the chain has ended
        }
        rest
    }

    /// One element of a chain, with the identifiers a related element takes from the one before
    /// it (MS-SMB2 3.3.5.2.7.2: its FileId, SessionId and TreeId are those the previous element
    /// used or was answered with; a related request's own are placeholders, all 0xFF). Returns
    /// the session it belongs to.
    fn smb2_message(&mut self, dir: Direction, m: &Smb2Message<'_>, cx: &mut AppContext) -> u64 {
        let previous = self.related[dir.index()].filter(|_| m.header.is_related());
        let mut header = m.header;
        if let Some(previous) = previous.filter(|_| !header.is_response()) {
            header.session_id = previous.session;
            header.tree_id = previous.tree;
        }
        let m = Smb2Message { header, raw: m.raw };
        let inherited = previous.and_then(|p| p.file);
        let file = self.smb2_command(dir, &m, inherited, cx).or(inherited);
        self.related[dir.index()] = Some(Related { session: header.session_id, tree: header.tree_id, file });
        header.session_id
    }

    /// Handles one command; returns the file it opened or used, if any.
    fn smb2_command(&mut self, dir: Direction, m: &Smb2Message<'_>, inherited: Option<PipeKey>, cx: &mut AppContext) -> Option<PipeKey> {
        let h = &m.header;
        // The file a FileId means: the previous element's in a related element.
        let file = |id: Smb2FileId| inherited.unwrap_or(PipeKey::Smb2(id.persistent, id.volatile));
        if dir == Direction::ToServer && !matches!(h.command, SMB2_NEGOTIATE | SMB2_SESSION_SETUP | SMB2_CANCEL | SMB2_ECHO) {
            self.observe_request(h.session_id, h.is_signed(), cx);
        }
        let body = match parse_smb2_body(m) {
            Ok(body) => body,
            Err(_) => {
                // A message cut short by the large-message path, or malformed: counted, skipped.
                cx.parse_error("smb");
                return None;
            }
        };
        if h.is_response() && h.status == STATUS_PENDING {
            return None; // an interim answer: the real one follows
        }
        match body {
            Smb2Body::NegotiateRequest(request) => self.negotiate_request(&request),
            Smb2Body::NegotiateResponse(response) => self.negotiate_response(&response, cx),
            Smb2Body::SessionSetupRequest(request) => self.observe_setup_token(h.session_id, request.security_buffer, cx),
            Smb2Body::SessionSetupResponse(response) => {
                let session = self.setup_response(h.session_id, h.status, response.security_buffer, cx);
                session.guest |= response.is_guest();
                session.null_flag |= response.is_null();
                session.encrypt_flag |= response.encrypt_data();
                self.finish_setup(h.session_id, cx);
            }
            Smb2Body::Error(_) if h.command == SMB2_SESSION_SETUP => {
                self.setup_response(h.session_id, h.status, &[], cx);
                self.finish_setup(h.session_id, cx);
            }
            Smb2Body::TreeConnectRequest(request) => self.remember(h.message_id, Pending::TreeConnect { path: request.path }, cx),
            Smb2Body::TreeConnectResponse(response) => {
                if let Some(Pending::TreeConnect { path }) = self.pending.remove(&h.message_id) {
                    if h.status == STATUS_SUCCESS {
                        let tree = (h.session_id, h.tree_id.unwrap_or_default());
                        self.tree_connected(tree, path, cx);
                        if response.encrypt_data() {
                            let session = self.session(h.session_id, cx);
                            session.changed |= !session.encrypted_share;
                            session.encrypted_share = true;
                        }
                    }
                }
            }
            Smb2Body::CreateRequest(request) => {
                let tree = (h.session_id, h.tree_id.unwrap_or_default());
                self.remember(h.message_id, Pending::Create { name: request.name, tree }, cx);
                return Some(PipeKey::Created(h.message_id));
            }
            Smb2Body::CreateResponse(response) => {
                let id = response.file_id;
                let pipe = PipeKey::Smb2(id.persistent, id.volatile);
                self.created(h.message_id, pipe, cx);
                return Some(pipe);
            }
            Smb2Body::WriteRequest(write) => {
                let pipe = file(write.file_id);
                self.open_created(pipe, cx);
                self.adopt_pipe(pipe, h.session_id, write.data, cx);
                self.pipe_data(pipe, Direction::ToServer, write.data, cx);
                return Some(pipe);
            }
            Smb2Body::ReadRequest(read) => {
                let pipe = file(read.file_id);
                self.open_created(pipe, cx);
                if self.pipes.contains_key(&pipe) {
                    self.remember(h.message_id, Pending::Read { pipe }, cx);
                }
                return Some(pipe);
            }
            Smb2Body::ReadResponse(read) => {
                if let Some(Pending::Read { pipe }) = self.pending.remove(&h.message_id) {
                    self.pipe_data(pipe, Direction::ToClient, read.data, cx);
                }
            }
            Smb2Body::IoctlRequest(ioctl) if ioctl.ctl_code == FSCTL_PIPE_TRANSCEIVE => {
                let pipe = file(ioctl.file_id);
                self.open_created(pipe, cx);
                self.adopt_pipe(pipe, h.session_id, ioctl.input, cx);
                self.pipe_data(pipe, Direction::ToServer, ioctl.input, cx);
                return Some(pipe);
            }
            Smb2Body::IoctlResponse(ioctl) if ioctl.ctl_code == FSCTL_PIPE_TRANSCEIVE => {
                let pipe = file(ioctl.file_id);
                self.pipe_data(pipe, Direction::ToClient, ioctl.output, cx);
                return Some(pipe);
            }
            Smb2Body::CloseRequest(close) => {
                let pipe = file(close.file_id);
                if let PipeKey::Created(create) = pipe {
                    self.pending.remove(&create); // closed before its CREATE was answered
                }
                self.close_pipe(pipe, cx);
                return Some(pipe);
            }
            Smb2Body::Error(_) => {
                self.pending.remove(&h.message_id);
                if h.command == SMB2_CREATE {
                    // what related elements wrote to the file the CREATE did not open
                    self.close_pipe(PipeKey::Created(h.message_id), cx);
                }
            }
            _ => {}
        }
        None
    }

    /// A CREATE answered with its FileId: the file becomes a pipe as it opens, or, when related
    /// elements compounded after the CREATE already used it, their conversation takes its
    /// FileId (and so do their READs waiting for answers).
    fn created(&mut self, message_id: u64, pipe: PipeKey, cx: &mut AppContext) {
        let created = PipeKey::Created(message_id);
        let pending = self.pending.remove(&message_id);
        match self.pipes.remove(&created) {
            Some(early) => {
                self.close_pipe(pipe, cx);
                self.pipes.insert(pipe, early);
                for waiting in self.pending.values_mut() {
                    if let Pending::Read { pipe: of } | Pending::Transact { pipe: of } = waiting {
                        if *of == created {
                            *of = pipe;
                        }
                    }
                }
            }
            None => {
                if let Some(Pending::Create { name, tree }) = pending {
                    self.opened(tree, &name, pipe, cx);
                }
            }
        }
    }

    /// A related element using the file of a CREATE not answered yet: the file becomes a pipe
    /// now (as the CREATE's answer would make it), so the bind it carries is not lost.
    fn open_created(&mut self, pipe: PipeKey, cx: &mut AppContext) {
        let PipeKey::Created(message_id) = pipe else { return };
        if self.pipes.contains_key(&pipe) {
            return;
        }
        if let Some(Pending::Create { name, tree }) = self.pending.get(&message_id) {
            let (name, tree) = (name.clone(), *tree);
            self.opened(tree, &name, pipe, cx);
        }
    }

    fn negotiate_request(&mut self, request: &Smb2NegotiateRequest<'_>) {
        let n = &mut self.negotiated;
        n.offer(request.dialects.iter().map(|dialect| smb2_dialect_name(*dialect)));
        n.client_signing_required = Some(request.signing_required());
        for context in &request.contexts {
            match context {
                NegotiateContext::Encryption { ciphers } => {
                    n.ciphers_offered =
                        ciphers.iter().map(|c| cipher_name(*c).map_or_else(|| format!("0x{c:04x}").into(), Cow::Borrowed)).collect();
                }
                NegotiateContext::NetName(name) => n.server_name = Some(name.clone()),
                _ => {}
            }
        }
    }

    fn negotiate_response(&mut self, response: &Smb2NegotiateResponse<'_>, cx: &mut AppContext) {
        let n = &mut self.negotiated;
        n.version = Some(2);
        n.signing_required = Some(response.signing_required());
        if response.dialect == DIALECT_WILDCARD {
            return;
        }
        n.smb2_dialect = Some(response.dialect);
        n.smb1_dialect = None;
        cx.stats.count_smb_dialect(&smb2_dialect_name(response.dialect));
        n.previous_best_dialect = cx.shared.dialects.observe(cx.server_ip, response.dialect);
        for context in &response.contexts {
            match context {
                NegotiateContext::PreauthIntegrity { hash_algorithms, .. } => {
                    n.preauth_hash = hash_algorithms.first().and_then(|h| preauth_hash_name(*h));
                }
                NegotiateContext::Encryption { ciphers } => n.cipher = ciphers.first().and_then(|c| cipher_name(*c)),
                NegotiateContext::Signing { algorithms } => {
                    n.signing_algorithm = algorithms.first().and_then(|a| signing_algorithm_name(*a));
                }
                NegotiateContext::Compression { algorithms, .. } => {
                    n.compression = algorithms.iter().filter_map(|a| compression_algorithm_name(*a)).collect();
                }
                _ => {}
            }
        }
    }
}
