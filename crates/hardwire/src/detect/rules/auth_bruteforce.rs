//! `auth.bruteforce`: one client fails to log on as one account many times within a window
//! (`correlation.bruteforce_*`), whatever the protocol (see [`logon`](crate::detect::logon)).
//! Failures per client and account are counted in
//! [`Shared::failed_logons`](crate::shared::Shared), across connections and workers.

use super::{finding, Sentence, Threshold};
use crate::detect::logon::Logon;
use crate::detect::{catalog::RuleId, DetectContext, Finding, Subject, Wording};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let failure = cx.failed_logon?;
    if !cx.shared.failed_logons.hit(record.timestamp, (cx.flow.src_ip, failure.account_hash)) {
        return None;
    }
    let c = &cx.config.correlation;
    let threshold = Threshold { count: c.bruteforce_failures, secs: c.bruteforce_window_secs };
    let mut found = finding(RuleId::AuthBruteforce, record, Sentence::AuthBruteforce(failure.logon.clone(), threshold))?;
    found.subject = Subject::LogonAccount;
    Some(found)
}

pub fn words(w: &Wording, logon: &Logon, threshold: &Threshold) -> String {
    format!(
        "{} failed to log on to {} as {} {} or more times within {} s (over {}): password guessing",
        w.client(),
        w.server(),
        logon.account,
        threshold.count,
        threshold.secs,
        logon.protocol
    )
}
