//! The SMB state machine: NetBIOS session framing, then SMB1 ([`smb1`]) or SMB2/3 ([`smb2`])
//! messages, folded into what each session shows about its security ([`session`]).
//!
//! An `smb` record per session (connection + SessionId/UID), written once the session is
//! settled (set up and [`session::SETTLE_REQUESTS`] requests seen) or when the connection ends;
//! a fact that changes the record after that (another share, the first unsigned or signed
//! request, encryption, a new logon) writes a further record of the session with its whole
//! state. Failed SESSION_SETUPs get records of their own; a connection that never sets up a
//! session gets one record of its negotiate. Named pipes feed DCE/RPC conversations.
//!
//! Bulk data never waits in a buffer: a message larger than [`LARGE_MESSAGE`] is read from its
//! first bytes and the rest is skipped as it streams by. So an SMB connection is inspected for its
//! whole life at little cost: new sessions, failed logons and pipes can come at any time (a
//! capture of SMB3 multichannel shows thirty failed anonymous logons on a connection whose first
//! session had long settled).

mod session;
mod smb1;
mod smb2;

use std::collections::BTreeMap;
use std::sync::Arc;

use hardwire_flow::Direction;
use hardwire_smb::nbss::{find_smb_frame_start, parse_nbss_frame, smb_protocol, NbssFrame, SmbProtocol};
use hardwire_smb::smb2_transform::{decompress, parse_smb2_compression, parse_smb2_transform, DEFAULT_DECOMPRESS_CAP};

use crate::app::auth::AuthState;
use crate::app::least_recently_used;
use crate::app::{AppContext, ENTRY_OVERHEAD};
use crate::event::EventKind;
use session::{connection_object, Negotiated, Pending, Pipe, PipeKey, Session, Tree, TreeKey};

/// Messages larger than this are read from their head and skipped past.
const LARGE_MESSAGE: usize = 64 << 10;
/// Bytes of a large message read before skipping the rest (headers of READ/WRITE and the like).
const LARGE_MESSAGE_HEAD: usize = 1024;
/// NetBIOS session message type.
const NBSS_SESSION_MESSAGE: u8 = 0x00;

/// The SMB side of one TCP connection.
#[derive(Debug, Default)]
pub(crate) struct SmbFlow {
    negotiated: Negotiated,
    /// Boxed: a map node of eleven inline sessions is a large allocation, made again for each
    /// session of a connection whose sessions come and go (a failed logon at a time).
    sessions: BTreeMap<u64, Box<Session>>,
    /// Tokens of a SESSION_SETUP sent before the server assigned a session id.
    pending_auth: AuthState,
    pending: BTreeMap<u64, Pending>,
    trees: BTreeMap<TreeKey, Tree>,
    pipes: BTreeMap<PipeKey, Pipe>,
    /// After a gap, a direction looks for the next frame start before parsing.
    resync: [bool; 2],
    /// A direction inside a long message whose head was read and whose bulk was skipped, at
    /// the next element of its compound chain: the bytes of the message left from there.
    continuation: [Option<usize>; 2],
    /// Per direction, inside an SMB2 compound chain: what the element just walked used, for a
    /// related element after it.
    related: [Option<smb2::Related>; 2],
    /// Some record was written for this connection.
    recorded: bool,
    /// Messages seen: the clock of the tables' least-recently-used eviction.
    tick: u64,
}

