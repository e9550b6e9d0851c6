//! `smb.outbound_external`: a home host opens TCP 445 or 139 to an address outside the home
//! networks. The first packet of the flow is enough; no answer is needed.

use std::sync::Arc;

use hardwire_flow::Endpoint;

use super::Sentence;
use crate::config::Config;
use crate::detect::{catalog::RuleId, Finding, Subject, Wording};

/// A new TCP flow from `client` to `server`.
pub fn check(config: &Config, client: Endpoint, server: Endpoint) -> Option<Finding> {
    if !config.ports.smb.contains(&server.port) || !config.is_home(client.ip) || config.is_home(server.ip) {
        return None;
    }
    Some(Finding {
        rule: RuleId::SmbOutboundExternal,
        sentence: Sentence::SmbOutboundExternal,
        evidence: Arc::default(),
        subject: Subject::Nobody,
        severity: None,
    })
}

/// The flow's client and server are the new flow's.
pub fn words(w: &Wording) -> String {
    format!("{} opened SMB (TCP {}) to {}, outside the home networks: credentials may leak", w.client(), w.flow.dest_port, w.server())
}
