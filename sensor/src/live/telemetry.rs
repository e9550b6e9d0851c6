//! Figures the threads publish and the stats line and `/metrics` read: each worker's engine
//! counters, the output's tally and broker sinks' figures, the capture's drops.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use hardwire::EngineStats;
use hardwire_sinks::{metrics, LiveCounters, SinkFigures, Tally};

/// What one worker last published.
#[derive(Debug, Default, Clone)]
pub struct WorkerFigures {
    pub stats: EngineStats,
    /// Wall clock minus the capture time of the packet last processed (0 when idle), in µs.
    pub lag_us: u64,
}

#[derive(Debug, Default)]
pub struct Telemetry {
    workers: Vec<Mutex<WorkerFigures>>,
    tally: Mutex<Tally>,
    sinks: Mutex<Vec<(&'static str, SinkFigures)>>,
    pub kernel_drops: AtomicU64,
    pub interface_drops: AtomicU64,
    pub queue_drops: AtomicU64,
    /// The output thread's suppressor: windows closed early (it is not a worker's).
    pub suppressor_closed_early: AtomicU64,
}

impl Telemetry {
    pub fn new(workers: usize) -> Telemetry {
        Telemetry { workers: (0..workers).map(|_| Mutex::default()).collect(), ..Telemetry::default() }
    }

    pub fn publish_worker(&self, index: usize, figures: WorkerFigures) {
        if let Some(Ok(mut slot)) = self.workers.get(index).map(Mutex::lock) {
            *slot = figures;
        }
    }

    pub fn publish_tally(&self, tally: &Tally) {
        if let Ok(mut slot) = self.tally.lock() {
            slot.clone_from(tally);
        }
    }

    pub fn publish_sinks(&self, sinks: Vec<(&'static str, SinkFigures)>) {
        if let Ok(mut slot) = self.sinks.lock() {
            *slot = sinks;
        }
    }

    /// The workers' counters summed, and the largest lag in seconds.
    pub fn engine(&self) -> (EngineStats, f64) {
        let mut total = EngineStats::default();
        let mut lag_us = 0;
        for slot in &self.workers {
            if let Ok(figures) = slot.lock() {
                total.merge(&figures.stats);
                lag_us = lag_us.max(figures.lag_us);
            }
        }
        total.memory.suppressor_windows_closed_early = self.suppressor_closed_early.load(Ordering::Relaxed);
        (total, lag_us as f64 / 1e6)
    }

    pub fn live_counters(&self) -> LiveCounters {
        LiveCounters {
            kernel_drops: self.kernel_drops.load(Ordering::Relaxed),
            interface_drops: self.interface_drops.load(Ordering::Relaxed),
            queue_drops: self.queue_drops.load(Ordering::Relaxed),
        }
    }

    /// The Prometheus exposition of everything.
    pub fn render(&self) -> String {
        let (stats, lag) = self.engine();
        let tally = self.tally.lock().map(|t| t.clone()).unwrap_or_default();
        let sinks = self.sinks.lock().map(|s| s.clone()).unwrap_or_default();
        metrics::render(&stats, &tally, &self.live_counters(), lag, &sinks)
    }
}
