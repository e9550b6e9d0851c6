//! `dcerpc.print_driver`: a printer driver or print processor installed over the network
//! (PrintNightmare, CVE-2021-1675 / CVE-2021-34527).

use super::{finding, rpc_attack, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::PrintDriver {
        return None;
    }
    finding(RuleId::DcerpcPrintDriver, record, Sentence::DcerpcPrintDriver)
}

pub fn words(w: &Wording) -> String {
    let operation = w.evidence.dcerpc.as_ref().and_then(|rpc| rpc.operation).unwrap_or("a driver installation");
    format!("{} installed printer code on {} remotely ({operation})", who(w.evidence), w.server())
}
