//! Delivery to a broker, at least once and in order, without ever blocking the caller.
//!
//! ```text
//! output thread ── offer ──┬─ bounded queue (memory) ─┐
//!   (never waits)          └─ spool (disk, bounded) ──┴─ sender thread ── broker
//! ```
//! A line goes to the memory queue while the spool is empty and the queue has room; otherwise to
//! the spool (or, without one, it is dropped and counted). So everything in memory is older than
//! everything on disk, and the sender takes the queue first, then the spool: the broker sees the
//! lines in the order they were offered. A batch is forgotten only once the broker acknowledged
//! it; what a failed batch's broker did not acknowledge is sent again after a reconnection (the
//! duplicates this makes are at most the lines counted `failed`, and JetStream removes them by
//! message id).

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, TrySendError};
use serde::Serialize;

use crate::spool::{Mark, Spool, SyncJob};

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
const MIN_BACKOFF: Duration = Duration::from_millis(100);
/// How often the spool's new lines are made durable (fsync): what a power cut may lose.
const SYNC_EVERY: Duration = Duration::from_secs(1);

/// A broker connection. Lines reach it framed as `<message id> <event_type> <JSON>`.
pub trait Broker: Send {
    /// E.g. `redis 127.0.0.1:6379`, for messages.
    fn describe(&self) -> String;
    fn connect(&mut self) -> io::Result<()>;
    /// Sends a batch and waits for the broker to take all of it; returns how many the broker
    /// reported as duplicates of lines it already had.
    fn send(&mut self, batch: &[Vec<u8>]) -> Result<u64, SendError>;
    fn disconnect(&mut self);
}

/// Why a send failed, and how many lines at the front of the batch the broker acknowledged
/// before it did: those are delivered; only the rest is sent again (and may be duplicated).
#[derive(Debug)]
pub struct SendError {
    pub acked: usize,
    pub error: io::Error,
}

impl From<io::Error> for SendError {
    fn from(error: io::Error) -> SendError {
        SendError { acked: 0, error }
    }
}

/// A framed line's parts: message id, event type, JSON.
pub fn unframe(frame: &[u8]) -> Option<(&str, &str, &[u8])> {
    let mut parts = frame.splitn(3, |&b| b == b' ');
    let id = std::str::from_utf8(parts.next()?).ok()?;
    let event_type = std::str::from_utf8(parts.next()?).ok()?;
    Some((id, event_type, parts.next()?))
}

/// What a sink has done, for the `stats` line and `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SinkFigures {
    /// Lines the broker acknowledged.
    pub delivered: u64,
    /// Lines of attempts that failed (the broker down or refusing the connection, TLS refused,
    /// an error reply): each is tried again; they bound the duplicates.
    pub failed: u64,
    /// Lines waiting now, in memory and in the spool.
    pub queued: u64,
    /// Lines written to the disk spool.
    pub spooled: u64,
    /// Lines lost: the memory queue full without a spool, or the oldest at the spool's bound.
    pub dropped: u64,
    /// Lines the broker said it already had (JetStream's duplicate window).
    pub duplicates: u64,
}

