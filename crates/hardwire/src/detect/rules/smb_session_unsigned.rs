//! `smb.session.unsigned`: requests of an authenticated, unencrypted session carry no signature
//! (SMB2 Flags SIGNED clear, SMB1 FLAGS2 SECURITY_SIGNATURE clear).

use super::{authenticated, finding, smb_record, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.signed != Some(false) || smb.encrypted == Some(true) || !authenticated(smb) {
        return None;
    }
    finding(RuleId::SmbSessionUnsigned, record, Sentence::SmbSessionUnsigned)
}

pub fn words(w: &Wording) -> String {
    format!("{}'s SMB session to {} sends unsigned requests", who(w.evidence), w.server())
}
