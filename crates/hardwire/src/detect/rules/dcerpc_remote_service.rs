//! `dcerpc.remote_service`: svcctl creates a service over the network (PsExec and its clones).

use super::dcerpc_remote_task::remote_exec;
use super::{finding, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;
use hardwire_dcerpc::RemoteExec;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if remote_exec(record)? != RemoteExec::Service {
        return None;
    }
    let rpc = record.objects.dcerpc.as_ref()?;
    let operation = rpc.operation.as_deref().unwrap_or("a service operation");
    let service = rpc.service_name.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
    let command = rpc.command.as_deref().map(|c| format!(": {c}")).unwrap_or_default();
    let message = format!("{} created a service{service} on {} remotely ({operation}){command}", who(&record.objects), cx.server());
    finding(RuleId::DcerpcRemoteService, record, message)
}