#[derive(Debug, Default)]
struct Counters {
    delivered: AtomicU64,
    failed: AtomicU64,
    in_memory: AtomicU64,
    on_disk: AtomicU64,
    spooled: AtomicU64,
    dropped: AtomicU64,
    duplicates: AtomicU64,
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

/// What the caller and the sender thread share.
struct State {
    counters: Counters,
    spool: Option<Mutex<Spool>>,
    /// Set when the sink is closing and its drain time is over.
    give_up: AtomicBool,
    /// Set once the sender thread has ended: the sync thread's last round.
    stopped: AtomicBool,
    spool_failing: AtomicBool,
}

impl State {
    fn spool(&self) -> Option<MutexGuard<'_, Spool>> {
        self.spool.as_ref().map(|s| s.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The sync thread: each [`SYNC_EVERY`], the spool's new lines to disk (the fsyncs run
    /// outside the lock); a last round once the sender has ended.
    fn sync_spool(&self) {
        loop {
            let last = self.stopped.load(Ordering::Relaxed);
            // The guard goes with the closure: the fsyncs run unlocked.
            let job = self.spool().map(|mut spool| spool.sync_job());
            if let Some(Err(error)) = job.map(|job| job.and_then(SyncJob::run)) {
                eprintln!("hardwire: spool: syncing to disk: {error}");
            }
            if last {
                return;
            }
            let until = Instant::now() + SYNC_EVERY;
            while Instant::now() < until && !self.stopped.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// Counts a spool operation's drops and the spool's new level; an I/O error loses the line
    /// (and is said once, until the spool works again: a full disk must not flood the log).
    fn after_spool(&self, spool: &Spool, result: io::Result<u64>) {
        let dropped = match result {
            Ok(dropped) => {
                self.spool_failing.store(false, Ordering::Relaxed);
                dropped
            }
            Err(error) => {
                if !self.spool_failing.swap(true, Ordering::Relaxed) {
                    eprintln!("hardwire: spool: {error}; lines that cannot be spooled are dropped and counted");
                }
                1
            }
        };
        add(&self.counters.dropped, dropped);
        self.counters.on_disk.store(spool.lines(), Ordering::Relaxed);
    }
}

/// How a sink queues and spools.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub queue_lines: usize,
    pub batch_lines: usize,
    pub drain: Duration,
}

/// One broker sink: the caller's end.
pub struct Sink {
    name: &'static str,
    queue: Option<Sender<Vec<u8>>>,
    state: Arc<State>,
    sender: Option<JoinHandle<()>>,
    /// Syncs the spool to disk each [`SYNC_EVERY`].
    syncer: Option<JoinHandle<()>>,
    drain: Duration,
}

impl Sink {
    /// Opens the spool (if any) and starts the sender thread; the broker is connected there.
    pub fn start(
        name: &'static str,
        broker: Box<dyn Broker>,
        settings: &DeliverySettings,
        spool: Option<&Path>,
        spool_max_bytes: u64,
    ) -> io::Result<Sink> {
        let spool = spool.map(|dir| Spool::open(dir, spool_max_bytes)).transpose()?;
        let counters = Counters::default();
        if let Some(spool) = &spool {
            counters.on_disk.store(spool.lines(), Ordering::Relaxed);
        }
        let state = Arc::new(State {
            counters,
            spool: spool.map(Mutex::new),
            give_up: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            spool_failing: AtomicBool::new(false),
        });
        let syncer = match state.spool.is_some() {
            true => {
                let state = state.clone();
                Some(thread::Builder::new().name(format!("hw-sync-{name}")).spawn(move || state.sync_spool())?)
            }
            false => None,
        };
        let (queue, lines) = crossbeam_channel::bounded(settings.queue_lines);
        let job = Courier { broker, lines, state: state.clone(), batch_lines: settings.batch_lines };
        let sender = thread::Builder::new().name(format!("hw-sink-{name}")).spawn(move || job.run())?;
        Ok(Sink { name, queue: Some(queue), state, sender: Some(sender), syncer, drain: settings.drain })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Hands a framed line over; never waits for the broker.
    pub fn offer(&self, frame: Vec<u8>) {
        let Some(queue) = &self.queue else { return };
        let counters = &self.state.counters;
        let Some(mut spool) = self.state.spool() else {
            add(&counters.in_memory, 1);
            if queue.try_send(frame).is_err() {
                counters.in_memory.fetch_sub(1, Ordering::Relaxed);
                add(&counters.dropped, 1);
            }
            return;
        };
        let frame = match spool.is_empty() {
            true => {
                add(&counters.in_memory, 1);
                match queue.try_send(frame) {
                    Ok(()) => return,
                    Err(TrySendError::Full(frame) | TrySendError::Disconnected(frame)) => {
                        counters.in_memory.fetch_sub(1, Ordering::Relaxed);
                        frame
                    }
                }
            }
            false => frame,
        };
        let result = spool.push(&frame);
        if result.is_ok() {
            add(&counters.spooled, 1);
        }
        self.state.after_spool(&spool, result);
    }

    pub fn figures(&self) -> SinkFigures {
        let c = &self.state.counters;
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        SinkFigures {
            delivered: load(&c.delivered),
            failed: load(&c.failed),
            queued: load(&c.in_memory) + load(&c.on_disk),
            spooled: load(&c.spooled),
            dropped: load(&c.dropped),
            duplicates: load(&c.duplicates),
        }
    }

    /// Lets the broker take what is queued for up to the drain time, then leaves the rest in
    /// the spool (or drops and counts it); returns the final figures.
    pub fn close(&mut self) -> SinkFigures {
        self.queue = None;
        if let Some(sender) = self.sender.take() {
            let deadline = Instant::now() + self.drain;
            while !sender.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(20));
            }
            self.state.give_up.store(true, Ordering::Relaxed);
            let _ = sender.join();
        }
        self.state.stopped.store(true, Ordering::Relaxed);
        if let Some(syncer) = self.syncer.take() {
            let _ = syncer.join();
        }
        self.figures()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.close();
    }
}

/// The sender thread.
struct Courier {
    broker: Box<dyn Broker>,
    lines: Receiver<Vec<u8>>,
    state: Arc<State>,
    batch_lines: usize,
}

impl Courier {
    fn run(mut self) {
        let mut batch: Vec<Vec<u8>> = Vec::with_capacity(self.batch_lines);
        // Where the batch came from in the spool; `None` when it came from memory.
        let mut from_spool: Option<Mark> = None;
        let mut closed = false;
        let mut connected = false;
        let mut backoff = MIN_BACKOFF;
        let mut down = false;
        while !self.state.give_up.load(Ordering::Relaxed) {
            if batch.is_empty() {
                closed |= self.fill(&mut batch, &mut from_spool);
                if batch.is_empty() {
                    if closed {
                        return;
                    }
                    match self.lines.recv_timeout(Duration::from_millis(200)) {
                        Ok(frame) => batch.push(frame),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => closed = true,
                    }
                    continue;
                }
            }
            let result = match connected {
                true => self.broker.send(&batch),
                false => self.broker.connect().map_err(SendError::from).and_then(|()| {
                    connected = true;
                    self.broker.send(&batch)
                }),
            };
            match result {
                Ok(duplicates) => {
                    if std::mem::take(&mut down) {
                        eprintln!("hardwire: {}: delivering again", self.broker.describe());
                    }
                    backoff = MIN_BACKOFF;
                    add(&self.state.counters.duplicates, duplicates);
                    self.delivered(batch.len(), from_spool.take());
                    batch.clear();
                }
                Err(SendError { acked, error }) => {
                    // What the broker acknowledged before failing is delivered, never sent again.
                    let acked = acked.min(batch.len());
                    if acked > 0 {
                        let (head, rest) = from_spool.map(|mark| mark.split(&batch, acked)).unzip();
                        from_spool = rest;
                        self.delivered(acked, head);
                        batch.drain(..acked);
                    }
                    // Connection refused, TLS refused, an error reply, no answer: tried again.
                    add(&self.state.counters.failed, batch.len() as u64);
                    if !std::mem::replace(&mut down, true) {
                        let holding = if self.state.spool.is_some() { "memory, then the spool" } else { "memory" };
                        eprintln!("hardwire: {}: {error}; holding lines in {holding} until it answers", self.broker.describe());
                    }
                    self.broker.disconnect();
                    connected = false;
                    self.pause(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        self.leave(batch, from_spool.is_some());
    }

    /// `lines` the broker took: from memory, or from the spool up to `mark`.
    fn delivered(&self, lines: usize, mark: Option<Mark>) {
        let counters = &self.state.counters;
        add(&counters.delivered, lines as u64);
        let Some(mark) = mark else {
            counters.in_memory.fetch_sub(lines as u64, Ordering::Relaxed);
            return;
        };
        if let Some(mut spool) = self.state.spool() {
            match spool.commit(mark) {
                Ok(delivered_after_all) => {
                    counters.dropped.fetch_sub(delivered_after_all, Ordering::Relaxed);
                }
                Err(error) => eprintln!("hardwire: spool: {error}"),
            }
            counters.on_disk.store(spool.lines(), Ordering::Relaxed);
        }
    }

    /// Takes a batch from memory, or when memory is empty from the spool. True once the queue
    /// is closed (it may still hold lines).
    fn fill(&self, batch: &mut Vec<Vec<u8>>, from_spool: &mut Option<Mark>) -> bool {
        let mut closed = false;
        while batch.len() < self.batch_lines {
            match self.lines.try_recv() {
                Ok(frame) => batch.push(frame),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        if batch.is_empty() {
            if let Some(mut spool) = self.state.spool() {
                match spool.peek(self.batch_lines, batch) {
                    Ok(mark) => *from_spool = mark,
                    Err(error) => eprintln!("hardwire: spool: {error}"),
                }
            }
        }
        closed
    }

    /// Sleeps, waking early when the sink gives up.
    fn pause(&self, time: Duration) {
        let until = Instant::now() + time;
        while Instant::now() < until && !self.state.give_up.load(Ordering::Relaxed) {
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closing with lines undelivered: those in memory go back in front of the spool (they are
    /// older than what it holds), or are dropped and counted without one.
    fn leave(self, batch: Vec<Vec<u8>>, batch_in_spool: bool) {
        let mut rest = if batch_in_spool { Vec::new() } else { batch };
        rest.extend(self.lines.try_iter());
        let counters = &self.state.counters;
        counters.in_memory.store(0, Ordering::Relaxed);
        match self.state.spool() {
            Some(mut spool) => {
                let result = spool.prepend(&rest);
                add(&counters.spooled, rest.len() as u64);
                self.state.after_spool(&spool, result);
            }
            None => add(&counters.dropped, rest.len() as u64),
        }
        let left = counters.on_disk.load(Ordering::Relaxed);
        if left > 0 {
            eprintln!("hardwire: {}: stopped with {left} lines left in the spool for the next run", self.broker.describe());
        }
    }
}

/// Hands every line to each broker sink, framed with a message id unique to this run.
pub struct Fanout {
    sinks: Vec<Sink>,
    run: u64,
    next: u64,
}

impl Fanout {
    pub fn new(sinks: Vec<Sink>) -> Fanout {
        // Unique across runs and sensors' restarts: the start time and the process.
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Fanout { sinks, run: nanos ^ (u64::from(std::process::id()) << 48), next: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }

    /// Offers one JSON line (without its newline) to every sink.
    pub fn offer(&mut self, event_type: &str, line: &[u8]) {
        if self.sinks.is_empty() {
            return;
        }
        self.next += 1;
        let mut frame = format!("{:016x}-{} {event_type} ", self.run, self.next).into_bytes();
        frame.extend_from_slice(line);
        if let Some((last, others)) = self.sinks.split_last() {
            for sink in others {
                sink.offer(frame.clone());
            }
            last.offer(frame);
        }
    }

    /// Each sink's name and figures.
    pub fn figures(&self) -> Vec<(&'static str, SinkFigures)> {
        self.sinks.iter().map(|s| (s.name(), s.figures())).collect()
    }

    /// Closes every sink (in parallel, so the drain time is spent once).
    pub fn close(&mut self) -> Vec<(&'static str, SinkFigures)> {
        let sinks = std::mem::take(&mut self.sinks);
        let closing: Vec<_> = sinks.into_iter().map(|mut sink| thread::spawn(move || (sink.name(), sink.close()))).collect();
        closing.into_iter().filter_map(|h| h.join().ok()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A broker that is down until told otherwise, and records what it took.
    struct Fake {
        up: Arc<AtomicBool>,
        got: Arc<Mutex<Vec<Vec<u8>>>>,
    }

    impl Broker for Fake {
        fn describe(&self) -> String {
            "fake".into()
        }
        fn connect(&mut self) -> io::Result<()> {
            match self.up.load(Ordering::Relaxed) {
                true => Ok(()),
                false => Err(io::Error::other("down")),
            }
        }
        fn send(&mut self, batch: &[Vec<u8>]) -> Result<u64, SendError> {
            self.connect()?;
            self.got.lock().expect("lock").extend_from_slice(batch);
            Ok(0)
        }
        fn disconnect(&mut self) {}
    }

    fn settings(queue_lines: usize) -> DeliverySettings {
        DeliverySettings { queue_lines, batch_lines: 8, drain: Duration::from_secs(30) }
    }

    #[test]
    fn an_outage_spills_to_the_spool_and_everything_arrives_in_order() {
        let dir = std::env::temp_dir().join(format!("hardwire-delivery-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (up, got) = (Arc::new(AtomicBool::new(false)), Arc::new(Mutex::new(Vec::new())));
        let broker = Fake { up: up.clone(), got: got.clone() };
        let mut sink = Sink::start("fake", Box::new(broker), &settings(16), Some(&dir), 1 << 20).expect("start");
        let lines: Vec<Vec<u8>> = (0..500).map(|i| format!("{i} x {{\"n\":{i}}}").into_bytes()).collect();
        for line in &lines {
            sink.offer(line.clone());
        }
        assert!(sink.figures().spooled >= 500 - 16 - 8, "{:?}", sink.figures());
        up.store(true, Ordering::Relaxed);
        let figures = sink.close();
        assert_eq!(*got.lock().expect("lock"), lines);
        assert_eq!((figures.delivered, figures.dropped, figures.queued), (500, 0, 0), "{figures:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Takes the front half of every other batch, then fails (a connection cut mid-pipeline).
    struct Halfway {
        got: Arc<Mutex<Vec<Vec<u8>>>>,
        cut: bool,
    }

    impl Broker for Halfway {
        fn describe(&self) -> String {
            "halfway".into()
        }
        fn connect(&mut self) -> io::Result<()> {
            Ok(())
        }
        fn send(&mut self, batch: &[Vec<u8>]) -> Result<u64, SendError> {
            self.cut = !self.cut;
            let acked = if self.cut { batch.len() / 2 } else { batch.len() };
            self.got.lock().expect("lock").extend_from_slice(&batch[..acked]);
            match self.cut {
                true => Err(SendError { acked, error: io::Error::other("cut") }),
                false => Ok(0),
            }
        }
        fn disconnect(&mut self) {}
    }

    #[test]
    fn what_a_failed_send_acknowledged_is_not_sent_again() {
        let dir = std::env::temp_dir().join(format!("hardwire-delivery-halfway-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let got = Arc::new(Mutex::new(Vec::new()));
        let broker = Halfway { got: got.clone(), cut: false };
        // A small queue: most lines go through the spool, whose marks are split too.
        let mut sink = Sink::start("halfway", Box::new(broker), &settings(4), Some(&dir), 1 << 20).expect("start");
        let lines: Vec<Vec<u8>> = (0..300).map(|i| format!("{i} x {{\"n\":{i}}}").into_bytes()).collect();
        for line in &lines {
            sink.offer(line.clone());
        }
        let figures = sink.close();
        assert_eq!(*got.lock().expect("lock"), lines, "each line once, in order");
        assert_eq!((figures.delivered, figures.dropped, figures.queued), (300, 0, 0), "{figures:?}");
        assert!(figures.failed > 0, "{figures:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn without_a_spool_a_full_queue_drops_and_counts() {
        let broker = Fake { up: Arc::new(AtomicBool::new(false)), got: Arc::default() };
        let mut sink =
            Sink::start("fake", Box::new(broker), &DeliverySettings { drain: Duration::ZERO, ..settings(16) }, None, 0).expect("start");
        for i in 0..100 {
            sink.offer(format!("{i} x {{}}").into_bytes());
        }
        let figures = sink.close();
        assert_eq!(figures.delivered, 0);
        assert_eq!(figures.dropped, 100, "{figures:?}");
    }

    #[test]
    fn frames_split_into_id_type_and_json() {
        assert_eq!(unframe(b"ab-1 smb {\"a\": 1}"), Some(("ab-1", "smb", &b"{\"a\": 1}"[..])));
        assert_eq!(unframe(b"nothing"), None);
    }
}
