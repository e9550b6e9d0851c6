//! `smb.anonymous`: SESSION_SETUP succeeded as a null session.

use super::{finding, smb_record, succeeded};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.anonymous != Some(true) || !succeeded(smb) {
        return None;
    }
    finding(RuleId::SmbAnonymous, record, format!("{} opened a null (anonymous) SMB session to {}", cx.client(), cx.server()))
}
