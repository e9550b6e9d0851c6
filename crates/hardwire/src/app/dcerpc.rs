//! DCE/RPC conversations, over an SMB named pipe or directly over TCP.
//!
//! The SMB state machine owns one [`Conversation`] per open pipe (file id) and hands it the
//! bytes of each WRITE, READ and IOCTL FSCTL_PIPE_TRANSCEIVE; the TCP app ([`App::Dcerpc`],
//! the endpoint mapper on 135 and the dynamic ports it hands out) hands it stream bytes.
//! Either way the conversation frames PDUs, remembers the presentation contexts the binds
//! negotiated, joins request fragments, reads the auth verifiers' tokens and emits `dcerpc`
//! records: one per interface bound, one per request.
//!
//! [`App::Dcerpc`]: crate::app::App::Dcerpc

use std::collections::BTreeMap;

use hardwire_dcerpc::fragments::DEFAULT_STUB_CAP;
use hardwire_dcerpc::{
    decode_attack, decode_remote_exec, frame_pdu, interface_name, operation_name, parse_header, AttackDetail, AuthLevel, AuthType,
    AuthVerifier, Bind, BindAck, ByteOrder, ContextElement, DceRpcError, FragmentAssembler, Frame, Header, NdrFormat, NdrSyntax,
    PacketType, Pdu, PduBody, RemoteExecDetail, Request, Uuid,
};
use hardwire_flow::Direction;

use crate::app::auth::AuthState;
use crate::app::{least_recently_used, AppContext, ENTRY_OVERHEAD};
use crate::event::{DcerpcObject, EventKind, Objects, RpcCall};

/// Contexts read from one bind or alter_context: all a PDU can carry (its count is one byte).
const MAX_PROPOSED: usize = 256;
/// Stub bytes buffered for requests in fragments (task XML fits many times over).
const STUB_CAP: usize = DEFAULT_STUB_CAP / 4;
/// Name of the parse-error counter.
const PROTOCOL: &str = "dcerpc";

/// A presentation context the server accepted: what a request's context id stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Context {
    interface: Uuid,
    version: (u16, u16),
    /// The NDR flavour of the accepted transfer syntax; `None` when it is neither NDR 2.0 nor
    /// NDR64.
    ndr: Option<NdrFormat>,
    /// When a PDU last named it (the conversation's PDU count), for eviction.
    used: u64,
}

/// The security the client asked for in its bind or alter_context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Security {
    auth_type: AuthType,
    level: AuthLevel,
}

/// One direction's bytes not yet framed: a partial PDU, or the tail scanned for a header.
#[derive(Debug, Default)]
struct Inbound {
    pending: Vec<u8>,
    /// After a gap or garbage: looking for bytes that parse as a PDU header.
    resync: bool,
}

/// One DCE/RPC conversation: a pipe or a TCP connection.
#[derive(Debug)]
pub(crate) struct Conversation {
    /// The pipe name, lower case, without `\PIPE\`; `None` over TCP.
    pub pipe: Option<String>,
    inbound: [Inbound; 2],
    /// Accepted presentation contexts by id, for the life of the conversation.
    contexts: BTreeMap<u16, Context>,
    /// The contexts of the last bind or alter_context, waiting for the server's answer.
    proposed: Vec<ContextElement>,
    /// Bind records waiting for the authentication to complete, so that they carry the user.
    held: Vec<DcerpcObject>,
    security: Option<Security>,
    auth: AuthState,
    /// A PDU parsed: from now on bytes that are not PDUs are parse errors. Before, they are
    /// another protocol on the pipe (PsExec's own PSEXESVC pipe, for one).
    spoke: bool,
    /// Contexts remembered or named so far: the clock of their least-recently-used eviction.
    tick: u64,
    /// Request stubs by call, each with its first fragment's (opnum, context id).
    requests: FragmentAssembler<(u16, u16)>,
}

