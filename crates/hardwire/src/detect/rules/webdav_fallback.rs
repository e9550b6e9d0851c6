//! `webdav.fallback`: WebDAV over plain HTTP, where SMB's signing and encryption do not apply.

use super::finding;
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::{Event, HttpApp};

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.app != Some(HttpApp::Webdav) {
        return None;
    }
    let method = http.method.as_deref().unwrap_or("?");
    finding(RuleId::WebdavFallback, record, format!("{} used WebDAV ({method}) over plain HTTP to {}", cx.client(), cx.server()))
}
