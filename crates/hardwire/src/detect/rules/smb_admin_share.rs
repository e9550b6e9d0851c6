//! `smb.admin_share`: TREE_CONNECT to `ADMIN$` or a drive share such as `C$`, on the typed
//! share kinds the SMB state machine gives each tree connect.

use super::{finding, smb_record, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, SmbObject};

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    admin_share(smb_record(record)?)?;
    finding(RuleId::SmbAdminShare, record, Sentence::SmbAdminShare)
}

/// The latest administrative share: a further record of the session raises a share connected
/// since.
fn admin_share(smb: &SmbObject) -> Option<&String> {
    let (share, _) = smb.shares.as_ref()?.iter().zip(&smb.share_kinds).rfind(|(_, kind)| kind.is_administrative())?;
    Some(share)
}

pub fn words(w: &Wording) -> String {
    let share = w.evidence.smb.as_ref().and_then(admin_share).map_or("", String::as_str);
    format!("{} connected to the administrative share {share} on {}", who(w.evidence), w.server())
}
