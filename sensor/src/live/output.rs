//! The output thread: one [`Suppressor`] for every worker's events (so suppression holds across
//! workers), JSON lines to stdout or a file (reopened on SIGHUP for logrotate) and to the broker
//! sinks (Redis, NATS JetStream: each with its own thread, so a slow or dead broker holds
//! nothing up here), and the `stats` line every interval and at the end.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use hardwire::{Config, Event, Suppressor};
use hardwire_sinks::JsonLines;

use super::telemetry::Telemetry;
use super::worker::now;

/// How often suppression windows are closed on the wall clock and a reopen request is looked at.
const HOUSEKEEPING: Duration = Duration::from_secs(1);

pub type Sink = JsonLines<BufWriter<Box<dyn Write + Send>>>;

/// Opens the output: the file in append mode (so `copytruncate` rotation works as well as
/// reopening), or stdout, and the broker sinks of the configuration's `[output]`.
pub fn open(path: Option<&Path>, config: &Config) -> Result<Sink, String> {
    let out: Box<dyn Write + Send> = match path {
        Some(path) => Box::new(append(path).map_err(|e| format!("{}: {e}", path.display()))?),
        None => Box::new(io::stdout()),
    };
    let brokers = hardwire_sinks::open_brokers(config)?;
    Ok(JsonLines::new(BufWriter::with_capacity(1 << 16, out)).with_host(config.sensor.clone()).with_brokers(brokers))
}

fn append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

pub struct Output {
    sink: Sink,
    path: Option<PathBuf>,
    suppressor: Suppressor,
    stats_interval: Duration,
    telemetry: Arc<Telemetry>,
    reopen: Arc<AtomicBool>,
}

impl Output {
    pub fn new(
        sink: Sink,
        path: Option<PathBuf>,
        suppressor: Suppressor,
        stats_interval: Duration,
        telemetry: Arc<Telemetry>,
        reopen: Arc<AtomicBool>,
    ) -> Output {
        Output { sink, path, suppressor, stats_interval, telemetry, reopen }
    }

    /// Writes events until every worker has gone, then the suppressed remainder and the final
    /// `stats` line.
    pub fn run(mut self, events: Receiver<Vec<Event>>) -> Result<(), String> {
        let mut housekept = Instant::now();
        let mut stats_written = Instant::now();
        loop {
            match events.recv_timeout(HOUSEKEEPING) {
                Ok(batch) => {
                    self.write_batch(batch)?;
                    if events.is_empty() {
                        self.flush()?;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if housekept.elapsed() >= HOUSEKEEPING {
                housekept = Instant::now();
                let Output { suppressor, sink, .. } = &mut self;
                let mut result = Ok(());
                suppressor.close_windows(now(), &mut |event| write(sink, &event, &mut result));
                result?;
                if self.reopen.swap(false, Ordering::Relaxed) {
                    self.reopen()?;
                }
                self.flush()?;
                // The sinks deliver on their own threads: their figures move without new lines.
                self.telemetry.publish_sinks(self.sink.broker_figures());
            }
            if stats_written.elapsed() >= self.stats_interval {
                stats_written = Instant::now();
                self.write_stats()?;
            }
        }
        let Output { suppressor, sink, .. } = &mut self;
        let mut result = Ok(());
        suppressor.flush(&mut |event| write(sink, &event, &mut result));
        result?;
        self.write_stats()?;
        // The brokers get their drain time to take what they hold; the rest stays in the spool.
        let figures = self.sink.close_brokers();
        self.telemetry.publish_sinks(figures);
        Ok(())
    }

    fn write_batch(&mut self, batch: Vec<Event>) -> Result<(), String> {
        let Output { suppressor, sink, telemetry, .. } = self;
        let mut result = Ok(());
        for event in batch {
            suppressor.offer(event, &mut |event| write(sink, &event, &mut result));
        }
        telemetry.publish_tally(&sink.tally);
        telemetry.suppressor_closed_early.store(suppressor.closed_early, Ordering::Relaxed);
        result
    }

    fn write_stats(&mut self) -> Result<(), String> {
        let (stats, _) = self.telemetry.engine();
        self.sink.write_stats(now(), &stats, Some(self.telemetry.live_counters())).map_err(describe)?;
        self.telemetry.publish_sinks(self.sink.broker_figures());
        self.flush()
    }

    fn flush(&mut self) -> Result<(), String> {
        self.sink.flush().map_err(describe)
    }

    /// SIGHUP: the file was moved away by logrotate; write on in a new one at the same path.
    fn reopen(&mut self) -> Result<(), String> {
        self.flush()?;
        let Some(path) = &self.path else { return Ok(()) };
        let file = append(path).map_err(|e| format!("reopening {}: {e}", path.display()))?;
        *self.sink.get_mut() = BufWriter::with_capacity(1 << 16, Box::new(file));
        Ok(())
    }
}

/// Writes one event, keeping the first error.
fn write(sink: &mut Sink, event: &Event, result: &mut Result<(), String>) {
    if result.is_ok() {
        *result = sink.write_event(event).map_err(describe);
    }
}

fn describe(error: io::Error) -> String {
    format!("writing output: {error}")
}
