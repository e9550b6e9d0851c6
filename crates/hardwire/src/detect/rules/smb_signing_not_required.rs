//! `smb.signing.not_required`: neither side requires signing and the session is not encrypted.

use super::{finding, smb_record};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.signing_required? || smb.client_signing_required == Some(true) || smb.encrypted == Some(true) {
        return None;
    }
    finding(
        RuleId::SmbSigningNotRequired,
        record,
        format!("neither {} nor {} requires SMB signing: the session can be relayed or tampered with", cx.client(), cx.server()),
    )
}
