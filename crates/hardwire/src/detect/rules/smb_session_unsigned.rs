//! `smb.session.unsigned`: requests of an authenticated, unencrypted session carry no signature
//! (SMB2 Flags SIGNED clear, SMB1 FLAGS2 SECURITY_SIGNATURE clear).

use super::{authenticated, finding, smb_record, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.signed != Some(false) || smb.encrypted == Some(true) || !authenticated(smb) {
        return None;
    }
    finding(
        RuleId::SmbSessionUnsigned,
        record,
        format!("{}'s SMB session to {} sends unsigned requests", who(&record.objects), cx.server()),
    )
}
