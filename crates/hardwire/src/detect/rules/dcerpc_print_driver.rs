//! `dcerpc.print_driver`: a printer driver or print processor installed over the network
//! (PrintNightmare, CVE-2021-1675 / CVE-2021-34527).

use super::{finding, rpc_attack, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::PrintDriver {
        return None;
    }
    let operation = record.objects.dcerpc.as_ref().and_then(|rpc| rpc.operation.as_deref()).unwrap_or("a driver installation");
    let message = format!("{} installed printer code on {} remotely ({operation})", who(&record.objects), cx.server());
    finding(RuleId::DcerpcPrintDriver, record, message)
}
