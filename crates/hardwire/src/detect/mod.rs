//! Detection: rules run on the records the protocol state machines emit (and on new flows),
//! and turn into alerts carrying their evidence. One file per rule under [`rules`]; the catalog
//! of ids, severities and techniques in [`catalog`]; suppression of repeats in [`suppress`].

pub mod catalog;
pub mod logon;
pub mod rules;
pub mod suppress;

use std::sync::Arc;

use hardwire_flow::Endpoint;

use crate::config::Config;
use crate::event::{AlertObject, Event, EventKind, FlowInfo, Objects, TcpObject};
use crate::ip_text::IpText;
use crate::shared::Shared;
use crate::time::Timestamp;
use catalog::RuleId;

/// What a rule found: the alert's sentence, its evidence and who it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: RuleId,
    pub message: String,
    pub evidence: Arc<Objects>,
    pub user: Option<String>,
    /// A severity above the rule's own (e.g. `webdav.ntlm` to an external server); the
    /// configuration's override still wins.
    pub severity: Option<catalog::Severity>,
}

/// What a rule may look at.
pub struct DetectContext<'a> {
    pub config: &'a Config,
    pub shared: &'a Shared,
    pub flow: &'a FlowInfo,
}

impl DetectContext<'_> {
    /// The client's address, for sentences.
    pub fn client(&self) -> IpText {
        IpText::of(self.flow.src_ip)
    }

    /// The server's address, for sentences.
    pub fn server(&self) -> IpText {
        IpText::of(self.flow.dest_ip)
    }
}

/// Runs every record rule on one record and appends the alerts. `previous` is the earlier
/// record of the same session, when this one is a further record of it: a finding the earlier
/// record already raised (same rule, same sentence) is not raised again.
pub fn on_record(record: &Event, previous: Option<&Event>, cx: &DetectContext, out: &mut Vec<Event>) {
    for rule in rules::RECORD_RULES {
        if let Some(finding) = rule(record, cx) {
            if previous.and_then(|p| rule(p, cx)).is_some_and(|earlier| earlier.message == finding.message) {
                continue;
            }
            push_alert(finding, record.timestamp, cx, out);
        }
    }
}

/// Runs the rules that need only the first packet of a TCP flow. `flow` makes the flow's fields
/// (hashing its Community ID), so it is called only when a rule fires.
pub fn on_new_tcp_flow(
    timestamp: Timestamp,
    config: &Config,
    shared: &Shared,
    client: Endpoint,
    server: Endpoint,
    flow: impl FnOnce() -> FlowInfo,
    out: &mut Vec<Event>,
) {
    if let Some(finding) = rules::smb_outbound_external::check(config, client, server) {
        push_alert(finding, timestamp, &DetectContext { config, shared, flow: &flow() }, out);
    }
}

/// Two copies of the same bytes of a TCP stream differ (the TCP layer found it).
pub fn on_overlap_conflict(timestamp: Timestamp, conflict: TcpObject, cx: &DetectContext, out: &mut Vec<Event>) {
    push_alert(rules::stream_overlap_conflict::check(conflict, cx), timestamp, cx, out);
}

fn push_alert(finding: Finding, timestamp: Timestamp, cx: &DetectContext, out: &mut Vec<Event>) {
    let proposed = finding.severity.unwrap_or_else(|| finding.rule.default_severity());
    let Some(severity) = cx.config.severity_for(finding.rule, proposed) else { return };
    let alert = AlertObject { rule: finding.rule, severity, message: finding.message, mitre: finding.rule.mitre(), count: 1 };
    out.push(Event {
        timestamp,
        flow: Some(*cx.flow),
        kind: EventKind::Alert(alert),
        objects: finding.evidence,
        subject_user: finding.user,
    });
}
