//! `hardwire live`: the SPAN-port daemon.
//!
//! ```text
//! libpcap ─ capture thread ─┬─ queue ─ worker 0 (Engine) ─┐
//!   (never blocks: a full   ├─ queue ─ worker 1 (Engine) ─┼─ events ─ output thread ─ JSON lines
//!    queue drops + counts)  └─ queue ─ worker N (Engine) ─┘           (Suppressor, Tally)
//!                  sharded by a symmetric flow hash          telemetry ─ /metrics (HTTP)
//! ```
//! Everything that can be refused (configuration, interface, filter, output file, metrics
//! address) is opened before any thread starts, so the daemon never runs half-configured. Then
//! privileges are dropped (`--user`), the threads start, and the main thread waits for signals:
//! SIGHUP reopens the output file, SIGINT/SIGTERM stop the capture, let the workers flush their
//! open sessions, and end with a final `stats` line.
//!
//! Any thread that fails or panics (the output cannot be written or reopened, a worker panics,
//! the capture fails) records the cause and wakes the main thread, which shuts the daemon down
//! the same way and exits non-zero with that cause first; if the shutdown is not over within
//! [`SHUTDOWN_GRACE`], the process exits anyway (so `Restart=on-failure` fires).

mod capture;
mod output;
mod telemetry;
mod worker;

use std::net::{SocketAddr, TcpListener};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use hardwire::{Config, Shared, Suppressor};

use crate::cli::load_config;
use crate::metrics;
use telemetry::Telemetry;

/// The Prometheus endpoint when neither the command line nor the configuration names one:
/// loopback only, so nothing is exposed unless asked.
pub const DEFAULT_METRICS: &str = "127.0.0.1:9750";

/// After a thread failed, the most the others get to finish before the process exits.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Events handed from the workers to the output thread, in batches.
const EVENT_QUEUE_BATCHES: usize = 1024;

#[derive(Debug, clap::Args)]
pub struct LiveArgs {
    /// Interface to capture on (the mirror / SPAN port).
    #[arg(short, long, value_name = "IFACE")]
    pub interface: String,
    /// Configuration file (TOML); its [live] section sets the capture. See deploy/hardwire.toml.
    #[arg(short, long)]
    pub config: Option<PathBuf>,
    /// Write JSON lines to this file (reopened on SIGHUP) instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Worker threads (default: [live] workers, or one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// BPF filter expression, e.g. "tcp port 445 or tcp port 5985".
    #[arg(long)]
    pub bpf: Option<String>,
    /// Bytes captured per packet.
    #[arg(long)]
    pub snaplen: Option<i32>,
    /// Address of the Prometheus /metrics endpoint, or "off" [default: 127.0.0.1:9750].
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,
    /// Drop to this user (and its group) once the capture is open.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
}

/// The configuration file's [live] section with the command line laid over it, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub interface: String,
    pub workers: usize,
    pub snaplen: i32,
    pub promiscuous: bool,
    pub immediate: bool,
    pub timeout_ms: i32,
    pub buffer_bytes: i32,
    pub bpf: Option<String>,
    pub queue_packets: usize,
    pub queue_bytes: usize,
    pub stats_interval: Duration,
    pub metrics: Option<SocketAddr>,
    pub output: Option<PathBuf>,
    pub user: Option<String>,
}

