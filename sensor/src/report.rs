//! `hardwire report`: a posture report a person reads. Inputs are captures (run through the
//! engine here) or hardwire JSON lines (a daemon's output, `-` for stdin, a fleet's JetStream or
//! Redis stream through [`hardwire_sinks::source`]); both become the same
//! [`line::Line`]s and go through one aggregation ([`aggregate`]), bounded whatever the input's
//! size. The result ([`model::Report`]) is shown on the terminal ([`text`]), and written as one
//! self-contained HTML page ([`html`]) and as JSON on request.

mod aggregate;
mod counts;
mod guidance;
mod html;
mod line;
mod model;
mod text;

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use hardwire_sinks::source::Source as BrokerSource;

use crate::capture;
use crate::cli::load_config;
use crate::fetch;
use crate::progress::{self, Progress};
use crate::replay::{self, Source};

use aggregate::{Aggregate, Limits};
use line::Line;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Configuration file (TOML) for captures: home networks, rule switches, limits.
    #[arg(short, long)]
    pub config: Option<PathBuf>,
    /// Also write the report as one self-contained HTML page (no script, nothing fetched).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also write the report as JSON (the same content, for machines).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Hosts, accounts and details each finding names before "and N more".
    #[arg(long, value_name = "N", default_value_t = Limits::default().top)]
    pub top: usize,
    /// Rows of the per-host tables (SMB servers, NTLM versus Kerberos, WinRM).
    #[arg(long, value_name = "N", default_value_t = Limits::default().rows)]
    pub rows: usize,
    /// Keys each table holds (hosts, accounts, evidence per finding); past it, counted as "at least N more".
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_keys)]
    pub max_keys: usize,
    /// Example flows (flow id, Community ID) per finding.
    #[arg(long, value_name = "N", default_value_t = Limits::default().examples)]
    pub examples: usize,
    /// Lateral-movement events kept with their command lines.
    #[arg(long, value_name = "N", default_value_t = Limits::default().lateral)]
    pub max_lateral: usize,
    /// Colour on the terminal: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: Color,
    /// Captures (pcap, pcapng, .gz) or hardwire JSON-lines files (.gz too); `-` reads stdin;
    /// a fleet's broker: nats://[user:password@]host:port/STREAM, redis://[:password@]host:port/KEY
    /// (tls://, rediss:// over TLS; `?ca=FILE&cert=FILE&key=FILE` for a private CA).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// A JSON line longer than this is counted as unreadable and skipped (the engine's lines are a
/// few kilobytes at most).
const MAX_LINE: u64 = 1 << 20;

pub fn run(args: ReportArgs) -> Result<(), String> {
    let config = Arc::new(load_config(args.config.as_deref())?);
    if args.top == 0 || args.rows == 0 || args.max_keys == 0 {
        return Err("--top, --rows and --max-keys must be at least 1".into());
    }
    let limits = Limits {
        max_keys: args.max_keys,
        top: args.top,
        rows: args.rows,
        examples: args.examples,
        lateral: args.max_lateral,
        ..Limits::default()
    };
    let mut agg = Aggregate::new(limits);
    let progress = Progress::over(&args.inputs);
    let mut captures = Vec::new();
    let mut failure = None;
    for path in &args.inputs {
        match classify(path) {
            Ok(Input::Json(reader)) => {
                if let Err(reason) = read_json(reader, &mut agg, &progress) {
                    failure = Some(format!("{}: {reason}", shown(path)));
                    break;
                }
            }
            Ok(Input::Capture(source)) => captures.push(source),
            Err(reason) => {
                failure = Some(format!("{}: {reason}", shown(path)));
                break;
            }
        }
    }
    if failure.is_none() && !captures.is_empty() {
        let outcome = replay::run(&config, captures, &progress, &mut |event| agg.observe(&Line::of_event(&event)));
        agg.add_traffic(outcome.stats.packets, outcome.stats.bytes);
        failure = outcome.failure;
    }
    progress.finish();

    let report = model::Report::build(&agg, args.inputs.iter().map(|p| shown(p)).collect());
    if let Some(path) = &args.json {
        let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut out, &report)
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &args.html {
        std::fs::write(path, html::render(&report)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let written = io::stdout().lock().write_all(text::render(&report, color).as_bytes());
    match (failure, written) {
        (Some(reason), _) => Err(reason),
        (None, Err(e)) if e.kind() != io::ErrorKind::BrokenPipe => Err(format!("writing output: {e}")),
        _ => Ok(()),
    }
}

enum Input {
    Json(Box<dyn BufRead>),
    Capture(Source),
}

/// Tells JSON lines from a capture by their first bytes (gzip is looked into). A broker
/// address (`nats://…/STREAM`, `redis://…/KEY`) is a fleet's JSON lines, fetched as they are read.
fn classify(path: &Path) -> Result<Input, String> {
    if let Some(source) = path.to_str().and_then(BrokerSource::parse) {
        return Ok(Input::Json(Box::new(BufReader::new(source?.reader(fetch::TIMEOUT).map_err(|e| e.to_string())?))));
    }
    let raw: Box<dyn Read + Send> =
        if path == Path::new("-") { Box::new(io::stdin()) } else { Box::new(File::open(path).map_err(|e| e.to_string())?) };
    let mut raw = BufReader::new(raw);
    let gzipped = raw.fill_buf().map_err(|e| e.to_string())?.starts_with(&[0x1f, 0x8b]);
    if path != Path::new("-") && !gzipped {
        // A file on disk: peek, then let the capture reader open it itself (it maps pcap files).
        let json = looks_like_json(raw.fill_buf().map_err(|e| e.to_string())?);
        return Ok(if json { Input::Json(Box::new(raw)) } else { Input::Capture(Source::path(path)) });
    }
    let mut inner: Box<dyn BufRead + Send> = if gzipped { Box::new(BufReader::new(MultiGzDecoder::new(raw))) } else { Box::new(raw) };
    if looks_like_json(inner.fill_buf().map_err(|e| e.to_string())?) {
        return Ok(Input::Json(inner));
    }
    let name = path.display().to_string();
    Ok(Input::Capture(Source { name, open: Box::new(move || capture::through_pipe(inner)) }))
}

/// An input as the report names it: a broker address without its credentials.
fn shown(path: &Path) -> String {
    match path.to_str().and_then(BrokerSource::parse) {
        Some(Ok(source)) => source.to_string(),
        _ => path.display().to_string(),
    }
}

fn looks_like_json(head: &[u8]) -> bool {
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Folds every line of `reader` into `agg`; a line that is not a hardwire JSON object is
/// counted and skipped.
fn read_json(mut reader: Box<dyn BufRead>, agg: &mut Aggregate, progress: &Progress) -> Result<(), String> {
    let mut buf = Vec::with_capacity(4096);
    let mut unreported = 0u64;
    loop {
        buf.clear();
        let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        unreported += n as u64;
        if unreported >= progress::STEP {
            progress.advance(unreported);
            unreported = 0;
        }
        if buf.last() != Some(&b'\n') && n as u64 == MAX_LINE {
            // Too long: skip to the end of the line.
            agg.bad_lines += 1;
            loop {
                buf.clear();
                let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf).map_err(|e| e.to_string())?;
                if n == 0 || buf.last() == Some(&b'\n') {
                    break;
                }
            }
            continue;
        }
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match Line::parse(text) {
            Ok(line) => agg.observe(&line),
            Err(_) => agg.bad_lines += 1,
        }
    }
    progress.advance(unreported);
    agg.end_of_file();
    Ok(())
}
