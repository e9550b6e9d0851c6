//! Counts of what was written: events per type and alerts per rule and severity, after
//! suppression (so they match the lines a reader sees).

use std::collections::HashMap;

use foldhash::fast::RandomState;
use hardwire::{Event, EventKind};

use crate::posture::Posture;

/// Counts by name. Hashed, not a `BTreeMap`: a line is counted in two or three of them, and a
/// B-tree's string comparisons cost some 200 instructions a count (the `stats` line sorts them).
pub type Counts<K> = HashMap<K, u64, RandomState>;

/// Events per type and alerts per rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub events: Counts<&'static str>,
    pub alerts: Counts<&'static str>,
    /// (rule, severity) → alerts, for the metrics.
    pub alerts_by_severity: Counts<(&'static str, &'static str)>,
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
