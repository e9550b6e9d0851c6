//! `smb.v1.negotiated`: the server answered with SMB1, or SMB1 commands run past negotiate.

use super::{finding, smb_dialect, smb_record, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    if smb_record(record)?.version != Some(1) {
        return None;
    }
    finding(RuleId::SmbV1Negotiated, record, Sentence::SmbV1Negotiated)
}

pub fn words(w: &Wording) -> String {
    format!("{} speaks SMB1 ({}) with {}", w.server(), smb_dialect(w).unwrap_or("an SMB1 dialect"), w.client())
}