impl Conversation {
    pub fn new(pipe: Option<String>) -> Self {
        Conversation {
            pipe,
            inbound: Default::default(),
            contexts: BTreeMap::new(),
            proposed: Vec::new(),
            held: Vec::new(),
            security: None,
            auth: AuthState::default(),
            spoke: false,
            tick: 0,
            requests: FragmentAssembler::new(STUB_CAP),
        }
    }

    /// Bytes held beyond the conversation's own size, for the memory budget: partial PDUs,
    /// request fragments, contexts and bind records.
    pub fn memory(&self) -> usize {
        self.inbound.iter().map(|i| i.pending.capacity()).sum::<usize>()
            + self.requests.buffered_bytes()
            + self.contexts.len() * (std::mem::size_of::<Context>() + ENTRY_OVERHEAD)
            + self.proposed.capacity() * std::mem::size_of::<ContextElement>()
            + self.held.len() * (std::mem::size_of::<DcerpcObject>() + ENTRY_OVERHEAD)
    }

    /// Bytes of one direction as the transport delivers them. `evidence` makes what the
    /// transport knows of who is talking (the SMB session's `smb` and `ntlm` objects), to be
    /// attached to the records: made only for a record, not for every write to a pipe. Returns the bytes consumed (see `App::data`): always all of
    /// them, a partial PDU is kept here (at most one fragment, 64 KiB).
    pub fn data(&mut self, dir: Direction, data: &[u8], evidence: &dyn Fn() -> Objects, cx: &mut AppContext) -> u64 {
        let mut pending = std::mem::take(&mut self.inbound[dir.index()].pending);
        if pending.is_empty() {
            let used = self.frames(dir, data, evidence, cx);
            pending.extend_from_slice(data.get(used..).unwrap_or_default());
        } else {
            pending.extend_from_slice(data);
            let used = self.frames(dir, &pending, evidence, cx);
            pending.drain(..used.min(pending.len()));
        }
        self.inbound[dir.index()].pending = pending;
        data.len() as u64
    }

    /// Bytes of one direction were lost: the partial PDU goes, and the conversation waits for
    /// bytes that parse as a PDU header. Fragments of calls in progress are forgotten too.
    pub fn gap(&mut self, dir: Direction, cx: &mut AppContext) {
        let _ = cx;
        let inbound = &mut self.inbound[dir.index()];
        inbound.pending.clear();
        inbound.resync = true;
        if dir == Direction::ToServer {
            self.requests.clear();
        }
    }

    /// The pipe or connection ended: bind records still waiting are emitted.
    pub fn close(&mut self, evidence: &dyn Fn() -> Objects, cx: &mut AppContext) {
        self.flush_proposed();
        self.release_held(evidence, cx);
    }

    /// Handles every whole PDU at the start of `input`; returns the bytes used. What is left is
    /// a partial PDU, or (while resynchronising) fewer bytes than a header.
    fn frames(&mut self, dir: Direction, input: &[u8], evidence: &dyn Fn() -> Objects, cx: &mut AppContext) -> usize {
        let mut used = 0;
        while let Some(rest) = input.get(used..).filter(|rest| !rest.is_empty()) {
            if self.inbound[dir.index()].resync {
                match header_start(rest) {
                    Some(offset) => {
                        used += offset;
                        self.inbound[dir.index()].resync = false;
                    }
                    None => return used + rest.len().saturating_sub(HEADER_LEN - 1),
                }
                continue;
            }
            match frame_pdu(rest) {
                Frame::Complete { pdu, len } => {
                    self.spoke = true;
                    self.pdu(dir, &pdu, evidence, cx);
                    used += len;
                }
                Frame::Incomplete { .. } => return used,
                Frame::Invalid { skip: Some(len), .. } => {
                    self.parse_error(cx);
                    used += len;
                }
                Frame::Invalid { skip: None, .. } => {
                    self.parse_error(cx);
                    self.inbound[dir.index()].resync = true;
                    used += 1;
                }
            }
        }
        used
    }

