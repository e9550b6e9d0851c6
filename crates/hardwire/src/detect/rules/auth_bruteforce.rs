//! `auth.bruteforce`: one client fails to log on as one account many times within a window
//! (`correlation.bruteforce_*`), whatever the protocol (see [`logon`](crate::detect::logon)).
//! Failures per client and account are counted in
//! [`Shared::failed_logons`](crate::shared::Shared), across connections and workers.

use super::finding;
use crate::detect::logon::{self, Outcome};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;
use crate::shared::value_hash;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let logon = logon::of(record).filter(|l| l.outcome == Outcome::Failure)?;
    if !cx.shared.failed_logons.hit(record.timestamp, (cx.flow.src_ip, value_hash(&logon.account))) {
        return None;
    }
    let c = &cx.config.correlation;
    let mut found = finding(
        RuleId::AuthBruteforce,
        record,
        format!(
            "{} failed to log on to {} as {} {} or more times within {} s (over {}): password guessing",
            cx.client(),
            cx.server(),
            logon.account,
            c.bruteforce_failures,
            c.bruteforce_window_secs,
            logon.protocol
        ),
    )?;
    found.user = Some(logon.account);
    Some(found)
}
