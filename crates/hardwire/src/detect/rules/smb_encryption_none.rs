//! `smb.encryption.none`: an authenticated SMB 3.x session runs without any encryption.

use super::{authenticated, finding, smb2_dialect_rank, smb_record, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    let dialect = smb.dialect.as_deref()?;
    if smb2_dialect_rank(dialect)? < 0x0300 || smb.encrypted != Some(false) || !authenticated(smb) {
        return None;
    }
    finding(
        RuleId::SmbEncryptionNone,
        record,
        format!("{}'s SMB {dialect} session to {} is not encrypted", who(&record.objects), cx.server()),
    )
}