    fn parse_error(&self, cx: &mut AppContext) {
        if self.spoke {
            cx.parse_error(PROTOCOL);
        }
    }

    fn pdu(&mut self, dir: Direction, pdu: &Pdu, evidence: &dyn Fn() -> Objects, cx: &mut AppContext) {
        match (&pdu.body, dir) {
            (PduBody::Bind(bind) | PduBody::AlterContext(bind), Direction::ToServer) => {
                self.observe(pdu.auth.as_ref(), dir, cx);
                // An alter_context may be the next leg of the authentication the held binds
                // wait for; a new bind starts afresh.
                if pdu.header.packet_type == PacketType::Bind || !self.authenticating() {
                    self.release_held(evidence, cx);
                }
                self.propose(bind, pdu.auth.as_ref(), cx);
            }
            (PduBody::BindAck(ack) | PduBody::AlterContextResp(ack), Direction::ToClient) => {
                self.observe(pdu.auth.as_ref(), dir, cx);
                self.answer(Some(ack), evidence, cx);
            }
            (PduBody::BindNak(_), Direction::ToClient) => self.answer(None, evidence, cx),
            (PduBody::Auth3, Direction::ToServer) => {
                self.observe(pdu.auth.as_ref(), dir, cx);
                self.release_held(evidence, cx);
            }
            (PduBody::Request(request), Direction::ToServer) => {
                self.release_held(evidence, cx);
                self.request(&pdu.header, request, pdu.auth.as_ref(), evidence, cx);
            }
            (PduBody::Fault(_), Direction::ToClient) => self.requests.discard(pdu.header.call_id),
            _ => {}
        }
    }

    /// Folds the token of a bind-time auth verifier into the authentication state.
    fn observe(&mut self, auth: Option<&AuthVerifier>, dir: Direction, cx: &mut AppContext) {
        let Some(auth) = auth else { return };
        if !matches!(auth.auth_type, AuthType::Spnego | AuthType::Ntlmssp | AuthType::Kerberos) {
            return;
        }
        // Server tokens may be AP-REPs or SPNEGO answers the reader does not need to follow.
        if self.auth.observe(auth.token).is_err() && dir == Direction::ToServer {
            cx.parse_error("auth");
        }
    }

    /// A bind or alter_context: its security is noted and its contexts await the answer.
    fn propose(&mut self, bind: &Bind, auth: Option<&AuthVerifier>, cx: &mut AppContext) {
        // An earlier proposal never answered is reported without a result (held with the rest).
        self.flush_proposed();
        if let Some(auth) = auth {
            self.security = Some(Security { auth_type: auth.auth_type, level: auth.auth_level });
        }
        self.proposed = bind.contexts.iter().take(MAX_PROPOSED).cloned().collect();
        // Until the server answers (and when the capture never shows its answer) a request's
        // context means what the client proposed for it.
        let proposed: Vec<(u16, Context)> = self
            .proposed
            .iter()
            .filter(|element| !self.contexts.contains_key(&element.context_id))
            .map(|element| {
                let syntax = element.abstract_syntax;
                let version = (syntax.version, syntax.version_minor);
                (element.context_id, Context { interface: syntax.uuid, version, ndr: None, used: 0 })
            })
            .collect();
        for (id, context) in proposed {
            self.remember_context(id, context, cx);
        }
    }

    /// Remembers a context; a full table (`limits.max_dcerpc_contexts`) first gives up the one
    /// least recently named (of one bind, the first proposed).
    fn remember_context(&mut self, id: u16, context: Context, cx: &mut AppContext) {
        if let Some(lru) = least_recently_used(&self.contexts, &id, cx.config.limits.max_dcerpc_contexts, |c| c.used) {
            self.contexts.remove(&lru);
            cx.stats.memory.count_evicted("dcerpc_contexts");
        }
        self.tick += 1;
        self.contexts.insert(id, Context { used: self.tick, ..context });
    }

