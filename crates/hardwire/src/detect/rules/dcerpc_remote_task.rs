//! `dcerpc.remote_task`: a task registered or started remotely (ATSVC NetrJobAdd,
//! ITaskSchedulerService SchRpcRegisterTask / SchRpcRun, SASec SASetAccountInformation).

use super::{finding, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::{Event, EventKind};
use hardwire_dcerpc::RemoteExec;

/// The remote-execution class of a `dcerpc` request record.
pub fn remote_exec(record: &Event) -> Option<RemoteExec> {
    if record.kind != EventKind::Dcerpc {
        return None;
    }
    let call = record.objects.dcerpc.as_ref()?.call?;
    hardwire_dcerpc::remote_execution(&call.interface?, call.opnum)
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if remote_exec(record)? != RemoteExec::Task {
        return None;
    }
    let rpc = record.objects.dcerpc.as_ref()?;
    let operation = rpc.operation.as_deref().unwrap_or("a task operation");
    let task = rpc.task_name.as_deref().map(|t| format!(" {t}")).unwrap_or_default();
    let command = rpc.command.as_deref().map(|c| format!(": {c}")).unwrap_or_default();
    let message = format!("{} scheduled a task{task} on {} remotely ({operation}){command}", who(&record.objects), cx.server());
    finding(RuleId::DcerpcRemoteTask, record, message)
}
