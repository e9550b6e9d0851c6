//! `http.basic.cleartext`: `Authorization: Basic` over plain HTTP. The user is reported, never
//! the password (the HTTP parser drops it at once).

use hardwire_http::AuthScheme;

use super::finding;
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.scheme != Some(AuthScheme::Basic) {
        return None;
    }
    let user = http.user.as_deref().unwrap_or("");
    finding(RuleId::HttpBasicCleartext, record, format!("{user}'s password crossed the wire to {} in clear (HTTP Basic)", cx.server()))
}
