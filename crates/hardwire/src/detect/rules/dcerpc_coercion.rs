//! `dcerpc.coercion`: a call that makes a server authenticate to a path the caller names
//! (PetitPotam's MS-EFSR methods, PrinterBug, DFSCoerce, ShadowCoerce).

use super::{finding, rpc_attack, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;
use hardwire_dcerpc::RpcAttack;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    if rpc_attack(record)? != RpcAttack::Coercion {
        return None;
    }
    finding(RuleId::DcerpcCoercion, record, Sentence::DcerpcCoercion)
}

pub fn words(w: &Wording) -> String {
    let rpc = w.evidence.dcerpc.as_ref();
    let operation = rpc.and_then(|rpc| rpc.operation).unwrap_or("a coercion call");
    let path = rpc.and_then(|rpc| rpc.path.as_deref()).filter(|p| !p.is_empty()).map(|p| format!(" toward {p}")).unwrap_or_default();
    format!("{} called {operation} on {}: the server is made to authenticate{path}", who(w.evidence), w.server())
}
