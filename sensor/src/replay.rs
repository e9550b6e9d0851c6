//! Captures through the engine and the suppressor, in order, as one capture: what `hardwire
//! read` writes and what `hardwire report` aggregates.

use std::sync::Arc;

use hardwire::{Config, Engine, EngineStats, Event, LinkType, Shared, Suppressor, Timestamp};

use crate::capture::{self, OfflineCapture};
use crate::progress::{self, Progress};

/// A capture to open: its name for messages, and how to open it.
pub struct Source {
    pub name: String,
    pub open: Box<dyn FnOnce() -> Result<OfflineCapture, String>>,
}

impl Source {
    pub fn path(path: &std::path::Path) -> Source {
        let owned = path.to_path_buf();
        Source { name: path.display().to_string(), open: Box::new(move || capture::open(&owned)) }
    }
}

/// What a run leaves besides its events.
pub struct Outcome {
    pub stats: EngineStats,
    pub last_time: Timestamp,
    /// The first input that failed (what was read before it is still delivered).
    pub failure: Option<String>,
}

/// Feeds every frame of `sources` to one engine; each event, after suppression, goes to `out`.
pub fn run(config: &Arc<Config>, sources: Vec<Source>, progress: &Progress, out: &mut impl FnMut(Event)) -> Outcome {
    let shared = Arc::new(Shared::new(config));
    let mut suppressor = Suppressor::new(&config.suppression).within(&shared);
    let mut engine = Engine::new(config.clone(), shared);
    let mut events = Vec::new();
    let mut last_time = Timestamp::default();
    let mut failure = None;
    let mut unreported = 0u64;

    'files: for source in sources {
        let name = source.name;
        let mut input = match (source.open)() {
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
                    // The record header and the bytes captured: what the file holds.
                    unreported += frame.data.len() as u64 + 16;
                    engine.feed(ts, link, frame.data, frame.wire_len as usize, &mut events);
                    // Most frames complete no event.
                    if !events.is_empty() {
                        for event in events.drain(..) {
                            suppressor.offer(event, out);
                        }
                    }
                    if unreported >= progress::STEP {
                        progress.advance(unreported);
                        unreported = 0;
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    // What was read before a truncation is still delivered.
                    failure = Some(format!("{name}: {error}"));
                    break 'files;
                }
            }
        }
    }
    progress.advance(unreported);
    engine.finish(&mut events);
    for event in events.drain(..) {
        suppressor.offer(event, out);
    }
    suppressor.flush(out);
    let mut stats = engine.stats();
    stats.memory.suppressor_windows_closed_early = suppressor.closed_early;
    Outcome { stats, last_time, failure }
}
