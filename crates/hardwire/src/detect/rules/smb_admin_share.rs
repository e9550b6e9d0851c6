//! `smb.admin_share`: TREE_CONNECT to `ADMIN$` or a drive share such as `C$`, on the typed
//! share kinds the SMB state machine gives each tree connect.

use super::{finding, smb_record, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    // The latest one: a further record of the session raises a share connected since.
    let (share, _) = smb.shares.as_ref()?.iter().zip(&smb.share_kinds).rfind(|(_, kind)| kind.is_administrative())?;
    finding(
        RuleId::SmbAdminShare,
        record,
        format!("{} connected to the administrative share {share} on {}", who(&record.objects), cx.server()),
    )
}
