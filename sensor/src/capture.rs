//! Opening captures through libpcap: files (pcap, pcapng), stdin (`-`), and gzip-compressed
//! captures, which are inflated by a thread into a pipe that libpcap reads.
//!
//! Classic pcap files are read by [`PcapFile`] instead, in large blocks: libpcap reads a file
//! through stdio, two small reads per packet, and that cost a third of `hardwire read`. At the
//! first thing it does not handle exactly as libpcap does (a record longer than the snapshot
//! length, a truncated record), it hands over to libpcap, which skips the packets already read
//! and goes on, so the output and the errors are libpcap's.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use flate2::read::MultiGzDecoder;
use pcap::{Capture, Offline};

/// An open offline capture, and what keeps its input flowing.
pub struct OfflineCapture {
    source: Source,
    /// The pipe's read end and its feeder thread, when the input is inflated or read from stdin.
    _feeder: Option<(io::PipeReader, JoinHandle<()>)>,
}

enum Source {
    Libpcap(Capture<Offline>),
    File(PcapFile),
}

/// One captured frame.
pub struct Frame<'a> {
    pub ts_secs: i64,
    pub ts_micros: i64,
    /// Length on the wire (the capture may hold less).
    pub wire_len: u32,
    pub data: &'a [u8],
}

impl OfflineCapture {
    /// The link type, as a DLT value.
    pub fn datalink(&self) -> i32 {
        match &self.source {
            Source::Libpcap(capture) => capture.get_datalink().0,
            Source::File(file) => file.dlt,
        }
    }

    /// The next frame; `Ok(None)` at the end of the capture.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, pcap::Error> {
        let hand_over = match &mut self.source {
            Source::File(file) => match file.advance() {
                Ok(true) => None,
                Ok(false) => return Ok(None),
                Err(Unusual) => Some((file.path.clone(), file.delivered)),
            },
            Source::Libpcap(_) => None,
        };
        if let Some((path, delivered)) = hand_over {
            let mut capture = Capture::from_file(&path)?;
            for _ in 0..delivered {
                capture.next_packet()?;
            }
            self.source = Source::Libpcap(capture);
        }
        match &mut self.source {
            Source::File(file) => Ok(Some(file.frame())),
            Source::Libpcap(capture) => match capture.next_packet() {
                Ok(packet) => Ok(Some(Frame {
                    ts_secs: packet.header.ts.tv_sec,
                    ts_micros: packet.header.ts.tv_usec,
                    wire_len: packet.header.len,
                    data: packet.data,
                })),
                Err(pcap::Error::NoMorePackets) => Ok(None),
                Err(error) => Err(error),
            },
        }
    }
}

/// Something [`PcapFile`] leaves to libpcap.
struct Unusual;

/// libpcap's largest snapshot length for the link types hardwire decodes.
const MAX_SNAPLEN: u32 = 262_144;
const FILE_HEADER: usize = 24;
const RECORD_HEADER: usize = 16;
const BLOCK: usize = 1 << 20;

/// A classic pcap file (version 2.4, either byte order, micro- or nanosecond stamps), read in
/// blocks of a megabyte.
struct PcapFile {
    path: PathBuf,
    file: File,
    dlt: i32,
    big_endian: bool,
    nanos: bool,
    snaplen: u32,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`; the current record starts at `record`.
    start: usize,
    end: usize,
    record: usize,
    /// Records handed out so far.
    delivered: u64,
}

impl PcapFile {
    /// Opens `path` if it is a classic pcap file this reader handles exactly as libpcap.
    fn open(path: &Path) -> Option<PcapFile> {
        let mut file = File::open(path).ok()?;
        let mut header = [0u8; FILE_HEADER];
        file.read_exact(&mut header).ok()?;
        let (big_endian, nanos) = match header[..4] {
            [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
            [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
            [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
            [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
            _ => return None,
        };
        let u16_at = |at: usize| {
            let b = [header[at], header[at + 1]];
            if big_endian { u16::from_be_bytes(b) } else { u16::from_le_bytes(b) }
        };
        let u32_at = |at: usize| {
            let b = [header[at], header[at + 1], header[at + 2], header[at + 3]];
            if big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) }
        };
        if (u16_at(4), u16_at(6)) != (2, 4) {
            return None;
        }
        // libpcap's LINKTYPE to DLT mapping, for the link types we decode (LINKTYPE_RAW is DLT_RAW).
        let dlt = match u32_at(20) & 0x03ff_ffff {
            101 => 12,
            linktype @ (0 | 1 | 108 | 113 | 228 | 229 | 276) => linktype as i32,
            _ => return None,
        };
        let snaplen = match u32_at(16) {
            0 => MAX_SNAPLEN,
            n => n.min(MAX_SNAPLEN),
        };
        let path = path.to_path_buf();
        Some(PcapFile { path, file, dlt, big_endian, nanos, snaplen, buf: vec![0; BLOCK], start: 0, end: 0, record: 0, delivered: 0 })
    }

    fn u32_at(&self, at: usize) -> u32 {
        let b = [self.buf[at], self.buf[at + 1], self.buf[at + 2], self.buf[at + 3]];
        if self.big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) }
    }

    /// Makes at least `len` unread bytes available unless the file ends first.
    fn fill(&mut self, len: usize) -> io::Result<bool> {
        if self.end - self.start >= len {
            return Ok(true);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
        while self.end < len {
            match self.file.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Moves to the next record: `Ok(false)` at a clean end of file.
    fn advance(&mut self) -> Result<bool, Unusual> {
        if !self.fill(RECORD_HEADER).map_err(|_| Unusual)? {
            return if self.start == self.end { Ok(false) } else { Err(Unusual) };
        }
        let caplen = self.u32_at(self.start + 8);
        if caplen > self.snaplen {
            return Err(Unusual);
        }
        if !self.fill(RECORD_HEADER + caplen as usize).map_err(|_| Unusual)? {
            return Err(Unusual);
        }
        self.record = self.start;
        self.start += RECORD_HEADER + caplen as usize;
        self.delivered += 1;
        Ok(true)
    }

    /// The record `advance` moved to, with libpcap's reading of its fields.
    fn frame(&self) -> Frame<'_> {
        let at = self.record;
        let (secs, frac, caplen, wire_len) = (self.u32_at(at), self.u32_at(at + 4), self.u32_at(at + 8), self.u32_at(at + 12));
        let data_at = at + RECORD_HEADER;
        Frame {
            // libpcap reads both as signed 32-bit values, and scales nanoseconds down
            ts_secs: i64::from(secs as i32),
            ts_micros: if self.nanos { i64::from(frac / 1000) } else { i64::from(frac as i32) },
            wire_len,
            data: &self.buf[data_at..data_at + caplen as usize],
        }
    }
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
    if let Some(file) = PcapFile::open(path) {
        return Ok(OfflineCapture { source: Source::File(file), _feeder: None });
    }
    let capture = Capture::from_file(path).map_err(describe)?;
    Ok(OfflineCapture { source: Source::Libpcap(capture), _feeder: None })
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
    Ok(OfflineCapture { source: Source::Libpcap(capture), _feeder: Some((reader, feeder)) })
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
