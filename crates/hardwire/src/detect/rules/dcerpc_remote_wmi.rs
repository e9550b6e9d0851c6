//! `dcerpc.remote_wmi`: IWbemServices ExecMethod or ExecMethodAsync over DCOM from the network.

use super::{finding, rpc_attack, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::RemoteWmi {
        return None;
    }
    let operation = record.objects.dcerpc.as_ref().and_then(|rpc| rpc.operation.as_deref()).unwrap_or("ExecMethod");
    let message = format!("{} ran a WMI method on {} remotely (IWbemServices {operation})", who(&record.objects), cx.server());
    finding(RuleId::DcerpcRemoteWmi, record, message)
}
