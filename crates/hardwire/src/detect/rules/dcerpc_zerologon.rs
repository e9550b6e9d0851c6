//! `dcerpc.zerologon`: Netlogon NetrServerAuthenticate(2, 3) with an all-zero client
//! credential (CVE-2020-1472), or 5 or more authentication attempts from one client within
//! 60 s (the attack's brute force, where the stub is not readable). The attempts are counted in
//! [`Shared::netlogon_attempts`](crate::shared::Shared), across connections and workers.

use super::{finding, rpc_attack};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;
use crate::shared::{NETLOGON_ATTEMPTS, NETLOGON_WINDOW_SECS};
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::NetlogonAuthenticate {
        return None;
    }
    let rpc = record.objects.dcerpc.as_ref()?;
    let repeated = cx.shared.netlogon_attempts.hit(record.timestamp, cx.flow.src_ip);
    let account = rpc.account.as_deref().unwrap_or("an account");
    let operation = rpc.operation.as_deref().unwrap_or("NetrServerAuthenticate");
    let message = if rpc.zero_credential == Some(true) {
        format!(
            "{} asked {} for a Netlogon secure channel as {account} with an all-zero credential ({operation}): Zerologon",
            cx.client(),
            cx.server()
        )
    } else if repeated {
        format!(
            "{} tried {NETLOGON_ATTEMPTS} or more Netlogon authentications to {} within {NETLOGON_WINDOW_SECS} s (last as {account}): a Zerologon brute force",
            cx.client(), cx.server()
        )
    } else {
        return None;
    };
    finding(RuleId::DcerpcZerologon, record, message)
}
