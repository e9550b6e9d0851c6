//! Counts of what was written: events per type and alerts per rule and severity, after
//! suppression (so they match the lines a reader sees).

use std::collections::BTreeMap;

use hardwire::{Event, EventKind};

use crate::posture::Posture;

/// Events per type and alerts per rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub events: BTreeMap<&'static str, u64>,
    pub alerts: BTreeMap<&'static str, u64>,
    /// (rule, severity) → alerts, for the metrics.
    pub alerts_by_severity: BTreeMap<(&'static str, &'static str), u64>,
    /// Servers by signing requirement, SMB1, NTLM share: the posture gauges of the metrics.
    pub posture: Posture,
}

impl Tally {
    /// Counts one written event. A suppression summary line counts as the occurrences it
    /// stands for.
    pub fn count(&mut self, event: &Event) {
        *self.events.entry(event.kind.name()).or_default() += 1;
        self.posture.observe(event);
        if let EventKind::Alert(alert) = &event.kind {
            *self.alerts.entry(alert.rule.id()).or_default() += alert.count;
            *self.alerts_by_severity.entry((alert.rule.id(), alert.severity.name())).or_default() += alert.count;
        }
    }
}

/// Figures only a live capture has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveCounters {
    pub kernel_drops: u64,
    pub interface_drops: u64,
    pub queue_drops: u64,
    /// Bytes of frames waiting in the workers' queues now.
    pub queued_bytes: u64,
}
