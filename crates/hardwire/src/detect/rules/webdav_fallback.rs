//! `webdav.fallback`: WebDAV over plain HTTP, where SMB's signing and encryption do not apply.

use super::{finding, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, HttpApp};

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    if record.objects.http.as_ref()?.request.app != Some(HttpApp::Webdav) {
        return None;
    }
    finding(RuleId::WebdavFallback, record, Sentence::WebdavFallback)
}

pub fn words(w: &Wording) -> String {
    let method = w.evidence.http.as_ref().and_then(|h| h.method.as_deref()).unwrap_or("?");
    format!("{} used WebDAV ({method}) over plain HTTP to {}", w.client(), w.server())
}
