//! `smb.dialect.legacy`: the negotiated SMB2 dialect is below 3.1.1.

use super::{finding, smb2_dialect_rank, smb_dialect, smb_record, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb2_dialect_rank(smb.dialect.as_deref()?)? >= 0x0311 {
        return None;
    }
    finding(RuleId::SmbDialectLegacy, record, Sentence::SmbDialectLegacy)
}

pub fn words(w: &Wording) -> String {
    let dialect = smb_dialect(w).unwrap_or_default();
    format!("{} and {} negotiated SMB {dialect}, which has no pre-authentication integrity", w.client(), w.server())
}
