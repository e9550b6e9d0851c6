//! `smb.guest`: SESSION_SETUP succeeded with the guest flag.

use super::{finding, smb_record, succeeded, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.guest != Some(true) || !succeeded(smb) {
        return None;
    }
    finding(RuleId::SmbGuest, record, Sentence::SmbGuest)
}

pub fn words(w: &Wording) -> String {
    format!("{} logged on to {} as guest over SMB: no identity, no signing", w.client(), w.server())
}
