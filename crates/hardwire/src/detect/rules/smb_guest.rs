//! `smb.guest`: SESSION_SETUP succeeded with the guest flag.

use super::{finding, smb_record, succeeded};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.guest != Some(true) || !succeeded(smb) {
        return None;
    }
    finding(RuleId::SmbGuest, record, format!("{} logged on to {} as guest over SMB: no identity, no signing", cx.client(), cx.server()))
}