impl Settings {
    /// Lays the command line over the configuration; refuses values that cannot work.
    pub fn resolve(args: &LiveArgs, config: &Config) -> Result<Settings, String> {
        let live = &config.live;
        let workers = match args.workers.unwrap_or(live.workers) {
            0 => thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let metrics_text = args.metrics.as_deref().or(live.metrics.as_deref()).unwrap_or(DEFAULT_METRICS);
        let metrics = match metrics_text {
            "off" => None,
            text => Some(text.parse().map_err(|_| format!("metrics address {text:?} is not an address:port such as {DEFAULT_METRICS}"))?),
        };
        // The configuration's [live] values were checked when it was read; --snaplen is new.
        let snaplen = args.snaplen.unwrap_or(live.snaplen);
        live.check_snaplen(snaplen)?;
        Ok(Settings {
            interface: args.interface.clone(),
            workers,
            snaplen,
            promiscuous: live.promiscuous,
            immediate: live.immediate,
            timeout_ms: live.timeout_ms,
            buffer_bytes: live.buffer_bytes,
            bpf: args.bpf.clone().or_else(|| live.bpf.clone()),
            queue_packets: live.queue_packets,
            queue_bytes: live.queue_bytes,
            stats_interval: Duration::from_secs(live.stats_interval_secs),
            metrics,
            output: args.output.clone().or_else(|| config.output.file.as_ref().map(PathBuf::from)),
            user: args.user.clone(),
        })
    }
}

pub fn run(args: LiveArgs) -> Result<(), String> {
    let config = Arc::new(load_config(args.config.as_deref())?);
    let settings = Settings::resolve(&args, &config)?;

    // Everything that can fail is opened before a thread starts.
    let opened = capture::open(&settings)?;
    let sink = output::open(settings.output.as_deref(), &config)?;
    let listener = match settings.metrics {
        Some(addr) => Some(TcpListener::bind(addr).map_err(|e| format!("metrics {addr}: {e}"))?),
        None => None,
    };
    if let Some(user) = &settings.user {
        drop_privileges(user)?;
    }
    // Registered before the threads start, so no signal is missed or kills a half-started daemon.
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP]).map_err(|e| format!("signals: {e}"))?;

    let telemetry = Arc::new(Telemetry::new(settings.workers, settings.queue_bytes));
    let shared = Arc::new(Shared::for_workers(&config, settings.workers));
    let stop = Arc::new(AtomicBool::new(false));
    let reopen = Arc::new(AtomicBool::new(false));
    let failure = Arc::new(Failure::default());

    let (event_tx, event_rx) = crossbeam_channel::bounded(EVENT_QUEUE_BATCHES);
    let (pool_tx, pool_rx) = crossbeam_channel::bounded(worker::POOL_BUFFERS);
    let mut queues = Vec::with_capacity(settings.workers);
    let mut workers = Vec::with_capacity(settings.workers);
    for index in 0..settings.workers {
        let (tx, rx) = crossbeam_channel::bounded(settings.queue_packets);
        queues.push(tx);
        let job = worker::Worker::new(index, settings.workers, config.clone(), shared.clone(), telemetry.clone());
        let (events, pool) = (event_tx.clone(), pool_tx.clone());
        workers.push(spawn(&format!("hw-worker-{index}"), &failure, move || job.run(rx, events, pool))?);
    }
    drop((event_tx, pool_tx));

    let output = {
        let job = output::Output::new(
            sink,
            settings.output.clone(),
            Suppressor::new(&config.suppression).within(&shared),
            settings.stats_interval,
            telemetry.clone(),
            reopen.clone(),
        );
        spawn("hw-output", &failure, move || job.run(event_rx))?
    };
    if let Some(listener) = listener {
        let telemetry = telemetry.clone();
        // Not joined: it serves until the process exits.
        spawn("hw-metrics", &failure, move || metrics::serve(listener, move || telemetry.render()))?;
    }
    let capture = {
        let job = capture::CaptureLoop { opened, queues, pool: pool_rx, telemetry: telemetry.clone(), stop: stop.clone() };
        spawn("hw-capture", &failure, move || job.run())?
    };
    eprintln!(
        "hardwire: capturing on {} with {} workers{}",
        settings.interface,
        settings.workers,
        settings.metrics.map_or(String::new(), |addr| format!(", metrics on http://{addr}/metrics"))
    );

    for signal in signals.forever() {
        match signal {
            SIGHUP => reopen.store(true, Ordering::Relaxed),
            _ => break,
        }
    }
    // Shutdown in pipeline order: the capture stops and drops the queues, each worker drains its
    // queue and flushes its open sessions, then the output thread (once every worker is gone)
    // flushes the suppressor and writes the final stats line.
    stop.store(true, Ordering::Relaxed);
    if let Some(cause) = failure.cause() {
        thread::Builder::new()
            .name("hw-deadline".into())
            .spawn(move || {
                thread::sleep(SHUTDOWN_GRACE);
                eprintln!("hardwire: {cause} (and the shutdown did not finish within {} s)", SHUTDOWN_GRACE.as_secs());
                std::process::exit(1);
            })
            .map_err(|e| format!("starting the shutdown deadline: {e}"))?;
    }
    for handle in std::iter::once(capture).chain(workers).chain(std::iter::once(output)) {
        // A failure was recorded by the thread itself.
        let _ = handle.join();
    }
    failure.cause().map_or(Ok(()), Err)
}

/// What made the daemon stop on its own: the first cause, then the failures it led to.
#[derive(Default)]
struct Failure(Mutex<Vec<String>>);

impl Failure {
    /// Records `reason` and wakes the main thread, which shuts the daemon down.
    fn report(&self, reason: String) {
        if let Ok(mut reasons) = self.0.lock() {
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
        let _ = signal_hook::low_level::raise(SIGTERM);
    }

    fn cause(&self) -> Option<String> {
        let reasons = self.0.lock().map(|r| r.clone()).unwrap_or_default();
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }
}

/// Starts a thread whose failure or panic is reported to `failure`.
fn spawn(
    name: &str,
    failure: &Arc<Failure>,
    job: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> Result<thread::JoinHandle<()>, String> {
    let (thread_name, failure) = (name.to_string(), failure.clone());
    let run = move || {
        let outcome = panic::catch_unwind(AssertUnwindSafe(job)).unwrap_or_else(|panic| {
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
            Err(format!("the {thread_name} thread panicked: {}", what.unwrap_or_default()))
        });
        if let Err(reason) = outcome {
            failure.report(reason);
        }
    };
    thread::Builder::new().name(name.to_string()).spawn(run).map_err(|e| format!("starting {name}: {e}"))
}

/// Becomes `name` (its uid, primary gid, and no supplementary groups) for good. Runs before any
/// thread is started, so every thread runs unprivileged.
fn drop_privileges(name: &str) -> Result<(), String> {
    use nix::unistd::{getuid, setgid, setgroups, setuid, Uid, User};
    let user = User::from_name(name).map_err(|e| format!("--user {name}: {e}"))?.ok_or_else(|| format!("--user {name}: no such user"))?;
    setgroups(&[user.gid]).map_err(|e| format!("--user {name}: setgroups: {e}"))?;
    setgid(user.gid).map_err(|e| format!("--user {name}: setgid: {e}"))?;
    setuid(user.uid).map_err(|e| format!("--user {name}: setuid: {e}"))?;
    // If root could be regained, the drop did not happen.
    if !user.uid.is_root() && (setuid(Uid::from_raw(0)).is_ok() || getuid().is_root()) {
        return Err(format!("--user {name}: privileges could not be dropped"));
    }
    Ok(())
}
