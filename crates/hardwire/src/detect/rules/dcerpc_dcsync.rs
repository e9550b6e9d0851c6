//! `dcerpc.dcsync`: DRSUAPI DRSGetNCChanges from a client that is not a configured domain
//! controller (every one when none is configured).

use super::{finding, rpc_attack, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::DcSync || cx.config.is_domain_controller(cx.flow.src_ip) {
        return None;
    }
    let message = format!(
        "{} at {} replicated the directory from {} (DRSGetNCChanges) without being a known domain controller: password hashes can be pulled this way",
        who(&record.objects),
        cx.client(),
        cx.server()
    );
    finding(RuleId::DcerpcDcsync, record, message)
}
