//! `smb.v1.negotiated`: the server answered with SMB1, or SMB1 commands run past negotiate.

use super::{finding, smb_record};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb.version != Some(1) {
        return None;
    }
    let dialect = smb.dialect.as_deref().unwrap_or("an SMB1 dialect");
    finding(RuleId::SmbV1Negotiated, record, format!("{} speaks SMB1 ({dialect}) with {}", cx.server(), cx.client()))
}
