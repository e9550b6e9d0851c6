//! `smb.dialect.legacy`: the negotiated SMB2 dialect is below 3.1.1.

use super::{finding, smb2_dialect_rank, smb_record};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    let dialect = smb.dialect.as_deref()?;
    if smb2_dialect_rank(dialect)? >= 0x0311 {
        return None;
    }
    finding(
        RuleId::SmbDialectLegacy,
        record,
        format!("{} and {} negotiated SMB {dialect}, which has no pre-authentication integrity", cx.client(), cx.server()),
    )
}
