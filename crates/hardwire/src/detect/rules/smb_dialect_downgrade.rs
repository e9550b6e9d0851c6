//! `smb.dialect.downgrade`: the client offered 3.1.1, the server chose lower, and the same
//! server was seen negotiating 3.1.1 before (the SMB state machine asks the shared memory at
//! negotiate time and records the answer in `smb.previous_best_dialect`).

use super::{finding, smb2_dialect_rank, smb_dialect, smb_record, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    let offered_311 = smb.dialects_offered.as_ref()?.iter().any(|d| d == "3.1.1");
    let chosen = smb2_dialect_rank(smb.dialect.as_deref()?)?;
    let before = smb2_dialect_rank(smb.previous_best_dialect.as_deref()?)?;
    if !offered_311 || chosen >= 0x0311 || before < 0x0311 {
        return None;
    }
    finding(RuleId::SmbDialectDowngrade, record, Sentence::SmbDialectDowngrade)
}

pub fn words(w: &Wording) -> String {
    format!(
        "{} answered {} with SMB {} although it negotiated 3.1.1 before: a sign of tampering in the path",
        w.server(),
        w.client(),
        smb_dialect(w).unwrap_or("?")
    )
}
