//! Pure parsers for connection-oriented DCE/RPC (C706 chapter 12, MS-RPCE 2.2.2), as carried
//! over SMB named pipes and directly over TCP (the endpoint mapper on 135 and the ports it hands
//! out), plus what a defender needs on top of the PDUs:
//!
//! - [`dcerpc_records`]: the common header (in the byte order its `drep` announces), bind,
//!   bind_ack, bind_nak, alter_context(_resp), auth3, request, response, fault, shutdown,
//!   co_cancel, orphaned, the auth verifier; [`frame_pdu`] frames a byte stream and
//!   [`looks_like_dcerpc_bind`] recognises a flow's first bytes.
//! - [`fragments`]: a bounded assembler joining the stub fragments of a call.
//! - [`uuid`]: UUIDs in wire order → canonical lower-case strings.
//! - [`interfaces`]: interface and operation names from the Microsoft specifications, and the
//!   remote-execution classification the rules use ([`remote_execution`]).
//! - [`stub`]: bounded NDR readers that pull the command line out of ATSVC, svcctl,
//!   ITaskSchedulerService and SASec requests ([`decode_remote_exec`]).
//!
//! Parsers borrow the input and never panic on hostile bytes; auth tokens are handed out as
//! slices for the auth parsers and never printed.

#![forbid(unsafe_code)]

pub mod dcerpc_records;
pub mod error;
pub mod fragments;
pub mod interfaces;
pub mod stub;
pub mod uuid;

pub use dcerpc_records::{
    frame_pdu, looks_like_dcerpc_bind, parse_header, parse_pdu, AuthLevel, AuthType, AuthVerifier, Bind, BindAck, BindNak, ByteOrder,
    ContextElement, ContextResult, DataRepresentation, Fault, Frame, Header, PacketType, Pdu, PduBody, Request, Response, SyntaxId,
};
pub use error::DceRpcError;
pub use fragments::{AssembledStub, FragmentAssembler};
pub use interfaces::{interface, interface_name, operation_name, remote_execution, rpc_attack, RemoteExec, RpcAttack};
pub use stub::{decode_attack, decode_remote_exec, AttackDetail, NdrFormat, NdrSyntax, NetlogonAuthenticate, RemoteExecDetail};
pub use uuid::{uuid_string, Uuid};
