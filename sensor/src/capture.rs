//! Opening captures through libpcap: files (pcap, pcapng), stdin (`-`), and gzip-compressed
//! captures, which are inflated by a thread into a pipe that libpcap reads.
//!
//! Classic pcap files are read by [`PcapFile`] instead, mapped into memory: libpcap reads a
//! file through stdio, two small reads per packet and a copy of every byte, and that cost a
//! third of `hardwire read`. At the
//! first thing it does not handle exactly as libpcap does (a record longer than the snapshot
//! length, a truncated record), it hands over to libpcap, which skips the packets already read
//! and goes on, so the output and the errors are libpcap's.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use flate2::read::MultiGzDecoder;
use memmap2::{Advice, Mmap, UncheckedAdvice};
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

/// A classic pcap file (version 2.4, either byte order, micro- or nanosecond stamps), mapped
/// into memory: frames are borrowed from the page cache, never copied, and the bytes of a frame
/// nobody looks at (bulk payload the protocols skip) are never read at all.
struct PcapFile {
    path: PathBuf,
    file: File,
    map: Arc<Mmap>,
    pager: Option<Pager>,
    dlt: i32,
    big_endian: bool,
    nanos: bool,
    snaplen: u32,
    /// The next record starts at `next`; the current one at `record`.
    next: usize,
    record: usize,
    /// Records handed out so far.
    delivered: u64,
    /// Where the pager was last told the reader is.
    reported: usize,
}

/// The pager hears where the reader is, and maps and unmaps, in steps of this many bytes.
const PAGER_STEP: usize = 2 << 20;
/// How far ahead of the reader [`Pager`] maps pages.
const READ_AHEAD: usize = 6 << 20;
const PAGE: usize = 4096;

