//! `dcerpc.remote_service`: svcctl creates a service over the network (PsExec and its clones).

use super::dcerpc_remote_task::{command, remote_exec};
use super::{finding, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;
use hardwire_dcerpc::RemoteExec;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    if remote_exec(record)? != RemoteExec::Service {
        return None;
    }
    finding(RuleId::DcerpcRemoteService, record, Sentence::DcerpcRemoteService)
}

pub fn words(w: &Wording) -> String {
    let rpc = w.evidence.dcerpc.as_ref();
    let operation = rpc.and_then(|rpc| rpc.operation).unwrap_or("a service operation");
    let service = rpc.and_then(|rpc| rpc.service_name.as_deref()).map(|s| format!(" {s}")).unwrap_or_default();
    format!("{} created a service{service} on {} remotely ({operation}){}", who(w.evidence), w.server(), command(w))
}
