//! `smb.encryption.none`: an authenticated SMB 3.x session runs without any encryption.

use super::{authenticated, finding, smb2_dialect_rank, smb_dialect, smb_record, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    if smb2_dialect_rank(smb.dialect.as_deref()?)? < 0x0300 || smb.encrypted != Some(false) || !authenticated(smb) {
        return None;
    }
    finding(RuleId::SmbEncryptionNone, record, Sentence::SmbEncryptionNone)
}

pub fn words(w: &Wording) -> String {
    let dialect = smb_dialect(w).unwrap_or_default();
    format!("{}'s SMB {dialect} session to {} is not encrypted", who(w.evidence), w.server())
}
