//! `smb.outbound_external`: a home host opens TCP 445 or 139 to an address outside the home
//! networks. The first packet of the flow is enough; no answer is needed.

use std::sync::Arc;

use crate::detect::{catalog::RuleId, DetectContext, Finding};

pub fn check(cx: &DetectContext) -> Option<Finding> {
    let flow = cx.flow;
    if flow.proto != "TCP" || !cx.config.ports.smb.contains(&flow.dest_port) {
        return None;
    }
    if !cx.config.is_home(flow.src_ip) || cx.config.is_home(flow.dest_ip) {
        return None;
    }
    Some(Finding {
        rule: RuleId::SmbOutboundExternal,
        message: format!("{} opened SMB (TCP {}) to {}, outside the home networks: credentials may leak", flow.src_ip, flow.dest_port, flow.dest_ip),
        evidence: Arc::default(),
        user: None,
        severity: None,
    })
}