impl SmbFlow {
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        let mut offset = 0;
        if self.resync[dir.index()] {
            match find_smb_frame_start(data) {
                Some(start) => {
                    offset = start;
                    self.resync[dir.index()] = false;
                }
                // Keep a few bytes: a frame header may be split across segments.
                None => return data.len().saturating_sub(7) as u64,
            }
        }
        while let Some(rest) = data.get(offset..).filter(|r| !r.is_empty()) {
            if let Some(left) = self.continuation[dir.index()] {
                match rest.get(..left) {
                    Some(whole) => {
                        self.continuation[dir.index()] = None;
                        self.smb2_messages(dir, whole, false, cx);
                        offset += left;
                    }
                    None if left > LARGE_MESSAGE && rest.len() >= LARGE_MESSAGE_HEAD => {
                        return (offset + self.large_message(dir, rest, left, cx)) as u64;
                    }
                    None => return offset as u64,
                }
                continue;
            }
            match parse_nbss_frame(rest) {
                NbssFrame::Complete { msg_type, payload, total_len } => {
                    if msg_type == NBSS_SESSION_MESSAGE {
                        self.message(dir, payload, cx);
                    }
                    offset += total_len;
                }
                NbssFrame::Incomplete { needed } => {
                    let total = rest.len() + needed;
                    if total > LARGE_MESSAGE && rest.len() >= LARGE_MESSAGE_HEAD {
                        let head = rest.get(4..).unwrap_or_default();
                        return (offset + 4 + self.large_message(dir, head, total - 4, cx)) as u64;
                    }
                    return offset as u64;
                }
                NbssFrame::Invalid => {
                    cx.parse_error("smb");
                    match rest.get(1..).and_then(find_smb_frame_start) {
                        Some(start) => offset += 1 + start,
                        None => {
                            self.resync[dir.index()] = true;
                            return data.len().saturating_sub(7).max(offset) as u64;
                        }
                    }
                }
            }
        }
        offset as u64
    }

    pub fn gap(&mut self, dir: Direction, cx: &mut AppContext) {
        self.resync[dir.index()] = true;
        self.continuation[dir.index()] = None;
        self.related[dir.index()] = None;
        for pipe in self.pipes.values_mut() {
            pipe.conversation.gap(dir, cx);
        }
    }

    /// End of the connection: every pipe's conversation and every session not yet written is
    /// written now.
    pub fn close(&mut self, cx: &mut AppContext) {
        let keys: Vec<PipeKey> = self.pipes.keys().copied().collect();
        for key in keys {
            self.close_pipe(key, cx);
        }
        let ids: Vec<u64> = self.sessions.iter().filter(|(_, s)| !s.written).map(|(id, _)| *id).collect();
        for id in ids {
            self.emit_session(id, cx);
        }
        if !self.recorded && (self.negotiated.version.is_some() || !self.negotiated.dialects_offered.is_empty()) {
            cx.emit(EventKind::Smb, crate::event::Objects { smb: Some(connection_object(&self.negotiated)), ..Default::default() });
            self.recorded = true;
        }
    }

    /// Bytes held beyond the flow's own size, for the memory budget: sessions (with the objects
    /// of their last record, which they share with that record), requests awaiting answers,
    /// trees, and each pipe's conversation. A session's record may hold one boxed object, its
    /// Kerberos AP-REQ's: counted at its size whether there or not (as when it was held inline),
    /// not looked for in every session at every packet.
    pub fn memory(&self) -> usize {
        use std::mem::size_of;
        let session =
            size_of::<Session>() + size_of::<crate::event::Objects>() + size_of::<crate::event::KerberosObject>() + ENTRY_OVERHEAD;
        self.sessions.len() * session
            + self.pending.len() * (size_of::<Pending>() + ENTRY_OVERHEAD)
            + self.trees.len() * (size_of::<Tree>() + ENTRY_OVERHEAD)
            + self.pipes.values().map(|p| size_of::<Pipe>() + ENTRY_OVERHEAD + p.conversation.memory()).sum::<usize>()
    }

    /// A SESSION_SETUP under way (tokens seen, no final status), or a pipe's bind
    /// authenticating.
    pub fn authenticating(&self) -> bool {
        self.pending_auth.mechanism.is_some()
            || self
                .sessions
                .values()
                .any(|s| matches!(s.status, None | Some(session::STATUS_MORE_PROCESSING_REQUIRED)) && s.auth.mechanism.is_some())
            || self.pipes.values().any(|p| p.conversation.authenticating())
    }

    /// The head of a message of `len` bytes, too long to wait for: its command headers are read
    /// from the head and its bulk is skipped. Returns how many bytes of the message to skip:
    /// all of them, or those up to the next element of its compound chain, which is then read
    /// as it streams by (so a 1 MiB WRITE never hides the CREATE or IOCTL compounded after it).
    fn large_message(&mut self, dir: Direction, head: &[u8], len: usize, cx: &mut AppContext) -> usize {
        let next = match smb_protocol(head) {
            Some(SmbProtocol::Smb2) => self.smb2_messages(dir, head, true, cx),
            _ => {
                self.message(dir, head, cx);
                None
            }
        };
        match next.filter(|&at| at < len) {
            Some(at) => {
                self.continuation[dir.index()] = Some(len - at);
                at
            }
            None => {
                self.continuation[dir.index()] = None;
                self.related[dir.index()] = None;
                len
            }
        }
    }

    fn message(&mut self, dir: Direction, payload: &[u8], cx: &mut AppContext) {
        self.tick += 1;
        match smb_protocol(payload) {
            Some(SmbProtocol::Smb1) => self.smb1_message(dir, payload, cx),
            Some(SmbProtocol::Smb2) => {
                self.smb2_messages(dir, payload, false, cx);
            }
            Some(SmbProtocol::Transform) => match parse_smb2_transform(payload) {
                Ok(transform) => {
                    let session = self.session(transform.session_id, cx);
                    session.changed |= !session.transform_seen;
                    session.transform_seen = true;
                    self.settle_or_refresh(transform.session_id, cx);
                }
                Err(_) => cx.parse_error("smb"),
            },
            // Compression is not encryption: what it carries is read like any message.
            Some(SmbProtocol::Compression) => match parse_smb2_compression(payload).and_then(|h| decompress(&h, DEFAULT_DECOMPRESS_CAP)) {
                Ok(inner) if smb_protocol(&inner.data) == Some(SmbProtocol::Smb2) => {
                    self.smb2_messages(dir, &inner.data, false, cx);
                }
                _ => cx.parse_error("smb"),
            },
            None => cx.parse_error("smb"),
        }
    }

    /// The session of `id`, made if new; a full table first gives up its least recently used
    /// session, whose record is written if it never was.
    fn session(&mut self, id: u64, cx: &mut AppContext) -> &mut Session {
        if let Some(lru) = least_recently_used(&self.sessions, &id, cx.config.limits.max_smb_sessions, |s| s.used) {
            if let Some(evicted) = self.sessions.remove(&lru).filter(|s| !s.written) {
                self.emit_forgotten(evicted, cx);
            }
            cx.stats.memory.count_evicted("smb_sessions");
        }
        let session = self.sessions.entry(id).or_insert_with(|| Box::new(Session::new(id)));
        session.used = self.tick;
        session
    }

    /// Where a SESSION_SETUP request's credentials go: to its session, or held until the server
    /// names one. A request on a session already logged on starts a new logon of it.
    fn setup_auth(&mut self, session_id: u64, cx: &mut AppContext) -> &mut AuthState {
        if session_id == 0 {
            &mut self.pending_auth
        } else {
            self.relogon_if_logged_on(session_id, cx);
            &mut self.session(session_id, cx).auth
        }
    }

    /// A new logon on a session that already proved an identity (SMB2 re-authentication, an
    /// SMB1 client logging on again with its UID): the earlier logon's record is written if it
    /// never was, and the session starts again, its alerts raised afresh for the new logon.
    fn relogon_if_logged_on(&mut self, session_id: u64, cx: &mut AppContext) {
        if !self.sessions.get(&session_id).is_some_and(|s| s.logged_on()) {
            return;
        }
        if let Some(earlier) = self.sessions.insert(session_id, Box::new(Session::new(session_id))).filter(|s| !s.written) {
            self.emit_forgotten(earlier, cx);
        }
    }

    /// A SESSION_SETUP request's token.
    fn observe_setup_token(&mut self, session_id: u64, blob: &[u8], cx: &mut AppContext) {
        if self.setup_auth(session_id, cx).observe(blob).is_err() {
            cx.parse_error("auth");
        }
    }

    /// A SESSION_SETUP response: the held tokens join the session, then its own token and
    /// status are folded in. Success and failure are final; failures are written at once.
    fn setup_response(&mut self, session_id: u64, status: u32, blob: &[u8], cx: &mut AppContext) -> &mut Session {
        // (Taken only when there is something: the state is large, and most responses follow
        // a request that named its session.)
        let held = (!self.pending_auth.is_empty()).then(|| std::mem::take(&mut self.pending_auth));
        if held.is_some() {
            // Tokens sent without a session id, answered with the id of a logged-on session.
            self.relogon_if_logged_on(session_id, cx);
        }
        let session = self.session(session_id, cx);
        if let Some(held) = held {
            merge_auth(&mut session.auth, held);
        }
        if session.auth.observe(blob).is_err() {
            cx.parse_error("auth");
        }
        session.status = Some(status);
        if status == session::STATUS_SUCCESS {
            if let Some(mechanism) = session.auth.mechanism {
                *cx.stats.auth_mechanisms.entry(mechanism.as_str()).or_default() += 1;
            }
        }
        session
    }

    /// After a setup response: a failure is written at once and forgotten.
    fn finish_setup(&mut self, session_id: u64, cx: &mut AppContext) {
        let status = self.sessions.get(&session_id).and_then(|s| s.status);
        if status.is_some_and(|status| status != session::STATUS_SUCCESS && status != session::STATUS_MORE_PROCESSING_REQUIRED) {
            if let Some(failed) = self.sessions.remove(&session_id) {
                self.emit_forgotten(failed, cx);
            }
        }
    }

    /// Writes the session's record (a further one when it was written before).
    fn emit_session(&mut self, session_id: u64, cx: &mut AppContext) {
        let Some(session) = self.sessions.get_mut(&session_id) else { return };
        session.changed = false;
        session.written = true;
        let objects = Arc::new(session.objects(&self.negotiated));
        let previous = session.last_record.replace(Arc::clone(&objects));
        cx.emit_update(EventKind::Smb, objects, previous);
        self.recorded = true;
    }

    /// Writes the record of a session taken out of the table (a failed logon, an evicted or
    /// superseded one): its names move into the record instead of being copied.
    fn emit_forgotten(&mut self, mut session: Box<Session>, cx: &mut AppContext) {
        let previous = session.last_record.take();
        cx.emit_update(EventKind::Smb, Arc::new(session.take_objects(&self.negotiated)), previous);
        self.recorded = true;
    }

    /// A session that settles gets its first record; one already written gets a further record
    /// when a fact of it changed what the record says.
    fn settle_or_refresh(&mut self, session_id: u64, cx: &mut AppContext) {
        let Some(session) = self.sessions.get_mut(&session_id) else { return };
        if session.written {
            if !session.changed {
                return;
            }
            session.changed = false;
            if session.last_record.as_deref() != Some(&session.objects(&self.negotiated)) {
                self.emit_session(session_id, cx);
            }
        } else if session.settled() {
            self.emit_session(session_id, cx);
        }
    }

    /// Counts a request of an established session (whose record may be due).
    fn observe_request(&mut self, session_id: u64, signed: bool, cx: &mut AppContext) {
        if let Some(session) = self.sessions.get_mut(&session_id).filter(|s| s.established()) {
            session.used = self.tick;
            session.observe_request(signed);
            self.settle_or_refresh(session_id, cx);
        }
    }

    /// A request awaiting its answer. A full table gives up the oldest: message ids grow, so
    /// the lowest key has waited longest (no scan on this per-request path).
    fn remember(&mut self, key: u64, pending: Pending, cx: &mut AppContext) {
        if self.pending.len() >= cx.config.limits.max_smb_pending && !self.pending.contains_key(&key) {
            self.pending.pop_first();
            cx.stats.memory.count_evicted("smb_pending");
        }
        self.pending.insert(key, pending);
    }

    fn tree_connected(&mut self, key: TreeKey, path: String, cx: &mut AppContext) {
        let ipc = crate::event::ShareKind::of(&path) == crate::event::ShareKind::Ipc;
        self.session(key.0, cx).add_share(path);
        if let Some(lru) = least_recently_used(&self.trees, &key, cx.config.limits.max_smb_trees, |t| t.used) {
            self.trees.remove(&lru);
            cx.stats.memory.count_evicted("smb_trees");
        }
        self.trees.insert(key, Tree { ipc, used: self.tick });
    }

    /// A new pipe; a full table first closes its least recently used one, whose conversation
    /// writes what it holds.
    fn add_pipe(&mut self, key: PipeKey, session: u64, conversation: crate::app::dcerpc::Conversation, cx: &mut AppContext) {
        if let Some(lru) = least_recently_used(&self.pipes, &key, cx.config.limits.max_smb_pipes, |p| p.used) {
            self.close_pipe(lru, cx);
            cx.stats.memory.count_evicted("smb_pipes");
        }
        self.pipes.insert(key, Pipe { session, conversation, used: self.tick });
    }

    /// A file opened on the pipe share becomes a DCE/RPC conversation. When the capture began
    /// after the tree connect, a well-known pipe name is taken as enough.
    fn opened(&mut self, tree: TreeKey, name: &str, pipe: PipeKey, cx: &mut AppContext) {
        let is_pipe = match self.trees.get_mut(&tree) {
            Some(tree) => {
                tree.used = self.tick;
                tree.ipc
            }
            None => session::is_known_pipe(name),
        };
        if is_pipe {
            let conversation = crate::app::dcerpc::Conversation::new(Some(session::pipe_name(name)));
            self.add_pipe(pipe, tree.0, conversation, cx);
        }
    }

    /// A write to a file we never saw opened that starts with a DCE/RPC bind is a pipe whose
    /// CREATE came before the capture did.
    fn adopt_pipe(&mut self, pipe: PipeKey, session: u64, data: &[u8], cx: &mut AppContext) {
        if !self.pipes.contains_key(&pipe) && hardwire_dcerpc::looks_like_dcerpc_bind(data) {
            self.add_pipe(pipe, session, crate::app::dcerpc::Conversation::new(None), cx);
        }
    }

    /// A pipe closed (or its connection ended): its conversation writes what it still holds.
    fn close_pipe(&mut self, key: PipeKey, cx: &mut AppContext) {
        let Some(mut pipe) = self.pipes.remove(&key) else { return };
        pipe.conversation.close(&|| evidence(&self.sessions, &self.negotiated, pipe.session), cx);
    }

    /// Bytes written to or read from a pipe go to its conversation, with the session as evidence.
    fn pipe_data(&mut self, pipe: PipeKey, dir: Direction, data: &[u8], cx: &mut AppContext) {
        let SmbFlow { pipes, sessions, negotiated, tick, .. } = self;
        if let Some(p) = pipes.get_mut(&pipe) {
            p.used = *tick;
            let session_id = p.session;
            p.conversation.data(dir, data, &|| evidence(sessions, negotiated, session_id), cx);
        }
    }
}