    /// The server's bind_ack / alter_context_resp (`None`: a bind_nak). Accepted contexts are
    /// remembered; each interface newly bound gets a record.
    fn answer(&mut self, ack: Option<&BindAck>, evidence: &dyn Fn() -> Objects, cx: &mut AppContext) {
        let proposed = std::mem::take(&mut self.proposed);
        let mut bound: Vec<(Uuid, (u16, u16), &'static str)> = Vec::new();
        for (index, element) in proposed.iter().enumerate() {
            let syntax = element.abstract_syntax;
            let known = self.contexts.get(&element.context_id).is_some_and(|c| c.interface == syntax.uuid && c.ndr.is_some());
            let result = ack.and_then(|ack| ack.results.get(index));
            let outcome = match result {
                Some(result) if result.is_accepted() => {
                    let ndr = NdrFormat::from_transfer_syntax(&result.transfer_syntax.uuid);
                    let context = Context { interface: syntax.uuid, version: (syntax.version, syntax.version_minor), ndr, used: 0 };
                    self.remember_context(element.context_id, context, cx);
                    "accepted"
                }
                Some(result) => bind_result_name(result.result),
                None if ack.is_none() => "rejected",
                None => "unanswered",
            };
            if known {
                // An alter_context re-proposing a bound context (authentication legs): no news.
                continue;
            }
            match bound.iter_mut().find(|(uuid, ..)| *uuid == syntax.uuid) {
                // Bind-time feature negotiation and NDR64 offers repeat the interface.
                Some(entry) if outcome == "accepted" => entry.2 = outcome,
                Some(_) => {}
                None => bound.push((syntax.uuid, (syntax.version, syntax.version_minor), outcome)),
            }
        }
        for (uuid, version, outcome) in bound {
            let mut record = self.interface_object(&uuid, version);
            record.bind_result = Some(outcome);
            self.held.push(record);
        }
        if !self.authenticating() {
            self.release_held(evidence, cx);
        }
    }

    /// A bind proposal the server never answered (one-sided capture, or a new bind instead):
    /// its records join the held ones.
    fn flush_proposed(&mut self) {
        let mut seen: Vec<Uuid> = Vec::new();
        for element in std::mem::take(&mut self.proposed) {
            let syntax = element.abstract_syntax;
            if seen.contains(&syntax.uuid) {
                continue;
            }
            seen.push(syntax.uuid);
            let record = self.interface_object(&syntax.uuid, (syntax.version, syntax.version_minor));
            self.held.push(record);
        }
    }

    /// NTLM's AUTHENTICATE comes after the bind_ack (in auth3 or an alter_context): bind
    /// records wait for it so that they name the user. (The memory budget sheds such a
    /// conversation last.)
    pub fn authenticating(&self) -> bool {
        let ntlm_capable = self.security.is_some_and(|s| matches!(s.auth_type, AuthType::Spnego | AuthType::Ntlmssp));
        ntlm_capable && !self.auth.ntlm_authenticated && self.auth.kerberos.is_none()
    }

    fn release_held(&mut self, evidence: &dyn Fn() -> Objects, cx: &mut AppContext) {
        for record in std::mem::take(&mut self.held) {
            self.emit(record, evidence, cx);
        }
    }

    /// One fragment of a request; the record goes out with the last fragment, with the opnum
    /// and context of the first (the server's, whatever later fragments claim).
    fn request(
        &mut self,
        header: &Header,
        request: &Request,
        auth: Option<&AuthVerifier>,
        evidence: &dyn Fn() -> Objects,
        cx: &mut AppContext,
    ) {
        let Some(stub) = self.requests.push_with(header.call_id, header.flags, request.stub, (request.opnum, request.context_id)) else {
            return;
        };
        let (opnum, context_id) = stub.first;
        self.tick += 1;
        let context = self.contexts.get_mut(&context_id).map(|context| {
            context.used = self.tick;
            *context
        });
        let level = auth.map(|a| a.auth_level).or(self.security.map(|s| s.level));
        let mut record = match context {
            Some(context) => self.interface_object(&context.interface, context.version),
            None => DcerpcObject { pipe: self.pipe.clone(), ..DcerpcObject::default() },
        };
        record.call = Some(RpcCall { interface: context.map(|c| c.interface), opnum, context_id, auth_level: level });
        record.opnum = Some(opnum);
        record.auth_level = Some(level.map_or("none", AuthLevel::as_str));
        if let Some(auth) = auth {
            record.auth_type = Some(auth.auth_type.as_str());
        }
        if let Some(context) = context {
            record.operation = operation_name(&context.interface, opnum);
            // With packet privacy the stub is ciphertext; a stub missing its start is not NDR.
            if level != Some(AuthLevel::Privacy) && !stub.started_midway {
                let order = header.byte_order();
                if hardwire_dcerpc::remote_execution(&context.interface, opnum).is_some() {
                    if let Some(detail) =
                        in_context_syntax(&context, order, |s| decode_remote_exec(&context.interface, opnum, &stub.data, s))
                    {
                        describe(&mut record, &detail);
                    }
                } else if let Some(detail) = in_context_syntax(&context, order, |s| decode_attack(&context.interface, opnum, &stub.data, s))
                {
                    describe_attack(&mut record, detail);
                }
            }
        }
        self.emit(record, evidence, cx);
    }

    /// The interface fields of a record (and the conversation's pipe and security).
    fn interface_object(&self, uuid: &Uuid, version: (u16, u16)) -> DcerpcObject {
        DcerpcObject {
            pipe: self.pipe.clone(),
            interface: Some(uuid.to_string()),
            interface_version: Some(version_text(version)),
            interface_name: interface_name(uuid),
            auth_level: Some(self.security.map_or("none", |s| s.level.as_str())),
            auth_type: self.security.map(|s| s.auth_type.as_str()),
            ..DcerpcObject::default()
        }
    }

    /// A record with the transport's evidence and what this conversation's own tokens said.
    fn emit(&self, dcerpc: DcerpcObject, evidence: &dyn Fn() -> Objects, cx: &mut AppContext) {
        let mut objects = evidence();
        if let Some(ntlm) = self.auth.ntlm_object() {
            objects.ntlm = Some(ntlm);
        }
        if let Some(kerberos) = &self.auth.kerberos {
            objects.kerberos = Some(Box::new(kerberos.clone()));
        }
        objects.dcerpc = Some(Box::new(dcerpc));
        cx.emit(EventKind::Dcerpc, objects);
    }
}

/// `major.minor` (`format!` costs a thousand instructions a record more).
fn version_text((major, minor): (u16, u16)) -> String {
    let mut text = String::with_capacity(11);
    text.push_str(itoa::Buffer::new().format(major));
    text.push('.');
    text.push_str(itoa::Buffer::new().format(minor));
    text
}

/// Bytes of the common header (`hardwire_dcerpc::dcerpc_records::HEADER_LEN`).
const HEADER_LEN: usize = hardwire_dcerpc::dcerpc_records::HEADER_LEN;

/// Where the next PDU header starts in bytes of unknown alignment: the first offset whose bytes
/// parse as a header (or could, once more bytes arrive).
fn header_start(input: &[u8]) -> Option<usize> {
    (0..input.len()).find(|&offset| {
        let candidate = input.get(offset..).unwrap_or_default();
        candidate.first() == Some(&5)
            && match parse_header(candidate) {
                Ok(_) => true,
                Err(DceRpcError::Incomplete(_)) => true,
                Err(_) => false,
            }
    })
}

/// The name of a presentation result (C706 `p_cont_def_result_t`, MS-RPCE negotiate_ack).
fn bind_result_name(result: u16) -> &'static str {
    match result {
        hardwire_dcerpc::dcerpc_records::RESULT_ACCEPTANCE => "accepted",
        hardwire_dcerpc::dcerpc_records::RESULT_USER_REJECTION => "user_rejection",
        hardwire_dcerpc::dcerpc_records::RESULT_PROVIDER_REJECTION => "provider_rejection",
        hardwire_dcerpc::dcerpc_records::RESULT_NEGOTIATE_ACK => "negotiate_ack",
        _ => "unknown",
    }
}