impl PcapFile {
    /// Maps `path` if it is a classic pcap file this reader handles exactly as libpcap.
    fn open(path: &Path) -> Option<PcapFile> {
        let file = File::open(path).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        // SAFETY: the map is read-only (a shared mapping of the file). What `Mmap::map` warns of
        // is the file changing underneath: bytes changed in place are read as they are now
        // (all of them are checked as untrusted anyway), a file that grows is handed to
        // libpcap at the end of the mapped part (see `advance`), and one truncated while we
        // read it would end the process with SIGBUS, as it would any reader of mapped files.
        let map = Arc::new(unsafe { Mmap::map(&file) }.ok()?);
        let header = map.get(..FILE_HEADER)?;
        let (big_endian, nanos) = match header[..4] {
            [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
            [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
            [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
            [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
            _ => return None,
        };
        let u16_at = |at: usize| {
            let b = [header[at], header[at + 1]];
            if big_endian {
                u16::from_be_bytes(b)
            } else {
                u16::from_le_bytes(b)
            }
        };
        if (u16_at(4), u16_at(6)) != (2, 4) {
            return None;
        }
        // libpcap's LINKTYPE to DLT mapping, for the link types we decode (LINKTYPE_RAW is DLT_RAW).
        let dlt = match u32_at(header, 20, big_endian)? & 0x03ff_ffff {
            101 => 12,
            linktype @ (0 | 1 | 108 | 113 | 228 | 229 | 276) => linktype as i32,
            _ => return None,
        };
        let snaplen = match u32_at(header, 16, big_endian)? {
            0 => MAX_SNAPLEN,
            n => n.min(MAX_SNAPLEN),
        };
        let path = path.to_path_buf();
        let pager = Pager::start(map.clone());
        Some(PcapFile {
            path,
            file,
            map,
            pager,
            dlt,
            big_endian,
            nanos,
            snaplen,
            next: FILE_HEADER,
            record: FILE_HEADER,
            delivered: 0,
            reported: 0,
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        u32_at(&self.map, at, self.big_endian)
    }

    /// Moves to the next record: `Ok(false)` at a clean end of file.
    fn advance(&mut self) -> Result<bool, Unusual> {
        let left = self.map.len().saturating_sub(self.next);
        if left == 0 {
            // A capture still being written has grown since it was mapped: libpcap reads on.
            let grown = self.file.metadata().is_ok_and(|m| m.len() > self.map.len() as u64);
            return if grown { Err(Unusual) } else { Ok(false) };
        }
        let caplen = self.u32_at(self.next + 8).ok_or(Unusual)?;
        if caplen > self.snaplen || left < RECORD_HEADER + caplen as usize {
            return Err(Unusual);
        }
        self.record = self.next;
        self.next += RECORD_HEADER + caplen as usize;
        self.delivered += 1;
        self.report_position();
        Ok(true)
    }

    /// Tells the pager where the reader is, every couple of megabytes.
    fn report_position(&mut self) {
        let at = self.record / PAGE * PAGE;
        if at - self.reported < PAGER_STEP {
            return;
        }
        self.reported = at;
        if let Some(pager) = &self.pager {
            pager.reader_at(at);
        }
    }

    /// The record `advance` moved to, with libpcap's reading of its fields.
    fn frame(&self) -> Frame<'_> {
        let at = self.record;
        let field = |offset: usize| self.u32_at(at + offset).unwrap_or(0);
        let (secs, frac, caplen, wire_len) = (field(0), field(4), field(8), field(12));
        let data_at = at + RECORD_HEADER;
        Frame {
            // libpcap reads both as signed 32-bit values, and scales nanoseconds down
            ts_secs: i64::from(secs as i32),
            ts_micros: if self.nanos { i64::from(frac / 1000) } else { i64::from(frac as i32) },
            wire_len,
            data: self.map.get(data_at..data_at + caplen as usize).unwrap_or_default(),
        }
    }
}

/// A thread that keeps the map's resident part to a window around the reader: it maps the
/// pages a few megabytes ahead (MADV_POPULATE_READ), so the page faults, a sixth of `hardwire
/// read`, leave the analysis thread, and unmaps those behind (MADV_DONTNEED), so resident
/// memory stays flat however large the file (the pages stay in the page cache). It reads
/// nothing itself and changes nothing the reader sees.
struct Pager {
    /// Where the reader is; `usize::MAX` tells the thread to stop.
    reader_at: Arc<AtomicUsize>,
    thread: JoinHandle<()>,
}

impl Pager {
    fn start(map: Arc<Mmap>) -> Option<Pager> {
        let reader_at = Arc::new(AtomicUsize::new(0));
        let position = reader_at.clone();
        let spawned = std::thread::Builder::new().name("pager".into()).spawn(move || {
            let (mut mapped, mut released) = (0, 0);
            // Linux before 5.14 has no MADV_POPULATE_READ: the reader faults pages in itself.
            let mut can_populate = true;
            loop {
                let at = position.load(Ordering::Acquire);
                if at == usize::MAX {
                    return;
                }
                if released < at {
                    // SAFETY: the map is a shared, read-only mapping of a file: after
                    // MADV_DONTNEED the next access to these pages faults the same bytes in
                    // from the file again, so nothing changes for safe code (and the reader
                    // has moved past them anyway).
                    let _ = unsafe { map.unchecked_advise_range(UncheckedAdvice::DontNeed, released, at - released) };
                    released = at;
                }
                mapped = mapped.max(at);
                let until = map.len().min(at.saturating_add(READ_AHEAD));
                if can_populate && mapped < until {
                    let step = (until - mapped).min(PAGER_STEP);
                    can_populate = map.advise_range(Advice::PopulateRead, mapped, step).is_ok();
                    mapped += step;
                } else {
                    std::thread::park();
                }
            }
        });
        spawned.ok().map(|thread| Pager { reader_at, thread })
    }

    fn reader_at(&self, offset: usize) {
        self.reader_at.store(offset, Ordering::Release);
        self.thread.thread().unpark();
    }
}

impl Drop for Pager {
    fn drop(&mut self) {
        self.reader_at(usize::MAX);
    }
}

fn u32_at(bytes: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(if big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    /// What a reader made of a capture: each frame's fields, then how it ended.
    type Reading = (Vec<(i64, i64, u32, Vec<u8>)>, Result<(), String>);

    fn through_hardwire(path: &Path) -> Reading {
        let mut frames = Vec::new();
        let Ok(mut input) = open(path) else { return (frames, Err("open".into())) };
        loop {
            match input.next_frame() {
                Ok(Some(f)) => frames.push((f.ts_secs, f.ts_micros, f.wire_len, f.data.to_vec())),
                Ok(None) => return (frames, Ok(())),
                Err(e) => return (frames, Err(e.to_string())),
            }
        }
    }

    fn through_libpcap(path: &Path) -> Reading {
        let mut frames = Vec::new();
        let Ok(mut capture) = Capture::from_file(path) else { return (frames, Err("open".into())) };
        loop {
            match capture.next_packet() {
                Ok(p) => frames.push((p.header.ts.tv_sec, p.header.ts.tv_usec, p.header.len, p.data.to_vec())),
                Err(pcap::Error::NoMorePackets) => return (frames, Ok(())),
                Err(e) => return (frames, Err(e.to_string())),
            }
        }
    }

    fn classic_pcaps(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                classic_pcaps(&path, out);
            } else if PcapFile::open(&path).is_some() {
                out.push(path);
            }
        }
    }

    /// The mapped reader hands out exactly libpcap's frames and ends as libpcap does, on every
    /// classic pcap of `pcaps/` and `../shared/pcaps`, and on copies of them cut short at
    /// several places (where it hands over to libpcap for the error).
    #[test]
    fn mapped_reader_reads_as_libpcap() {
        let root = hardwire::test_support::workspace_root().expect("the workspace root");
        let mut files = Vec::new();
        classic_pcaps(&root.join("pcaps"), &mut files);
        if let Some(shared) = hardwire::test_support::shared_dir() {
            classic_pcaps(&shared.join("pcaps"), &mut files);
        }
        assert!(files.len() > 20, "only {} classic pcap files found", files.len());
        let scratch = std::env::temp_dir().join(format!("hardwire-capture-test-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).expect("a scratch folder");
        for path in &files {
            let reading = through_hardwire(path);
            assert!(reading.1.is_ok() && !reading.0.is_empty(), "{}: {:?}", path.display(), reading.1);
            assert!(reading == through_libpcap(path), "{}: frames differ from libpcap's", path.display());
            let bytes = std::fs::read(path).expect("reading the capture");
            for cut in [FILE_HEADER + 7, bytes.len() / 3, bytes.len() - 1] {
                let short = scratch.join("short.pcap");
                std::fs::write(&short, &bytes[..cut]).expect("writing the cut copy");
                assert!(through_hardwire(&short) == through_libpcap(&short), "{} cut at {cut}: differs from libpcap", path.display());
            }
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }
}
