//! `dcerpc.remote_task`: a task registered or started remotely (ATSVC NetrJobAdd,
//! ITaskSchedulerService SchRpcRegisterTask / SchRpcRun, SASec SASetAccountInformation).

use super::{finding, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, EventKind};
use hardwire_dcerpc::RemoteExec;

/// The remote-execution class of a `dcerpc` request record.
pub fn remote_exec(record: &Event) -> Option<RemoteExec> {
    if !matches!(record.kind, EventKind::Dcerpc) {
        return None;
    }
    let call = record.objects.dcerpc.as_ref()?.call?;
    hardwire_dcerpc::remote_execution(&call.interface?, call.opnum)
}

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    if remote_exec(record)? != RemoteExec::Task {
        return None;
    }
    finding(RuleId::DcerpcRemoteTask, record, Sentence::DcerpcRemoteTask)
}

pub fn words(w: &Wording) -> String {
    let rpc = w.evidence.dcerpc.as_ref();
    let operation = rpc.and_then(|rpc| rpc.operation).unwrap_or("a task operation");
    let task = rpc.and_then(|rpc| rpc.task_name.as_deref()).map(|t| format!(" {t}")).unwrap_or_default();
    format!("{} scheduled a task{task} on {} remotely ({operation}){}", who(w.evidence), w.server(), command(w))
}

/// The command line a remote execution runs, as the sentence ends with it: `": cmd.exe /c ..."`.
pub fn command(w: &Wording) -> String {
    w.evidence.dcerpc.as_ref().and_then(|rpc| rpc.command.as_deref()).map(|c| format!(": {c}")).unwrap_or_default()
}
