//! Figures the threads publish and the stats line and `/metrics` read: each worker's engine
//! counters, the output's tally and broker sinks' figures, the capture's drops.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
    /// Bytes of frames in each worker's queue.
    pub queued: Vec<QueuedBytes>,
    /// The output thread's suppressor: windows closed early (it is not a worker's).
    pub suppressor_closed_early: AtomicU64,
}

impl Telemetry {
    /// The figures of `workers` workers, each queue holding at most `queue_bytes` of frames.
    pub fn new(workers: usize, queue_bytes: usize) -> Telemetry {
        Telemetry {
            workers: (0..workers).map(|_| Mutex::default()).collect(),
            queued: (0..workers).map(|_| QueuedBytes::new(queue_bytes)).collect(),
            ..Telemetry::default()
        }
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
            queued_bytes: self.queued.iter().map(|q| q.held() as u64).sum(),
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

/// The bytes of frames one worker's queue holds (their buffers' capacity, what is really held),
/// against `live.queue_bytes`. Only the capture thread reserves and only the worker releases, so
/// a reservation checked against the current figure cannot overshoot the cap.
#[derive(Debug, Default)]
pub struct QueuedBytes {
    held: AtomicUsize,
    cap: usize,
}

impl QueuedBytes {
    pub fn new(cap: usize) -> QueuedBytes {
        QueuedBytes { held: AtomicUsize::new(0), cap }
    }

    /// Counts `bytes` as queued, or refuses them when the queue would pass its cap.
    pub fn reserve(&self, bytes: usize) -> bool {
        let fits = self.held.load(Ordering::Acquire).checked_add(bytes).is_some_and(|total| total <= self.cap);
        if fits {
            self.held.fetch_add(bytes, Ordering::AcqRel);
        }
        fits
    }

    /// `bytes` left the queue (as reserved: the same figure).
    pub fn release(&self, bytes: usize) {
        self.held.fetch_sub(bytes, Ordering::AcqRel);
    }

    pub fn held(&self) -> usize {
        self.held.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_refuses_frames_past_its_bytes_and_takes_them_again_once_released() {
        let queue = QueuedBytes::new(100_000);
        assert!(queue.reserve(65_536));
        assert!(!queue.reserve(65_536), "two 64 KiB frames pass a 100,000-byte cap");
        assert!(queue.reserve(34_464), "what still fits is taken");
        assert_eq!(queue.held(), 100_000);
        assert!(!queue.reserve(1));
        queue.release(65_536);
        assert!(queue.reserve(65_536));
        assert!(!queue.reserve(usize::MAX), "no overflow");
        assert_eq!(queue.held(), 100_000);
    }
}
