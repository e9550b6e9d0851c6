//! `dcerpc.coercion`: a call that makes a server authenticate to a path the caller names
//! (PetitPotam's MS-EFSR methods, PrinterBug, DFSCoerce, ShadowCoerce).

use super::{finding, rpc_attack, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::Coercion {
        return None;
    }
    let rpc = record.objects.dcerpc.as_ref()?;
    let operation = rpc.operation.as_deref().unwrap_or("a coercion call");
    let path = rpc.path.as_deref().filter(|p| !p.is_empty()).map(|p| format!(" toward {p}")).unwrap_or_default();
    let message = format!("{} called {operation} on {}: the server is made to authenticate{path}", who(&record.objects), cx.server());
    finding(RuleId::DcerpcCoercion, record, message)
}
