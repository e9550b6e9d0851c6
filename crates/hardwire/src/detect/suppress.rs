//! Alert suppression: the same (rule, client address, server address, user) inside the window
//! is written once at once with `count` 1; further occurrences are counted, and when the window
//! closes one more line (with the timestamp of the last occurrence) carries how many there were.
//!
//! One suppressor serves a whole sensor (the output stage), so it holds across workers.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::detect::catalog::RuleId;
use crate::event::{Event, EventKind};
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    rule: RuleId,
    client: Option<IpAddr>,
    server: Option<IpAddr>,
    user: Option<String>,
}

#[derive(Debug)]
struct Window {
    opened: Timestamp,
    suppressed: u64,
    /// The last suppressed occurrence: the summary line is written from it.
    last: Option<Event>,
}

/// Collapses repeated alerts. Events that are not alerts pass through untouched.
#[derive(Debug)]
pub struct Suppressor {
    window_us: u64,
    open: HashMap<Key, Window>,
    /// When the first open window runs out (`u64::MAX` with none open): until then no window
    /// can close, and the per-event check skips the walk over every open window.
    next_close_us: u64,
}

impl Suppressor {
    pub fn new(window_secs: u64) -> Self {
        Suppressor { window_us: window_secs.saturating_mul(1_000_000), open: HashMap::new(), next_close_us: u64::MAX }
    }

    /// Passes `event` on to `out` unless it repeats an alert inside its window.
    pub fn offer(&mut self, event: Event, out: &mut impl FnMut(Event)) {
        self.close_windows(event.timestamp, out);
        let EventKind::Alert(alert) = &event.kind else {
            out(event);
            return;
        };
        if self.window_us == 0 {
            out(event);
            return;
        }
        let key = Key {
            rule: alert.rule,
            client: event.flow.as_ref().map(|f| f.src_ip),
            server: event.flow.as_ref().map(|f| f.dest_ip),
            user: event.subject_user.clone(),
        };
        match self.open.get_mut(&key) {
            Some(window) => {
                window.suppressed += 1;
                window.last = Some(event);
            }
            None => {
                self.next_close_us = self.next_close_us.min(event.timestamp.0.saturating_add(self.window_us));
                self.open.insert(key, Window { opened: event.timestamp, suppressed: 0, last: None });
                out(event);
            }
        }
    }

    /// Closes the windows that have run out by `now`.
    pub fn close_windows(&mut self, now: Timestamp, out: &mut impl FnMut(Event)) {
        if now.0 < self.next_close_us {
            return;
        }
        let window_us = self.window_us;
        let mut expired: Vec<Window> = Vec::new();
        let mut next_close_us = u64::MAX;
        self.open.retain(|_, w| {
            let keep = now.0.saturating_sub(w.opened.0) < window_us;
            if keep {
                next_close_us = next_close_us.min(w.opened.0.saturating_add(window_us));
            } else {
                expired.push(std::mem::replace(w, Window { opened: w.opened, suppressed: 0, last: None }));
            }
            keep
        });
        self.next_close_us = next_close_us;
        Self::summarise(expired, out);
    }

    /// End of input: every open window writes its summary.
    pub fn flush(&mut self, out: &mut impl FnMut(Event)) {
        self.next_close_us = u64::MAX;
        let all: Vec<Window> = self.open.drain().map(|(_, w)| w).collect();
        Self::summarise(all, out);
    }

    fn summarise(mut windows: Vec<Window>, out: &mut impl FnMut(Event)) {
        windows.sort_by_key(|w| w.last.as_ref().map(|e| e.timestamp));
        for window in windows {
            let Some(mut last) = window.last else { continue };
            if let EventKind::Alert(alert) = &mut last.kind {
                alert.count = window.suppressed;
            }
            out(last);
        }
    }
}
