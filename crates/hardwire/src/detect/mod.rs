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
pub use rules::Sentence;

/// What a rule found: what its sentence will say, its evidence and who it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: RuleId,
    pub sentence: Sentence,
    pub evidence: Arc<Objects>,
    pub subject: Subject,
    /// A severity above the rule's own (e.g. `webdav.ntlm` to an external server); the
    /// configuration's override still wins.
    pub severity: Option<catalog::Severity>,
}

impl Finding {
    /// The alert's sentence, about `flow`.
    fn words(&self, flow: &FlowInfo) -> String {
        self.sentence.words(&Wording { flow, evidence: &self.evidence })
    }
}

/// Whom an alert is about (the user of its suppression key): where to read the name, not a
/// copy of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The user its evidence names (NTLM, HTTP Basic, a KDC exchange's client, an LDAP bind).
    EvidenceUser,
    /// No one user: a client's many attempts, folded into one line per client and server.
    Nobody,
    /// The account of the failed logons its sentence tells of (`auth.bruteforce`).
    LogonAccount,
}

/// An alert as its rule raised it, its sentence not worded yet: suppression folds most alerts
/// into a count unwritten, so the sentence is made only for a line that is written
/// ([`Raised::word`], through [`Event::worded`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    pub rule: RuleId,
    pub severity: catalog::Severity,
    pub sentence: Sentence,
    pub subject: Subject,
}

impl Raised {
    /// The user the alert is about, read from its evidence or its sentence.
    pub fn user<'a>(&'a self, evidence: &'a Objects) -> Option<&'a str> {
        match self.subject {
            Subject::EvidenceUser => rules::user_of(evidence),
            Subject::Nobody => None,
            Subject::LogonAccount => self.sentence.logon().map(|logon| logon.account.as_str()),
        }
    }

    /// The alert line's `alert` object, worded from the alert's flow and evidence.
    pub fn word(&self, flow: &FlowInfo, evidence: &Objects, count: u64) -> AlertObject {
        AlertObject {
            rule: self.rule,
            severity: self.severity,
            message: self.sentence.words(&Wording { flow, evidence }),
            mitre: self.rule.mitre(),
            count,
        }
    }
}

/// What a sentence is worded from besides the rule's own [`Sentence`]: the alert's flow and
/// its evidence.
pub struct Wording<'a> {
    pub flow: &'a FlowInfo,
    pub evidence: &'a Objects,
}

impl Wording<'_> {
    /// The client's address.
    pub fn client(&self) -> IpText {
        IpText::of(self.flow.src_ip)
    }

    /// The server's address.
    pub fn server(&self) -> IpText {
        IpText::of(self.flow.dest_ip)
    }
}

/// What a rule may look at.
#[derive(Clone, Copy)]
pub struct DetectContext<'a> {
    pub config: &'a Config,
    pub shared: &'a Shared,
    pub flow: &'a FlowInfo,
    /// The failed logon the record reports ([`logon::failed`]), worked out once for the rules
    /// that count them (`auth.spray`, `auth.bruteforce`); `None` outside [`on_record`].
    pub failed_logon: Option<&'a logon::Failure>,
}

/// Runs every record rule on one record and appends the alerts. `previous` is the earlier
/// record of the same session, when this one is a further record of it: a finding the earlier
/// record already raised (same rule, same sentence) is not raised again.
pub fn on_record(record: &Event, previous: Option<&Event>, cx: &DetectContext, out: &mut Vec<Event>) {
    let failed_logon = logon::failed(record);
    let cx = &DetectContext { failed_logon: failed_logon.as_ref(), ..*cx };
    for (rule, only) in rules::RECORD_RULES {
        if only.is_some_and(|kind| !kind.admits(&record.kind)) {
            continue;
        }
        if let Some(finding) = rule(record, cx) {
            // Worded here, rarely: only a further record of a session on which the rule fires.
            let earlier = |p: &Event| rule(p, &DetectContext { failed_logon: logon::failed(p).as_ref(), ..*cx });
            if previous.and_then(earlier).is_some_and(|earlier| earlier.words(cx.flow) == finding.words(cx.flow)) {
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
        push_alert(finding, timestamp, &DetectContext { config, shared, flow: &flow(), failed_logon: None }, out);
    }
}

/// Two copies of the same bytes of a TCP stream differ (the TCP layer found it).
pub fn on_overlap_conflict(timestamp: Timestamp, conflict: TcpObject, cx: &DetectContext, out: &mut Vec<Event>) {
    push_alert(rules::stream_overlap_conflict::check(conflict), timestamp, cx, out);
}

fn push_alert(finding: Finding, timestamp: Timestamp, cx: &DetectContext, out: &mut Vec<Event>) {
    let proposed = finding.severity.unwrap_or_else(|| finding.rule.default_severity());
    let Some(severity) = cx.config.severity_for(finding.rule, proposed) else { return };
    let raised = Raised { rule: finding.rule, severity, sentence: finding.sentence, subject: finding.subject };
    out.push(Event { timestamp, flow: Some(*cx.flow), kind: EventKind::Raised(raised), objects: finding.evidence });
}
