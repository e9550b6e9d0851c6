//! `hardwire read`: captures in, JSON lines out (to stdout or a file, and to the broker sinks of
//! the configuration's `[output]`), the `stats` line last.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use hardwire::{Engine, LinkType, Shared, Suppressor, Timestamp};
use hardwire_sinks::JsonLines;

use crate::capture;
use crate::cli::{load_config, ReadArgs};

pub fn run(args: ReadArgs) -> Result<(), String> {
    let config = Arc::new(load_config(args.config.as_deref())?);
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(File::create(path).map_err(|e| format!("{}: {e}", path.display()))?),
        None => Box::new(io::stdout().lock()),
    };
    let brokers = hardwire_sinks::open_brokers(&config)?;
    let mut sink = JsonLines::new(BufWriter::with_capacity(1 << 16, out)).with_host(config.sensor.clone()).with_brokers(brokers);
    let shared = Arc::new(Shared::new(&config));
    let mut engine = Engine::new(config.clone(), shared);
    let mut suppressor = Suppressor::new(config.suppression.window_secs);
    let mut events = Vec::new();
    let mut last_time = Timestamp::default();
    let mut failure = None;
    let mut write_error = None;
    let mut write = |events: &mut Vec<hardwire::Event>, suppressor: &mut Suppressor, sink: &mut JsonLines<_>| {
        for event in events.drain(..) {
            suppressor.offer(event, &mut |e| {
                if write_error.is_none() {
                    if let Err(err) = sink.write_event(&e) {
                        write_error = Some(err);
                    }
                }
            });
        }
    };

    'files: for path in &args.pcaps {
        let name = path.display();
        let mut input = match capture::open(path) {
            Ok(input) => input,
            Err(reason) => {
                failure = Some(format!("{name}: {reason}"));
                break;
            }
        };
        // The link type of the frame before, and its reading.
        let mut link = None;
        loop {
            match input.next_frame() {
                Ok(Some(frame)) => {
                    let link = match link {
                        Some((dlt, link)) if dlt == frame.dlt => link,
                        _ => match LinkType::from_dlt(frame.dlt) {
                            Ok(decoded) => link.insert((frame.dlt, decoded)).1,
                            Err(reason) => {
                                failure = Some(format!("{name}: {reason}"));
                                break 'files;
                            }
                        },
                    };
                    let ts = Timestamp::from_secs_micros(frame.ts_secs, frame.ts_micros);
                    last_time = last_time.max(ts);
                    engine.feed(ts, link, frame.data, frame.wire_len as usize, &mut events);
                    if !events.is_empty() {
                        write(&mut events, &mut suppressor, &mut sink);
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    // What was read before a truncation is still reported.
                    failure = Some(format!("{name}: {error}"));
                    break 'files;
                }
            }
        }
    }
    engine.finish(&mut events);
    write(&mut events, &mut suppressor, &mut sink);
    suppressor.flush(&mut |e| {
        if write_error.is_none() {
            if let Err(err) = sink.write_event(&e) {
                write_error = Some(err);
            }
        }
    });
    let stats = engine.stats();
    let result = sink.write_stats(last_time, &stats, None).and_then(|()| sink.flush());
    // The brokers get their drain time; what they could not take stays in the spool for the
    // next run (or is counted dropped), and each sink says so.
    for (name, f) in sink.close_brokers() {
        eprintln!(
            "hardwire: {name}: delivered {}, failed {}, spooled {}, dropped {}, duplicates {}, left {}",
            f.delivered, f.failed, f.spooled, f.dropped, f.duplicates, f.queued
        );
    }
    match (failure, write_error.or(result.err())) {
        (Some(reason), _) => Err(reason),
        // A reader that went away (`| head`) is not an error of ours.
        (None, Some(err)) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        (None, Some(err)) => Err(format!("writing output: {err}")),
        (None, None) => Ok(()),
    }
}
