//! `dcerpc.remote_wmi`: IWbemServices ExecMethod or ExecMethodAsync over DCOM from the network.

use super::{finding, rpc_attack, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::RemoteWmi {
        return None;
    }
    finding(RuleId::DcerpcRemoteWmi, record, Sentence::DcerpcRemoteWmi)
}

pub fn words(w: &Wording) -> String {
    let operation = w.evidence.dcerpc.as_ref().and_then(|rpc| rpc.operation).unwrap_or("ExecMethod");
    format!("{} ran a WMI method on {} remotely (IWbemServices {operation})", who(w.evidence), w.server())
}
