//! `http.basic.cleartext`: `Authorization: Basic` over plain HTTP. The user is reported, never
//! the password (the HTTP parser drops it at once).

use hardwire_http::AuthScheme;

use super::{finding, http_user, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.scheme != Some(AuthScheme::Basic) {
        return None;
    }
    finding(RuleId::HttpBasicCleartext, record, Sentence::HttpBasicCleartext)
}

pub fn words(w: &Wording) -> String {
    format!("{}'s password crossed the wire to {} in clear (HTTP Basic)", http_user(w), w.server())
}
