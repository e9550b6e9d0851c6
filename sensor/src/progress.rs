//! A progress bar on stderr for long reads (`hardwire read`, `hardwire report`): bytes read,
//! throughput and time left. Only when stderr is a terminal; otherwise nothing is drawn and
//! the bar costs one branch per megabyte.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Reports progress in steps of this many bytes.
pub const STEP: u64 = 1 << 20;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar over `inputs` (their sizes on disk), or a spinner with throughput when a size is
    /// unknown (stdin, compressed files); nothing when stderr is not a terminal.
    pub fn over(inputs: &[PathBuf]) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let sizes: Option<u64> = inputs.iter().map(|p| size(p)).sum();
        let bar = match sizes {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:32}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {bytes} read, {bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        Progress(Some(bar))
    }

    /// Adds `bytes` read.
    pub fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    /// Removes the bar, leaving the terminal as it was.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The bytes a reader will count for `path`: the file's size, unless it is stdin or compressed.
fn size(path: &Path) -> Option<u64> {
    if path == Path::new("-") || path.extension().is_some_and(|e| e == "gz") {
        return None;
    }
    std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| m.len())
}
