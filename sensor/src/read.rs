//! `hardwire read`: captures in, JSON lines out (to stdout or a file, and to the broker sinks of
//! the configuration's `[output]`), the `stats` line last.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use hardwire_sinks::JsonLines;

use crate::cli::{load_config, ReadArgs};
use crate::progress::Progress;
use crate::replay::{self, Source};

pub fn run(args: ReadArgs) -> Result<(), String> {
    let config = Arc::new(load_config(args.config.as_deref())?);
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(File::create(path).map_err(|e| format!("{}: {e}", path.display()))?),
        None => Box::new(io::stdout().lock()),
    };
    let brokers = hardwire_sinks::open_brokers(&config)?;
    let mut sink = JsonLines::new(BufWriter::with_capacity(1 << 16, out)).with_host(config.sensor.clone()).with_brokers(brokers);
    let mut write_error = None;
    let progress = Progress::over(&args.pcaps);
    let sources = args.pcaps.iter().map(|p| Source::path(p)).collect();
    let outcome = replay::run(&config, sources, &progress, &mut |event| {
        if write_error.is_none() {
            if let Err(err) = sink.write_event(&event) {
                write_error = Some(err);
            }
        }
    });
    progress.finish();
    let result = sink.write_stats(outcome.last_time, &outcome.stats, None).and_then(|()| sink.flush());
    // The brokers get their drain time; what they could not take stays in the spool for the
    // next run (or is counted dropped), and each sink says so.
    for (name, f) in sink.close_brokers() {
        eprintln!(
            "hardwire: {name}: delivered {}, failed {}, spooled {}, dropped {}, duplicates {}, left {}",
            f.delivered, f.failed, f.spooled, f.dropped, f.duplicates, f.queued
        );
    }
    match (outcome.failure, write_error.or(result.err())) {
        (Some(reason), _) => Err(reason),
        // A reader that went away (`| head`) is not an error of ours.
        (None, Some(err)) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        (None, Some(err)) => Err(format!("writing output: {err}")),
        (None, None) => Ok(()),
    }
}
