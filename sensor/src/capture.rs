//! Opening captures through libpcap: files (pcap, pcapng), stdin (`-`), and gzip-compressed
//! captures, which are inflated by a thread into a pipe that libpcap reads.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::thread::JoinHandle;

use flate2::read::MultiGzDecoder;
use pcap::{Capture, Offline};

/// An open offline capture, and what keeps its input flowing.
pub struct OfflineCapture {
    pub capture: Capture<Offline>,
    /// The pipe's read end and its feeder thread, when the input is inflated or read from stdin.
    _feeder: Option<(io::PipeReader, JoinHandle<()>)>,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens `path` (or stdin for `-`). Errors are one line naming the reason.
pub fn open(path: &Path) -> Result<OfflineCapture, String> {
    if path == Path::new("-") {
        return through_pipe(Box::new(io::stdin()));
    }
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let mut magic = [0u8; 2];
    let gzipped = file.read_exact(&mut magic).is_ok() && magic == GZIP_MAGIC;
    if gzipped {
        let file = File::open(path).map_err(|e| e.to_string())?;
        return through_pipe(Box::new(file));
    }
    let capture = Capture::from_file(path).map_err(describe)?;
    Ok(OfflineCapture { capture, _feeder: None })
}

/// Feeds `input` (inflated if it is gzip) through a pipe to libpcap.
fn through_pipe(mut input: Box<dyn Read + Send>) -> Result<OfflineCapture, String> {
    let (reader, mut writer) = io::pipe().map_err(|e| e.to_string())?;
    let feeder = std::thread::spawn(move || {
        let mut magic = [0u8; 2];
        let mut head = 0;
        while head < 2 {
            match input.read(&mut magic[head..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => head += n,
            }
        }
        let prefix = io::Cursor::new(magic[..head].to_vec());
        let mut chained: Box<dyn Read> = Box::new(prefix.chain(input));
        if magic[..head] == GZIP_MAGIC {
            chained = Box::new(MultiGzDecoder::new(chained));
        }
        // A reader that stops early closes the pipe; the copy then ends with an error, which is fine.
        let _ = io::copy(&mut chained, &mut writer);
        let _ = writer.flush();
    });
    let fd_path = format!("/dev/fd/{}", reader.as_raw_fd());
    let capture = Capture::from_file(&fd_path).map_err(describe)?;
    Ok(OfflineCapture { capture, _feeder: Some((reader, feeder)) })
}

/// libpcap's messages, made to read as a reason.
pub fn describe(error: pcap::Error) -> String {
    match error {
        pcap::Error::PcapError(message) if message.contains("unknown file format") => {
            "not a capture file (neither pcap nor pcapng)".to_string()
        }
        pcap::Error::PcapError(message) if message.is_empty() => "empty or unreadable capture".to_string(),
        pcap::Error::PcapError(message) if message.contains("only got 0") && message.contains("file header") => "empty file".to_string(),
        pcap::Error::PcapError(message) => message,
        other => other.to_string(),
    }
}