/// What the session knows of who is talking, attached to the records of its pipes.
fn evidence(sessions: &BTreeMap<u64, Box<Session>>, negotiated: &Negotiated, session_id: u64) -> crate::event::Objects {
    match sessions.get(&session_id) {
        Some(session) => session.objects(negotiated),
        None => crate::event::Objects { smb: Some(connection_object(negotiated)), ..Default::default() },
    }
}

/// Joins tokens seen before the session id was known with the session's own.
fn merge_auth(into: &mut AuthState, held: AuthState) {
    into.mechanism = into.mechanism.or(held.mechanism);
    into.kerberos = into.kerberos.take().or(held.kerberos);
    if into.ntlm.is_none() {
        into.ntlm = held.ntlm;
        into.ntlm_authenticated |= held.ntlm_authenticated;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::with_test_context;
    use hardwire_smb::smb2_records::{
        SMB2_CLOSE, SMB2_CREATE, SMB2_FLAGS_RELATED_OPERATIONS, SMB2_FLAGS_SERVER_TO_REDIR, SMB2_TREE_CONNECT, SMB2_WRITE,
    };

    /// An SMB2 request header (MS-SMB2 2.2.1.2) of a compound element.
    fn header(command: u16, next_command: u32, message_id: u64) -> Vec<u8> {
        header_with(command, 0, 0, next_command, message_id)
    }

    /// An SMB2 header with its status and flags.
    fn header_with(command: u16, status: u32, flags: u32, next_command: u32, message_id: u64) -> Vec<u8> {
        let mut h = b"\xfeSMB".to_vec();
        h.extend_from_slice(&64u16.to_le_bytes()); // StructureSize
        h.extend_from_slice(&[0; 2]); // CreditCharge
        h.extend_from_slice(&status.to_le_bytes());
        h.extend_from_slice(&command.to_le_bytes());
        h.extend_from_slice(&1u16.to_le_bytes()); // CreditRequest
        h.extend_from_slice(&flags.to_le_bytes());
        h.extend_from_slice(&next_command.to_le_bytes());
        h.extend_from_slice(&message_id.to_le_bytes());
        h.extend_from_slice(&[0; 4]); // Reserved
        h.extend_from_slice(&1u32.to_le_bytes()); // TreeId
        h.extend_from_slice(&7u64.to_le_bytes()); // SessionId
        h.extend_from_slice(&[0; 16]); // Signature
        h
    }

    /// A compound of a WRITE of `len` bytes to a file and a TREE_CONNECT to `\\srv\ADMIN$`, in
    /// one NBSS message.
    fn write_then_tree_connect(len: usize) -> Vec<u8> {
        let mut write_body = 49u16.to_le_bytes().to_vec();
        write_body.extend_from_slice(&0x70u16.to_le_bytes()); // DataOffset
        write_body.extend_from_slice(&u32::try_from(len).unwrap().to_le_bytes());
        write_body.extend_from_slice(&[0; 8]); // Offset
        write_body.extend_from_slice(&[0x11; 16]); // FileId
        write_body.extend_from_slice(&[0; 16]); // Channel, RemainingBytes, WriteChannelInfo, Flags
        let element = 64 + write_body.len() + len;
        let padded = element.div_ceil(8) * 8;
        let mut payload = header(SMB2_WRITE, u32::try_from(padded).unwrap(), 10);
        payload.extend_from_slice(&write_body);
        payload.resize(padded, 0x41);
        let path: Vec<u8> = r"\\srv\ADMIN$".encode_utf16().flat_map(u16::to_le_bytes).collect();
        payload.extend_from_slice(&header(SMB2_TREE_CONNECT, 0, 11));
        payload.extend_from_slice(&9u16.to_le_bytes());
        payload.extend_from_slice(&0u16.to_le_bytes()); // Flags
        payload.extend_from_slice(&0x48u16.to_le_bytes()); // PathOffset
        payload.extend_from_slice(&u16::try_from(path.len()).unwrap().to_le_bytes());
        payload.extend_from_slice(&path);
        nbss(payload)
    }

    /// Feeds `bytes` as a stream does (what the app consumed goes, a count beyond the data
    /// skips); returns the parse errors.
    fn stream(flow: &mut SmbFlow, bytes: &[u8], segment: usize) -> u64 {
        let ((), _, stats) = with_test_context(|cx| feed(flow, bytes, segment, cx));
        stats.parse_errors.get("smb").copied().unwrap_or(0)
    }

    fn feed(flow: &mut SmbFlow, bytes: &[u8], segment: usize, cx: &mut AppContext) {
        let (mut held, mut at, mut skip) = (Vec::new(), 0, 0usize);
        while at < bytes.len() {
            let end = (at + segment).min(bytes.len());
            let mut chunk = &bytes[at..end];
            at = end;
            let dropped = skip.min(chunk.len());
            skip -= dropped;
            chunk = &chunk[dropped..];
            if chunk.is_empty() {
                continue;
            }
            held.extend_from_slice(chunk);
            let used = usize::try_from(flow.data(Direction::ToServer, &held, cx)).unwrap();
            if used >= held.len() {
                skip = used - held.len();
                held.clear();
            } else {
                held.drain(..used);
            }
        }
    }

    /// A CREATE of `svcctl` (message id 20) and, related to it, `then` (a command body with a
    /// FileId all 0xFF at `file_at`), as one NBSS message.
    fn create_then_related(command: u16, then: &[u8]) -> Vec<u8> {
        let name: Vec<u8> = "svcctl".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut create = 57u16.to_le_bytes().to_vec();
        create.extend_from_slice(&[0; 42]); // flags, levels, access, attributes, share, disposition, options
        create.extend_from_slice(&120u16.to_le_bytes()); // NameOffset
        create.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
        create.extend_from_slice(&[0; 8]); // CreateContextsOffset, CreateContextsLength
        create.extend_from_slice(&name);
        let padded = (64 + create.len()).div_ceil(8) * 8;
        let mut payload = header(SMB2_CREATE, u32::try_from(padded).unwrap(), 20);
        payload.extend_from_slice(&create);
        payload.resize(padded, 0);
        payload.extend_from_slice(&header_with(command, 0, SMB2_FLAGS_RELATED_OPERATIONS, 0, 21));
        payload.extend_from_slice(then);
        nbss(payload)
    }

    fn nbss(payload: Vec<u8>) -> Vec<u8> {
        let mut message = u32::try_from(payload.len()).unwrap().to_be_bytes().to_vec();
        message.extend_from_slice(&payload);
        message
    }

    /// A WRITE body of `data` to the FileId all 0xFF (the previous element's file).
    fn related_write(data: &[u8]) -> Vec<u8> {
        let mut body = 49u16.to_le_bytes().to_vec();
        body.extend_from_slice(&0x70u16.to_le_bytes()); // DataOffset
        body.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
        body.extend_from_slice(&[0; 8]); // Offset
        body.extend_from_slice(&[0xff; 16]); // FileId
        body.extend_from_slice(&[0; 16]); // Channel, RemainingBytes, WriteChannelInfo, Flags
        body.extend_from_slice(data);
        body
    }

    /// What a related WRITE wrote to the file of a CREATE the server refuses is written out
    /// when the refusal comes, and a related CLOSE forgets the CREATE: no pipe is left open.
    #[test]
    fn related_elements_follow_the_file_of_their_create() {
        // the first bytes of a bind PDU (version 5.0, type 11, first and last fragment)
        let bind = [5, 0, 11, 3, 0x10, 0, 0, 0, 0x48, 0, 0, 0, 1, 0, 0, 0];
        let mut flow = SmbFlow::default();
        stream(&mut flow, &create_then_related(SMB2_WRITE, &related_write(&bind)), 1448);
        assert!(flow.pipes.contains_key(&PipeKey::Created(20)), "{:?}", flow.pipes.keys());
        let mut refused = header_with(SMB2_CREATE, 0xC000_0034, SMB2_FLAGS_SERVER_TO_REDIR, 0, 20);
        refused.extend_from_slice(&[9, 0, 0, 0, 0, 0, 0, 0, 0]);
        let ((), _, _) = with_test_context(|cx| {
            flow.data(Direction::ToClient, &nbss(refused), cx);
        });
        assert!(flow.pipes.is_empty() && flow.pending.is_empty(), "{:?} {:?}", flow.pipes.keys(), flow.pending);

        let mut close = 24u16.to_le_bytes().to_vec();
        close.extend_from_slice(&[0; 6]); // Flags, Reserved
        close.extend_from_slice(&[0xff; 16]);
        let mut flow = SmbFlow::default();
        assert_eq!(stream(&mut flow, &create_then_related(SMB2_CLOSE, &close), 1448), 0);
        assert!(flow.pipes.is_empty() && flow.pending.is_empty(), "{:?} {:?}", flow.pipes.keys(), flow.pending);
    }

    #[test]
    fn a_compound_element_behind_a_long_write_is_read() {
        for (len, segment) in [(200_000, 1448), (200_000, 65_536), (70_000, 1), (1000, 1448)] {
            let mut flow = SmbFlow::default();
            let errors = stream(&mut flow, &write_then_tree_connect(len), segment);
            let pending = flow.pending.get(&11);
            assert!(matches!(pending, Some(Pending::TreeConnect { path }) if path == r"\\srv\ADMIN$"), "{len} {segment}: {pending:?}");
            assert_eq!(errors, 0, "{len} {segment}");
        }
    }
}
