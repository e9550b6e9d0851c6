//! `smb.v1.offered`: an SMB1-format negotiate offers an SMB1 dialect, even if SMB2 wins.

use super::{finding, smb2_dialect_rank, smb_record};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

/// SMB1 dialect strings are everything but the SMB2 codes and the multi-protocol markers.
fn is_smb1_dialect(dialect: &str) -> bool {
    smb2_dialect_rank(dialect).is_none() && dialect != "2.???" && !dialect.starts_with("0x") && !dialect.starts_with("SMB 2.")
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    let offered = smb.dialects_offered.as_ref()?;
    let smb1: Vec<&str> = offered.iter().map(String::as_str).filter(|d| is_smb1_dialect(d)).collect();
    if smb1.is_empty() {
        return None;
    }
    finding(RuleId::SmbV1Offered, record, format!("{} still offers SMB1 ({}) to {}", cx.client(), smb1.join(", "), cx.server()))
}
