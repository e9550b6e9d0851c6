//! `dcerpc.dcsync`: DRSUAPI DRSGetNCChanges from a client that is not a configured domain
//! controller (every one when none is configured).

use super::{finding, rpc_attack, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::DcSync || cx.config.is_domain_controller(cx.flow.src_ip) {
        return None;
    }
    finding(RuleId::DcerpcDcsync, record, Sentence::DcerpcDcsync)
}

pub fn words(w: &Wording) -> String {
    format!(
        "{} at {} replicated the directory from {} (DRSGetNCChanges) without being a known domain controller: password hashes can be pulled this way",
        who(w.evidence),
        w.client(),
        w.server()
    )
}
