//! `auth.spray`: one client fails to log on as many distinct accounts within a window
//! (`correlation.spray_*`), whatever the protocol: the failed logons of
//! [`logon`](crate::detect::logon) (Kerberos pre-authentication, SMB, HTTP). The accounts per
//! client are counted in [`Shared::failed_accounts`](crate::shared::Shared), across
//! connections and workers; once past the threshold each further failure is the same alert,
//! which suppression folds into one line with a count.

use super::{story, Sentence, Threshold};
use crate::detect::logon::Logon;
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let failure = cx.failed_logon?;
    if !cx.shared.failed_accounts.observe_hash(record.timestamp, cx.flow.src_ip, failure.account_hash) {
        return None;
    }
    let c = &cx.config.correlation;
    let threshold = Threshold { count: c.spray_accounts, secs: c.spray_window_secs };
    story(RuleId::AuthSpray, record, Sentence::AuthSpray(failure.logon.clone(), threshold))
}

pub fn words(w: &Wording, logon: &Logon, threshold: &Threshold) -> String {
    format!(
        "{} failed to log on to {} as {} or more accounts within {} s (last {} over {}): password spraying",
        w.client(),
        w.server(),
        threshold.count,
        threshold.secs,
        logon.account,
        logon.protocol
    )
}