/// Reads a stub in the NDR flavour the context negotiated (both flavours when the bind_ack
/// said neither, or was not seen).
fn in_context_syntax<T>(context: &Context, order: ByteOrder, decode: impl Fn(NdrSyntax) -> Option<T>) -> Option<T> {
    let formats: &[NdrFormat] = match context.ndr {
        Some(NdrFormat::Ndr32) => &[NdrFormat::Ndr32],
        Some(NdrFormat::Ndr64) => &[NdrFormat::Ndr64],
        None => &[NdrFormat::Ndr32, NdrFormat::Ndr64],
    };
    formats.iter().find_map(|&format| decode(NdrSyntax { format, order }))
}

/// The path a coercion call names; who a Netlogon authentication claims to be.
fn describe_attack(record: &mut DcerpcObject, detail: AttackDetail) {
    match detail {
        AttackDetail::CoercionPath(path) => record.path = Some(path),
        AttackDetail::Netlogon(netlogon) => {
            record.account = Some(netlogon.account);
            record.computer = Some(netlogon.computer);
            record.zero_credential = Some(netlogon.zero_credential);
        }
    }
}

/// The evidence users ask for: the command line, and the task or service it belongs to.
fn describe(record: &mut DcerpcObject, detail: &RemoteExecDetail) {
    record.command = detail.command_line();
    match detail {
        RemoteExecDetail::CreateService(service) => record.service_name = Some(service.service_name.clone()),
        RemoteExecDetail::RegisterTask(task) => record.task_name = task.path.clone(),
        RemoteExecDetail::RunTask(path) => record.task_name = Some(path.clone()),
        RemoteExecDetail::AccountInformation(account) => record.task_name = Some(account.job_name.clone()),
        RemoteExecDetail::AtJob(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::with_test_context;

    // suricata-verify/smb2-04/20171220_smb_at_schedule.pcap, the DCE/RPC bytes of the SMB2
    // WRITE in frame 5 (bind: ATSVC 1.0 in NDR 2.0, NDR64 and bind-time features), the READ in
    // frame 8 (bind_ack: provider rejection, acceptance of NDR64, negotiate ack) and the IOCTL
    // FSCTL_PIPE_TRANSCEIVE in frame 9 (NetrJobAdd, NDR64: tshark's AT_INFO.Command is
    // "c:\mimikatz.exe").
    const BIND: &str = "05000b0310000000a000000002000000b810b8100000000003000000000001008206f71f510ae830076d740be8cee98b01000000045d888aeb1cc9119fe808002b10486002000000010001008206f71f510ae830076d740be8cee98b0100000033057171babe37498319b5dbef9ccc3601000000020001008206f71f510ae830076d740be8cee98b010000002c1cb76c12984045030000000000000001000000";
    const BIND_ACK: &str = "05000c03100000007400000002000000b810b810d80a00000c005c504950455c6174737663000055030000000200020000000000000000000000000000000000000000000000000033057171babe37498319b5dbef9ccc3601000000030003000000000000000000000000000000000000000000";
    const JOB_ADD: &str = "0500000310000000a000000002000000880000000100000000000200000000000b0000000000000000000000000000000b000000000000005c005c00610064006d0069006e002d00700063000000000060b0ce02000000000000000000100000000002000000000010000000000000000000000000000000100000000000000063003a005c006d0069006d0069006b00610074007a002e006500780065000000";

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    /// Runs `feed` on a fresh `atsvc` conversation; returns its `dcerpc` objects and the
    /// parse-error count.
    fn run(feed: impl FnOnce(&mut Conversation, &mut AppContext)) -> (Vec<DcerpcObject>, u64) {
        let ((), records, stats) = with_test_context(|cx| {
            let mut conversation = Conversation::new(Some("atsvc".into()));
            feed(&mut conversation, cx);
            conversation.close(&Objects::default, cx);
        });
        let errors = stats.parse_errors.get(PROTOCOL).copied().unwrap_or(0);
        (records.into_iter().filter_map(|r| r.objects.dcerpc.as_deref().cloned()).collect(), errors)
    }

    fn assert_at_job(records: &[DcerpcObject]) {
        assert_eq!(records.len(), 2, "{records:?}");
        let bind = &records[0];
        assert_eq!(bind.interface.as_deref(), Some("1ff70682-0a51-30e8-076d-740be8cee98b"));
        assert_eq!(bind.interface_name, Some("ATSVC"));
        assert_eq!(bind.interface_version.as_deref(), Some("1.0"));
        assert_eq!(bind.bind_result, Some("accepted"));
        let job = &records[1];
        assert_eq!(job.pipe.as_deref(), Some("atsvc"));
        assert_eq!((job.opnum, job.operation), (Some(0), Some("NetrJobAdd")));
        assert_eq!(job.auth_level, Some("none"));
        // Readable only in the NDR64 syntax the bind_ack accepted for context 1.
        assert_eq!(job.command.as_deref(), Some(r"c:\mimikatz.exe"));
    }

    #[test]
    fn one_write_per_pdu() {
        let (records, errors) = run(|conversation, cx| {
            conversation.data(Direction::ToServer, &hex(BIND), &Objects::default, cx);
            conversation.data(Direction::ToClient, &hex(BIND_ACK), &Objects::default, cx);
            conversation.data(Direction::ToServer, &hex(JOB_ADD), &Objects::default, cx);
        });
        assert_at_job(&records);
        assert_eq!(errors, 0);
    }

    #[test]
    fn pdus_split_across_writes_at_every_offset() {
        let (bind, job) = (hex(BIND), hex(JOB_ADD));
        for (cut_bind, cut_job) in (1..bind.len()).map(|c| (c, 1)).chain((1..job.len()).map(|c| (1, c))) {
            let (records, errors) = run(|conversation, cx| {
                conversation.data(Direction::ToServer, &bind[..cut_bind], &Objects::default, cx);
                conversation.data(Direction::ToServer, &bind[cut_bind..], &Objects::default, cx);
                conversation.data(Direction::ToClient, &hex(BIND_ACK), &Objects::default, cx);
                conversation.data(Direction::ToServer, &job[..cut_job], &Objects::default, cx);
                conversation.data(Direction::ToServer, &job[cut_job..], &Objects::default, cx);
            });
            assert_at_job(&records);
            assert_eq!(errors, 0, "cuts at {cut_bind}, {cut_job}");
        }
    }

    #[test]
    fn byte_at_a_time() {
        let (records, _) = run(|conversation, cx| {
            for byte in hex(BIND).chunks(1) {
                conversation.data(Direction::ToServer, byte, &Objects::default, cx);
            }
            for byte in hex(BIND_ACK).chunks(1) {
                conversation.data(Direction::ToClient, byte, &Objects::default, cx);
            }
            for byte in hex(JOB_ADD).chunks(1) {
                conversation.data(Direction::ToServer, byte, &Objects::default, cx);
            }
        });
        assert_at_job(&records);
    }

    #[test]
    fn resynchronises_after_a_gap() {
        let bind = hex(BIND);
        let job = hex(JOB_ADD);
        let (records, _) = run(|conversation, cx| {
            conversation.data(Direction::ToServer, &bind, &Objects::default, cx);
            conversation.data(Direction::ToClient, &hex(BIND_ACK), &Objects::default, cx);
            // The tail of a request whose start was lost, then a whole one.
            conversation.data(Direction::ToServer, &job[..40], &Objects::default, cx);
            conversation.gap(Direction::ToServer, cx);
            conversation.data(Direction::ToServer, &[&job[70..], &job[..]].concat(), &Objects::default, cx);
        });
        assert_at_job(&records);
    }

    #[test]
    fn another_protocol_on_the_pipe_is_no_parse_error() {
        // The 16 bytes PsExec writes to its PSEXESVC pipe (suricata-verify/dcerpc-smb-test-01,
        // frame 44), then a real conversation.
        let psexec = hex("c8000000000000000601b01d01000000");
        let (records, errors) = run(|conversation, cx| {
            conversation.data(Direction::ToServer, &psexec, &Objects::default, cx);
            conversation.data(Direction::ToServer, &hex(BIND), &Objects::default, cx);
            conversation.data(Direction::ToClient, &hex(BIND_ACK), &Objects::default, cx);
            conversation.data(Direction::ToServer, &hex(JOB_ADD), &Objects::default, cx);
        });
        assert_at_job(&records);
        assert_eq!(errors, 0);
    }

    /// JOB_ADD's stub in two request fragments; the last claims another opnum and context.
    fn job_add_in_fragments(last_context: u16, last_opnum: u16) -> [Vec<u8>; 2] {
        let job = hex(JOB_ADD);
        let stub = &job[24..];
        let fragment = |flags: u8, context: u16, opnum: u16, part: &[u8]| {
            let mut pdu = job[..24].to_vec();
            pdu[3] = flags;
            pdu[8..10].copy_from_slice(&u16::try_from(24 + part.len()).unwrap().to_le_bytes());
            pdu[20..22].copy_from_slice(&context.to_le_bytes());
            pdu[22..24].copy_from_slice(&opnum.to_le_bytes());
            pdu.extend_from_slice(part);
            pdu
        };
        [fragment(0x01, 1, 0, &stub[..40]), fragment(0x02, last_context, last_opnum, &stub[40..])]
    }

    #[test]
    fn a_fragmented_request_is_the_call_its_first_fragment_names() {
        // A server dispatches on the first fragment's opnum and context (MS-RPCE 3.3.3.5.2):
        // a last fragment naming another (context 0 is no context here, opnum 5 another call)
        // must not hide NetrJobAdd.
        let [first, last] = job_add_in_fragments(0, 5);
        let (records, errors) = run(|conversation, cx| {
            conversation.data(Direction::ToServer, &hex(BIND), &Objects::default, cx);
            conversation.data(Direction::ToClient, &hex(BIND_ACK), &Objects::default, cx);
            conversation.data(Direction::ToServer, &first, &Objects::default, cx);
            conversation.data(Direction::ToServer, &last, &Objects::default, cx);
        });
        assert_at_job(&records);
        assert_eq!(errors, 0);
    }

    #[test]
    fn unanswered_bind_is_reported_at_close() {
        let (records, _) = run(|conversation, cx| {
            conversation.data(Direction::ToServer, &hex(BIND), &Objects::default, cx);
        });
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].interface_name, Some("ATSVC"));
        assert_eq!(records[0].bind_result, None);
    }

    #[test]
    fn request_without_bind_has_no_interface() {
        let (records, _) = run(|conversation, cx| {
            conversation.data(Direction::ToServer, &hex(JOB_ADD), &Objects::default, cx);
        });
        assert_eq!(records.len(), 1);
        assert_eq!((records[0].interface.as_deref(), records[0].opnum, records[0].command.as_deref()), (None, Some(0), None));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_and_stay_bounded(chunks in proptest::collection::vec((proptest::bool::ANY, proptest::collection::vec(proptest::num::u8::ANY, 0..300)), 0..40)) {
            run(|conversation, cx| {
                conversation.data(Direction::ToServer, &hex(BIND), &Objects::default, cx);
                for (to_server, chunk) in &chunks {
                    let dir = if *to_server { Direction::ToServer } else { Direction::ToClient };
                    conversation.data(dir, chunk, &Objects::default, cx);
                    assert!(conversation.inbound.iter().all(|i| i.pending.len() <= usize::from(u16::MAX)));
                }
            });
        }
    }
}
