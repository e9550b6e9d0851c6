//! `smb.anonymous`: SESSION_SETUP succeeded as a null session.

use super::{finding, smb_record, succeeded, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.anonymous != Some(true) || !succeeded(smb) {
        return None;
    }
    finding(RuleId::SmbAnonymous, record, Sentence::SmbAnonymous)
}

pub fn words(w: &Wording) -> String {
    format!("{} opened a null (anonymous) SMB session to {}", w.client(), w.server())
}
