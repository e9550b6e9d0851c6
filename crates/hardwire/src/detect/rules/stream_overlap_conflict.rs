//! `stream.overlap.conflict`: two copies of the same bytes of a TCP stream differ. One of them
//! was meant for the sensor, not for the host: an insertion or an evasion (Ptacek and Newsham).
//! The TCP layer finds the overlap; this rule words it.

use std::sync::Arc;

use super::Sentence;
use crate::detect::{catalog::RuleId, Finding, Subject, Wording};
use crate::event::{Objects, TcpObject};

pub fn check(conflict: TcpObject) -> Finding {
    let evidence = Arc::new(Objects { tcp: Some(Box::new(conflict)), ..Objects::default() });
    Finding {
        rule: RuleId::StreamOverlapConflict,
        sentence: Sentence::StreamOverlapConflict,
        evidence,
        subject: Subject::Nobody,
        severity: None,
    }
}

pub fn words(w: &Wording) -> String {
    let Some(conflict) = &w.evidence.tcp else { return String::new() };
    format!(
        "{} of {} bytes differ between two copies of the same TCP stream bytes ({}, offset {}) between {} and {}: an insertion or evasion attempt",
        conflict.differing_bytes,
        conflict.overlap_bytes,
        conflict.direction.replace('_', " "),
        conflict.offset,
        w.client(),
        w.server()
    )
}
