//! `smb.admin_share`: TREE_CONNECT to `ADMIN$` or a drive share such as `C$`.

use super::{finding, smb_record, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

/// `ADMIN$`, or a single drive letter followed by `$`, as the last path component.
pub fn is_admin_share(path: &str) -> bool {
    let share = path.rsplit('\\').next().unwrap_or(path).to_ascii_uppercase();
    share == "ADMIN$" || (share.len() == 2 && share.ends_with('$') && share.as_bytes()[0].is_ascii_alphabetic())
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let smb = smb_record(record)?;
    // The latest one: a further record of the session raises a share connected since.
    let share = smb.shares.as_ref()?.iter().rfind(|s| is_admin_share(s))?;
    finding(
        RuleId::SmbAdminShare,
        record,
        format!("{} connected to the administrative share {share} on {}", who(&record.objects), cx.flow.dest_ip),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn admin_shares() {
        assert!(super::is_admin_share("\\\\fs1\\C$"));
        assert!(super::is_admin_share("\\\\10.0.0.5\\admin$"));
        assert!(!super::is_admin_share("\\\\fs1\\IPC$"));
        assert!(!super::is_admin_share("\\\\fs1\\finance$"));
    }
}
