//! `smb.v1.offered`: an SMB1-format negotiate offers an SMB1 dialect, even if SMB2 wins.

use super::{finding, smb2_dialect_rank, smb_record, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, SmbObject};

/// SMB1 dialect strings are everything but the SMB2 codes and the multi-protocol markers.
fn is_smb1_dialect(dialect: &str) -> bool {
    smb2_dialect_rank(dialect).is_none() && dialect != "2.???" && !dialect.starts_with("0x") && !dialect.starts_with("SMB 2.")
}

/// The SMB1 dialects a negotiate offers.
fn smb1_offered(smb: &SmbObject) -> impl Iterator<Item = &str> {
    smb.dialects_offered.as_deref().unwrap_or_default().iter().map(|dialect| &**dialect).filter(|d| is_smb1_dialect(d))
}

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    smb1_offered(smb_record(record)?).next()?;
    finding(RuleId::SmbV1Offered, record, Sentence::SmbV1Offered)
}

pub fn words(w: &Wording) -> String {
    let smb1: Vec<&str> = w.evidence.smb.as_ref().map(|smb| smb1_offered(smb).collect()).unwrap_or_default();
    format!("{} still offers SMB1 ({}) to {}", w.client(), smb1.join(", "), w.server())
}
