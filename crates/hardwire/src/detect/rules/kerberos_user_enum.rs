//! `kerberos.user_enum`: one client gets KDC_ERR_C_PRINCIPAL_UNKNOWN for many distinct names
//! within a window (`correlation.user_enum_*`): account names are being guessed (kerbrute
//! userenum). The names per client are counted in
//! [`Shared::unknown_principals`](crate::shared::Shared), across workers.

use super::{krb5_record, story, Sentence, Threshold};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let krb5 = krb5_record(record)?;
    if krb5.status.as_deref() != Some("KDC_ERR_C_PRINCIPAL_UNKNOWN") {
        return None;
    }
    let name = krb5.cname.as_deref()?;
    if !cx.shared.unknown_principals.observe(record.timestamp, cx.flow.src_ip, &name.to_lowercase()) {
        return None;
    }
    let c = &cx.config.correlation;
    story(
        RuleId::KerberosUserEnum,
        record,
        Sentence::KerberosUserEnum(Threshold { count: c.user_enum_names, secs: c.user_enum_window_secs }),
    )
}

pub fn words(w: &Wording, threshold: &Threshold) -> String {
    let name = w.evidence.krb5.as_ref().and_then(|k| k.cname.as_deref()).unwrap_or_default();
    format!(
        "the KDC {} told {} that {} or more names it tried within {} s do not exist (last {name}): user enumeration",
        w.server(),
        w.client(),
        threshold.count,
        threshold.secs
    )
}
