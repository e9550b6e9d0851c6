//! A worker: one engine fed from its queue; flows time out on the wall clock when traffic is
//! quiet; events go to the output thread in batches.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use hardwire::{Config, Engine, Event, LinkType, Shared, Timestamp};

use super::telemetry::{Telemetry, WorkerFigures};

/// How long a worker waits for a packet before it looks at the clock (expiry, publishing).
const IDLE_TICK: Duration = Duration::from_millis(250);
/// How often a busy worker publishes its counters.
const PUBLISH_EVERY: Duration = Duration::from_millis(500);
/// Frame buffers kept for reuse, and the largest kept (a jumbo frame): larger ones, and any
/// beyond the pool, are freed, so what the pool holds stays small whatever the frames were.
pub const POOL_BUFFERS: usize = 4096;
const POOL_BUFFER_MAX: usize = 9216;

/// One captured frame, copied out of libpcap's ring. The buffer returns to the pool after use.
#[derive(Debug)]
pub struct Frame {
    pub timestamp: Timestamp,
    pub link: LinkType,
    pub wire_len: usize,
    pub data: Vec<u8>,
}

pub struct Worker {
    index: usize,
    engine: Engine,
    telemetry: Arc<Telemetry>,
    lag_us: u64,
}

/// The wall clock as a packet timestamp.
pub fn now() -> Timestamp {
    Timestamp(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX)))
}

impl Worker {
    pub fn new(index: usize, count: usize, config: Arc<Config>, shared: Arc<Shared>, telemetry: Arc<Telemetry>) -> Worker {
        let engine = Engine::worker(config, shared, index as u64, count as u64);
        Worker { index, engine, telemetry, lag_us: 0 }
    }

    /// Runs until the capture drops the queue, then flushes every open flow.
    pub fn run(mut self, frames: Receiver<Frame>, events: Sender<Vec<Event>>, pool: Sender<Vec<u8>>) -> Result<(), String> {
        let mut pending = Vec::new();
        let mut published = Instant::now();
        loop {
            match frames.recv_timeout(IDLE_TICK) {
                Ok(frame) => {
                    self.engine.feed(frame.timestamp, frame.link, &frame.data, frame.wire_len, &mut pending);
                    self.lag_us = now().0.saturating_sub(frame.timestamp.0);
                    if let Some(queued) = self.telemetry.queued.get(self.index) {
                        queued.release(frame.data.capacity());
                    }
                    // A full pool just lets the buffer go.
                    if frame.data.capacity() <= POOL_BUFFER_MAX {
                        let _ = pool.try_send(frame.data);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    #[cfg(debug_assertions)]
                    injected_fault(self.index);
                    self.engine.tick(now(), &mut pending);
                    self.lag_us = 0;
                    self.publish();
                    published = Instant::now();
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if !pending.is_empty() && events.send(std::mem::take(&mut pending)).is_err() {
                return Err("the output thread stopped".to_string());
            }
            if published.elapsed() >= PUBLISH_EVERY {
                self.publish();
                published = Instant::now();
            }
        }
        self.engine.finish(&mut pending);
        self.lag_us = 0;
        self.publish();
        if !pending.is_empty() && events.send(pending).is_err() {
            return Err("the output thread stopped".to_string());
        }
        Ok(())
    }

    fn publish(&self) {
        self.telemetry.publish_worker(self.index, WorkerFigures { stats: self.engine.stats(), lag_us: self.lag_us });
    }
}

/// Fault injection for the tests, in debug builds only: with `HARDWIRE_FAULT=worker-panic`,
/// worker 0 panics at its first idle tick, as a bug would (`tests/live.rs` checks that the
/// daemon then exits non-zero, naming the cause).
#[cfg(debug_assertions)]
fn injected_fault(index: usize) {
    if index == 0 && std::env::var("HARDWIRE_FAULT").as_deref() == Ok("worker-panic") {
        panic!("injected fault (HARDWIRE_FAULT=worker-panic)");
    }
}
