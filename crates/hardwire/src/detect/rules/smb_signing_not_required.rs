//! `smb.signing.not_required`: neither side requires signing and the session is not encrypted.

use super::{finding, smb_record, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.signing_required? || smb.client_signing_required == Some(true) || smb.encrypted == Some(true) {
        return None;
    }
    finding(RuleId::SmbSigningNotRequired, record, Sentence::SmbSigningNotRequired)
}

pub fn words(w: &Wording) -> String {
    format!("neither {} nor {} requires SMB signing: the session can be relayed or tampered with", w.client(), w.server())
}
