//! `dcerpc.zerologon`: Netlogon NetrServerAuthenticate(2, 3) with an all-zero client
//! credential (CVE-2020-1472), or 5 or more authentication attempts from one client within
//! 60 s (the attack's brute force, where the stub is not readable). The attempts are counted in
//! [`Shared::netlogon_attempts`](crate::shared::Shared), across connections and workers.

use super::{finding, rpc_attack, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{DcerpcObject, Event};
use crate::shared::{NETLOGON_ATTEMPTS, NETLOGON_WINDOW_SECS};
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::NetlogonAuthenticate {
        return None;
    }
    let rpc = record.objects.dcerpc.as_ref()?;
    let repeated = cx.shared.netlogon_attempts.hit(record.timestamp, cx.flow.src_ip);
    if !zero_credential(rpc) && !repeated {
        return None;
    }
    finding(RuleId::DcerpcZerologon, record, Sentence::DcerpcZerologon)
}

/// The call carries the all-zero credential: the attack itself, not only its repetition.
fn zero_credential(rpc: &DcerpcObject) -> bool {
    rpc.zero_credential == Some(true)
}

pub fn words(w: &Wording) -> String {
    let rpc = w.evidence.dcerpc.as_deref();
    let account = rpc.and_then(|rpc| rpc.account.as_deref()).unwrap_or("an account");
    let operation = rpc.and_then(|rpc| rpc.operation).unwrap_or("NetrServerAuthenticate");
    if rpc.is_some_and(zero_credential) {
        format!(
            "{} asked {} for a Netlogon secure channel as {account} with an all-zero credential ({operation}): Zerologon",
            w.client(),
            w.server()
        )
    } else {
        format!(
            "{} tried {NETLOGON_ATTEMPTS} or more Netlogon authentications to {} within {NETLOGON_WINDOW_SECS} s (last as {account}): a Zerologon brute force",
            w.client(), w.server()
        )
    }
}
